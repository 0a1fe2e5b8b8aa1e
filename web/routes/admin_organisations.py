"""Pages for the register of organisations (admin and staff): list, create, edit, deactivate, and the
spreadsheet import with its preview (the upload is kept under var/ until it is committed or replaced)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from api.edge.deps import SessionDep, SettingsDep
from api.edge.params import DbId
from scoring.core.districts import DISTRICTS
from scoring.core.errors import DomainError, NotFound
from scoring.core.i18n import msg
from scoring.services.admin import imports, organisations
from scoring.services.admin.onboarding_schemas import OrganisationIn, OrganisationStatusIn
from scoring.settings import Settings
from web.deps import Page, StaffPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = APIRouter(include_in_schema=False)

FIELDS = (
    "name",
    "credit_code",
    "kind",
    "district",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STASH_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(xlsx|csv)$")


def _form_page(
    page: Page,
    *,
    org: Any = None,
    values: dict[str, Any] | None = None,
    error: DomainError | None = None,
    done: str | None = None,
) -> Response:
    return render(
        page,
        "admin/organisation_form.html",
        status=error.status if error else 200,
        org=org,
        values=values if values is not None else (org.model_dump() if org else {}),
        kinds=organisations.KIND_NAMES_ZH,
        districts=DISTRICTS,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        done=done,
    )


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisation_list(
    page: StaffPage, session: SessionDep, q: str = "", cursor: int = 0, done: str | None = None
) -> Response:
    result = organisations.list_organisations(
        session, actor=page.actor, query=q[:100], after_id=max(cursor, 0), limit=100
    )
    return render(
        page,
        "admin/organisations.html",
        organisations=result.items,
        next_cursor=result.next_cursor,
        q=q[:100],
        kinds=organisations.KIND_NAMES_ZH,
        done=done,
    )


@router.get("/admin/organisations/new", response_class=HTMLResponse)
def new_organisation(page: StaffPage) -> Response:
    return _form_page(page, values={})


@router.post("/admin/organisations/new")
def create_organisation(page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    try:
        data = parse_input(OrganisationIn, values)
        created = attempt(
            session, lambda: organisations.create_organisation(session, actor=page.actor, data=data)
        )
    except DomainError as exc:
        return _form_page(page, values=values, error=exc)
    return redirect(f"/admin/organisations/{created.id}?done=saved")


@router.get("/admin/organisations/template.{fmt}")
def organisation_template(page: StaffPage, fmt: str) -> Response:
    if fmt not in ("xlsx", "csv"):
        raise NotFound()
    return Response(
        imports.template(imports.ORGANISATION_COLUMNS, fmt),
        media_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="organisations-template.{fmt}"'},
    )


def _stash_dir(settings: Settings, user_id: int | None) -> Path:
    return settings.var_dir / "imports" / str(user_id)


@router.get("/admin/organisations/import", response_class=HTMLResponse)
def import_form(page: StaffPage) -> Response:
    return render(page, "admin/organisation_import.html", preview=None, stash=None)


@router.post("/admin/organisations/import", response_class=HTMLResponse)
def import_upload(page: StaffPage, session: SessionDep, settings: SettingsDep, form: CheckedForm) -> Response:
    """Step 1: keep the upload and show what a commit would do (nothing is written)."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_error(page, msg("Choose a file to import."))
    content = upload.file.read(imports.MAX_IMPORT_BYTES + 1)
    suffix = "xlsx" if imports.is_xlsx(content, upload.filename) else "csv"
    try:
        preview = attempt(
            session,
            lambda: imports.import_organisations(
                session, actor=page.actor, content=content, filename=upload.filename or "", commit=False
            ),
        )
    except DomainError as exc:
        return _import_error(page, exc.message, exc)
    stash = None
    if not preview.problems:
        folder = _stash_dir(settings, page.actor.user_id)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*"):
            old.unlink(missing_ok=True)  # one pending import per user
        stash = f"{secrets.token_urlsafe(24)}.{suffix}"
        (folder / stash).write_bytes(content)
    return render(page, "admin/organisation_import.html", preview=preview, stash=stash)


@router.post("/admin/organisations/import/commit")
def import_commit(page: StaffPage, session: SessionDep, settings: SettingsDep, form: CheckedForm) -> Response:
    """Step 2: import the file kept at step 1, all rows or none (the rules are checked again)."""
    stash = text(form, "stash")
    path = _stash_dir(settings, page.actor.user_id) / stash
    if not _STASH_RE.match(stash) or not path.is_file():
        return _import_error(page, msg("The uploaded file has expired. Upload it again."))
    content = path.read_bytes()
    preview = attempt(
        session,
        lambda: imports.import_organisations(
            session, actor=page.actor, content=content, filename=stash, commit=True
        ),
    )
    if preview.problems:
        return render(page, "admin/organisation_import.html", status=422, preview=preview, stash=None)
    path.unlink(missing_ok=True)
    return render(page, "admin/organisation_import.html", preview=preview, stash=None)


def _import_error(page: Page, message: Any, exc: DomainError | None = None) -> Response:
    return render(
        page,
        "admin/organisation_import.html",
        status=exc.status if exc else 422,
        preview=None,
        stash=None,
        message=message.render(page.locale),
        errors=field_errors(exc, page.locale) if exc else {},
    )


@router.get("/admin/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    page: StaffPage, session: SessionDep, organisation_id: DbId, done: str | None = None
) -> Response:
    org = organisations.get_organisation(session, actor=page.actor, organisation_id=organisation_id)
    return _form_page(page, org=org, done=done)


@router.post("/admin/organisations/{organisation_id}")
def update_organisation(
    page: StaffPage, session: SessionDep, organisation_id: DbId, form: CheckedForm
) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    org = organisations.get_organisation(session, actor=page.actor, organisation_id=organisation_id)
    try:
        data = parse_input(OrganisationIn, values)
        attempt(
            session,
            lambda: organisations.update_organisation(
                session, actor=page.actor, organisation_id=organisation_id, data=data
            ),
        )
    except DomainError as exc:
        return _form_page(page, org=org, values=values, error=exc)
    return redirect(f"/admin/organisations/{organisation_id}?done=saved")


@router.post("/admin/organisations/{organisation_id}/status")
def organisation_status(
    page: StaffPage, session: SessionDep, organisation_id: DbId, form: CheckedForm
) -> Response:
    data = OrganisationStatusIn(active=text(form, "active") == "1", reason=text(form, "reason")[:500])
    organisations.set_organisation_status(
        session, actor=page.actor, organisation_id=organisation_id, data=data
    )
    return redirect(
        f"/admin/organisations/{organisation_id}?done={'activated' if data.active else 'deactivated'}"
    )
