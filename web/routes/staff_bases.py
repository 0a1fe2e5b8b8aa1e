"""Staff pages for designated bases: the list with what is overdue, each base's history, yearly
figures and evaluations, campaigns and evaluator assignments, rectification, restoration and the
four-eyes revocation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from scoring.core.errors import DomainError
from scoring.services.management import bases, evaluations
from scoring.store.models import Expert
from web.deps import Page, StaffPage
from web.forms import FormDep, attempt, field_errors, form_action, parse_input, redirect, render, text

router = APIRouter(include_in_schema=False)


@router.get("/staff/bases", response_class=HTMLResponse)
def base_list(page: StaffPage, session: SessionDep, status: str | None = None) -> Response:
    assert page.actor is not None
    status = status if status in bases.BASE_STATUSES else None
    rows = bases.list_bases(session, actor=page.actor, status=status)
    return render(
        page,
        "bases/list.html",
        bases=rows,
        filter_status=status,
        due=bases.due(session, actor=page.actor),
        campaigns=evaluations.list_campaigns(session, actor=page.actor),
    )


@router.get("/staff/bases/{base_id}", response_class=HTMLResponse)
def base_page(base_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _detail(page, session, base_id, done=done)


def _detail(
    page: Page,
    session: Session,
    base_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    form: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    assert page.actor is not None
    detail = bases.base_detail(session, actor=page.actor, base_id=base_id)
    base = bases.get_base(session, actor=page.actor, base_id=base_id)
    pool = list(session.scalars(select(Expert).where(Expert.pool == "evaluator", Expert.is_active)))
    evaluators = [
        {"id": e.id, "name": e.name, "conflict": _render(evaluations.conflict_reason(e, base), page.locale)}
        for e in pool
    ]
    return render(
        page,
        "bases/detail.html",
        status=error.status if error else 200,
        base=detail,
        staff=True,
        indicator_names=bases.indicator_names(bases.performance_rubric(session, base.kind), page.locale),
        evaluators=evaluators,
        campaigns=[c for c in evaluations.list_campaigns(session, actor=page.actor) if c.status == "open"],
        done=done,
        form=form,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


def _render(reason: Any, locale: str) -> str | None:
    return reason.render(locale) if reason is not None else None


def _act(
    page: Page, session: Session, base_id: int, name: str, model: Any, values: dict[str, Any], call: Any
) -> Response:
    return form_action(
        session,
        model,
        values,
        call,
        done=f"/staff/bases/{base_id}?done={name}",
        on_error=lambda exc: _detail(page, session, base_id, error=exc, form=name, values=values),
    )


@router.post("/staff/bases/{base_id}/evaluations")
def assign(base_id: DbId, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    values = {
        "purpose": text(form, "purpose") or "regular",
        "campaign_id": text(form, "campaign_id") or None,
        "evaluator_ids": [v for v in form.getlist("evaluator_ids") if isinstance(v, str) and v],
        "reason": text(form, "reason") or None,
    }

    def call(data: Any) -> Any:
        return evaluations.assign(session, actor=page.actor, base_id=base_id, data=data)

    return _act(page, session, base_id, "assign", evaluations.AssignIn, values, call)


@router.post("/staff/bases/{base_id}/rectification")
def rectification(base_id: DbId, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    values = {"reasons": text(form, "reasons"), "deadline": text(form, "deadline") or None}

    def call(data: Any) -> Any:
        return bases.order_rectification(session, actor=page.actor, base_id=base_id, data=data)

    return _act(page, session, base_id, "rectification", bases.RectificationIn, values, call)


@router.post("/staff/bases/{base_id}/restore")
def restore(base_id: DbId, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    values = {"reason": text(form, "reason") or None}

    def call(data: Any) -> Any:
        return bases.restore(session, actor=page.actor, base_id=base_id, data=data)

    return _act(page, session, base_id, "restore", bases.RestoreIn, values, call)


@router.post("/staff/bases/{base_id}/revocation")
def propose_revocation(base_id: DbId, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    values = {"reason": text(form, "reason")}

    def call(data: Any) -> Any:
        return bases.propose_revocation(session, actor=page.actor, base_id=base_id, data=data)

    return _act(page, session, base_id, "revocation", bases.RevocationIn, values, call)


@router.post("/staff/bases/{base_id}/revocation/confirm")
def confirm_revocation(base_id: DbId, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    values = {"document_no": text(form, "document_no"), "decided_on": text(form, "decided_on") or None}

    def call(data: Any) -> Any:
        return bases.confirm_revocation(session, actor=page.actor, base_id=base_id, data=data)

    return _act(page, session, base_id, "confirm", bases.RevocationConfirmIn, values, call)


@router.post("/staff/campaigns")
def create_campaign(page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {
        "year": text(form, "year") or None,
        "title": text(form, "title"),
        "bands": {"excellent": text(form, "excellent") or "85", "pass": text(form, "pass") or "60"},
    }
    try:
        data = parse_input(evaluations.CampaignIn, values)
        attempt(session, lambda: evaluations.create_campaign(session, actor=actor, data=data))  # type: ignore[arg-type]
    except DomainError as exc:
        assert actor is not None
        return render(
            page,
            "bases/list.html",
            status=exc.status,
            bases=bases.list_bases(session, actor=actor),
            filter_status=None,
            due=bases.due(session, actor=actor),
            campaigns=evaluations.list_campaigns(session, actor=actor),
            errors=field_errors(exc, page.locale),
            message=exc.message.render(page.locale),
            values=values,
        )
    return redirect("/staff/bases?done=campaign")
