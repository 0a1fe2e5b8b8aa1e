"""Auditor pages, read-only: verification of the chain (with an anchor), reconciliation of the live
tables with the trail, the trail itself, and each round's draw records with their replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.params import DbId, parse_id
from api.edge.routing import lazy_router
from scoring.core.actors import Role
from scoring.core.errors import DomainError
from scoring.services.admin import integrity
from scoring.services.review import draw_record
from web.deps import UserPage, roles
from web.forms import render

router = lazy_router(include_in_schema=False)
AuditorPage = Annotated[UserPage, Depends(roles(Role.AUDITOR))]
TRAIL_PAGE = 50


@router.get("/auditor", response_class=HTMLResponse)
def home(page: AuditorPage, session: SessionDep, anchor: str | None = None) -> Response:
    error: DomainError | None = None
    try:
        report = integrity.verify(session, actor=page.actor, anchor=(anchor or "").strip() or None)
    except DomainError as exc:  # a malformed anchor: the chain alone, and the rule named
        error = exc
        report = integrity.verify(session, actor=page.actor)
    return render(
        page,
        "auditor/home.html",
        status=error.status if error else 200,
        report=report,
        reconciliation=integrity.reconcile_state(session, actor=page.actor),
        checkpoints=integrity.list_checkpoints(session, actor=page.actor),
        rounds=draw_record.rounds_with_draws(session, actor=page.actor),
        anchor=(anchor or "").strip()[:200],
        anchor_error=error.message if error else None,
    )


@router.get("/auditor/trail", response_class=HTMLResponse)
def trail(
    page: AuditorPage,
    session: SessionDep,
    entity: str | None = None,
    entity_id: str | None = None,
    after: str | None = None,
) -> Response:
    filters = {"entity": (entity or "").strip()[:32], "entity_id": (entity_id or "").strip()[:64]}
    result = integrity.trail(
        session, actor=page.actor, entity=filters["entity"] or None, entity_id=filters["entity_id"] or None,
        cursor=parse_id(after) or 0, limit=TRAIL_PAGE,
    )  # fmt: skip
    return render(
        page, "auditor/trail.html", events=result.items, filters=filters, next_after=result.next_cursor
    )


@router.get("/auditor/rounds/{round_id}/draws", response_class=HTMLResponse)
def draws(round_id: DbId, page: AuditorPage, session: SessionDep) -> Response:
    records = draw_record.draw_records(session, actor=page.actor, round_id=round_id)
    replays = draw_record.replay(session, actor=page.actor, round_id=round_id)
    return render(page, "auditor/draws.html", round_id=round_id, records=records, replays=replays)
