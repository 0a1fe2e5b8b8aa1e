"""Reading the audit trail for staff: newest first, filtered by entity, action and actor, keyset-paged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.store.audit import ChainReport, verify_chain
from scoring.store.models import AuditEvent
from scoring.store.queries import event_out

MAX_FILTER = 64


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotFound()


def _clean(value: str | None, limit: int = MAX_FILTER) -> str | None:
    value = (value or "").strip()[:limit]
    return value or None


def audit_trail(
    session: Session,
    *,
    actor: Actor,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    by: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """One page of events, newest first. `action` matches exactly or as a dotted prefix
    ("publication" finds "publication.propose"); `by` is a case-insensitive part of the actor's name.
    `next_before` is the cursor of the following (older) page, or None on the last page."""
    _require_staff(actor)
    entity, entity_id, action, by = _clean(entity, 32), _clean(entity_id), _clean(action), _clean(by)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if before_id is not None and before_id > 0:
        stmt = stmt.where(AuditEvent.id < before_id)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if action:
        stmt = stmt.where(
            or_(AuditEvent.action == action, AuditEvent.action.startswith(action + ".", autoescape=True))
        )
    if by:
        stmt = stmt.where(func.lower(AuditEvent.actor).contains(by.lower(), autoescape=True))
    events = list(session.scalars(stmt))
    more = len(events) > limit
    events = events[:limit]
    return {
        "items": [event_out(ev) for ev in events],
        "next_before": events[-1].id if more and events else None,
    }


def verify(session: Session, *, actor: Actor) -> ChainReport:
    """The whole chain checked from the first event (staff only)."""
    _require_staff(actor)
    return verify_chain(session)
