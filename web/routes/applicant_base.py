"""The base's own pages for its organisation's applicant account: my bases, each with its history,
evaluation grades (never who evaluated), any rectification order, and the yearly figures to declare."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep, SettingsDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError
from scoring.core.schema import Schema
from scoring.services.management import bases
from scoring.services.management.schemas import FigureCorrectionIn, FiguresIn
from web.deps import ApplicantPage, UserPage
from web.forms import CheckedForm, field_errors, form_action, parse_input, prefixed, redirect, render, text
from web.views_files import remove_evidence, store_evidence

router = lazy_router(include_in_schema=False)


@router.get("/applicant/bases", response_class=HTMLResponse)
def my_bases(page: ApplicantPage, session: SessionDep) -> Response:
    return render(page, "bases/mine.html", bases=bases.list_bases(session, actor=page.actor))


@router.get("/applicant/bases/{base_id}", response_class=HTMLResponse)
def my_base(base_id: DbId, page: ApplicantPage, session: SessionDep, done: str | None = None) -> Response:
    return _detail(page, session, base_id, done=done)


def _detail(
    page: UserPage,
    session: Session,
    base_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, object] | None = None,
    form: str = "figures",
) -> Response:
    detail = bases.base_detail(session, actor=page.actor, base_id=base_id)
    return render(
        page,
        "bases/detail.html",
        status=error.status if error else 200,
        base=detail,
        staff=False,
        forms=bases.base_forms(session, actor=page.actor, base=detail),
        done=done,
        form=form if error else None,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


@router.post("/applicant/bases/{base_id}/figures")
def declare_figures(base_id: DbId, page: ApplicantPage, session: SessionDep, form: CheckedForm) -> Response:
    values: dict[str, object] = {
        "year": text(form, "year") or None,
        "figures": {code: v.strip() for code, v in prefixed(form, "figures").items() if v.strip()},
    }
    return form_action(
        session,
        FiguresIn,
        values,
        lambda data: bases.declare_figures(session, actor=page.actor, base_id=base_id, data=data),
        done=f"/applicant/bases/{base_id}?done=figures",
        on_error=lambda exc: _detail(page, session, base_id, error=exc, values=values),
    )


@router.post("/applicant/bases/{base_id}/figure-corrections")
def correct_figures(base_id: DbId, page: ApplicantPage, session: SessionDep, form: CheckedForm) -> Response:
    values: dict[str, object] = {
        "year": text(form, "year") or None,
        "figures": {code: v.strip() for code, v in prefixed(form, "figures").items() if v.strip()},
        "reason": text(form, "reason"),
    }
    return form_action(
        session,
        FigureCorrectionIn,
        values,
        lambda data: bases.correct_figures(session, actor=page.actor, base_id=base_id, data=data),
        done=f"/applicant/bases/{base_id}?done=corrected#corrections",
        on_error=lambda exc: _detail(page, session, base_id, error=exc, values=values, form="correction"),
    )


@router.post("/applicant/bases/{base_id}/evidence")
def upload_evidence(
    base_id: DbId, page: ApplicantPage, session: SessionDep, settings: SettingsDep, form: CheckedForm
) -> Response:
    code = text(form, "indicator_code")
    values: dict[str, object] = {"figures_year": text(form, "figures_year"), "indicator_code": code}
    try:
        year = parse_input(EvidenceIn, values).figures_year
        store_evidence(session, page, settings, form, indicator_code=code, base_id=base_id, figures_year=year)
    except DomainError as exc:
        return _detail(page, session, base_id, error=exc, values=values)
    return redirect(f"/applicant/bases/{base_id}?done=uploaded#evidence")


@router.post("/applicant/bases/{base_id}/evidence/{attachment_id}/delete")
def delete_evidence(
    base_id: DbId,
    attachment_id: DbId,
    page: ApplicantPage,
    session: SessionDep,
    settings: SettingsDep,
    form: CheckedForm,
) -> Response:
    try:
        remove_evidence(session, page, settings, attachment_id)
    except DomainError as exc:
        return _detail(page, session, base_id, error=exc)
    return redirect(f"/applicant/bases/{base_id}?done=deleted#evidence")


class EvidenceIn(Schema):
    """The form's year, checked as a number before the file is read."""

    figures_year: int
