"""The audit trail: one row per change, chained, append-only, and every kind of tampering detected."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.store import audit
from scoring.store.models import AuditEvent
from tests.conftest import is_postgres


def _three_events(session: Session) -> list[AuditEvent]:
    events = [
        audit.record(
            session,
            actor=SYSTEM,
            action="thing.create",
            entity="thing",
            entity_id=i,
            before=None,
            after={"n": i, "score": "83.40"},
        )
        for i in range(3)
    ]
    session.flush()
    return events


def _drop_guards(session: Session) -> None:
    """Simulate someone with DDL rights who removes the guard before tampering."""
    if is_postgres(session):
        session.execute(text("RESET ROLE"))  # the owner, when the suite runs as the service role
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_events_chain_from_genesis(session: Session) -> None:
    before = audit.verify_chain(session)
    events = _three_events(session)
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    report = audit.verify_chain(session)
    assert report.ok and report.events == before.events + 3


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"])
def test_database_refuses_update_and_delete(session: Session, statement: str) -> None:
    _three_events(session)
    if is_postgres(session):
        session.execute(text("RESET ROLE"))  # the triggers hold even against the owner
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text(statement))


def test_postgres_refuses_truncate(session: Session) -> None:
    if not is_postgres(session):
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _three_events(session)
    session.execute(text("RESET ROLE"))  # the triggers hold even against the owner
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("TRUNCATE audit_events"))


def test_edited_row_is_detected(session: Session) -> None:
    events = _three_events(session)
    _drop_guards(session)
    session.execute(
        text("UPDATE audit_events SET after = :a WHERE id = :i"),
        {"a": '{"n": 1, "score": "99.00"}', "i": events[1].id},
    )
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == events[1].id
    assert report.problem == "hash_mismatch"


def test_deleted_row_is_detected(session: Session) -> None:
    events = _three_events(session)
    _drop_guards(session)
    session.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": events[1].id})
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == events[2].id
    assert report.problem == "broken_link"


def test_reordered_rows_are_detected(session: Session) -> None:
    events = _three_events(session)
    _drop_guards(session)
    first, second = events[0], events[1]
    cols = "at, actor_id, actor, action, entity, entity_id, before, after, reason, prev_hash, hash"
    rows = {
        ev.id: {
            k: (json.dumps(v) if isinstance(v, dict | list) else v)  # PostgreSQL hands JSON back parsed
            for k, v in session.execute(text(f"SELECT {cols} FROM audit_events WHERE id = :i"), {"i": ev.id})
            .one()
            ._asdict()
            .items()
        }
        for ev in (first, second)
    }
    assignments = ", ".join(f"{c.strip()} = :{c.strip()}" for c in cols.split(","))
    # Swap the two rows' whole contents (ids stay), as moving an event earlier would.
    session.execute(text("UPDATE audit_events SET hash = 'tmp' WHERE id = :i"), {"i": first.id})
    session.execute(
        text(f"UPDATE audit_events SET {assignments} WHERE id = :i"),
        {**rows[first.id], "i": second.id},
    )
    session.execute(
        text(f"UPDATE audit_events SET {assignments} WHERE id = :i"),
        {**rows[second.id], "i": first.id},
    )
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == first.id
    assert report.problem == "broken_link"


def test_rewritten_hash_is_detected(session: Session) -> None:
    events = _three_events(session)
    _drop_guards(session)
    session.execute(
        text("UPDATE audit_events SET actor = 'mallory', hash = :h WHERE id = :i"),
        {"h": "f" * 64, "i": events[2].id},
    )
    report = audit.verify_chain(session)
    assert not report.ok and report.first_bad_id == events[2].id
