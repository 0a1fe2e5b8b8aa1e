"""API routes: applications, their evidence files, county recommendation and formal check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from api.edge.deps import (
    ApplicantActor,
    CurrentActor,
    LocaleDep,
    SessionDep,
    SettingsDep,
    StaffActor,
    require_roles,
)
from api.edge.downloads import file_response
from api.edge.params import DbId
from api.v1.routes.rounds import parse_cursor
from scoring.core.actors import Actor, Role
from scoring.core.ids import MAX_ROW_ID
from scoring.core.lifecycle import ApplicationStatus
from scoring.services.admin import files
from scoring.services.designation import applications as apps
from scoring.services.designation.rounds import Kind

router = APIRouter(tags=["applications"])

# Only the county of the organisation's district may recommend; to everyone else the action is hidden.
CountyOnly = Annotated[Actor, Depends(require_roles(Role.COUNTY, hide=True))]


def _detail(session: Session, actor: Actor, application_id: int, locale: str) -> dict[str, Any]:
    view = apps.get_application(session, actor=actor, application_id=application_id)
    return apps.application_out(view, locale)


@router.post("/applications", status_code=201)
def create_application(
    data: apps.ApplicationCreate, session: SessionDep, actor: ApplicantActor, locale: LocaleDep
) -> dict[str, Any]:
    app = apps.create_application(session, actor=actor, data=data)
    return _detail(session, actor, app.id, locale)


@router.get("/applications")
def list_applications(
    session: SessionDep,
    actor: CurrentActor,
    round_id: Annotated[int | None, Query(alias="round", ge=1, le=MAX_ROW_ID)] = None,
    kind: Kind | None = None,
    status: ApplicationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    rows, next_id = apps.list_applications(
        session,
        actor=actor,
        round_id=round_id,
        kind=kind,
        status=status.value if status is not None else None,
        limit=limit,
        after_id=parse_cursor(cursor),
    )
    return {
        "items": [apps.application_summary(a, a.organisation) for a in rows],
        "next_cursor": str(next_id) if next_id is not None else None,
    }


@router.get("/applications/{application_id}")
def get_application(
    application_id: DbId, session: SessionDep, actor: CurrentActor, locale: LocaleDep
) -> dict[str, Any]:
    return _detail(session, actor, application_id, locale)


@router.put("/applications/{application_id}")
def update_application(
    application_id: DbId,
    data: apps.ApplicationUpdate,
    session: SessionDep,
    actor: ApplicantActor,
    locale: LocaleDep,
) -> dict[str, Any]:
    apps.update_application(session, actor=actor, application_id=application_id, data=data)
    return _detail(session, actor, application_id, locale)


@router.post("/applications/{application_id}/submit")
def submit_application(
    application_id: DbId,
    session: SessionDep,
    actor: ApplicantActor,
    locale: LocaleDep,
    data: apps.SubmitIn | None = None,
) -> dict[str, Any]:
    apps.submit_application(session, actor=actor, application_id=application_id, data=data)
    return _detail(session, actor, application_id, locale)


@router.post("/applications/{application_id}/recommendation")
def recommend_application(
    application_id: DbId,
    data: apps.RecommendationIn,
    session: SessionDep,
    actor: CountyOnly,
    locale: LocaleDep,
) -> dict[str, Any]:
    apps.recommend_application(session, actor=actor, application_id=application_id, data=data)
    return _detail(session, actor, application_id, locale)


@router.post("/applications/{application_id}/formal-check")
def formal_check(
    application_id: DbId,
    data: apps.FormalCheckIn,
    session: SessionDep,
    actor: StaffActor,
    locale: LocaleDep,
) -> dict[str, Any]:
    apps.formal_check(session, actor=actor, application_id=application_id, data=data)
    return _detail(session, actor, application_id, locale)


@router.post("/applications/{application_id}/attachments", status_code=201)
def upload_attachment(
    application_id: DbId,
    indicator_code: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    settings: SettingsDep,
    actor: ApplicantActor,
) -> dict[str, Any]:
    # Starlette has spooled the part to a temporary file; the service copies it on in chunks.
    att = files.save_upload(
        session,
        actor=actor,
        settings=settings,
        stream=file.file,
        original_name=file.filename or "",
        indicator_code=indicator_code,
        application_id=application_id,
    )
    return apps.attachment_out(att)


@router.get("/attachments/{attachment_id}")
def download_attachment(
    attachment_id: DbId, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> FileResponse:
    att, path = files.open_attachment(session, actor=actor, attachment_id=attachment_id, settings=settings)
    return file_response(att, path, preview=False)


@router.delete("/attachments/{attachment_id}", status_code=204)
def delete_attachment(
    attachment_id: DbId, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> Response:
    files.delete_attachment(session, actor=actor, settings=settings, attachment_id=attachment_id)
    return Response(status_code=204)
