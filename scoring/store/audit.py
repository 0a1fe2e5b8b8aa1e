"""Append-only audit events chained by SHA-256, and verification of the chain.

Each event's hash is SHA-256(prev_hash + canonical JSON of its content), so editing, deleting or
reordering any row breaks the chain from that row on. Writers serialise on the chain tail
(an advisory lock on PostgreSQL; SQLite transactions already hold the write lock).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.store.db import utcnow
from scoring.store.models import AuditEvent

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5C_A0D1  # any constant: one chain, one lock


def jsonable(value: Any) -> Any:
    """Plain JSON values for before/after snapshots: decimals and dates as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _canonical(event: AuditEvent) -> bytes:
    content = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(event)).hexdigest()


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction. Call it last, after the change itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    prev = session.scalar(_TAIL) or GENESIS
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.user_id,
        actor=actor.username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=jsonable(before),
        after=jsonable(after),
        reason=reason,
        prev_hash=prev,
    )
    event.hash = compute_hash(prev, event)
    # A Core INSERT, not the ORM's unit of work: the row is written now, under the chain's lock,
    # at a fraction of a flush's cost (audit rows are never changed afterwards).
    event.id = session.execute(_INSERT, {c: getattr(event, c) for c in _COLUMNS}).scalar_one()
    return event


_TAIL = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_COLUMNS = (
    "at", "actor_id", "actor", "action", "entity", "entity_id", "before", "after", "reason",
    "prev_hash", "hash",
)  # fmt: skip


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None  # "hash_mismatch" | "broken_link"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
        }


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; report the first row that does not fit."""
    cols = (
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_id,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.entity,
        AuditEvent.entity_id,
        AuditEvent.before,
        AuditEvent.after,
        AuditEvent.reason,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    )
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(*cols).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        )
        seen = False
        for row in rows:
            seen = True
            ev = AuditEvent(**{c.key: getattr(row, c.key) for c in cols})  # transient, never added
            if ev.prev_hash != prev:
                return ChainReport(ok=False, events=count, first_bad_id=ev.id, problem="broken_link")
            if compute_hash(prev, ev) != ev.hash:
                return ChainReport(ok=False, events=count, first_bad_id=ev.id, problem="hash_mismatch")
            prev = ev.hash
            count += 1
            last_id = ev.id
        if not seen:
            return ChainReport(ok=True, events=count)
