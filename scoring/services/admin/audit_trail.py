"""Reading the audit trail for staff: newest first, filtered by entity, action and actor, keyset-paged."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.core.permissions.admin import can_read_audit
from scoring.services.admin.schemas import AuditEventOut, AuditLogPage, AuditTrailPage, ChainReportOut
from scoring.store import queries
from scoring.store.audit import verify_chain
from scoring.store.models import AuditEvent

MAX_FILTER = 64


def _require_reader(actor: Actor) -> None:
    if not can_read_audit(actor):
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
) -> AuditTrailPage:
    """One page of events, newest first. `action` matches exactly or as a dotted prefix
    ("publication" finds "publication.propose"); `by` is a case-insensitive part of the actor's name.
    `next_before` is the cursor of the following (older) page, or None on the last page."""
    _require_reader(actor)
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
    return AuditTrailPage(
        items=[AuditEventOut.model_validate(queries.event_out(ev)) for ev in events],
        next_before=events[-1].id if more and events else None,
    )


def verify(session: Session, *, actor: Actor) -> ChainReportOut:
    """The whole chain checked from the first event (staff only)."""
    _require_reader(actor)
    report = verify_chain(session)
    return ChainReportOut(
        ok=report.ok, events=report.events, first_bad_id=report.first_bad_id, problem=report.problem
    )


def audit_log(
    session: Session,
    *,
    actor: Actor,
    entity: str | None = None,
    entity_id: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> AuditLogPage:
    """Events in chain order (oldest first) with their links, keyset-paged by id (the API's view)."""
    _require_reader(actor)
    items = [
        AuditEventOut.model_validate(event)
        for event in queries.audit_events(
            session, entity=entity, entity_id=entity_id, after_id=after_id, limit=limit
        )
    ]
    return AuditLogPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)
