"""API routes: government approval, four-eyes publication with its public notice, and objections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.edge.deps import SessionDep, require_roles
from api.edge.params import DbId
from scoring.core.actors import Actor, Role
from scoring.services.review import decisions, publication
from scoring.services.review.ranking import load_round

router = APIRouter(tags=["publication"])

HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


@router.post("/rounds/{round_id}/approval")
def record_approval(
    round_id: DbId, data: decisions.ApprovalIn, session: SessionDep, actor: HiddenStaff
) -> dict[str, Any]:
    return decisions.record_approval(session, actor=actor, round_id=round_id, data=data)


@router.get("/rounds/{round_id}/publication")
def publication_state(round_id: DbId, session: SessionDep, actor: HiddenStaff) -> dict[str, Any]:
    return publication.publication_out(load_round(session, round_id))


@router.post("/rounds/{round_id}/publication")
def publication_action(
    round_id: DbId, data: publication.PublicationIn, session: SessionDep, actor: HiddenStaff
) -> dict[str, Any]:
    return publication.publication_action(session, actor=actor, round_id=round_id, data=data)


@router.get("/rounds/{round_id}/objections")
def list_objections(round_id: DbId, session: SessionDep, actor: HiddenStaff) -> dict[str, Any]:
    items = publication.list_objections(session, actor=actor, round_id=round_id)
    return {"items": [publication.objection_out(o) for o in items], "next_cursor": None}


@router.post("/objections/{objection_id}/resolution")
def resolve_objection(
    objection_id: DbId, data: publication.ResolutionIn, session: SessionDep, actor: HiddenStaff
) -> dict[str, Any]:
    obj = publication.resolve_objection(session, actor=actor, objection_id=objection_id, data=data)
    return publication.objection_out(obj)
