"""API routes: the expert pool and the third-party evaluators (staff only; 404 for everyone else)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from api.edge.deps import SessionDep, require_roles
from api.edge.params import Cursor, DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.services.admin import experts
from scoring.services.admin.schemas import ExpertIn, ExpertOut, ExpertPage, ExpertUpdate

router = lazy_router(tags=["experts"])

HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


@router.get("/experts", response_model=ExpertPage, responses=errors(*AUTH, 404))
def list_experts(
    session: SessionDep,
    actor: HiddenStaff,
    pool: Literal["expert", "evaluator"] | None = None,
    active: bool | None = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ExpertPage:
    return experts.experts_page(session, actor=actor, pool=pool, active=active, after_id=cursor, limit=limit)


@router.post("/experts", status_code=201, response_model=ExpertOut, responses=errors(*AUTH, 404, 409, 413))
def create_expert(session: SessionDep, actor: HiddenStaff, body: ExpertIn) -> ExpertOut:
    return experts.expert_view(session, experts.create_expert(session, actor=actor, data=body))


@router.get("/experts/{expert_id}", response_model=ExpertOut, responses=errors(*AUTH, 404))
def get_expert(session: SessionDep, actor: HiddenStaff, expert_id: DbId) -> ExpertOut:
    return experts.expert_view(session, experts.get_expert(session, actor=actor, expert_id=expert_id))


@router.put("/experts/{expert_id}", response_model=ExpertOut, responses=errors(*AUTH, 404, 413))
def update_expert(session: SessionDep, actor: HiddenStaff, expert_id: DbId, body: ExpertUpdate) -> ExpertOut:
    return experts.expert_view(
        session, experts.update_expert(session, actor=actor, expert_id=expert_id, data=body)
    )
