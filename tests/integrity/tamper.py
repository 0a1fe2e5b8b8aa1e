"""Helpers that tamper with the database the way an insider with the owner's credentials could."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scoring.store import audit
from scoring.store.models import AuditEvent
from tests.conftest import is_postgres


def drop_guards(session: Session, table: str = "audit_events") -> None:
    """What the schema owner can do: switch the append-only triggers off."""
    if is_postgres(session):
        session.execute(text("RESET ROLE"))  # the owner, when the suite runs as the service role
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        session.execute(text(f"DROP TRIGGER {table}_no_update"))
        session.execute(text(f"DROP TRIGGER {table}_no_delete"))


def delete_events_from(session: Session, first_id: int) -> None:
    drop_guards(session)
    session.execute(text("DELETE FROM audit_events WHERE id >= :i"), {"i": first_id})


def truncate_trail(session: Session) -> None:
    drop_guards(session)
    if is_postgres(session):
        session.execute(text("TRUNCATE audit_events"))
    else:
        session.execute(text("DELETE FROM audit_events"))


def edit_and_rechain(session: Session, event_id: int, after: dict[str, object]) -> None:
    """Edit one event, then recompute its hash and every later one so the chain holds again."""
    drop_guards(session)
    session.execute(
        text("UPDATE audit_events SET after = :a WHERE id = :i"),
        {"a": __import__("json").dumps(after), "i": event_id},
    )
    session.expire_all()
    prev = (
        session.scalar(
            select(AuditEvent.hash).where(AuditEvent.id < event_id).order_by(AuditEvent.id.desc()).limit(1)
        )
        or audit.GENESIS
    )
    for ev in list(
        session.scalars(select(AuditEvent).where(AuditEvent.id >= event_id).order_by(AuditEvent.id))
    ):
        new = audit.compute_hash(prev, ev)
        session.execute(
            text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :i"),
            {"p": prev, "h": new, "i": ev.id},
        )
        prev = new
    session.expire_all()


def resign_checkpoints(session: Session) -> None:
    """What someone holding AUDIT_KEY (and the database) could do after a re-chain: sign again."""
    from scoring.store import checkpoints
    from scoring.store.models import AuditCheckpoint

    drop_guards(session, "audit_checkpoints")
    session.expire_all()
    for mark in list(session.scalars(select(AuditCheckpoint))):
        head = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == mark.seq))
        new_mac = checkpoints.mac(
            seq=mark.seq, head_hash=head or "", event_count=mark.event_count, at=mark.at,
            reason=mark.reason, round_id=mark.round_id,
        )  # fmt: skip
        session.execute(
            text("UPDATE audit_checkpoints SET head_hash = :h, mac = :m WHERE id = :i"),
            {"h": head, "m": new_mac, "i": mark.id},
        )
    session.expire_all()
