"""Staff pages for the end of scoring: deadlines, missing sheets, replacing a no-show, and the
confirmation of each irreversible round step stating its consequences."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId, parse_id
from api.edge.routing import lazy_router
from scoring.core.actors import Actor
from scoring.core.errors import DomainError, NotFound
from scoring.core.lifecycle import ROUND_TRANSITIONS, allowed_actions
from scoring.services.designation import rounds
from scoring.services.review import sheets_end
from scoring.services.review.sheets_end_schemas import DeadlineExtensionIn, ReplaceIn
from web.deps import StaffPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)


def _page(
    page: UserPage,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    state = sheets_end.round_end(session, actor=page.actor, round_id=rnd.id)
    experts = sorted({(m.expert_id, m.expert_name) for m in state.missing_sheets}, key=lambda e: e[1])
    return render(
        page,
        "staff/round_end.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        state=state,
        experts=experts,
        done=done,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


@router.get("/staff/rounds/{round_id}/round-end", response_class=HTMLResponse)
def round_end_page(round_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _page(page, session, round_id, done=done)


def _extend(session: Session, actor: Actor, round_id: int, data: DeadlineExtensionIn) -> object:
    return sheets_end.extend_deadline(session, actor=actor, round_id=round_id, data=data)


def _replace(session: Session, actor: Actor, sheet_id: int, data: ReplaceIn) -> object:
    return sheets_end.replace_expert(session, actor=actor, sheet_id=sheet_id, data=data)


@router.post("/staff/rounds/{round_id}/scoring-deadline")
def extend(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    values = {
        "deadline": text(form, "deadline"),
        "reason": text(form, "reason"),
        "expert_id": text(form, "expert_id").strip() or None,
    }
    try:
        data = parse_input(DeadlineExtensionIn, values)
        attempt(session, lambda: _extend(session, actor, round_id, data))
    except DomainError as exc:
        return _page(page, session, round_id, error=exc, values={k: v or "" for k, v in values.items()})
    return redirect(f"/staff/rounds/{round_id}/round-end?done=extended")


@router.post("/staff/sheets/{sheet_id}/replace")
def replace(sheet_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    round_id = parse_id(text(form, "round_id")) or 0
    values = {
        "deadline": text(form, "deadline"),
        "reason": text(form, "reason"),
        "draw_more": text(form, "draw_more") == "1",
    }
    try:
        data = parse_input(ReplaceIn, values)
        attempt(session, lambda: _replace(session, actor, sheet_id, data))
    except DomainError as exc:
        shown = {f"replace.{sheet_id}.{k}": str(v) for k, v in values.items()}
        return _page(page, session, round_id, error=exc, values=shown)
    return redirect(f"/staff/rounds/{round_id}/round-end?done=replaced")


@router.get("/staff/rounds/{round_id}/confirm/{action}", response_class=HTMLResponse)
def confirm_transition(round_id: DbId, action: str, page: StaffPage, session: SessionDep) -> Response:
    """What a round step does and to whom, before it is taken (it cannot be undone)."""
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    possible = allowed_actions(ROUND_TRANSITIONS, rnd.status)
    if action not in rounds.ROUND_ACTIONS_HERE or action not in possible:
        raise NotFound()
    state = sheets_end.round_end(session, actor=page.actor, round_id=rnd.id)
    out = rounds.round_out(rnd)
    return render(page, "staff/confirm_transition.html", round=out, action=action, state=state)
