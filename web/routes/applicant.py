"""The applicant's pages: my applications, the draft form (figures with a live gate self-check,
narratives, evidence per indicator), submission with what is missing, and results once published."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.edge.deps import SessionDep, SettingsDep
from api.edge.downloads import file_response
from api.edge.params import DbId
from api.edge.routing import lazy_router
from criteria.schema import Figure, Indicator, Rubric
from scoring.core.errors import DomainError, NotFound, ValidationFailed
from scoring.core.i18n import msg
from scoring.core.lifecycle import APPLICATION_EDITABLE, ApplicationStatus, RoundStatus
from scoring.core.vocabulary import BASE_KINDS
from scoring.services.designation import applications as apps
from scoring.services.designation import drafts
from scoring.services.designation.rounds import rounds_page
from scoring.services.designation.schemas import (
    ApplicationCreate,
    ApplicationUpdate,
    AttachmentOut,
    SubmitIn,
)
from scoring.services.management import files
from scoring.services.review import results
from web.deps import ApplicantPage, LoggedInPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, prefixed, redirect, render, text
from web.views_files import remove_evidence, store_evidence

router = lazy_router(include_in_schema=False)


# ---- my applications ------------------------------------------------------------------------------


@router.get("/applicant", response_class=HTMLResponse)
def my_applications(page: ApplicantPage, session: SessionDep, done: str | None = None) -> Response:
    return _list_page(page, session, done=done)


def _list_page(
    page: UserPage,
    session: Session,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    applications = apps.applications_page(session, actor=page.actor, limit=200).items
    rounds = rounds_page(session, actor=page.actor, limit=200).items
    return render(
        page,
        "applicant/list.html",
        status=status,
        applications=applications,
        rounds={r.id: r for r in rounds},
        open_rounds=[r for r in rounds if r.status == RoundStatus.OPEN],
        kinds=BASE_KINDS,
        AS=ApplicationStatus,
        done=done,
        errors=errors or {},
        message=message,
        values=values or {},
    )


@router.post("/applicant/applications")
def create_application(page: ApplicantPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"round_id": text(form, "round_id"), "kind": text(form, "kind"), "title": text(form, "title")}
    try:
        data = parse_input(ApplicationCreate, values)
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
    page: UserPage,
    session: Session,
    application_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    submitted: dict[str, Any] | None = None,
    missing: dict[str, str] | None = None,
) -> Response:
    ctx = apps.application_context(session, actor=page.actor, application_id=application_id)
    app, rnd, rubric = ctx.application, ctx.round, ctx.rubric
    evidence: dict[str, list[AttachmentOut]] = {}
    for att in app.attachments:
        evidence.setdefault(att.indicator_code, []).append(att)
    result = None
    bar_widths: list[int] = []
    # The applicant's own result from the opening of the notice period (its window to object).
    if rnd.status in (RoundStatus.NOTICE, RoundStatus.PUBLISHED):
        try:
            result = results.get_result(session, actor=page.actor, application_id=app.id)
            bar_widths = [
                _bar_width(_part(section, "points"), _part(section, "max"))
                for section in _part(result, "section_breakdown")
            ]
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
        organisation=app.organisation,
        round=rnd,
        rubric=rubric,
        gates=app.gates,
        evidence=evidence,
        editable=app.status in APPLICATION_EDITABLE,
        deletable=app.status == ApplicationStatus.DRAFT,
        values=values,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        missing=missing or {},
        labels=_field_labels(rubric, page.locale),
        done=done,
        result=result,
        bar_widths=bar_widths,
        AS=ApplicationStatus,
    )


def _part(value: Any, name: str) -> Any:
    """A field of the review slice's result, whether it comes as a read model or a mapping."""
    return value[name] if isinstance(value, Mapping) else getattr(value, name)


def _bar_width(points: str | Decimal | None, maximum: str | Decimal | None) -> int:
    """Width in whole per cent of a section's bar (display only)."""
    if points is None or not maximum or Decimal(maximum) == 0:
        return 0
    return int(Decimal(points) * 100 / Decimal(maximum))


def _field_labels(rubric: Rubric, locale: str) -> dict[str, str]:
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


def _figure_name(figure: Figure, locale: str) -> str:
    return str(figure.name_en if locale == "en" else figure.name_zh)


def _indicator_text(ind: Indicator, locale: str) -> str:
    if locale == "en" and getattr(ind, "text_en", None):
        return str(ind.text_en)
    return str(ind.text_zh)


def _submitted_values(form: FormData) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "plan": text(form, "plan"),
        "narratives": prefixed(form, "narratives"),
        "figures": prefixed(form, "figures"),
        "version": text(form, "version"),
    }


@router.post("/applicant/applications/{application_id}")
def save_application(
    application_id: DbId, page: ApplicantPage, session: SessionDep, form: CheckedForm
) -> Response:
    """Save the draft; with intent=submit also submit it. Nothing typed is lost on an error."""
    actor = page.actor
    submitted = _submitted_values(form)
    intent = text(form, "intent", "save")
    try:
        data = parse_input(ApplicationUpdate, submitted)
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
                session, actor=actor, application_id=application_id, data=SubmitIn(version=saved.version)
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
    application_id: DbId, page: ApplicantPage, session: SessionDep, settings: SettingsDep, form: CheckedForm
) -> Response:
    """The plain-form upload (the page's script uploads through the API with a progress bar)."""
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
    form: CheckedForm,
) -> Response:
    try:
        remove_evidence(session, page, settings, attachment_id)
    except DomainError as exc:
        return _application_page(page, session, application_id, error=exc)
    return redirect(f"/applicant/applications/{application_id}?done=deleted")


# ---- deleting a draft made by mistake (never once submitted: the service refuses, the page hides it) ------


@router.get("/applicant/applications/{application_id}/delete", response_class=HTMLResponse)
def confirm_delete_draft(application_id: DbId, page: ApplicantPage, session: SessionDep) -> Response:
    """The confirmation, stating what is lost; a submitted application gets its own page back."""
    return _delete_page(page, session, application_id)


def _delete_page(
    page: UserPage, session: Session, application_id: int, error: DomainError | None = None
) -> Response:
    ctx = apps.application_context(session, actor=page.actor, application_id=application_id)
    app = ctx.application
    if app.status != ApplicationStatus.DRAFT and error is None:
        return redirect(f"/applicant/applications/{application_id}")
    return render(
        page,
        "applicant/delete_draft.html",
        status=error.status if error else 200,
        app=app,
        round=ctx.round,
        files=len(app.attachments),
        deletable=app.status == ApplicationStatus.DRAFT,
        message=error.message.render(page.locale) if error else None,
    )


@router.post("/applicant/applications/{application_id}/delete")
def delete_draft(
    application_id: DbId, page: ApplicantPage, session: SessionDep, form: CheckedForm
) -> Response:
    try:
        attempt(
            session, lambda: drafts.delete_draft(session, actor=page.actor, application_id=application_id)
        )
    except DomainError as exc:
        return _delete_page(page, session, application_id, error=exc)
    return redirect("/applicant?done=draft_deleted")


# ---- evidence downloads (any role that may see the application) ----------------------------------


@router.get("/files/{attachment_id}")
def download(attachment_id: DbId, page: LoggedInPage, session: SessionDep, settings: SettingsDep) -> Response:
    att, path = files.open_attachment(
        session, actor=page.actor, attachment_id=attachment_id, settings=settings
    )
    return file_response(att, path, preview=True)
