"""The third-party evaluator's pages: my assignments, the no-conflict declaration, and the
performance sheet (save, then submit with confirmation)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError
from scoring.core.lifecycle import EvaluationStatus
from scoring.services.management import evaluations
from scoring.services.management.schemas import DeclarationIn, EvaluationUpdate
from web.deps import EvaluatorPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, prefixed, redirect, render, text

router = lazy_router(include_in_schema=False)

# The evaluator's list: what needs work first, then the newest.
LIST_ORDER = {EvaluationStatus.DRAFT: 0, EvaluationStatus.ASSIGNED: 1, EvaluationStatus.SUBMITTED: 2}


@router.get("/evaluator", response_class=HTMLResponse)
def assignments(page: EvaluatorPage, session: SessionDep, done: str | None = None) -> Response:
    items = evaluations.list_evaluations(session, actor=page.actor)
    items.sort(key=lambda item: (LIST_ORDER.get(item.status, 3), -item.id))
    return render(page, "evaluator/list.html", items=items, done=done)


@router.get("/evaluator/evaluations/{evaluation_id}", response_class=HTMLResponse)
def sheet(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, done: str | None = None) -> Response:
    return _sheet(page, session, evaluation_id, done=done)


def _sheet(
    page: UserPage,
    session: Session,
    evaluation_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    confirm: bool = False,
) -> Response:
    view = evaluations.sheet(session, actor=page.actor, evaluation_id=evaluation_id)
    scores: dict[str, str] = (values or {}).get("scores") or view.scores
    scored = sum(1 for i in view.indicators or () if i.kind == "expert" and scores.get(i.code, "") != "")
    return render(
        page,
        "evaluator/sheet.html",
        status=error.status if error else 200,
        ev=view,
        scores=scores,
        scored=scored,
        expected=view.expected,
        comments=(values or {}).get("comments", view.comments),
        done=done,
        confirm=confirm,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        values=values or {},
    )


@router.post("/evaluator/evaluations/{evaluation_id}/declaration")
def declare(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"no_conflict": text(form, "no_conflict"), "reason": text(form, "reason") or None}
    try:
        data = parse_input(DeclarationIn, values)
        attempt(
            session,
            lambda: evaluations.declare(session, actor=page.actor, evaluation_id=evaluation_id, data=data),
        )
    except DomainError as exc:
        return _sheet(page, session, evaluation_id, error=exc, values=values)
    if data.no_conflict:
        return redirect(f"/evaluator/evaluations/{evaluation_id}?done=declared")
    return redirect("/evaluator?done=declined")


@router.post("/evaluator/evaluations/{evaluation_id}")
def save(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, form: CheckedForm) -> Response:
    """Save the scores; with intent=submit, save and show the confirmation. Nothing typed is lost."""
    scores = {code: v.strip() for code, v in prefixed(form, "scores").items() if v.strip()}
    values: dict[str, Any] = {
        "scores": scores,
        "comments": text(form, "comments"),
        "version": text(form, "version"),
    }
    try:
        data = parse_input(EvaluationUpdate, values)
        attempt(
            session,
            lambda: evaluations.save(session, actor=page.actor, evaluation_id=evaluation_id, data=data),
        )
    except DomainError as exc:
        return _sheet(page, session, evaluation_id, error=exc, values=values)
    if text(form, "intent") == "submit":
        return _sheet(page, session, evaluation_id, confirm=True)
    return redirect(f"/evaluator/evaluations/{evaluation_id}?done=saved")


@router.post("/evaluator/evaluations/{evaluation_id}/submit")
def submit(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, form: CheckedForm) -> Response:
    try:
        attempt(session, lambda: evaluations.submit(session, actor=page.actor, evaluation_id=evaluation_id))
    except DomainError as exc:
        return _sheet(page, session, evaluation_id, error=exc)
    return redirect("/evaluator?done=evaluation_submitted")
