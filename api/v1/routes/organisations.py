"""API routes: the register of organisations and its spreadsheet import (admin and staff; 404 for others)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, File, Query, Response, UploadFile

from api.edge.deps import SessionDep, require_roles
from api.edge.params import Cursor, DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.services.admin import imports, organisations
from scoring.services.admin.onboarding_schemas import (
    ImportPreview,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationStatusIn,
)

router = lazy_router(tags=["organisations"])

Keeper = Annotated[Actor, Depends(require_roles(Role.STAFF, Role.ADMIN, hide=True))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_200: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An empty import template (the header row)",
        "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/organisations", response_model=OrganisationPage, responses=errors(*AUTH, 404))
def list_organisations(
    session: SessionDep,
    actor: Keeper,
    q: Annotated[str, Query(max_length=100)] = "",
    active: bool | None = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OrganisationPage:
    return organisations.list_organisations(
        session, actor=actor, query=q, active=active, after_id=cursor, limit=limit
    )


@router.post(
    "/organisations", status_code=201, response_model=OrganisationOut, responses=errors(*AUTH, 404, 409)
)
def create_organisation(session: SessionDep, actor: Keeper, body: OrganisationIn) -> OrganisationOut:
    return organisations.create_organisation(session, actor=actor, data=body)


@router.get(
    "/organisations/import-template",
    response_class=Response,
    responses={**errors(*AUTH, 404), **TEMPLATE_200},
)
def import_template(actor: Keeper, format: Literal["xlsx", "csv"] = "xlsx") -> Response:
    content = imports.template(imports.ORGANISATION_COLUMNS, format)
    media = XLSX if format == "xlsx" else "text/csv; charset=utf-8"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="organisations-template.{format}"'},
    )


@router.post("/organisations/import", response_model=ImportPreview, responses=errors(*AUTH, 404, 413, 415))
def import_organisations(
    session: SessionDep,
    actor: Keeper,
    file: Annotated[UploadFile, File()],
    commit: bool = False,
) -> ImportPreview:
    """Without `commit` a preview; with it, all rows or (422, each field `row.column`) none."""
    content = file.file.read(imports.MAX_IMPORT_BYTES + 1)
    preview = imports.import_organisations(
        session, actor=actor, content=content, filename=file.filename or "", commit=commit
    )
    if commit and preview.problems:
        raise imports.refusal(preview)
    return preview


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut, responses=errors(*AUTH, 404))
def get_organisation(session: SessionDep, actor: Keeper, organisation_id: DbId) -> OrganisationOut:
    return organisations.get_organisation(session, actor=actor, organisation_id=organisation_id)


@router.put(
    "/organisations/{organisation_id}", response_model=OrganisationOut, responses=errors(*AUTH, 404, 409)
)
def update_organisation(
    session: SessionDep, actor: Keeper, organisation_id: DbId, body: OrganisationIn
) -> OrganisationOut:
    return organisations.update_organisation(session, actor=actor, organisation_id=organisation_id, data=body)


@router.post(
    "/organisations/{organisation_id}/status", response_model=OrganisationOut, responses=errors(*AUTH, 404)
)
def set_organisation_status(
    session: SessionDep, actor: Keeper, organisation_id: DbId, body: OrganisationStatusIn
) -> OrganisationOut:
    return organisations.set_organisation_status(
        session, actor=actor, organisation_id=organisation_id, data=body
    )


@router.get(
    "/expert-pool/import-template",
    tags=["experts"],
    response_class=Response,
    responses={**errors(*AUTH, 404), **TEMPLATE_200},
)
def expert_import_template(actor: Keeper, format: Literal["xlsx", "csv"] = "xlsx") -> Response:
    content = imports.template(imports.EXPERT_COLUMNS, format)
    media = XLSX if format == "xlsx" else "text/csv; charset=utf-8"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="experts-template.{format}"'},
    )


@router.post(
    "/expert-pool/import",
    response_model=ImportPreview,
    tags=["experts"],
    responses=errors(*AUTH, 404, 413, 415),
)
def import_experts(
    session: SessionDep,
    actor: Keeper,
    file: Annotated[UploadFile, File()],
    response: Response,
    commit: bool = False,
) -> ImportPreview:
    """Like the organisation import; a commit returns the new experts' one-time passwords, once."""
    response.headers["Cache-Control"] = "no-store"
    content = file.file.read(imports.MAX_IMPORT_BYTES + 1)
    preview = imports.import_experts(
        session, actor=actor, content=content, filename=file.filename or "", commit=commit
    )
    if commit and preview.problems:
        raise imports.refusal(preview)
    return preview
