"""The third-party evaluator's pages: my assignments, the no-conflict declaration, and the
performance sheet (save, then submit with confirmation)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from scoring.core.errors import DomainError
from scoring.services.management import evaluations
from web.deps import EvaluatorPage, Page
from web.forms import FormDep, attempt, field_errors, parse_input, prefixed, redirect, render, text

router = APIRouter(include_in_schema=False)


@router.get("/evaluator", response_class=HTMLResponse)
def assignments(page: EvaluatorPage, session: SessionDep, done: str | None = None) -> Response:
    assert page.actor is not None
    items = evaluations.list_evaluations(session, actor=page.actor)
    order = {"draft": 0, "assigned": 1, "submitted": 2}
    items.sort(key=lambda item: (order.get(item["status"], 3), -item["id"]))
    return render(page, "evaluator/list.html", items=items, done=done)


@router.get("/evaluator/evaluations/{evaluation_id}", response_class=HTMLResponse)
def sheet(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, done: str | None = None) -> Response:
    return _sheet(page, session, evaluation_id, done=done)


def _sheet(
    page: Page,
    session: Session,
    evaluation_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    confirm: bool = False,
) -> Response:
    assert page.actor is not None
    ev, _ = evaluations.get_evaluation(session, actor=page.actor, evaluation_id=evaluation_id)
    view = evaluations.evaluation_out(session, ev, locale=page.locale)
    scores = (values or {}).get("scores") or view["scores"]
    indicators = view.get("indicators", [])
    scored = sum(1 for i in indicators if i["kind"] == "expert" and scores.get(i["code"], "") != "")
    return render(
        page,
        "evaluator/sheet.html",
        status=error.status if error else 200,
        ev=view,
        scores=scores,
        scored=scored,
        expected=sum(1 for i in indicators if i["kind"] == "expert"),
        comments=(values or {}).get("comments", view["comments"]),
        done=done,
        confirm=confirm,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        values=values or {},
    )


@router.post("/evaluator/evaluations/{evaluation_id}/declaration")
def declare(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {"no_conflict": text(form, "no_conflict"), "reason": text(form, "reason") or None}
    try:
        data = parse_input(evaluations.DeclarationIn, values)
        attempt(
            session, lambda: evaluations.declare(session, actor=actor, evaluation_id=evaluation_id, data=data)
        )  # type: ignore[arg-type]
    except DomainError as exc:
        return _sheet(page, session, evaluation_id, error=exc, values=values)
    if data.no_conflict:
        return redirect(f"/evaluator/evaluations/{evaluation_id}?done=declared")
    return redirect("/evaluator?done=declined")


@router.post("/evaluator/evaluations/{evaluation_id}")
def save(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, form: FormDep) -> Response:
    """Save the scores; with intent=submit, save and show the confirmation. Nothing typed is lost."""
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    scores = {code: v.strip() for code, v in prefixed(form, "scores").items() if v.strip()}
    values: dict[str, Any] = {
        "scores": scores,
        "comments": text(form, "comments"),
        "version": text(form, "version"),
    }
    try:
        data = parse_input(evaluations.EvaluationUpdate, values)
        attempt(
            session, lambda: evaluations.save(session, actor=actor, evaluation_id=evaluation_id, data=data)
        )  # type: ignore[arg-type]
    except DomainError as exc:
        return _sheet(page, session, evaluation_id, error=exc, values=values)
    if text(form, "intent") == "submit":
        return _sheet(page, session, evaluation_id, confirm=True)
    return redirect(f"/evaluator/evaluations/{evaluation_id}?done=saved")


@router.post("/evaluator/evaluations/{evaluation_id}/submit")
def submit(evaluation_id: DbId, page: EvaluatorPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    try:
        attempt(session, lambda: evaluations.submit(session, actor=actor, evaluation_id=evaluation_id))  # type: ignore[arg-type]
    except DomainError as exc:
        return _sheet(page, session, evaluation_id, error=exc)
    return redirect("/evaluator?done=evaluation_submitted")
