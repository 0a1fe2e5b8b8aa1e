"""The applicant's pages: my applications, the draft form (figures with a live gate self-check,
narratives, evidence per indicator), submission with what is missing, and results once published."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep, SettingsDep
from api.edge.params import DbId
from scoring.core.errors import DomainError, NotFound, ValidationFailed
from scoring.core.i18n import msg
from scoring.core.lifecycle import APPLICATION_EDITABLE
from scoring.services.admin import files
from scoring.services.designation import applications as apps
from scoring.services.designation.rounds import get_round, list_rounds, round_rubric
from scoring.services.review import results
from web.deps import ApplicantPage, LoggedInPage, Page
from web.forms import FormDep, attempt, field_errors, parse_input, prefixed, redirect, render, text
from web.views_files import remove_evidence, store_evidence

router = APIRouter(include_in_schema=False)


# ---- my applications ------------------------------------------------------------------------------


@router.get("/applicant", response_class=HTMLResponse)
def my_applications(page: ApplicantPage, session: SessionDep, done: str | None = None) -> Response:
    return _list_page(page, session, done=done)


def _list_page(
    page: Page,
    session: Session,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    assert page.actor is not None
    rows, _cursor = apps.list_applications(session, actor=page.actor, limit=200)
    rounds, _ = list_rounds(session, actor=page.actor, limit=200)
    open_rounds = [r for r in rounds if r.status == "open"]
    return render(
        page,
        "applicant/list.html",
        status=status,
        applications=rows,
        rounds={r.id: r for r in rounds},
        open_rounds=open_rounds,
        done=done,
        errors=errors or {},
        message=message,
        values=values or {},
    )


@router.post("/applicant/applications")
def create_application(page: ApplicantPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    assert page.actor is not None
    values = {"round_id": text(form, "round_id"), "kind": text(form, "kind"), "title": text(form, "title")}
    try:
        data = parse_input(apps.ApplicationCreate, values)
        created = attempt(session, lambda: apps.create_application(session, actor=page.actor, data=data))
    except DomainError as exc:
        return _list_page(
            page,
            session,
            errors=field_errors(exc, page.locale),
            message=exc.message.render(page.locale),
            values=values,
            status=exc.status,
        )
    return redirect(f"/applicant/applications/{created.id}?done=created")


# ---- one application ------------------------------------------------------------------------------


@router.get("/applicant/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    application_id: DbId, page: ApplicantPage, session: SessionDep, done: str | None = None
) -> Response:
    return _application_page(page, session, application_id, done=done)


def _application_page(
    page: Page,
    session: Session,
    application_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    submitted: dict[str, Any] | None = None,
    missing: dict[str, str] | None = None,
) -> Response:
    assert page.actor is not None
    view = apps.get_application(session, actor=page.actor, application_id=application_id)
    app = view.application
    rnd = get_round(session, actor=page.actor, round_id=app.round_id)
    rubric = round_rubric(session, rnd, app.kind)
    evidence: dict[str, list[Any]] = {}
    for att in view.attachments:
        evidence.setdefault(att.indicator_code, []).append(att)
    result = None
    if rnd.status in ("notice", "published"):  # the applicant's own from the opening of the notice
        try:
            result = results.get_result(session, actor=page.actor, application_id=app.id)
            for section in result["section_breakdown"]:
                section["width"] = _bar_width(section["points"], section["max"])
        except NotFound:
            result = None
    values = submitted or {
        "title": app.title,
        "plan": app.plan,
        "narratives": dict(app.narratives),
        "figures": dict(app.figures),
        "version": str(app.version),
    }
    return render(
        page,
        "applicant/application.html",
        status=error.status if error else 200,
        app=app,
        organisation=view.organisation,
        round=rnd,
        rubric=rubric,
        gates=[apps.gate_out(g, page.locale) for g in view.gates],
        evidence=evidence,
        editable=app.status in APPLICATION_EDITABLE,
        values=values,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        missing=missing or {},
        labels=_field_labels(rubric, page.locale),
        done=done,
        result=result,
    )


def _bar_width(points: str | None, maximum: str | None) -> int:
    """Width in whole per cent of a section's bar (display only)."""
    if points is None or not maximum or Decimal(maximum) == 0:
        return 0
    return int(Decimal(points) * 100 / Decimal(maximum))


