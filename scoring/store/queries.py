"""Read-side selects shared by the API and the pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent


def audit_events(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Events in chain order (oldest first), keyset-paginated by id."""
    stmt = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id).limit(limit)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    return [event_out(ev) | {"prev_hash": ev.prev_hash} for ev in session.scalars(stmt)]


def event_out(ev: AuditEvent) -> dict[str, Any]:
    """One audit event as the API and the pages show it."""
    return {
        "id": ev.id,
        "at": ev.at.isoformat(),
        "actor_id": ev.actor_id,
        "actor": ev.actor,
        "action": ev.action,
        "entity": ev.entity,
        "entity_id": ev.entity_id,
        "before": ev.before,
        "after": ev.after,
        "reason": ev.reason,
        "hash": ev.hash,
    }
