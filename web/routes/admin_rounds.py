"""Staff pages to set up a round: create, edit the fields still editable (frozen ones shown with the
reason), extend a deadline with a reason, attach the call's PDF documents."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from api.edge.deps import SessionDep, SettingsDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.apply_rules import DEFAULT_COOLING_OFF_YEARS
from scoring.core.errors import DomainError
from scoring.services.designation import round_setup
from web.deps import Page, StaffPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)

KINDS = ("regional", "university", "enterprise")
CHINA_OFFSET = "+08:00"  # the form's datetime-local values are Beijing time


def _when(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    return value if ("+" in value[10:] or value.endswith("Z")) else value + CHINA_OFFSET


def _opt(value: str) -> str | None:
    return value.strip() or None


def _values(form: FormData) -> dict[str, Any]:
    """The form as the service's input shape (strings; pydantic parses numbers and dates)."""
    kinds = [k for k in form.getlist("kinds") if isinstance(k, str) and k in KINDS]
    quotas = {k: text(form, f"quotas.{k}").strip() for k in KINDS if text(form, f"quotas.{k}").strip()}
    references: dict[str, Any] = {
        "provincial_rd_intensity": _opt(text(form, "references.provincial_rd_intensity")),
        "city_rd_intensity": _opt(text(form, "references.city_rd_intensity")),
        "rd_reference": text(form, "references.rd_reference") or "provincial",
        "data_year": _opt(text(form, "references.data_year")),
        "source": text(form, "references.source").strip(),
    }
    values: dict[str, Any] = {
        "title": text(form, "title"),
        "year": text(form, "year").strip(),
        "kinds": kinds,
        "focus": text(form, "focus"),
        "requirements": text(form, "requirements"),
        "references": references,
        "deadlines": {name: _when(text(form, f"deadlines.{name}")) for name in round_setup.DEADLINE_ORDER},
        "panel_size": text(form, "panel_size").strip() or "5",
        "reserves": text(form, "reserves").strip() or "2",
        "method": text(form, "method") or "trimmed_mean",
        "pass_line": text(form, "pass_line").strip() or "60",
        "quotas": quotas,
        "cooling_off_years": text(form, "cooling_off_years").strip() or str(DEFAULT_COOLING_OFF_YEARS),
    }
    if text(form, "section_minimums_shown"):  # the set-up page's thresholds (an empty box: no minimum)
        minimums: dict[str, dict[str, str]] = {}
        for key in form:
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "section_minimums" and (value := text(form, key).strip()):
                minimums.setdefault(parts[1], {})[parts[2]] = value
        values["section_minimums"] = minimums
    return values


def _form_page(
    page: Page,
    session: Session,
    *,
    setup: round_setup.RoundSetupOut | None,
    values: dict[str, Any],
    error: DomainError | None = None,
    done: str | None = None,
    status: int | None = None,
) -> Response:
    frozen = {
        k: v.render(page.locale) if hasattr(v, "render") else str(v)
        for k, v in (setup.frozen if setup else {}).items()
    }
    return render(
        page,
        "admin/round_setup.html",
        status=status or (error.status if error else 200),
        setup=setup,
        values=values,
        frozen=frozen,
        kinds=KINDS,
        deadline_names=round_setup.DEADLINE_ORDER,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        done=done,
    )


