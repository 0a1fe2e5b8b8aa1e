"""API routes: score sheets — declaration, autosave, submit, reopen, and the staff view per application."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response

from api.edge.deps import CurrentActor, SessionDep, require_roles
from api.edge.params import Cursor, DbId, QueryId
from api.edge.responses import AUTH, errors, model_json
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.core.ids import MAX_ROW_ID
from scoring.services.review import sheet_views, sheets
from scoring.services.review.schemas import ApplicationSheet, SavedSheetOut, SheetOut, SheetPage

router = lazy_router(tags=["sheets"])

# A sheet shows only what its reader may see: the fields its service left unset are absent.
SHEET: dict[str, Any] = {"response_model": SheetOut, "response_model_exclude_unset": True}

# Applicants, counties and evaluators do not learn that sheets exist: 404, not 403.
HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]
HiddenExpert = Annotated[Actor, Depends(require_roles(Role.EXPERT, hide=True))]
ExpertOrStaff = Annotated[Actor, Depends(require_roles(Role.EXPERT, Role.STAFF, hide=True))]


@router.get("/sheets", response_model=SheetPage, responses=errors(*AUTH, 404))
def list_sheets(
    session: SessionDep,
    actor: ExpertOrStaff,
    mine: bool = False,
    round: Annotated[int | None, Query(alias="round", ge=1, le=MAX_ROW_ID)] = None,
    kind: Literal["regional", "university", "enterprise"] | None = None,
    application: QueryId | None = None,
    expert: QueryId | None = None,
    panel: QueryId | None = None,
    status: Literal["assigned", "declined", "draft", "submitted"] | None = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SheetPage:
    """An expert always gets its own sheets; staff get every sheet (none of their own with mine=1)."""
    if mine and actor.is_staff:
        return SheetPage(items=[], next_cursor=None)
    items = sheet_views.list_sheets(
        session,
        actor=actor,
        round_id=round,
        kind=kind,
        application_id=application,
        expert_id=expert,
        panel_id=panel,
        status=status,
        after_id=cursor,
        limit=limit,
    )
    return SheetPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/sheets/{sheet_id}", **SHEET, responses=errors(*AUTH, 404))
def get_sheet(session: SessionDep, actor: CurrentActor, sheet_id: DbId) -> SheetOut:
    return sheet_views.sheet_out(sheet_views.get_sheet(session, actor=actor, sheet_id=sheet_id))


@router.post("/sheets/{sheet_id}/declaration", **SHEET, responses=errors(*AUTH, 404, 409, 413))
def declare(session: SessionDep, actor: HiddenExpert, sheet_id: DbId, body: sheets.DeclarationIn) -> SheetOut:
    result = sheets.declare(session, actor=actor, sheet_id=sheet_id, data=body)
    view = sheet_views.get_sheet(session, actor=actor, sheet_id=sheet_id)
    return sheet_views.sheet_out(view, replaced=result.replaced)


@router.put("/sheets/{sheet_id}", response_model=SavedSheetOut, responses=errors(*AUTH, 404, 409, 413))
def save_sheet(
    session: SessionDep, actor: HiddenExpert, sheet_id: DbId, body: sheets.SheetUpdate
) -> Response:
    saved = sheets.save_sheet(session, actor=actor, sheet_id=sheet_id, data=body)
    # Autosave is the hottest write: commit in this thread, so the audit chain's lock is released
    # at once instead of after a hop to another thread (the edge then has nothing left to do), and
    # serialise here too (model_json: no hop to validate what this handler built). The transaction
    # holds this draft only, so its commit does not wait for the disk either: one slow flush would
    # hold every other expert's save behind the chain's lock.
    if saved.changed:
        sheets.drafts_only(session)
    session.commit()
    return model_json(sheet_views.saved_out(saved))


@router.post("/sheets/{sheet_id}/submit", **SHEET, responses=errors(*AUTH, 404, 409, 413))
def submit_sheet(
    session: SessionDep, actor: HiddenExpert, sheet_id: DbId, body: sheets.SubmitIn | None = None
) -> SheetOut:
    sheets.submit(session, actor=actor, sheet_id=sheet_id, data=body)
    return sheet_views.sheet_out(sheet_views.get_sheet(session, actor=actor, sheet_id=sheet_id))


@router.post("/sheets/{sheet_id}/reopen", **SHEET, responses=errors(*AUTH, 404, 409, 413))
def reopen_sheet(session: SessionDep, actor: HiddenStaff, sheet_id: DbId, body: sheets.ReopenIn) -> SheetOut:
    sheets.reopen(session, actor=actor, sheet_id=sheet_id, data=body)
    return sheet_views.sheet_out(sheet_views.get_sheet(session, actor=actor, sheet_id=sheet_id))


@router.get(
    "/applications/{application_id}/sheets",
    response_model=list[ApplicationSheet],
    responses=errors(*AUTH, 404),
)
def application_sheets(
    session: SessionDep, actor: HiddenStaff, application_id: DbId
) -> list[ApplicationSheet]:
    return sheet_views.application_sheets(session, actor=actor, application_id=application_id)
