"""Staff pages for designated bases: the list with what is overdue, each base's history, yearly
figures and evaluations, campaigns and evaluator assignments, rectification, restoration and the
four-eyes revocation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError
from scoring.core.lifecycle import BaseStatus, CampaignStatus
from scoring.services.management import bases, evaluations
from scoring.services.management.schemas import (
    AssignIn,
    CampaignIn,
    CampaignReferencesIn,
    RectificationIn,
    RestoreIn,
    RevocationConfirmIn,
    RevocationIn,
)
from web.deps import StaffPage, UserPage
from web.forms import CheckedForm, field_errors, form_action, render, text

router = lazy_router(include_in_schema=False)


def _list(
    page: UserPage, session: Session, status: BaseStatus | None = None, error: DomainError | None = None,
    values: dict[str, Any] | None = None, record_campaign: int | None = None, done: str | None = None,
) -> Response:  # fmt: skip
    extra: dict[str, Any] = {"record_campaign": record_campaign, "done": done}
    if error is not None:
        extra = {"errors": field_errors(error, page.locale), "message": error.message.render(page.locale)}
    return render(
        page,
        "bases/list.html",
        status=error.status if error else 200,
        bases=bases.list_bases(session, actor=page.actor, status=status),
        filter_status=status,
        due=bases.due(session, actor=page.actor),
        campaigns=evaluations.list_campaigns(session, actor=page.actor),
        values=values,
        **extra,
    )


@router.get("/staff/bases", response_class=HTMLResponse)
def base_list(
    page: StaffPage, session: SessionDep, status: str | None = None, done: str | None = None
) -> Response:
    return _list(page, session, BaseStatus(status) if status in bases.BASE_STATUSES else None, done=done)


@router.get("/staff/bases/{base_id}", response_class=HTMLResponse)
def base_page(base_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _detail(page, session, base_id, done=done)


def _detail(
    page: UserPage,
    session: Session,
    base_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    form: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    detail = bases.base_detail(session, actor=page.actor, base_id=base_id)
    campaigns = evaluations.list_campaigns(session, actor=page.actor)
    return render(
        page,
        "bases/detail.html",
        status=error.status if error else 200,
        base=detail,
        staff=True,
        forms=bases.base_forms(session, actor=page.actor, base=detail),
        evaluators=evaluations.evaluator_choices(session, actor=page.actor, base_id=base_id),
        campaigns=[c for c in campaigns if c.status == CampaignStatus.OPEN],
        done=done,
        form=form,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


def _act(
    page: UserPage,
    session: Session,
    base_id: int,
    name: str,
    model: type[BaseModel],
    values: dict[str, Any],
    call: Callable[[Any], object],
) -> Response:
    return form_action(
        session,
        model,
        values,
        call,
        done=f"/staff/bases/{base_id}?done={name}",
        on_error=lambda exc: _detail(page, session, base_id, error=exc, form=name, values=values),
    )


def _ids(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


@router.post("/staff/bases/{base_id}/evaluations")
def assign(base_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {
        "purpose": text(form, "purpose") or "regular",
        "campaign_id": text(form, "campaign_id") or None,
        "evaluator_ids": _ids(form, "evaluator_ids"),
        "reason": text(form, "reason") or None,
    }
    return _act(
        page, session, base_id, "assign", AssignIn, values,
        lambda data: evaluations.assign(session, actor=page.actor, base_id=base_id, data=data),
    )  # fmt: skip


@router.post("/staff/bases/{base_id}/rectification")
def rectification(base_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"reasons": text(form, "reasons"), "deadline": text(form, "deadline") or None}
    return _act(
        page, session, base_id, "rectification", RectificationIn, values,
        lambda data: bases.order_rectification(session, actor=page.actor, base_id=base_id, data=data),
    )  # fmt: skip


@router.post("/staff/bases/{base_id}/restore")
def restore(base_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"reason": text(form, "reason") or None}
    return _act(
        page, session, base_id, "restore", RestoreIn, values,
        lambda data: bases.restore(session, actor=page.actor, base_id=base_id, data=data),
    )  # fmt: skip


@router.post("/staff/bases/{base_id}/revocation")
def propose_revocation(base_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"reason": text(form, "reason")}
    return _act(
        page, session, base_id, "revocation", RevocationIn, values,
        lambda data: bases.propose_revocation(session, actor=page.actor, base_id=base_id, data=data),
    )  # fmt: skip


@router.post("/staff/bases/{base_id}/revocation/confirm")
def confirm_revocation(base_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"document_no": text(form, "document_no"), "decided_on": text(form, "decided_on") or None}
    return _act(
        page, session, base_id, "confirm", RevocationConfirmIn, values,
        lambda data: bases.confirm_revocation(session, actor=page.actor, base_id=base_id, data=data),
    )  # fmt: skip


@router.post("/staff/campaigns")
def create_campaign(page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    excellent, pass_ = text(form, "excellent"), text(form, "pass")
    values: dict[str, Any] = {
        "year": text(form, "year") or None,
        "title": text(form, "title"),
        # Both bands or neither: without them the campaign takes the performance rubrics' bands.
        "bands": {"excellent": excellent, "pass": pass_} if excellent or pass_ else None,
        "references": {
            key: text(form, f"references.{key}").strip() or None
            for key in ("provincial_rd_intensity", "city_rd_intensity")
        }
        | {
            f"{key}_source": text(form, f"references.{key}_source")
            for key in ("provincial_rd_intensity", "city_rd_intensity")
        },
    }
    return form_action(
        session,
        CampaignIn,
        values,
        lambda data: evaluations.create_campaign(session, actor=page.actor, data=data),
        done="/staff/bases?done=campaign",
        on_error=lambda exc: _list(page, session, error=exc, values=values),
    )


@router.post("/staff/campaigns/{campaign_id}/references")
def record_references(campaign_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    keys = ("provincial_rd_intensity", "city_rd_intensity")
    values: dict[str, Any] = {
        key: text(form, f"references.{key}").strip() or None for key in keys if f"references.{key}" in form
    } | {
        f"{key}_source": text(form, f"references.{key}_source") for key in keys if f"references.{key}" in form
    }
    return form_action(
        session,
        CampaignReferencesIn,
        values,
        lambda data: evaluations.record_references(
            session, actor=page.actor, campaign_id=campaign_id, data=data
        ),
        done="/staff/bases?done=references",
        on_error=lambda exc: _list(page, session, error=exc, values=values, record_campaign=campaign_id),
    )
