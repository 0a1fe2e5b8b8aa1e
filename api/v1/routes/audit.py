"""API routes: the audit trail and the verification of its hash chain (staff only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.edge.deps import SessionDep, StaffActor
from api.edge.params import Cursor
from scoring.store import queries
from scoring.store.audit import verify_chain

router = APIRouter(tags=["audit"])


@router.get("/audit")
def list_audit(
    session: SessionDep,
    actor: StaffActor,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    items = queries.audit_events(session, entity=entity, entity_id=id, after_id=cursor, limit=limit)
    next_cursor = items[-1]["id"] if len(items) == limit else None
    return {"items": items, "next_cursor": next_cursor}


@router.get("/audit/verify")
def verify(session: SessionDep, actor: StaffActor) -> dict[str, Any]:
    return verify_chain(session).as_dict()
