"""API routes: end of scoring (extend a deadline, replace a no-show, what is missing); deleting a draft."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from api.edge.deps import CurrentActor, SessionDep, require_roles
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.services.designation import drafts
from scoring.services.review import sheets_end
from scoring.services.review.sheets_end_schemas import (
    DeadlineExtensionIn,
    DeadlineOut,
    ReplaceIn,
    ReplacementOut,
    RoundEndOut,
)

router = lazy_router(tags=["round end"])

HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


@router.get("/rounds/{round_id}/round-end", response_model=RoundEndOut, responses=errors(*AUTH, 404))
def round_end(session: SessionDep, actor: HiddenStaff, round_id: DbId) -> RoundEndOut:
    """Sheets not submitted (with their deadlines) and applications not scored yet."""
    return sheets_end.round_end(session, actor=actor, round_id=round_id)


@router.post(
    "/rounds/{round_id}/scoring-deadline",
    response_model=DeadlineOut,
    responses=errors(*AUTH, 404, 409, 413),
)
def extend_deadline(
    session: SessionDep, actor: HiddenStaff, round_id: DbId, body: DeadlineExtensionIn
) -> DeadlineOut:
    """A later scoring deadline for the round, or for one expert (expert_id), with a reason."""
    return sheets_end.extend_deadline(session, actor=actor, round_id=round_id, data=body)


@router.post(
    "/sheets/{sheet_id}/replacement",
    status_code=201,
    response_model=ReplacementOut,
    responses=errors(*AUTH, 404, 409, 413),
)
def replace_expert(
    session: SessionDep, actor: HiddenStaff, sheet_id: DbId, body: ReplaceIn
) -> ReplacementOut:
    """After the deadline, a reserve (or one expert drawn now, draw_more) takes a no-show's sheet."""
    return sheets_end.replace_expert(session, actor=actor, sheet_id=sheet_id, data=body)


@router.delete(
    "/applications/{application_id}",
    status_code=204,
    response_class=Response,
    tags=["applications"],
    responses=errors(*AUTH, 403, 404, 409),
)
def delete_draft(application_id: DbId, session: SessionDep, actor: CurrentActor) -> Response:
    """The applicant deletes its own draft (never a submitted or returned application)."""
    drafts.delete_draft(session, actor=actor, application_id=application_id)
    return Response(status_code=204)
