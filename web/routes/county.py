"""The county recommender's pages: the district's queue and the recommend / decline / return form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from scoring.core.errors import DomainError
from scoring.services.designation import applications as apps
from scoring.services.designation.rounds import get_round, list_rounds, round_rubric
from web.deps import CountyPage, Page
from web.forms import FormDep, attempt, field_errors, parse_input, redirect, render, text

router = APIRouter(include_in_schema=False)

# The queue first: what waits for the county's decision, then what it has decided.
_WAITING = ("submitted",)


@router.get("/county", response_class=HTMLResponse)
def queue(page: CountyPage, session: SessionDep, done: str | None = None) -> Response:
    assert page.actor is not None
    rows, _cursor = apps.list_applications(session, actor=page.actor, limit=500)
    rounds, _ = list_rounds(session, actor=page.actor, limit=200)
    return render(
        page,
        "county/queue.html",
        waiting=[a for a in rows if a.status in _WAITING],
        decided=[a for a in rows if a.status not in _WAITING],
        rounds={r.id: r for r in rounds},
        done=done,
    )


@router.get("/county/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    application_id: DbId, page: CountyPage, session: SessionDep, done: str | None = None
) -> Response:
    return _application_page(page, session, application_id, done=done)


def _application_page(
    page: Page,
    session: Session,
    application_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    assert page.actor is not None
    view = apps.get_application(session, actor=page.actor, application_id=application_id)
    app = view.application
    rnd = get_round(session, actor=page.actor, round_id=app.round_id)
    evidence: dict[str, list[Any]] = {}
    for att in view.attachments:
        evidence.setdefault(att.indicator_code, []).append(att)
    return render(
        page,
        "county/application.html",
        status=error.status if error else 200,
        app=app,
        organisation=view.organisation,
        round=rnd,
        rubric=round_rubric(session, rnd, app.kind),
        gates=[apps.gate_out(g, page.locale) for g in view.gates],
        evidence=evidence,
        waiting=app.status in _WAITING,
        values=values or {"decision": "", "reason": "", "version": str(app.version)},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        done=done,
    )


@router.post("/county/applications/{application_id}/recommendation")
def recommend(application_id: DbId, page: CountyPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    assert page.actor is not None
    actor = page.actor
    values = {
        "decision": text(form, "decision"),
        "reason": text(form, "reason"),
        "version": text(form, "version") or None,
    }
    try:
        data = parse_input(apps.RecommendationIn, values)
        attempt(
            session,
            lambda: apps.recommend_application(
                session, actor=actor, application_id=application_id, data=data
            ),
        )
    except DomainError as exc:
        return _application_page(page, session, application_id, error=exc, values=values)
    return redirect(f"/county?done={data.decision}")
