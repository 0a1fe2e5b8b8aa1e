"""Spreadsheet import pages (organisations; the expert pool): template, upload and preview by row and
column, then commit of the kept upload, once. New experts' one-time passwords are shown on the result."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.edge.deps import SessionDep, SettingsDep
from api.edge.routing import lazy_router
from scoring.core.actors import Actor
from scoring.core.errors import DomainError, NotFound
from scoring.core.i18n import Msg, msg
from scoring.services.admin import imports
from scoring.services.admin.onboarding_schemas import ImportPreview
from scoring.settings import Settings
from web.deps import Page, StaffPage
from web.forms import CheckedForm, attempt, field_errors, render, text

router = lazy_router(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STASH_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(xlsx|csv)$")
Importer = Callable[..., ImportPreview]
KINDS: dict[str, tuple[tuple[imports.Column, ...], Importer]] = {
    "organisations": (imports.ORGANISATION_COLUMNS, imports.import_organisations),
    "experts": (imports.EXPERT_COLUMNS, imports.import_experts),
}


def _kind(what: str) -> tuple[tuple[imports.Column, ...], Importer]:
    if what not in KINDS:
        raise NotFound()
    return KINDS[what]


def _stash_dir(settings: Settings, user_id: int | None, what: str) -> Path:
    return settings.var_dir / "imports" / what / str(user_id)


def _page(page: Page, what: str, *, status: int = 200, **values: Any) -> Response:
    values.setdefault("preview", None)
    values.setdefault("stash", None)
    values.setdefault("message", None)
    values.setdefault("errors", {})
    return render(page, "admin/import.html", status=status, what=what, **values)


def _error(page: Page, what: str, message: Msg, exc: DomainError | None = None) -> Response:
    return _page(
        page,
        what,
        status=exc.status if exc else 422,
        message=message.render(page.locale),
        errors=field_errors(exc, page.locale) if exc else {},
    )


@router.get("/admin/{what}/template.{fmt}")
def import_template(page: StaffPage, what: str, fmt: str) -> Response:
    columns, _ = _kind(what)
    if fmt not in ("xlsx", "csv"):
        raise NotFound()
    return Response(
        imports.template(columns, fmt),
        media_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{what}-template.{fmt}"'},
    )


@router.get("/admin/{what}/import", response_class=HTMLResponse)
def import_form(page: StaffPage, what: str) -> Response:
    _kind(what)
    return _page(page, what)


def _run(
    importer: Importer, session: Session, actor: Actor, content: bytes, name: str, commit: bool
) -> ImportPreview:
    return attempt(
        session, lambda: importer(session, actor=actor, content=content, filename=name, commit=commit)
    )


@router.post("/admin/{what}/import", response_class=HTMLResponse)
def import_upload(
    page: StaffPage, session: SessionDep, settings: SettingsDep, what: str, form: CheckedForm
) -> Response:
    """Step 1: keep the upload and show what a commit would do (nothing is written)."""
    _, importer = _kind(what)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _error(page, what, msg("Choose a file to import."))
    content = upload.file.read(imports.MAX_IMPORT_BYTES + 1)
    suffix = "xlsx" if imports.is_xlsx(content, upload.filename) else "csv"
    try:
        preview = _run(importer, session, page.actor, content, upload.filename, False)
    except DomainError as exc:
        return _error(page, what, exc.message, exc)
    stash = None
    if not preview.problems:
        folder = _stash_dir(settings, page.actor.user_id, what)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*"):
            old.unlink(missing_ok=True)  # one pending import per user and kind
        stash = f"{secrets.token_urlsafe(24)}.{suffix}"
        (folder / stash).write_bytes(content)
    return _page(page, what, preview=preview, stash=stash)


@router.post("/admin/{what}/import/commit", response_class=HTMLResponse)
def import_commit(
    page: StaffPage, session: SessionDep, settings: SettingsDep, what: str, form: CheckedForm
) -> Response:
    """Step 2: import the file kept at step 1, all rows or none (the rules are checked again)."""
    _, importer = _kind(what)
    stash = text(form, "stash")
    path = _stash_dir(settings, page.actor.user_id, what) / stash
    if not _STASH_RE.match(stash) or not path.is_file():
        return _error(page, what, msg("The uploaded file has expired. Upload it again."))
    content = path.read_bytes()
    path.unlink(missing_ok=True)  # used once, whatever the outcome
    preview = _run(importer, session, page.actor, content, stash, True)
    response = _page(page, what, status=422 if preview.problems else 200, preview=preview)
    response.headers["Cache-Control"] = "no-store"  # may show one-time passwords
    return response
