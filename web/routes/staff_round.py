"""Staff pages for running a round: rounds and their transitions, the formal-check queue, the expert
pool, the panel draw with its exclusions, the scoring progress board, and the ranking with each
row's explanation and charts."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import SessionDep
from scoring.errors import DomainError
from scoring.lifecycle import ROUND_TRANSITIONS, allowed_actions
from scoring.models import Application
from scoring.services import applications, experts, panels, ranking, results, rounds, sheets
from web.deps import Page, StaffPage
from web.views_roles import FormDep, attempt, field_errors, parse_input, redirect, render, text

router = APIRouter(include_in_schema=False)


def _problem(page: Page, error: DomainError | None) -> dict[str, Any]:
    if error is None:
        return {"errors": {}, "message": None}
    return {"errors": field_errors(error, page.locale), "message": error.message.render(page.locale)}


# ---- rounds -----------------------------------------------------------------------------------


@router.get("/staff", response_class=HTMLResponse)
def round_list(page: StaffPage, session: SessionDep) -> Response:
    assert page.actor is not None
    rows, _ = rounds.list_rounds(session, actor=page.actor, limit=200)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for round_id, status, n in session.execute(
        select(Application.round_id, Application.status, func.count()).group_by(
            Application.round_id, Application.status
        )
    ):
        counts[round_id][status] = n
    return render(page, "staff/rounds.html", rounds=list(reversed(rows)), counts=counts)


@router.get("/staff/rounds/{round_id}", response_class=HTMLResponse)
def round_page(round_id: int, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _round(page, session, round_id, done=done)


def _round(
    page: Page, session: Session, round_id: int, *, done: str | None = None, error: DomainError | None = None
) -> Response:
    assert page.actor is not None
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    counts = Counter(
        dict(
            session.execute(
                select(Application.status, func.count())
                .where(Application.round_id == rnd.id)
                .group_by(Application.status)
            ).all()
        )
    )
    return render(
        page,
        "staff/round.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        actions=allowed_actions(ROUND_TRANSITIONS, rnd.status),
        counts=counts,
        done=done,
        **_problem(page, error),
    )


@router.post("/staff/rounds/{round_id}/transition")
def transition(round_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {"action": text(form, "action"), "version": text(form, "version") or None}
    try:
        data = parse_input(rounds.RoundTransitionIn, values)
        attempt(session, lambda: rounds.transition_round(session, actor=actor, round_id=round_id, data=data))  # type: ignore[arg-type]
    except DomainError as exc:
        return _round(page, session, round_id, error=exc)
    return redirect(f"/staff/rounds/{round_id}?done=transition")


# ---- formal check -----------------------------------------------------------------------------


@router.get("/staff/rounds/{round_id}/check", response_class=HTMLResponse)
def check_queue(round_id: int, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _queue(page, session, round_id, done=done)


def _queue(
    page: Page,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    failed_id: int | None = None,
) -> Response:
    assert page.actor is not None
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    items, _ = applications.list_applications(
        session, actor=page.actor, round_id=rnd.id, status="recommended", limit=500
    )
    return render(
        page,
        "staff/check.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        items=items,
        done=done,
        failed_id=failed_id,
        **_problem(page, error),
    )


@router.post("/staff/applications/{application_id}/check")
def formal_check(application_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    round_id = int(text(form, "round_id") or 0)
    values = {"decision": text(form, "decision"), "reason": text(form, "reason")}
    try:
        data = parse_input(applications.FormalCheckIn, values)
        attempt(
            session,
            lambda: applications.formal_check(session, actor=actor, application_id=application_id, data=data),  # type: ignore[arg-type]
        )
    except DomainError as exc:
        return _queue(page, session, round_id, error=exc, failed_id=application_id)
    return redirect(f"/staff/rounds/{round_id}/check?done={values['decision']}")


# ---- expert pool ------------------------------------------------------------------------------


@router.get("/staff/experts", response_class=HTMLResponse)
def pool(page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _pool(page, session, done=done)


def _pool(
    page: Page,
    session: Session,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    assert page.actor is not None
    members = experts.experts_out(session, experts.list_experts(session, actor=page.actor, limit=1000))
    return render(
        page,
        "staff/experts.html",
        status=error.status if error else 200,
        members=members,
        done=done,
        values=values or {},
        **_problem(page, error),
    )


@router.post("/staff/experts")
def add_expert(page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values: dict[str, Any] = {
        "name": text(form, "name"),
        "title": text(form, "title"),
        "pool": text(form, "pool") or "expert",
        "district": text(form, "district") or None,
        "username": text(form, "username") or None,
        "password": text(form, "password") or None,
        "fields": [f.strip() for f in text(form, "fields").replace(",", ",").split(",") if f.strip()],
    }
    try:
        data = parse_input(experts.ExpertIn, values)
        attempt(session, lambda: experts.create_expert(session, actor=actor, data=data))  # type: ignore[arg-type]
    except DomainError as exc:
        values.pop("password", None)
        return _pool(page, session, error=exc, values=values)
    return redirect("/staff/experts?done=expert")


# ---- panels and progress ----------------------------------------------------------------------


@router.get("/staff/rounds/{round_id}/panels", response_class=HTMLResponse)
def panel_page(round_id: int, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _panels(page, session, round_id, done=done)


def _panels(
    page: Page, session: Session, round_id: int, *, done: str | None = None, error: DomainError | None = None
) -> Response:
    assert page.actor is not None
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    views = [
        panels.panel_out(v, page.locale)
        for v in panels.list_panels(session, actor=page.actor, round_id=rnd.id)
    ]
    items = sheets.list_sheets(session, actor=page.actor, round_id=rnd.id, limit=100_000)
    by_panel: dict[int, Counter[str]] = defaultdict(Counter)
    by_expert: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        by_panel[item["panel_id"]][item["status"]] += 1
        by_expert[item["expert"]["name"]][item["status"]] += 1
    drawn = {v["kind"] for v in views}
    return render(
        page,
        "staff/panels.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        panels=views,
        undrawn=[k for k in rnd.kinds if k not in drawn],
        by_panel=by_panel,
        by_expert=sorted(by_expert.items()),
        done=done,
        **_problem(page, error),
    )


@router.post("/staff/rounds/{round_id}/draw")
def draw(round_id: int, page: StaffPage, session: SessionDep, form: FormDep) -> Response:
    page.require_csrf(text(form, "csrf_token"))
    actor = page.actor
    values = {"kind": text(form, "kind"), "seed": text(form, "seed") or None}
    try:
        data = parse_input(panels.DrawIn, values)
        attempt(session, lambda: panels.draw(session, actor=actor, round_id=round_id, data=data))  # type: ignore[arg-type]
    except DomainError as exc:
        return _panels(page, session, round_id, error=exc)
    return redirect(f"/staff/rounds/{round_id}/panels?done=drawn")


# ---- ranking ----------------------------------------------------------------------------------


@router.get("/staff/rounds/{round_id}/ranking", response_class=HTMLResponse)
def ranking_page(
    round_id: int, page: StaffPage, session: SessionDep, kind: str | None = None, profile: int | None = None
) -> Response:
    assert page.actor is not None
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    kind = kind if kind in rnd.kinds else rnd.kinds[0]
    result = ranking.get_ranking(session, actor=page.actor, round_id=rnd.id, kind=kind)
    shape = ranking.ranking_out(result, page.locale, consistency=True)
    names = {
        item["expert"]["id"]: item["expert"]["name"]
        for item in sheets.list_sheets(session, actor=page.actor, round_id=rnd.id, kind=kind, limit=100_000)
    }
    charts = _charts(shape, names)
    chosen = profile or (shape["rows"][0]["application_id"] if shape["rows"] else None)
    if chosen is not None and result.row(chosen) is not None:
        detail = results.get_result(session, actor=page.actor, application_id=chosen)
        charts["profile"] = {
            "application_id": chosen,
            "applicant": result.row(chosen).applicant,  # type: ignore[union-attr]
            "sections": [
                {
                    "title": s["title_en"] if page.locale == "en" else s["title"],
                    "points": s["points"],
                    "max": s["max"],
                }
                for s in detail["section_breakdown"]
            ],
        }
    return render(
        page,
        "staff/ranking.html",
        round=rounds.round_out(rnd),
        kind=kind,
        ranking=shape,
        expert_names=names,
        charts=charts,
    )


def _charts(shape: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """Data for the three charts: final scores in 5-point bins, each expert's mean against the
    panel's, and every application's sections (for the profile chart)."""
    bins: Counter[int] = Counter()
    for row in shape["rows"]:
        if row["final_score"] is not None:
            bins[min(95, int(Decimal(row["final_score"]) // 5 * 5))] += 1
    distribution = [
        {"bin": f"{b}–{b + 5}", "count": bins.get(b, 0)} for b in range(min(bins or [60]), 100, 5)
    ]
    calibration = [
        {"expert": names.get(int(expert_id), expert_id), "mean": c["mean"], "panel_mean": c["panel_mean"]}
        for expert_id, c in shape["calibration"].items()
    ]
    return {"distribution": distribution, "calibration": calibration}
