"""The cached ranking: served while the ranking version holds, rebuilt after any change that can move it,
and always equal to a build from the raw sheets (hypothesis, on whichever database the tests run)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.services.review import ranking_cache
from scoring.services.review.ranking import KindRanking, _build, compute_ranking
from scoring.store import audit
from scoring.store.db import READ_ONLY_OPTION, is_read_only
from scoring.store.models import Sheet
from tests.ranking.conftest import World, new_world


@pytest.fixture
def reading(session: Session) -> Iterator[Session]:
    """The test's session, marked as one that only reads (it sees the test's own rows)."""
    ranking_cache.clear()
    session.info[READ_ONLY_OPTION] = True
    yield session
    session.info.pop(READ_ONLY_OPTION, None)
    ranking_cache.clear()


def _same(cached: KindRanking, fresh: KindRanking) -> None:
    assert cached.rows == fresh.rows
    assert (cached.quota, cached.pass_line, cached.tie_rank, cached.seats_left_for_tie) == (
        fresh.quota,
        fresh.pass_line,
        fresh.tie_rank,
        fresh.seats_left_for_tie,
    )
    assert cached.matrix == fresh.matrix


def test_a_writing_session_never_uses_the_cache(session: Session, small_rubric_version: str) -> None:
    ranking_cache.clear()
    world = new_world(session, small_rubric_version)
    world.application(["80", "70", "60"])
    assert is_read_only(session) is False
    first = compute_ranking(session, world.round, "enterprise")
    assert compute_ranking(session, world.round, "enterprise") is not first


def test_served_while_unchanged_rebuilt_after_a_relevant_event_not_after_a_draft_save(
    reading: Session, small_rubric_version: str
) -> None:
    world = new_world(reading, small_rubric_version)
    app = world.application(["80", "70", "60"])
    other = world.application(["90", "85", "88"])
    first = compute_ranking(reading, world.round, "enterprise")
    assert compute_ranking(reading, world.round, "enterprise") is first
    assert [r.application_id for r in first.rows] == [other.id, app.id]

    sheet_id = reading.scalars(select(Sheet.id).where(Sheet.application_id == app.id)).first()
    audit.record(reading, actor=SYSTEM, action="sheet.save", entity="sheet", entity_id=sheet_id)
    reading.flush()
    assert compute_ranking(reading, world.round, "enterprise") is first

    # The change and its audit event, as a service writes them: app now leads.
    for sheet in reading.scalars(select(Sheet).where(Sheet.application_id == app.id)):
        sheet.total = Decimal("100")
    audit.record(reading, actor=SYSTEM, action="sheet.reopen", entity="sheet", entity_id=sheet_id)
    reading.flush()
    second = compute_ranking(reading, world.round, "enterprise")
    assert second is not first
    assert [r.application_id for r in second.rows] == [app.id, other.id]
    assert second.rows[0].final == Decimal("110")
    _same(second, _build(reading, world.round, "enterprise"))


totals = st.lists(
    st.one_of(st.none(), st.integers(min_value=0, max_value=180).map(lambda n: Decimal(n) / 2)),
    min_size=0,
    max_size=7,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    apps=st.lists(st.tuples(totals, st.booleans()), min_size=1, max_size=8),
    quota=st.integers(min_value=0, max_value=5),
    method=st.sampled_from(["trimmed_mean", "mean", "median"]),
    changes=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=180)), max_size=4
    ),
)
def test_cached_rankings_equal_a_build_from_the_raw_sheets(
    reading: Session,
    small_rubric_version: str,
    apps: list[tuple[list[Decimal | None], bool]],
    quota: int,
    method: str,
    changes: list[tuple[int, int]],
) -> None:
    with reading.begin_nested() as example:  # each example in a savepoint of its own
        world: World = new_world(reading, small_rubric_version, method=method, quotas={"enterprise": quota})
        for sheet_totals, platform in apps:
            world.application(sheet_totals, platforms="1" if platform else None)
        ranking_cache.clear()
        rnd = world.round
        _same(compute_ranking(reading, rnd, "enterprise"), _build(reading, rnd, "enterprise"))
        sheet_ids = reading.scalars(
            select(Sheet.id).where(Sheet.status == "submitted", Sheet.panel_id == world.panel().id)
        ).all()
        for pick, half_points in changes:
            if not sheet_ids:
                break
            sheet_id = sheet_ids[pick % len(sheet_ids)]
            new_total = Decimal(half_points) / 2
            changed = reading.get(Sheet, sheet_id)
            assert changed is not None
            changed.total = new_total  # through the ORM, as the services write
            audit.record(reading, actor=SYSTEM, action="sheet.submit", entity="sheet", entity_id=sheet_id)
            reading.flush()
            reading.expire_all()
            _same(compute_ranking(reading, rnd, "enterprise"), _build(reading, rnd, "enterprise"))
        example.rollback()