def _as_values(setup: round_setup.RoundSetupOut) -> dict[str, Any]:
    """The stored round as form values (deadlines in Beijing time, as the inputs show them)."""
    from scoring.services.designation.rounds import CHINA_TZ

    return {
        **setup.model_dump(),
        "deadlines": {
            k: (v.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M") if v else "")
            for k, v in setup.deadlines.items()
        },
        "pass_line": str(setup.pass_line),
        "section_minimums": {
            kind: {code: str(m) for code, m in minimums.items()}
            for kind, minimums in setup.section_minimums.items()
        },
    }


@router.get("/staff/rounds/new", response_class=HTMLResponse)
def new_round(page: StaffPage, session: SessionDep) -> Response:
    values = {
        "kinds": list(KINDS),
        "panel_size": 5,
        "reserves": 2,
        "method": "trimmed_mean",
        "pass_line": "60",
        "cooling_off_years": DEFAULT_COOLING_OFF_YEARS,
        "references": {"rd_reference": "provincial"},
        "deadlines": {},
        "quotas": {},
    }
    return _form_page(page, session, setup=None, values=values)


@router.post("/staff/rounds/new", response_class=HTMLResponse)
def create_round(page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = _values(form)
    try:
        data = parse_input(round_setup.RoundSetupIn, values)
        row = attempt(session, lambda: round_setup.create_round(session, actor=page.actor, data=data))
    except DomainError as exc:
        return _form_page(page, session, setup=None, values=values, error=exc)
    return redirect(f"/staff/rounds/{row.id}/setup?done=created")


@router.get("/staff/rounds/{round_id}/setup", response_class=HTMLResponse)
def setup_page(page: StaffPage, session: SessionDep, round_id: DbId, done: str | None = None) -> Response:
    setup = round_setup.get_setup(session, actor=page.actor, round_id=round_id)
    return _form_page(page, session, setup=setup, values=_as_values(setup), done=done)


@router.post("/staff/rounds/{round_id}/setup", response_class=HTMLResponse)
def edit_round(page: StaffPage, session: SessionDep, round_id: DbId, form: CheckedForm) -> Response:
    setup = round_setup.get_setup(session, actor=page.actor, round_id=round_id)
    values = _values(form)
    # Frozen fields are shown disabled and not submitted: send only what may still change.
    changes = {k: v for k, v in values.items() if k not in setup.frozen}
    changes["version"] = text(form, "version")
    try:
        data = parse_input(round_setup.RoundEditIn, changes)
        attempt(
            session, lambda: round_setup.edit_round(session, actor=page.actor, round_id=round_id, data=data)
        )
    except DomainError as exc:
        return _form_page(page, session, setup=setup, values={**_as_values(setup), **changes}, error=exc)
    return redirect(f"/staff/rounds/{round_id}/setup?done=saved")


@router.post("/staff/rounds/{round_id}/deadline", response_class=HTMLResponse)
def extend_deadline(page: StaffPage, session: SessionDep, round_id: DbId, form: CheckedForm) -> Response:
    values = {
        "deadline": text(form, "deadline"),
        "until": _when(text(form, "until")),
        "reason": text(form, "reason"),
    }
    try:
        data = parse_input(round_setup.DeadlineExtensionIn, values)
        attempt(
            session,
            lambda: round_setup.extend_deadline(session, actor=page.actor, round_id=round_id, data=data),
        )
    except DomainError as exc:
        setup = round_setup.get_setup(session, actor=page.actor, round_id=round_id)
        return _form_page(page, session, setup=setup, values=_as_values(setup), error=exc)
    return redirect(f"/staff/rounds/{round_id}/setup?done=extended")


@router.post("/staff/rounds/{round_id}/call-documents", response_class=HTMLResponse)
def add_document(
    page: StaffPage, session: SessionDep, settings: SettingsDep, round_id: DbId, form: CheckedForm
) -> Response:
    upload = form.get("file")
    try:
        content = (
            upload.file.read(round_setup.MAX_DOCUMENT_BYTES + 1) if isinstance(upload, UploadFile) else b""
        )
        filename = upload.filename or "" if isinstance(upload, UploadFile) else ""
        attempt(
            session,
            lambda: round_setup.add_document(
                session,
                actor=page.actor,
                settings=settings,
                round_id=round_id,
                title=text(form, "title"),
                content=content,
                filename=filename,
            ),
        )
    except DomainError as exc:
        setup = round_setup.get_setup(session, actor=page.actor, round_id=round_id)
        return _form_page(page, session, setup=setup, values=_as_values(setup), error=exc)
    return redirect(f"/staff/rounds/{round_id}/setup?done=document")
