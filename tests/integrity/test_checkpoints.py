"""Keyed checkpoints: every tampering an insider with the owner's credentials can do is named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.store import audit, checkpoints
from scoring.store.models import AuditCheckpoint, AuditEvent
from tests.conftest import is_postgres
from tests.integrity.tamper import delete_events_from, drop_guards, edit_and_rechain, truncate_trail

Events = Callable[[int], list[AuditEvent]]


def _marks(session: Session) -> list[AuditCheckpoint]:
    return list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))


def test_a_checkpoint_every_interval_events_keyed_and_verifying(session: Session, events: Events) -> None:
    evs = events(7)
    marks = _marks(session)
    assert [(m.seq, m.event_count, m.reason) for m in marks] == [
        (evs[2].id, 3, "interval"),
        (evs[5].id, 6, "interval"),
    ]
    assert [m.head_hash for m in marks] == [evs[2].hash, evs[5].hash]
    assert all(checkpoints.mac_ok(m) for m in marks)
    report = audit.verify_chain(session)
    assert report.as_dict() == {
        "ok": True,
        "events": 7,
        "first_bad_id": None,
        "problem": None,
        "checkpoints": 2,
        "checkpoint_id": None,
        "head_seq": evs[6].id,
        "head_hash": evs[6].hash,
        "detail": None,
    }


def test_publication_writes_a_checkpoint_naming_the_round(session: Session, events: Events) -> None:
    events(1)
    ev = audit.record(session, actor=SYSTEM, action="round.publish", entity="round", entity_id=42)
    [mark] = _marks(session)
    assert (mark.seq, mark.head_hash, mark.event_count, mark.reason, mark.round_id) == (
        ev.id, ev.hash, 2, "publication", 42,
    )  # fmt: skip


def test_deleting_the_tail_past_a_checkpoint_is_a_missing_tail(session: Session, events: Events) -> None:
    evs = events(7)
    delete_events_from(session, evs[4].id)
    report = audit.verify_chain(session)
    assert (report.ok, report.problem, report.events, report.first_bad_id) == (
        False, "missing_tail", 4, evs[3].id + 1,
    )  # fmt: skip
    assert report.checkpoint_id == _marks(session)[1].id


def test_truncating_the_whole_trail_is_named(session: Session, events: Events) -> None:
    events(4)
    truncate_trail(session)
    report = audit.verify_chain(session)
    assert (report.ok, report.problem, report.events) == (False, "truncated", 0)


def test_an_empty_trail_beside_accounts_is_truncated(
    session: Session, make_person: Callable[..., object]
) -> None:
    make_person("staff")
    truncate_trail(session)
    report = audit.verify_chain(session)
    assert (report.ok, report.problem, report.checkpoints) == (False, "truncated", 0)
    assert report.detail == "the trail is empty but accounts exist"


def test_an_edit_with_every_later_hash_recomputed_is_a_rechain(session: Session, events: Events) -> None:
    evs = events(7)
    edit_and_rechain(session, evs[1].id, {"n": 999})
    report = audit.verify_chain(session)
    assert (report.ok, report.problem, report.first_bad_id) == (False, "rechained", evs[2].id)
    assert report.checkpoint_id == _marks(session)[0].id


def test_rechain_after_the_last_checkpoint_is_not_caught_by_checkpoints(
    session: Session, events: Events
) -> None:
    # Stated limit (README): the chain alone covers events after the last checkpoint.
    evs = events(7)
    edit_and_rechain(session, evs[6].id, {"n": 999})
    assert audit.verify_chain(session).ok


def test_a_checkpoint_rewritten_without_the_key_is_forged(session: Session, events: Events) -> None:
    evs = events(7)
    edit_and_rechain(session, evs[1].id, {"n": 999})
    drop_guards(session, "audit_checkpoints")
    session.expire_all()
    for mark in _marks(session):
        new_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == mark.seq))
        session.execute(
            text("UPDATE audit_checkpoints SET head_hash = :h, mac = :m WHERE id = :i"),
            {"h": new_hash, "m": "f" * 64, "i": mark.id},
        )
    session.expire_all()
    report = audit.verify_chain(session)
    assert (report.ok, report.problem, report.checkpoint_id) == (
        False,
        "forged_checkpoint",
        _marks(session)[0].id,
    )


def test_a_checkpoint_inserted_under_another_key_is_forged(session: Session, events: Events) -> None:
    evs = events(2)
    key, interval = checkpoints._settings_key_and_interval()
    checkpoints.configure(key="another installation's key, 32+ chars long", interval=interval)
    try:
        row = checkpoints.write(session, seq=evs[1].id, head_hash=evs[1].hash, event_count=2, reason="manual")
    finally:
        checkpoints.configure(key=key.decode(), interval=interval)
    report = audit.verify_chain(session)
    assert (report.ok, report.problem, report.checkpoint_id) == (False, "forged_checkpoint", row.id)


def test_removing_the_checkpoints_leaves_an_unkeyed_stretch(session: Session, events: Events) -> None:
    events(7)
    drop_guards(session, "audit_checkpoints")
    if is_postgres(session):
        session.execute(text("TRUNCATE audit_checkpoints"))
    else:
        session.execute(text("DELETE FROM audit_checkpoints"))
    report = audit.verify_chain(session)
    assert (report.ok, report.problem) == (False, "checkpoint_missing")


def test_checkpoints_are_append_only(session: Session, events: Events) -> None:
    import pytest
    from sqlalchemy.exc import DBAPIError

    events(3)
    if is_postgres(session):
        session.execute(text("RESET ROLE"))  # the triggers hold even against the owner
    for statement in ("UPDATE audit_checkpoints SET mac = 'x'", "DELETE FROM audit_checkpoints"):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement))


def test_the_mac_covers_every_field(session: Session) -> None:
    at = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    base = {
        "seq": 5,
        "head_hash": "a" * 64,
        "event_count": 5,
        "at": at,
        "reason": "interval",
        "round_id": None,
    }
    ref = checkpoints.mac(**base)
    for field, other in (("seq", 6), ("head_hash", "b" * 64), ("event_count", 4), ("reason", "manual"),
                         ("round_id", 1), ("at", datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC))):  # fmt: skip
        assert checkpoints.mac(**(base | {field: other})) != ref, field