def _field_labels(rubric: Any, locale: str) -> dict[str, str]:
    """Human names for the field paths a service may report (for the summary of what is missing)."""
    labels: dict[str, str] = {
        "title": msg("Title").render(locale),
        "plan": msg("Construction plan").render(locale),
    }
    for figure in rubric.figures:
        labels[f"figures.{figure.code}"] = msg("Figure: %(name)s", name=_figure_name(figure, locale)).render(
            locale
        )
    for section in rubric.sections:
        for ind in section.indicators:
            name = f"{ind.code} {_indicator_text(ind, locale)}"
            labels[f"narratives.{ind.code}"] = msg("Narrative for %(name)s", name=name).render(locale)
            labels[f"attachments.{ind.code}"] = msg("Evidence for %(name)s", name=name).render(locale)
    return labels


def _figure_name(figure: Any, locale: str) -> str:
    return str(figure.name_en if locale == "en" else figure.name_zh)


def _indicator_text(ind: Any, locale: str) -> str:
    if locale == "en" and getattr(ind, "text_en", None):
        return str(ind.text_en)
    return str(ind.text_zh)


def _submitted_values(form: Any) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "plan": text(form, "plan"),
        "narratives": prefixed(form, "narratives"),
        "figures": prefixed(form, "figures"),
        "version": text(form, "version"),
    }


@router.post("/applicant/applications/{application_id}")
def save_application(
    application_id: DbId, page: ApplicantPage, session: SessionDep, form: FormDep
) -> Response:
    """Save the draft; with intent=submit also submit it. Nothing typed is lost on an error."""
    page.require_csrf(text(form, "csrf_token"))
    assert page.actor is not None
    actor = page.actor
    submitted = _submitted_values(form)
    intent = text(form, "intent", "save")
    try:
        data = parse_input(apps.ApplicationUpdate, submitted)
        saved = attempt(
            session,
            lambda: apps.update_application(session, actor=actor, application_id=application_id, data=data),
        )
    except DomainError as exc:
        return _application_page(page, session, application_id, error=exc, submitted=submitted)
    if intent != "submit":
        return redirect(f"/applicant/applications/{application_id}?done=saved")
    submitted["version"] = str(saved.version)
    try:
        attempt(
            session,
            lambda: apps.submit_application(
                session, actor=actor, application_id=application_id, data=apps.SubmitIn(version=saved.version)
            ),
        )
    except DomainError as exc:
        missing = field_errors(exc, page.locale) if isinstance(exc, ValidationFailed) else {}
        return _application_page(
            page, session, application_id, error=exc, submitted=submitted, missing=missing
        )
    return redirect(f"/applicant/applications/{application_id}?done=submitted")


@router.post("/applicant/applications/{application_id}/attachments")
def upload_evidence(
    application_id: DbId, page: ApplicantPage, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """The plain-form upload (the page's script uploads through the API with a progress bar)."""
    page.require_csrf(text(form, "csrf_token"))
    code = text(form, "indicator_code")
    try:
        store_evidence(session, page, settings, form, indicator_code=code, application_id=application_id)
    except DomainError as exc:
        return _application_page(page, session, application_id, error=exc)
    return redirect(f"/applicant/applications/{application_id}?done=uploaded#ind-{code}")


@router.post("/applicant/applications/{application_id}/attachments/{attachment_id}/delete")
def delete_evidence(
    application_id: DbId,
    attachment_id: DbId,
    page: ApplicantPage,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    try:
        remove_evidence(session, page, settings, attachment_id)
    except DomainError as exc:
        return _application_page(page, session, application_id, error=exc)
    return redirect(f"/applicant/applications/{application_id}?done=deleted")


# ---- evidence downloads (any role that may see the application) ----------------------------------


@router.get("/files/{attachment_id}")
def download(attachment_id: DbId, page: LoggedInPage, session: SessionDep, settings: SettingsDep) -> Response:
    assert page.actor is not None
    att, path = files.open_attachment(
        session, actor=page.actor, attachment_id=attachment_id, settings=settings
    )
    return FileResponse(
        path,
        media_type=att.content_type,
        filename=att.original_name,
        content_disposition_type="inline" if att.content_type == "application/pdf" else "attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )
