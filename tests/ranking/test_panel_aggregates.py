"""Stored panel aggregates: written in the transaction that changes a sheet, and the ranking read from them
equals the ranking recomputed from every raw sheet (hypothesis, on whichever database the tests run)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from scoring.core.aggregate import panel_score
from scoring.services.review.ranking import KindRanking, _compute_ranking
from scoring.store.models import Organisation, PanelAggregate, Sheet
from scoring.store.models.aggregates import rebuild
from tests.ranking.conftest import World, new_world

STATUSES = ("assigned", "draft", "declined", "submitted", "submitted", "submitted")


def _equal(stored: KindRanking, recomputed: KindRanking) -> None:
    assert stored.rows == recomputed.rows
    # Same digits and exponents, not only equal values: what is shown and exported is identical.
    assert [(str(r.final), str(r.panel.value), str(r.spread)) for r in stored.rows] == [
        (str(r.final), str(r.panel.value), str(r.spread)) for r in recomputed.rows
    ]
    assert (stored.quota, stored.tie_rank, stored.seats_left_for_tie, stored.method) == (
        recomputed.quota, recomputed.tie_rank, recomputed.seats_left_for_tie, recomputed.method,
    )  # fmt: skip
    assert stored.matrix == recomputed.matrix


def _both(session: Session, world: World) -> None:
    stored = _compute_ranking(session, world.round, "enterprise", stored=True)
    recomputed = _compute_ranking(session, world.round, "enterprise", stored=False)
    _equal(stored, recomputed)


sheet = st.tuples(st.sampled_from(STATUSES), st.integers(min_value=0, max_value=180))
action = st.tuples(
    st.sampled_from(["submit", "reopen", "decline", "total", "method", "threshold", "delete"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=180),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    apps=st.lists(st.tuples(st.lists(sheet, max_size=7), st.booleans()), min_size=1, max_size=8),
    quota=st.integers(min_value=0, max_value=5),
    method=st.sampled_from(["trimmed_mean", "mean", "median"]),
    threshold=st.sampled_from([Decimal(20), Decimal("0.5"), Decimal(5)]),
    actions=st.lists(action, max_size=6),
)
def test_the_ranking_from_stored_aggregates_equals_the_one_from_the_raw_sheets(
    session: Session,
    small_rubric_version: str,
    apps: list[tuple[list[tuple[str, int]], bool]],
    quota: int,
    method: str,
    threshold: Decimal,
    actions: list[tuple[str, int, int]],
) -> None:
    with session.begin_nested() as example:
        world = new_world(
            session, small_rubric_version, method=method, quotas={"enterprise": quota},
            outlier_threshold=threshold,
        )  # fmt: skip
        for sheets, platform in apps:
            world.application(
                [Decimal(h) / 2 for _, h in sheets],
                statuses=[s for s, _ in sheets] or None,
                platforms="1" if platform else None,
            )
        _both(session, world)
        all_sheets = list(session.scalars(select(Sheet).where(Sheet.panel_id == world.panel().id)))
        for what, pick, half in actions:
            if what == "method":
                world.round.method = ("trimmed_mean", "mean", "median")[pick % 3]
            elif what == "threshold":
                world.round.outlier_threshold = Decimal(half) / 4
            elif all_sheets:
                target = all_sheets[pick % len(all_sheets)]
                if what == "submit":
                    target.status, target.total = "submitted", Decimal(half) / 2
                elif what == "reopen":
                    target.status, target.total = "draft", None
                elif what == "decline":
                    target.status, target.total = "declined", None
                elif what == "total" and target.status == "submitted":
                    target.total = Decimal(half) / 2
                elif what == "delete":
                    session.delete(target)
                    all_sheets.remove(target)
            session.flush()
            _both(session, world)
        assert rebuild(session.connection()).fixed == 0  # nothing stored differs from the sheets
        example.rollback()


def test_a_submission_stores_the_aggregate_in_the_same_flush(
    session: Session, small_rubric_version: str
) -> None:
    world = new_world(session, small_rubric_version)
    app = world.application(["80", "70", "90", "60", "85"], statuses=["submitted"] * 4 + ["draft"])
    stored = session.get(PanelAggregate, app.id)
    assert stored is not None
    assert (stored.sheets_expected, stored.sheets_submitted, stored.method) == (5, 4, "trimmed_mean")
    last = session.scalars(select(Sheet).where(Sheet.application_id == app.id, Sheet.status == "draft")).one()
    last.status, last.total = "submitted", Decimal(85)
    session.flush()
    session.refresh(stored)
    assert (stored.sheets_expected, stored.sheets_submitted) == (5, 5)
    row = _compute_ranking(session, world.round, "enterprise").rows[0]
    ids = sorted(s.id for s in session.scalars(select(Sheet).where(Sheet.application_id == app.id)))
    assert row.panel == panel_score([(i, Decimal(t)) for i, t in zip(ids, (80, 70, 90, 60, 85), strict=True)])
    assert str(row.panel.value) == "78.333333333333333333333333333333333333333333333333"


def test_repair_finds_and_fixes_aggregates_changed_around_the_orm(
    session: Session, small_rubric_version: str
) -> None:
    world = new_world(session, small_rubric_version)
    a = world.application(["80", "70", "60"])
    b = world.application(["50", "55", "60"])
    c = world.application(["90", "90", "90"])
    assert rebuild(session.connection()).fixed == 0
    # A Core UPDATE of a submitted sheet, a lost aggregate and one left for an application without sheets.
    session.execute(update(Sheet).where(Sheet.application_id == a.id).values(total=Decimal(100)))
    session.execute(delete(PanelAggregate).where(PanelAggregate.application_id == b.id))
    session.execute(delete(Sheet).where(Sheet.application_id == c.id))
    before = _compute_ranking(session, world.round, "enterprise", stored=False)
    report = rebuild(session.connection())
    assert (report.different, report.missing, report.extra, report.fixed) == ((a.id,), (b.id,), (c.id,), 3)
    _equal(_compute_ranking(session, world.round, "enterprise"), before)
    assert rebuild(session.connection()).fixed == 0


def test_the_repair_command_reports_fixes_and_is_audited(tmp_path: Any, monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    from scoring import settings
    from scoring.cli.main import app
    from scoring.store import migrate
    from scoring.store.db import make_engine, make_sessionmaker, unit_of_work
    from scoring.store.models import AuditEvent
    from tests.ranking.conftest import small_world

    url = f"sqlite:///{(tmp_path / 'cli.sqlite3').as_posix()}"
    migrate.upgrade(url)
    monkeypatch.setenv("SHUANGCHUANG_DATABASE_URL", url)
    monkeypatch.setenv("SHUANGCHUANG_VAR_DIR", str(tmp_path))
    if hasattr(settings.get_settings, "cache_clear"):
        settings.get_settings.cache_clear()
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as s:
        world = small_world(s)
        app_id = world.application(["80", "70", "60"]).id
        world.application(["50", "55", "60"])
    runner = CliRunner()
    clean = runner.invoke(app, ["ranking", "repair"])
    assert clean.exit_code == 0, clean.output
    assert clean.output.strip() == (
        "checked 2 application(s) with sheets: 0 missing, 0 different, 0 without sheets; fixed 0"
    )
    with engine.begin() as conn:
        conn.execute(delete(PanelAggregate).where(PanelAggregate.application_id == app_id))
    fixed = runner.invoke(app, ["ranking", "repair"])
    assert fixed.exit_code == 1
    assert (
        "checked 2 application(s) with sheets: 1 missing, 0 different, 0 without sheets; fixed 1"
        in fixed.output
    )
    assert f"fixed application ids: {app_id}" in fixed.output
    again = runner.invoke(app, ["ranking", "repair"])
    assert again.exit_code == 0, again.output
    with make_sessionmaker(engine)() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "panel_aggregates.repair").order_by(AuditEvent.id)
        ).all()
        assert [e.after["missing"] for e in events] == [[], [app_id], []]
    engine.dispose()


def test_a_build_after_a_change_reuses_only_what_the_change_did_not_touch(
    session: Session, small_rubric_version: str
) -> None:
    """What a build prepared is reused by the next build only for unchanged applications (PreparedRows)."""
    from scoring.services.review.ranking import PREPARED

    world = new_world(session, small_rubric_version, quotas={"enterprise": 2})
    a = world.application(["80", "82", "84"], name="甲单位")
    b = world.application(["70", "72", "74"], name="乙单位")
    c = world.application(["90", "91", "92"], name="丙单位")
    first = _compute_ranking(session, world.round, "enterprise")
    assert [r.application_id for r in first.rows] == [c.id, a.id, b.id]
    assert (world.round.id, "enterprise") in PREPARED.entries  # the next build has something to reuse

    c.figures = {}  # the gate's figure withdrawn: the gate cannot be evaluated
    a.status = "recommended"  # back before its formal check
    renamed = session.get(Organisation, b.organisation_id)
    assert renamed is not None
    renamed.name = "乙单位（更名）"
    session.flush()
    after = _compute_ranking(session, world.round, "enterprise")
    by_id = {r.application_id: r for r in after.rows}
    assert "gate_missing" in by_id[c.id].eligibility_reasons
    assert "formal_check_not_passed" in by_id[a.id].eligibility_reasons
    assert by_id[b.id].applicant == "乙单位（更名）"
    assert after.proposed_ids == (b.id,)
    _equal(after, _compute_ranking(session, world.round, "enterprise", stored=False))
    PREPARED.clear()
    _equal(after, _compute_ranking(session, world.round, "enterprise"))
