"""API routes: the public call for applications (no login) and staff's round set-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, UploadFile
from fastapi.responses import FileResponse

from api.edge.deps import SessionDep, SettingsDep, StaffActor
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.services.designation import call, round_setup

router = lazy_router()


@router.get("/public/calls", response_model=list[call.CallSummary], tags=["public"])
def list_calls(session: SessionDep) -> list[call.CallSummary]:
    """Open and past rounds, newest first."""
    return call.list_calls(session)


@router.get(
    "/public/calls/{round_id}", response_model=call.CallOut, tags=["public"], responses=errors(404, 422)
)
def get_call(session: SessionDep, round_id: DbId) -> call.CallOut:
    return call.get_call(session, round_id=round_id)


@router.get(
    "/public/calls/{round_id}/documents/{document_id}",
    tags=["public"],
    response_class=FileResponse,
    responses={
        **errors(404, 422),
        200: {
            "description": "The PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
def call_document(
    session: SessionDep, settings: SettingsDep, round_id: DbId, document_id: DbId
) -> FileResponse:
    path, name = call.open_document(session, settings=settings, round_id=round_id, document_id=document_id)
    return FileResponse(path, media_type="application/pdf", filename=name)


@router.post(
    "/rounds/setup",
    status_code=201,
    response_model=round_setup.RoundSetupOut,
    tags=["rounds"],
    responses=errors(*AUTH, 403),
)
def create_round(
    session: SessionDep, actor: StaffActor, body: round_setup.RoundSetupIn
) -> round_setup.RoundSetupOut:
    """A round with its public call's texts and all four deadlines, in draft."""
    row = round_setup.create_round(session, actor=actor, data=body)
    return round_setup.setup_out(session, row)


@router.get(
    "/rounds/{round_id}/setup",
    response_model=round_setup.RoundSetupOut,
    tags=["rounds"],
    responses=errors(*AUTH, 403, 404),
)
def get_setup(session: SessionDep, actor: StaffActor, round_id: DbId) -> round_setup.RoundSetupOut:
    return round_setup.get_setup(session, actor=actor, round_id=round_id)


@router.patch(
    "/rounds/{round_id}/setup",
    response_model=round_setup.RoundSetupOut,
    tags=["rounds"],
    responses=errors(*AUTH, 403, 404, 409),
)
def edit_round(
    session: SessionDep, actor: StaffActor, round_id: DbId, body: round_setup.RoundEditIn
) -> round_setup.RoundSetupOut:
    """Only the fields still editable in the round's status (409 `frozen_field` names the others)."""
    row = round_setup.edit_round(session, actor=actor, round_id=round_id, data=body)
    return round_setup.setup_out(session, row)


@router.post(
    "/rounds/{round_id}/deadline-extensions",
    response_model=round_setup.RoundSetupOut,
    tags=["rounds"],
    responses=errors(*AUTH, 403, 404, 409),
)
def extend_deadline(
    session: SessionDep, actor: StaffActor, round_id: DbId, body: round_setup.DeadlineExtensionIn
) -> round_setup.RoundSetupOut:
    row = round_setup.extend_deadline(session, actor=actor, round_id=round_id, data=body)
    return round_setup.setup_out(session, row)


@router.post(
    "/rounds/{round_id}/documents",
    status_code=201,
    response_model=round_setup.RoundDocumentOut,
    tags=["rounds"],
    responses=errors(*AUTH, 403, 404, 413, 415),
)
def add_document(
    session: SessionDep,
    settings: SettingsDep,
    actor: StaffActor,
    round_id: DbId,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=200)] = "",
) -> round_setup.RoundDocumentOut:
    content = file.file.read(round_setup.MAX_DOCUMENT_BYTES + 1)
    return round_setup.add_document(
        session,
        actor=actor,
        settings=settings,
        round_id=round_id,
        title=title,
        content=content,
        filename=file.filename or "",
    )
