"""A draw nobody can steer: commit, contribute, reveal; stratified by field; replayed from its record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from scoring.core.draw import ALGORITHM_VERSION, commitment_of, derive_seed
from scoring.core.errors import Conflict, ValidationFailed
from scoring.services.review import draw_record
from scoring.services.review.draw_record import CommitIn, ContributionIn, RevealIn
from scoring.store.models import AuditEvent, DrawCommitment, Panel, PanelMember
from tests.conftest import Person
from tests.review.conftest import Scenario

SECRET = "a secret only Alice keeps, 2026"
CONTRIBUTION = "Bob's dice: 4 6 1 3"


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _commit(session: Session, scenario: Scenario, alice: Person, **extra: Any) -> DrawCommitment:
    data = CommitIn(kind="enterprise", commitment=commitment_of(SECRET), **extra)
    return draw_record.commit(session, actor=alice.actor, round_id=scenario.round.id, data=data)


@pytest.fixture
def staff_pair(make_person: Callable[..., Person]) -> tuple[Person, Person]:
    return make_person("staff"), make_person("staff")


def test_the_seed_comes_from_the_secret_the_contribution_and_the_audit_head(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    alice, bob = staff_pair
    row = _commit(session, scenario, alice)
    draw_record.contribute(
        session, actor=bob.actor, commitment_id=row.id, data=ContributionIn(value=CONTRIBUTION)
    )
    head = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).one()
    draw_record.reveal(session, actor=alice.actor, commitment_id=row.id, data=RevealIn(secret=SECRET))
    seed = derive_seed(
        secret=SECRET, contribution=CONTRIBUTION, audit_head_hash=head.hash, round_id=scenario.round.id,
        kind="enterprise",
    )  # fmt: skip
    panel = session.get(Panel, row.panel_id)
    assert panel is not None and panel.seed == seed and row.status == "drawn"
    record = row.record
    assert record is not None
    assert (record["algorithm"], record["audit_head"], record["seed"]) == (
        ALGORITHM_VERSION, {"seq": head.id, "hash": head.hash}, seed,
    )  # fmt: skip
    assert [e["expert_id"] for e in record["pool"]] == sorted(p.expert.id for p in scenario.pool)
    first = record["pool"][0]
    assert set(first) == {
        "expert_id", "affiliation_org_id", "district", "declared_conflict_org_ids", "fields", "name",
    }  # fmt: skip
    assert first["fields"] == ["产业经济"]
    members = list(
        session.scalars(
            select(PanelMember.expert_id)
            .where(PanelMember.panel_id == panel.id)
            .order_by(PanelMember.position)
        )
    )
    assert members == record["result"]["members"] + record["result"]["reserves"]
    actions = list(
        session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "draw").order_by(AuditEvent.id))
    )
    assert actions == ["draw.commit", "draw.contribute", "draw.reveal"]
    [replayed] = draw_record.replay(session, actor=bob.actor, round_id=scenario.round.id)
    assert (replayed.matches, replayed.problems) == (True, [])


def test_a_draw_without_a_contribution_is_refused_and_saves_nothing(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    alice, _ = staff_pair
    row = _commit(session, scenario, alice)
    before = _events(session)
    with pytest.raises(Conflict) as err:
        draw_record.reveal(session, actor=alice.actor, commitment_id=row.id, data=RevealIn(secret=SECRET))
    assert err.value.code == "contribution_missing"
    assert (row.status, _events(session), session.scalar(select(func.count()).select_from(Panel))) == (
        "committed", before, 0,
    )  # fmt: skip


def test_a_reveal_that_does_not_match_the_commitment_is_refused_and_saves_nothing(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    alice, bob = staff_pair
    row = _commit(session, scenario, alice)
    draw_record.contribute(
        session, actor=bob.actor, commitment_id=row.id, data=ContributionIn(value=CONTRIBUTION)
    )
    before = _events(session)
    with pytest.raises(ValidationFailed) as err:
        draw_record.reveal(
            session, actor=alice.actor, commitment_id=row.id, data=RevealIn(secret=SECRET + "!")
        )
    assert {k: str(v) for k, v in err.value.fields.items()} == {
        "secret": "does not match the commitment recorded before the draw"
    }
    assert (row.status, row.panel_id, _events(session)) == ("contributed", None, before)


def test_the_contribution_must_come_from_a_second_staff_member(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    alice, _ = staff_pair
    row = _commit(session, scenario, alice)
    with pytest.raises(Conflict) as err:
        draw_record.contribute(
            session, actor=alice.actor, commitment_id=row.id, data=ContributionIn(value=CONTRIBUTION)
        )
    assert err.value.code == "same_staff_member" and row.contribution is None


def _fields(session: Session, scenario: Scenario, fields: list[list[str]]) -> None:
    for pool_expert, f in zip(scenario.pool, fields, strict=False):
        pool_expert.expert.fields = f
    session.flush()


def test_a_stratified_draw_covers_each_field_and_replays(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    alice, bob = staff_pair
    _fields(
        session, scenario, [["金融"], ["金融"], ["技术"], ["技术"], ["技术"], ["管理"], ["管理"], ["管理"]]
    )
    by_field = {p.expert.id: p.expert.fields[0] for p in scenario.pool}
    row = _commit(session, scenario, alice, strata={"金融": 2, "技术": 2})
    draw_record.contribute(
        session, actor=bob.actor, commitment_id=row.id, data=ContributionIn(value=CONTRIBUTION)
    )
    draw_record.reveal(session, actor=alice.actor, commitment_id=row.id, data=RevealIn(secret=SECRET))
    assert row.record is not None
    members = row.record["result"]["members"]
    assert len(members) == 5
    assert sorted(by_field[m] for m in members).count("金融") >= 2
    assert sorted(by_field[m] for m in members).count("技术") >= 2
    assert row.record["strata"] == {"技术": 2, "金融": 2}
    [replayed] = draw_record.replay(session, actor=alice.actor, round_id=scenario.round.id)
    assert replayed.matches


def test_a_panel_that_cannot_be_filled_names_the_short_field(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    alice, bob = staff_pair
    _fields(session, scenario, [["金融"]] + [["技术"]] * 7)
    row = _commit(session, scenario, alice, strata={"金融": 2})
    draw_record.contribute(
        session, actor=bob.actor, commitment_id=row.id, data=ContributionIn(value=CONTRIBUTION)
    )
    with pytest.raises(Conflict) as err:
        draw_record.reveal(session, actor=alice.actor, commitment_id=row.id, data=RevealIn(secret=SECRET))
    assert err.value.code == "stratum_short"
    assert str(err.value.message) == "The pool has 1 expert(s) of the field “金融”; the panel needs 2."
    assert {k: str(v) for k, v in err.value.fields.items()} == {"strata.金融": "1 expert(s) missing"}
    assert row.status == "contributed"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("UPDATE draw_commitments SET record = :r WHERE id = :i", "panel_mismatch"),
        ("seed", "seed_mismatch"),
    ],
)
def test_the_replay_fails_when_the_snapshot_or_the_seed_is_altered(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person], change: str, problem: str
) -> None:
    import json

    alice, bob = staff_pair
    row = _commit(session, scenario, alice)
    draw_record.contribute(
        session, actor=bob.actor, commitment_id=row.id, data=ContributionIn(value=CONTRIBUTION)
    )
    draw_record.reveal(session, actor=alice.actor, commitment_id=row.id, data=RevealIn(secret=SECRET))
    record = dict(row.record or {})
    if change == "seed":
        record["seed"] = record["seed"] + 1
    else:  # the snapshot: the first member now works for the first applicant (a conflict)
        first = record["result"]["members"][0]
        record["pool"] = [
            e | {"affiliation_org_id": scenario.applicants[0].id} if e["expert_id"] == first else e
            for e in record["pool"]
        ]
    session.execute(
        text("UPDATE draw_commitments SET record = :r WHERE id = :i"), {"r": json.dumps(record), "i": row.id}
    )
    session.expire_all()
    [replayed] = draw_record.replay(session, actor=alice.actor, round_id=scenario.round.id)
    assert replayed.matches is False
    assert problem in replayed.problems and "trail_mismatch" in replayed.problems


def test_a_panel_drawn_with_a_typed_seed_replays_but_is_marked_typed(
    session: Session, scenario: Scenario, staff_pair: tuple[Person, Person]
) -> None:
    from scoring.services.review.panels import DrawIn, draw

    alice, _ = staff_pair
    panel = draw(
        session, actor=alice.actor, round_id=scenario.round.id, data=DrawIn(kind="enterprise", seed=7)
    )
    [replayed] = draw_record.replay(session, actor=alice.actor, round_id=scenario.round.id)
    assert (replayed.seed_source, replayed.commitment_id, replayed.panel_id, replayed.matches) == (
        "typed", None, panel.id, True,
    )  # fmt: skip
