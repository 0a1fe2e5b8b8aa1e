"""API routes: applications, their evidence files, county recommendation and formal check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Form, Query, Response, UploadFile
from fastapi.responses import FileResponse

from api.edge.deps import (
    ApplicantActor,
    CurrentActor,
    SessionDep,
    SettingsDep,
    StaffActor,
    require_roles,
)
from api.edge.downloads import file_response
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from api.v1.routes.rounds import parse_cursor
from scoring.core.actors import Actor, Role
from scoring.core.ids import MAX_ROW_ID
from scoring.core.lifecycle import ApplicationStatus
from scoring.services.designation import applications as apps
from scoring.services.designation.presenters import attachment_view
from scoring.services.designation.schemas import (
    ApplicationCreate,
    ApplicationOut,
    ApplicationPage,
    ApplicationUpdate,
    AttachmentOut,
    FormalCheckIn,
    Kind,
    RecommendationIn,
    SubmitIn,
)
from scoring.services.management import files

router = lazy_router(tags=["applications"])

# Only the county of the organisation's district may recommend; to everyone else the action is hidden.
CountyOnly = Annotated[Actor, Depends(require_roles(Role.COUNTY, hide=True))]


@router.post(
    "/applications", status_code=201, response_model=ApplicationOut, responses=errors(*AUTH, 403, 409, 413)
)
def create_application(data: ApplicationCreate, session: SessionDep, actor: ApplicantActor) -> ApplicationOut:
    app = apps.create_application(session, actor=actor, data=data)
    return apps.application_detail(session, actor=actor, application_id=app.id)


@router.get("/applications", response_model=ApplicationPage, responses=errors(*AUTH))
def list_applications(
    session: SessionDep,
    actor: CurrentActor,
    round_id: Annotated[int | None, Query(alias="round", ge=1, le=MAX_ROW_ID)] = None,
    kind: Kind | None = None,
    status: ApplicationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> ApplicationPage:
    return apps.applications_page(
        session,
        actor=actor,
        round_id=round_id,
        kind=kind,
        status=status,
        limit=limit,
        after_id=parse_cursor(cursor),
    )


@router.get("/applications/{application_id}", response_model=ApplicationOut, responses=errors(*AUTH, 404))
def get_application(application_id: DbId, session: SessionDep, actor: CurrentActor) -> ApplicationOut:
    return apps.application_detail(session, actor=actor, application_id=application_id)


@router.put(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    responses=errors(*AUTH, 403, 404, 409, 413),
)
def update_application(
    application_id: DbId,
    data: ApplicationUpdate,
    session: SessionDep,
    actor: ApplicantActor,
) -> ApplicationOut:
    apps.update_application(session, actor=actor, application_id=application_id, data=data)
    return apps.application_detail(session, actor=actor, application_id=application_id)


@router.post(
    "/applications/{application_id}/submit",
    response_model=ApplicationOut,
    responses=errors(*AUTH, 403, 404, 409, 413),
)
def submit_application(
    application_id: DbId,
    session: SessionDep,
    actor: ApplicantActor,
    data: SubmitIn | None = None,
) -> ApplicationOut:
    apps.submit_application(session, actor=actor, application_id=application_id, data=data)
    return apps.application_detail(session, actor=actor, application_id=application_id)


@router.post(
    "/applications/{application_id}/recommendation",
    response_model=ApplicationOut,
    responses=errors(*AUTH, 404, 409, 413),
)
def recommend_application(
    application_id: DbId,
    data: RecommendationIn,
    session: SessionDep,
    actor: CountyOnly,
) -> ApplicationOut:
    apps.recommend_application(session, actor=actor, application_id=application_id, data=data)
    return apps.application_detail(session, actor=actor, application_id=application_id)


@router.post(
    "/applications/{application_id}/formal-check",
    response_model=ApplicationOut,
    responses=errors(*AUTH, 403, 404, 409, 413),
)
def formal_check(
    application_id: DbId,
    data: FormalCheckIn,
    session: SessionDep,
    actor: StaffActor,
) -> ApplicationOut:
    apps.formal_check(session, actor=actor, application_id=application_id, data=data)
    return apps.application_detail(session, actor=actor, application_id=application_id)


@router.post(
    "/applications/{application_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=errors(*AUTH, 403, 404, 409, 413, 415),
)
def upload_attachment(
    application_id: DbId,
    indicator_code: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    settings: SettingsDep,
    actor: ApplicantActor,
) -> AttachmentOut:
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
    return attachment_view(att)


@router.get(
    "/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={
        200: {
            # The types api.edge.downloads serves: what management.files sniffed on upload.
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("application/pdf", "image/png", "image/jpeg", "application/octet-stream")
            },
            "description": "The stored file, typed by its first bytes on upload (PDF, PNG, JPEG).",
        },
        **errors(*AUTH, 404),
    },
)
def download_attachment(
    attachment_id: DbId, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> FileResponse:
    att, path = files.open_attachment(session, actor=actor, attachment_id=attachment_id, settings=settings)
    return file_response(att, path, preview=False)


@router.delete(
    "/attachments/{attachment_id}",
    status_code=204,
    response_class=Response,
    responses=errors(*AUTH, 403, 404, 409),
)
def delete_attachment(
    attachment_id: DbId, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> Response:
    files.delete_attachment(session, actor=actor, settings=settings, attachment_id=attachment_id)
    return Response(status_code=204)
