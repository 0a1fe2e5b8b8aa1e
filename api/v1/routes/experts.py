"""API routes: the expert pool and the third-party evaluators (staff only; 404 for everyone else)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from api.edge.deps import SessionDep, require_roles
from api.edge.params import Cursor, DbId
from scoring.core.actors import Actor, Role
from scoring.services.admin import experts

router = APIRouter(tags=["experts"])

HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


@router.get("/experts")
def list_experts(
    session: SessionDep,
    actor: HiddenStaff,
    pool: Literal["expert", "evaluator"] | None = None,
    active: bool | None = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    rows = experts.list_experts(session, actor=actor, pool=pool, active=active, after_id=cursor, limit=limit)
    return {
        "items": experts.experts_out(session, rows),
        "next_cursor": rows[-1].id if len(rows) == limit else None,
    }


@router.post("/experts", status_code=201)
def create_expert(session: SessionDep, actor: HiddenStaff, body: experts.ExpertIn) -> dict[str, Any]:
    expert = experts.create_expert(session, actor=actor, data=body)
    return experts.experts_out(session, [expert])[0]


@router.get("/experts/{expert_id}")
def get_expert(session: SessionDep, actor: HiddenStaff, expert_id: DbId) -> dict[str, Any]:
    expert = experts.get_expert(session, actor=actor, expert_id=expert_id)
    return experts.experts_out(session, [expert])[0]


@router.put("/experts/{expert_id}")
def update_expert(
    session: SessionDep, actor: HiddenStaff, expert_id: DbId, body: experts.ExpertUpdate
) -> dict[str, Any]:
    expert = experts.update_expert(session, actor=actor, expert_id=expert_id, data=body)
    return experts.experts_out(session, [expert])[0]
