"""The demo a newcomer meets: a whole 2023 round seeded through the real services, from filing to a
published list, with the dates of its history agreeing and the audit chain intact."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scoring.demo import seed_demo
from scoring.demo.data import DEMO
from scoring.settings import Settings
from scoring.store import migrate
from scoring.store.audit import verify_chain
from scoring.store.db import make_engine, make_sessionmaker
from scoring.store.models import (
    Application,
    DesignatedBase,
    Evaluation,
    Expert,
    Objection,
    Round,
    Sheet,
    User,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[sessionmaker[Session], Path, list]:
    var = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{(var / 'demo.sqlite3').as_posix()}"
    migrate.upgrade(url)
    settings = Settings(
        environment="development", var_dir=var, database_url=url, secret_key=secrets.token_urlsafe(40)
    )
    factory = make_sessionmaker(make_engine(url))
    shown = seed_demo(factory, settings=settings)
    return factory, var, shown


def test_the_demo_round_is_published_with_the_quota_of_each_kind(demo: tuple) -> None:
    factory, _, _ = demo
    with factory() as s:
        rnd = s.scalars(select(Round).where(Round.year == 2023)).one()
        assert rnd.status == "published"
        assert (rnd.notice_starts_on, rnd.notice_ends_on) == (date(2023, 10, 16), date(2023, 10, 23))
        assert rnd.approval_document_no == "石政字〔2023〕58号"
        bases = s.scalars(select(DesignatedBase)).all()
        assert Counter(b.kind for b in bases) == Counter(DEMO.round.quotas)
        assert {b.designated_on for b in bases} == {date(2023, 10, 30)}
        statuses = Counter(s.scalars(select(Application.status).where(Application.round_id == rnd.id)))
        assert statuses["designated"] == sum(DEMO.round.quotas.values())


def test_the_demo_tie_at_the_quota_line_is_resolved_with_a_recorded_reason(demo: tuple) -> None:
    factory, _, _ = demo
    with factory() as s:
        reasons = s.scalars(
            select(Application.decision_reason).where(
                Application.kind == "regional", Application.status == "designated"
            )
        ).all()
        assert any(r and "并列" in r for r in reasons)


def test_the_demo_objection_was_dismissed_during_the_notice(demo: tuple) -> None:
    factory, _, _ = demo
    with factory() as s:
        objection = s.scalars(select(Objection)).one()
        assert objection.status == "dismissed"
        assert objection.created_at.date() == date(2023, 10, 17)


def test_the_demo_history_is_dated_2023_and_the_audit_chain_verifies(demo: tuple) -> None:
    factory, _, _ = demo
    with factory() as s:
        rnd = s.scalars(select(Round).where(Round.year == 2023)).one()
        assert rnd.published_at is not None and rnd.published_at.year == 2023
        assert rnd.application_deadline is not None and rnd.application_deadline < rnd.published_at
        submitted = s.scalars(select(Application.submitted_at).where(Application.round_id == rnd.id)).all()
        assert all(at is not None and at < rnd.application_deadline for at in submitted)
        assert verify_chain(s).ok


def test_the_demo_prints_the_highlighted_accounts_and_files_the_rest_privately(demo: tuple) -> None:
    _, var, shown = demo
    assert [u for _, u, _ in shown][:2] == ["staff", "staff2"]
    accounts = var / "demo-accounts.txt"
    assert accounts.stat().st_mode & 0o777 == 0o600
    onboarding_applicants = 3  # scoring.demo.onboarding.APPLICANTS
    assert (
        len(accounts.read_text(encoding="utf-8").splitlines())
        == len(DEMO.accounts) + onboarding_applicants + 1
    )


def test_the_live_round_leaves_work_for_the_featured_expert_and_the_panels(demo: tuple) -> None:
    factory, _, shown = demo
    featured = next(u for r, u, _ in shown if r == "expert")
    with factory() as s:
        live = s.scalars(select(Round).where(Round.status == "reviewing")).one()
        rows = s.execute(
            select(Sheet.status, User.username)
            .join(Expert, Expert.id == Sheet.expert_id)
            .join(User, User.id == Expert.user_id)
            .join(Application, Application.id == Sheet.application_id)
            .where(Application.round_id == live.id)
        ).all()
        assert {status for status, name in rows if name == featured} == {"assigned"}
        assert Counter(status for status, _ in rows).keys() >= {"submitted", "draft", "assigned"}


def test_the_demo_bases_show_each_state_of_dynamic_management(demo: tuple) -> None:
    from scoring.core.actors import SYSTEM
    from scoring.services.management import bases as base_service

    factory, _, shown = demo
    assert "evaluator1" in [u for _, u, _ in shown]
    with factory() as s:
        by_status = Counter(s.scalars(select(DesignatedBase.status)))
        assert by_status == {"active": 8, "rectifying": 1, "revoked": 1}
        revoked = s.scalars(select(DesignatedBase).where(DesignatedBase.status == "revoked")).one()
        assert (revoked.revoked_on, revoked.revocation_document_no) == (
            date(2025, 11, 10),
            "石政字〔2025〕87号",
        )
        rectifying = s.scalars(select(DesignatedBase).where(DesignatedBase.status == "rectifying")).one()
        detail = base_service.base_detail(s, actor=SYSTEM, base_id=rectifying.id).model_dump(mode="json")
        assert detail["rectifications"][0]["deadline"] == "2027-04-20"
        promoted = s.scalars(select(DesignatedBase).where(DesignatedBase.promotion_marked)).all()
        assert [b.name for b in promoted] == ["石家庄高新技术产业开发区管理委员会"]
        grades = [
            o["grade"]
            for o in base_service.base_detail(s, actor=SYSTEM, base_id=promoted[0].id).model_dump(
                mode="json"
            )["outcomes"]
        ]
        assert grades == ["excellent", "excellent"]
        history = [
            h["at"][:10]
            for h in base_service.base_detail(s, actor=SYSTEM, base_id=revoked.id).model_dump(mode="json")[
                "history"
            ]
        ]
        assert history == sorted(history) and history[0] == "2023-10-30" and history[-1] == "2025-11-12"
        # Each declared year comes with its evidence, stored and dated with the declaration.
        promoted_detail = base_service.base_detail(s, actor=SYSTEM, base_id=promoted[0].id)
        evidence = promoted_detail.model_dump(mode="json")["evidence"]
        assert sorted({e["figures_year"] for e in evidence}) == [2024, 2025]
        assert all(e["name"].endswith(".pdf") for e in evidence) and len(evidence) == 4
        by_year = {e["figures_year"]: e["uploaded_at"][:4] for e in evidence}
        assert by_year == {2024: "2025", 2025: "2026"}


def test_the_open_call_has_a_draft_one_waiting_for_the_county_one_for_the_formal_check(demo: tuple) -> None:
    from scoring.demo.onboarding import CALL_TITLE, PENDING_REGISTRATION
    from scoring.store.models import Organisation, Registration

    factory, _var, _shown = demo
    with factory() as session:
        rnd = session.scalars(select(Round).where(Round.title == CALL_TITLE)).one()
        statuses = session.scalars(
            select(Application.status).where(Application.round_id == rnd.id).order_by(Application.id)
        ).all()
        pending = session.execute(
            select(Registration.status, Organisation.name).join(
                Organisation, Organisation.id == Registration.organisation_id
            )
        ).all()
    assert rnd.status == "open"
    assert list(statuses) == ["draft", "submitted", "recommended"]
    assert [tuple(p) for p in pending] == [("pending", PENDING_REGISTRATION)]


def test_every_demo_stage_has_a_name_for_the_progress_display() -> None:
    from scoring.demo import STAGE_NAMES, _stages

    assert len(STAGE_NAMES) == len(_stages()) + 1  # the people first, then one name per stage


def test_the_demo_rankings_from_stored_aggregates_match_an_independent_recomputation(demo: tuple) -> None:
    from scoring.core.aggregate import panel_score
    from scoring.services.review.ranking import _compute_ranking
    from scoring.store.models import Panel
    from scoring.store.models.aggregates import rebuild

    factory, _, _ = demo
    with factory() as s:
        assert rebuild(s.connection()).fixed == 0  # every aggregate the services stored is right
        checked = 0
        for rnd in s.scalars(select(Round)).all():
            for kind in rnd.kinds:
                stored = _compute_ranking(s, rnd, kind)
                assert stored.rows == _compute_ranking(s, rnd, kind, stored=False).rows
                for row in stored.rows:
                    # Independently: the submitted sheets of the application in its panel, via the ORM.
                    sheets = s.scalars(
                        select(Sheet)
                        .join(Panel, Panel.id == Sheet.panel_id)
                        .where(Sheet.application_id == row.application_id, Panel.round_id == rnd.id)
                    ).all()
                    totals = sorted((sh.id, sh.total) for sh in sheets if sh.status == "submitted")
                    assert row.totals == tuple(totals)
                    assert row.panel == panel_score(totals, rnd.method)  # type: ignore[arg-type]
                    assert row.sheets_expected == sum(1 for sh in sheets if sh.status != "declined")
                    checked += 1
        assert checked > 0
        s.rollback()


def test_the_demo_star_base_shows_a_correction_made_after_its_2024_evaluation(demo: tuple) -> None:
    from scoring.core.actors import SYSTEM
    from scoring.services.management import bases as base_service

    factory, _, _ = demo
    with factory() as s:
        star = s.scalars(select(DesignatedBase).where(DesignatedBase.promotion_marked)).one()
        detail = base_service.base_detail(s, actor=SYSTEM, base_id=star.id).model_dump(mode="json")
        [correction] = detail["figure_corrections"]
        assert (correction["year"], list(correction["figures"])) == (2024, ["rd_intensity"])
        assert correction["declared_at"][:10] == "2025-06-12"
        assert correction["evaluated_at"][:10] == "2025-04-15"
        # The evaluators' sheets keep the figure they read.
        read = {e.figures["rd_intensity"] for e in s.scalars(
            select(Evaluation).where(Evaluation.base_id == star.id, Evaluation.year == 2024)
        )}  # fmt: skip
        assert read and correction["figures"]["rd_intensity"] not in read
