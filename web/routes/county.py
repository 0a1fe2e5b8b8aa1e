"""The county recommender's pages: the district's queue and the recommend / decline / return form."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError
from scoring.core.lifecycle import ApplicationStatus
from scoring.services.designation import applications as apps
from scoring.services.designation.rounds import rounds_page
from scoring.services.designation.schemas import AttachmentOut, RecommendationIn
from web.deps import CountyPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)

# The queue first: what waits for the county's decision, then what it has decided.
_WAITING = (ApplicationStatus.SUBMITTED,)


@router.get("/county", response_class=HTMLResponse)
def queue(page: CountyPage, session: SessionDep, done: str | None = None) -> Response:
    rows = apps.applications_page(session, actor=page.actor, limit=500).items
    rounds = rounds_page(session, actor=page.actor, limit=200).items
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
    page: UserPage,
    session: Session,
    application_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    ctx = apps.application_context(session, actor=page.actor, application_id=application_id)
    app = ctx.application
    evidence: dict[str, list[AttachmentOut]] = {}
    for att in app.attachments:
        evidence.setdefault(att.indicator_code, []).append(att)
    return render(
        page,
        "county/application.html",
        status=error.status if error else 200,
        app=app,
        organisation=app.organisation,
        round=ctx.round,
        rubric=ctx.rubric,
        gates=app.gates,
        evidence=evidence,
        waiting=app.status in _WAITING,
        values=values or {"decision": "", "reason": "", "version": str(app.version)},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        done=done,
    )


@router.post("/county/applications/{application_id}/recommendation")
def recommend(application_id: DbId, page: CountyPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    values = {
        "decision": text(form, "decision"),
        "reason": text(form, "reason"),
        "version": text(form, "version") or None,
    }
    try:
        data = parse_input(RecommendationIn, values)
        attempt(
            session,
            lambda: apps.recommend_application(
                session, actor=actor, application_id=application_id, data=data
            ),
        )
    except DomainError as exc:
        return _application_page(page, session, application_id, error=exc, values=values)
    return redirect(f"/county?done={data.decision}")
