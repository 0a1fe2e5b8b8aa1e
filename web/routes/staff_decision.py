"""Staff pages for the end of a round: the decision from the proposed list, the government's
approval, four-eyes publication with the public notice and its objections (an uphold confirmed on its
own page stating who leaves and who enters), and the changed list's approval and supplementary notice."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId, parse_id
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError, NotFound
from scoring.core.lifecycle import RoundStatus
from scoring.services.designation import rounds
from scoring.services.review import boards, decisions, list_revision, publication, ranking, ranking_view
from scoring.services.review.schemas import ApprovalIn, ResolutionIn, RevisionIn
from web.deps import StaffPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, form_action, parse_input, render, text

router = lazy_router(include_in_schema=False)
# Ids beyond a 32-bit key are refused as input (the database would fail on them, not answer 404).


@router.get("/staff/rounds/{round_id}/decision", response_class=HTMLResponse)
def decision_page(round_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _decision(page, session, round_id, done=done)


def _decision(
    page: UserPage,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    kinds = []
    if rnd.status in (RoundStatus.DECIDING, RoundStatus.NOTICE, RoundStatus.PUBLISHED):
        for kind in rnd.kinds:
            result = ranking.get_ranking(session, actor=page.actor, round_id=rnd.id, kind=kind)
            kinds.append({"kind": kind, "ranking": ranking_view.ranking_out(result)})
    labels = boards.decision_labels(session, actor=page.actor, round_id=rnd.id)
    objections = publication.list_objections(session, actor=page.actor, round_id=rnd.id)
    candidates = {
        o.id: publication.backfill_preview(session, actor=page.actor, objection_id=o.id)
        for o in objections
        if o.status == "open" and labels.statuses.get(o.application_id) == "shortlisted"
    }
    return render(
        page,
        "staff/decision.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        publication=publication.publication_out(session, rnd),
        candidates=candidates,
        kinds=kinds,
        statuses=labels.statuses,
        names=labels.names,
        objections=[publication.objection_out(o) for o in objections],
        people=labels.people,
        done=done,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


def _act(
    page: UserPage, session: Session, round_id: int, done: str, model: Any, values: dict[str, Any], call: Any
) -> Response:
    return form_action(
        session,
        model,
        values,
        call,
        done=f"/staff/rounds/{round_id}/decision?done={done}",
        on_error=lambda exc: _decision(page, session, round_id, error=exc, values=values),
    )


@router.post("/staff/rounds/{round_id}/decisions")
def decide(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {
        "kind": text(form, "kind"),
        "designate": [v for v in form.getlist("designate") if isinstance(v, str) and v],
        "reason": text(form, "reason") or None,
    }

    def call(data: Any) -> Any:
        return decisions.decide(session, actor=page.actor, round_id=round_id, data=data)

    return _act(page, session, round_id, "decided", decisions.DecisionIn, values, call)


@router.post("/staff/rounds/{round_id}/approval")
def approval(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"document_no": text(form, "document_no"), "approved_on": text(form, "approved_on") or None}

    def call(data: Any) -> Any:
        return decisions.record_approval(session, actor=page.actor, round_id=round_id, data=data)

    return _act(page, session, round_id, "approved", decisions.ApprovalIn, values, call)


@router.post("/staff/rounds/{round_id}/publication")
def publish(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"action": text(form, "action")}

    def call(data: Any) -> Any:
        return publication.publication_action(session, actor=page.actor, round_id=round_id, data=data)

    return _act(
        page, session, round_id, values["action"] or "published", publication.PublicationIn, values, call
    )


@router.post("/staff/objections/{objection_id}/resolve")
def resolve(objection_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    given = text(form, "round_id")
    round_id = parse_id(given) or 0
    values = {
        "decision": text(form, "decision"),
        "reason": text(form, "reason"),
        "seat": text(form, "seat") or None,
    }
    if values["decision"] == "uphold" and text(form, "confirmed") != "1":
        return _confirm_uphold(page, session, round_id, objection_id, values)

    def call(data: Any) -> Any:
        return publication.resolve_objection(session, actor=page.actor, objection_id=objection_id, data=data)

    return _act(page, session, round_id, "resolved", publication.ResolutionIn, values, call)


def _confirm_uphold(
    page: UserPage, session: Session, round_id: int, objection_id: int, values: dict[str, Any]
) -> Response:
    """What upholding does before it is done: who leaves the list, who enters, what the change needs."""
    try:
        data = parse_input(ResolutionIn, values)
        entering = attempt(
            session,
            lambda: publication.resolution_preview(
                session, actor=page.actor, objection_id=objection_id, data=data
            ),
        )
    except DomainError as exc:
        return _decision(page, session, round_id, error=exc, values=values)
    listed = {o.id: o for o in publication.list_objections(session, actor=page.actor, round_id=round_id)}
    obj = listed.get(objection_id)
    if obj is None:
        raise NotFound()  # the form named another round than the objection's
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    labels = boards.decision_labels(session, actor=page.actor, round_id=rnd.id)
    return render(
        page,
        "staff/objection_confirm.html",
        round=rounds.round_out(rnd),
        objection=publication.objection_out(obj),
        leaving=labels.names.get(obj.application_id),
        leaves=labels.statuses.get(obj.application_id) == "shortlisted",
        entering=entering,
        values=values,
        notice_days=rnd.notice_days,
    )


@router.post("/staff/rounds/{round_id}/list-revision/approval")
def revision_approval(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"document_no": text(form, "document_no"), "approved_on": text(form, "approved_on") or None}
    shown = {f"revision_{k}": v for k, v in values.items()}

    def call(data: Any) -> Any:
        return list_revision.record_revision_approval(session, actor=page.actor, round_id=round_id, data=data)

    return form_action(
        session,
        ApprovalIn,
        values,
        call,
        done=f"/staff/rounds/{round_id}/decision?done=revision_approved",
        on_error=lambda exc: _decision(page, session, round_id, error=_prefixed(exc), values=shown),
    )


def _prefixed(exc: DomainError) -> DomainError:
    """The revision's approval fields carry their own names on the page (the first approval's are there)."""
    exc.fields = {
        (f"revision_{k}" if k in ("document_no", "approved_on") else k): v for k, v in exc.fields.items()
    }
    return exc


@router.post("/staff/rounds/{round_id}/list-revision")
def revision(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"action": text(form, "action")}

    def call(data: Any) -> Any:
        return list_revision.revision_action(session, actor=page.actor, round_id=round_id, data=data)

    done = f"revision_{values['action'] or 'propose'}"
    return _act(page, session, round_id, done, RevisionIn, values, call)
