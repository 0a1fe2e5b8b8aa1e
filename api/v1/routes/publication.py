"""API routes: government approval, four-eyes publication with its public notice, and objections."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.edge.deps import SessionDep, require_roles
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.services.review import decisions, list_revision, publication
from scoring.services.review.ranking import load_round
from scoring.services.review.schemas import (
    ApprovalOut,
    BackfillPreview,
    ListRevisionOut,
    ObjectionOut,
    ObjectionPage,
    PublicationOut,
    RevisionIn,
)

router = lazy_router(tags=["publication"])

HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


@router.post(
    "/rounds/{round_id}/approval", response_model=ApprovalOut, responses=errors(*AUTH, 404, 409, 413)
)
def record_approval(
    round_id: DbId, data: decisions.ApprovalIn, session: SessionDep, actor: HiddenStaff
) -> ApprovalOut:
    return decisions.record_approval(session, actor=actor, round_id=round_id, data=data)


@router.get("/rounds/{round_id}/publication", response_model=PublicationOut, responses=errors(*AUTH, 404))
def publication_state(round_id: DbId, session: SessionDep, actor: HiddenStaff) -> PublicationOut:
    return publication.publication_out(session, load_round(session, round_id))


@router.post(
    "/rounds/{round_id}/publication", response_model=PublicationOut, responses=errors(*AUTH, 404, 409, 413)
)
def publication_action(
    round_id: DbId, data: publication.PublicationIn, session: SessionDep, actor: HiddenStaff
) -> PublicationOut:
    return publication.publication_action(session, actor=actor, round_id=round_id, data=data)


@router.get("/rounds/{round_id}/objections", response_model=ObjectionPage, responses=errors(*AUTH, 404))
def list_objections(round_id: DbId, session: SessionDep, actor: HiddenStaff) -> ObjectionPage:
    items = publication.list_objections(session, actor=actor, round_id=round_id)
    return ObjectionPage(items=[publication.objection_out(o) for o in items], next_cursor=None)


@router.post(
    "/objections/{objection_id}/resolution",
    response_model=ObjectionOut,
    responses=errors(*AUTH, 404, 409, 413),
)
def resolve_objection(
    objection_id: DbId, data: publication.ResolutionIn, session: SessionDep, actor: HiddenStaff
) -> ObjectionOut:
    obj = publication.resolve_objection(session, actor=actor, objection_id=objection_id, data=data)
    return publication.objection_out(obj)


@router.get(
    "/objections/{objection_id}/backfill-candidate",
    response_model=BackfillPreview,
    responses=errors(*AUTH, 404),
)
def backfill_candidate(objection_id: DbId, session: SessionDep, actor: HiddenStaff) -> BackfillPreview:
    """The next eligible application that would fill the seat if this objection were upheld."""
    found = publication.backfill_preview(session, actor=actor, objection_id=objection_id)
    return BackfillPreview(objection_id=objection_id, candidate=found)


@router.post(
    "/rounds/{round_id}/list-revision/approval",
    response_model=ListRevisionOut,
    responses=errors(*AUTH, 404, 409, 413),
)
def record_revision_approval(
    round_id: DbId, data: decisions.ApprovalIn, session: SessionDep, actor: HiddenStaff
) -> ListRevisionOut:
    """The city government's new approval of a list changed by upheld objections."""
    return list_revision.record_revision_approval(session, actor=actor, round_id=round_id, data=data)


@router.post(
    "/rounds/{round_id}/list-revision", response_model=ListRevisionOut, responses=errors(*AUTH, 404, 409, 413)
)
def revision_action(
    round_id: DbId, data: RevisionIn, session: SessionDep, actor: HiddenStaff
) -> ListRevisionOut:
    """Propose (staff A) or confirm (staff B) the supplementary notice of the entries a change added."""
    return list_revision.revision_action(session, actor=actor, round_id=round_id, data=data)
