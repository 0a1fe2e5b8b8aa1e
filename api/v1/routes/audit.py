"""API routes: the audit trail and the verification of its hash chain (staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.edge.deps import SessionDep, StaffActor
from api.edge.params import Cursor
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.services.admin import audit_trail
from scoring.services.admin.schemas import AuditLogPage, ChainReportOut

router = lazy_router(tags=["audit"])


@router.get("/audit", response_model=AuditLogPage, responses=errors(*AUTH, 403))
def list_audit(
    session: SessionDep,
    actor: StaffActor,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditLogPage:
    return audit_trail.audit_log(
        session, actor=actor, entity=entity, entity_id=id, after_id=cursor, limit=limit
    )


@router.get("/audit/verify", response_model=ChainReportOut, responses=errors(401, 403))
def verify(session: SessionDep, actor: StaffActor) -> ChainReportOut:
    return audit_trail.verify(session, actor=actor)
