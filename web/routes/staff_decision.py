"""Staff pages for the end of a round — the decision from the proposed list, the government's
approval, four-eyes publication with the public notice and its objections — and the audit trail
with its verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import SessionDep
from scoring import queries
from scoring.audit import verify_chain
from scoring.errors import DomainError
from scoring.models import Application, Organisation, User
from scoring.services import decisions, publication, ranking, rounds
from web.deps import Page, StaffPage
from web.views_roles import FormDep, attempt, field_errors, parse_input, redirect, render, text

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 100


@router.get("/staff/rounds/{round_id}/decision", response_class=HTMLResponse)
def decision_page(round_id: int, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _decision(page, session, round_id, done=done)


def _decision(
    page: Page,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    assert page.actor is not None
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    kinds = []
    if rnd.status in ("deciding", "notice", "published"):
        for kind in rnd.kinds:
            result = ranking.get_ranking(session, actor=page.actor, round_id=rnd.id, kind=kind)
            kinds.append({"kind": kind, "ranking": ranking.ranking_out(result, page.locale)})
    statuses = dict(
        session.execute(
            select(Application.id, Application.status).where(Application.round_id == rnd.id)
        ).all()
    )
    names = dict(
        session.execute(
            select(Application.id, Organisation.name)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(Application.round_id == rnd.id)
        ).all()
    )
    objections = publication.list_objections(session, actor=page.actor, round_id=rnd.id)
    people = dict(session.execute(select(User.id, User.display_name)).all())
    return render(
        page,
        "staff/decision.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        publication=publication.publication_out(rnd),
        kinds=kinds,
        statuses=statuses,
        names=names,
        objections=[publication.objection_out(o) for o in objections],
        people=people,
        done=done,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


def _act(
    page: Page, session: Session, round_id: int, done: str, values: dict[str, Any], call: Any
) -> Response:
    try:
        attempt(session, call)
    except DomainError as exc:
        return _decision(page, session, round_id, error=exc, values=values)
    return redirect(f"/staff/rounds/{round_id}/decision?done={done}")


@router.post("/staff/rounds/{round_id}/decisions")
def decide(round_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {
        "kind": text(form, "kind"),
        "designate": [v for v in form.getlist("designate") if isinstance(v, str) and v],
        "reason": text(form, "reason") or None,
    }

    def call() -> Any:
        data = parse_input(decisions.DecisionIn, values)
        return decisions.decide(session, actor=actor, round_id=round_id, data=data)  # type: ignore[arg-type]

    return _act(page, session, round_id, "decided", values, call)


@router.post("/staff/rounds/{round_id}/approval")
def approval(round_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {"document_no": text(form, "document_no"), "approved_on": text(form, "approved_on") or None}

    def call() -> Any:
        data = parse_input(decisions.ApprovalIn, values)
        return decisions.record_approval(session, actor=actor, round_id=round_id, data=data)  # type: ignore[arg-type]

    return _act(page, session, round_id, "approved", values, call)


@router.post("/staff/rounds/{round_id}/publication")
def publish(round_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {"action": text(form, "action")}

    def call() -> Any:
        data = parse_input(publication.PublicationIn, values)
        return publication.publication_action(session, actor=actor, round_id=round_id, data=data)  # type: ignore[arg-type]

    return _act(page, session, round_id, values["action"] or "published", values, call)


@router.post("/staff/objections/{objection_id}/resolve")
def resolve(objection_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    round_id = int(text(form, "round_id") or 0)
    values = {"decision": text(form, "decision"), "reason": text(form, "reason")}

    def call() -> Any:
        data = parse_input(publication.ResolutionIn, values)
        return publication.resolve_objection(session, actor=actor, objection_id=objection_id, data=data)  # type: ignore[arg-type]

    return _act(page, session, round_id, "resolved", values, call)


@router.get("/staff/audit", response_class=HTMLResponse)
def audit_page(
    page: StaffPage,
    session: SessionDep,
    entity: str | None = None,
    entity_id: str | None = None,
    cursor: int = 0,
    verify: bool = False,
) -> Response:
    events = queries.audit_events(
        session, entity=entity or None, entity_id=entity_id or None, after_id=max(cursor, 0), limit=AUDIT_PAGE
    )
    return render(
        page,
        "staff/audit.html",
        events=events,
        entity=entity or "",
        entity_id=entity_id or "",
        next_cursor=events[-1]["id"] if len(events) == AUDIT_PAGE else None,
        report=verify_chain(session).as_dict() if verify else None,
    )
