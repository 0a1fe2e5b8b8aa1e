"""Staff pages for running a round: rounds and their transitions, the formal-check queue, the expert
pool, the panel draw with its exclusions, the scoring progress board, and the ranking with each
row's explanation and charts."""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId, parse_id
from api.edge.routing import lazy_router
from scoring.core.aggregate import fmt2, round2
from scoring.core.districts import DISTRICTS
from scoring.core.draw import commitment_of
from scoring.core.errors import DomainError
from scoring.core.lifecycle import ROUND_TRANSITIONS, allowed_actions
from scoring.services.admin import experts
from scoring.services.designation import applications, rounds
from scoring.services.review import (
    boards,
    draw_record,
    org_history,
    panels,
    ranking,
    ranking_view,
    results,
    sheet_views,
)
from scoring.services.review.ranking_notes import ranking_notes
from scoring.services.review.schemas import ConsistentRankingOut
from web.deps import StaffPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)


def _int(value: str) -> int:
    """A form's id field; anything not a plain number reads as 0, which no row has (→ 404)."""
    return parse_id(value) or 0


def _problem(page: UserPage, error: DomainError | None) -> dict[str, Any]:
    if error is None:
        return {"errors": {}, "message": None}
    return {"errors": field_errors(error, page.locale), "message": error.message.render(page.locale)}


# ---- rounds -----------------------------------------------------------------------------------


@router.get("/staff", response_class=HTMLResponse)
def round_list(page: StaffPage, session: SessionDep) -> Response:
    rows, _ = rounds.list_rounds(session, actor=page.actor, limit=200)
    counts = boards.status_counts(session, actor=page.actor)
    return render(page, "staff/rounds.html", rounds=list(reversed(rows)), counts=counts)


@router.get("/staff/rounds/{round_id}", response_class=HTMLResponse)
def round_page(round_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _round(page, session, round_id, done=done)


def _round(
    page: UserPage,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    counts = boards.status_counts(session, actor=page.actor, round_id=rnd.id).of(rnd.id)
    possible = allowed_actions(ROUND_TRANSITIONS, rnd.status)
    return render(
        page,
        "staff/round.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        row=rnd,
        actions=[a for a in possible if a in rounds.ROUND_ACTIONS_HERE],
        elsewhere=any(a in rounds.ROUND_ACTIONS_ELSEWHERE for a in possible),
        counts=counts,
        done=done,
        **_problem(page, error),
    )


@router.post("/staff/rounds/{round_id}/transition")
def transition(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    values = {
        "action": text(form, "action"),
        "version": text(form, "version") or None,
        "reason": text(form, "reason").strip() or None,
    }
    try:
        data = parse_input(rounds.RoundTransitionIn, values)
        attempt(session, lambda: rounds.transition_round(session, actor=actor, round_id=round_id, data=data))
    except DomainError as exc:
        return _round(page, session, round_id, error=exc)
    return redirect(f"/staff/rounds/{round_id}?done=transition")


# ---- formal check -----------------------------------------------------------------------------


@router.get("/staff/rounds/{round_id}/check", response_class=HTMLResponse)
def check_queue(round_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _queue(page, session, round_id, done=done)


def _queue(
    page: UserPage,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    failed_id: int | None = None,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    items, _ = applications.list_applications(
        session, actor=page.actor, round_id=rnd.id, status="recommended", limit=500
    )
    gates = {
        app.id: applications.get_application(session, actor=page.actor, application_id=app.id).gates
        for app in items
    }
    histories = {
        org_id: org_history.organisation_history(session, actor=page.actor, organisation_id=org_id)
        for org_id in {app.organisation_id for app in items}
    }
    return render(
        page,
        "staff/check.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        items=items,
        gates=gates,
        histories=histories,
        done=done,
        failed_id=failed_id,
        **_problem(page, error),
    )


def _evidence(attachments: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for att in attachments:
        out.setdefault(att.indicator_code, []).append(att)
    return out


@router.get("/staff/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    application_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None
) -> Response:
    return _application(page, session, application_id, done=done)


def _application(
    page: UserPage,
    session: Session,
    application_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
) -> Response:
    """One application for city staff: figures, gates with their arithmetic, the organisation's record and,
    while it waits for the formal check, the decision."""
    app = applications.get_application(session, actor=page.actor, application_id=application_id)
    rnd = rounds.get_round(session, actor=page.actor, round_id=app.round_id)
    history = org_history.organisation_history(
        session, actor=page.actor, organisation_id=app.organisation.id, except_application_id=app.id
    )
    return render(
        page,
        "staff/application.html",
        status=error.status if error else 200,
        app=app,
        round=rounds.round_out(rnd),
        rubric=rounds.round_rubric(session, rnd, app.kind),
        gates=app.gates,
        evidence=_evidence(app.attachments),
        history=history,
        checking=app.status == "recommended",
        done=done,
        failed_id=application_id if error else None,
        **_problem(page, error),
    )


@router.post("/staff/applications/{application_id}/check")
def formal_check(application_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    round_id = _int(text(form, "round_id"))
    values = {"decision": text(form, "decision"), "reason": text(form, "reason")}
    try:
        data = parse_input(applications.FormalCheckIn, values)
        attempt(
            session,
            lambda: applications.formal_check(session, actor=actor, application_id=application_id, data=data),
        )
    except DomainError as exc:
        if text(form, "origin") == "application":
            return _application(page, session, application_id, error=exc)
        return _queue(page, session, round_id, error=exc, failed_id=application_id)
    if text(form, "origin") == "application":
        return redirect(f"/staff/applications/{application_id}?done={values['decision']}")
    return redirect(f"/staff/rounds/{round_id}/check?done={values['decision']}")


# ---- expert pool ------------------------------------------------------------------------------


def _organisations(session: Session, page: UserPage) -> dict[int, str]:
    """Applicant organisations by id (the choices for a declared conflict), through the service."""
    items, _ = applications.list_applications(session, actor=page.actor, limit=10_000)
    return {app.organisation_id: app.organisation.name for app in items}


def _split_fields(raw: str) -> list[str]:
    return [f.strip() for f in raw.replace(",", ",").replace("、", ",").split(",") if f.strip()]


def _ids(form: Any, name: str) -> list[int]:
    return [_int(v) for v in form.getlist(name) if isinstance(v, str)]


@router.get("/staff/experts", response_class=HTMLResponse)
def pool(page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _pool(page, session, done=done)


def _pool(
    page: UserPage,
    session: Session,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
    failed_id: int | None = None,
) -> Response:
    members = experts.experts_out(session, experts.list_experts(session, actor=page.actor, limit=1000))
    return render(
        page,
        "staff/experts.html",
        status=error.status if error else 200,
        members=members,
        organisations=_organisations(session, page),
        districts=DISTRICTS,
        done=done,
        values=values or {},
        failed_id=failed_id,
        **_problem(page, error),
    )


@router.post("/staff/experts")
def add_expert(page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    values: dict[str, Any] = {
        "name": text(form, "name"),
        "title": text(form, "title"),
        "pool": text(form, "pool") or "expert",
        "district": text(form, "district") or None,
        "username": text(form, "username") or None,
        "password": text(form, "password") or None,
        "fields": _split_fields(text(form, "fields")),
        "declared_conflict_org_ids": _ids(form, "declared_conflict_org_ids"),
    }
    try:
        data = parse_input(experts.ExpertIn, values)
        attempt(session, lambda: experts.create_expert(session, actor=actor, data=data))
    except DomainError as exc:
        values.pop("password", None)
        return _pool(page, session, error=exc, values=values)
    return redirect("/staff/experts?done=expert")


@router.post("/staff/experts/{expert_id}")
def edit_expert(expert_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    """Fields, title, district, declared conflicts and (de)activation of one pool member."""
    actor = page.actor
    values: dict[str, Any] = {
        "title": text(form, "title"),
        "fields": _split_fields(text(form, "fields")),
        "district": text(form, "district") or None,
        "declared_conflict_org_ids": _ids(form, "declared_conflict_org_ids"),
        "is_active": text(form, "is_active") == "true",
    }
    try:
        data = parse_input(experts.ExpertUpdate, values)
        attempt(
            session,
            lambda: experts.update_expert(session, actor=actor, expert_id=expert_id, data=data),
        )
    except DomainError as exc:
        return _pool(page, session, error=exc, failed_id=expert_id)
    return redirect(f"/staff/experts?done=updated#expert-{expert_id}")


# ---- panels and progress ----------------------------------------------------------------------


@router.get("/staff/rounds/{round_id}/panels", response_class=HTMLResponse)
def panel_page(round_id: DbId, page: StaffPage, session: SessionDep, done: str | None = None) -> Response:
    return _panels(page, session, round_id, done=done)


def _panels(
    page: UserPage,
    session: Session,
    round_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    secret: tuple[str, str] | None = None,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    commitments = {c.kind: c for c in draw_record.draw_records(session, actor=page.actor, round_id=rnd.id)}
    replays = {r.panel_id: r for r in draw_record.replay(session, actor=page.actor, round_id=rnd.id)}
    views = [panels.panel_out(v) for v in panels.list_panels(session, actor=page.actor, round_id=rnd.id)]
    pool_members = experts.list_experts(session, actor=page.actor, limit=10_000)
    expert_names = {e.id: e.name for e in pool_members}
    active = [e for e in pool_members if e.pool == "expert" and e.is_active]
    apps, _ = applications.list_applications(session, actor=page.actor, round_id=rnd.id, limit=10_000)
    app_names = {a.id: a.organisation.name for a in apps}
    items = sheet_views.list_sheets(session, actor=page.actor, round_id=rnd.id, limit=100_000)
    by_panel: dict[int, Counter[str]] = defaultdict(Counter)
    by_expert: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        if isinstance(item, sheet_views.StaffSheetItem):
            by_panel[item.panel_id or 0][item.status] += 1
            by_expert[item.expert.name][item.status] += 1
    candidates: dict[int, list[dict[str, Any]]] = {}
    for view in views:
        on_panel = {e.id for e in view.experts} | {e.id for e in view.reserves}
        candidates[view.panel_id] = [{"id": e.id, "name": e.name} for e in active if e.id not in on_panel]
    drawn = {v.kind for v in views}
    return render(
        page,
        "staff/panels.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        panels=views,
        candidates=candidates,
        undrawn=[k for k in rnd.kinds if k not in drawn],
        by_panel=by_panel,
        by_expert=sorted(by_expert.items()),
        expert_names=expert_names,
        app_names=app_names,
        done=done,
        commitments=commitments,
        replays=replays,
        strata=draw_record.strata_out(rnd).strata,
        me=page.actor.user_id,
        secret=secret,
        fresh_contribution=secrets.token_hex(8),
        **_problem(page, error),
    )


# The draw: staff A commits (the page makes the secret and shows it once), staff B contributes, A
# reveals and the panel is drawn from the derived seed. No form takes a seed.


def _parse_strata(raw: str) -> dict[str, int]:
    """Parse "产业经济=2, 财务=1" (also ":" or "：", commas or lines); a count that is not a number
    reads as 0, which the service refuses naming the field."""
    out: dict[str, int] = {}
    for part in re.split(r"[,，;；\n]+", raw):
        name, _, count = part.replace("：", "=").replace(":", "=").partition("=")
        if name.strip() or count.strip():
            out[name.strip()] = int(count.strip()) if count.strip().isdigit() else 0
    return out


@router.post("/staff/rounds/{round_id}/strata")
def set_strata(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor, kind = page.actor, text(form, "kind")
    data = draw_record.StrataIn(strata=_parse_strata(text(form, "strata")))
    try:
        attempt(session, lambda: draw_record.set_strata(session, actor=actor, round_id=round_id, kind=kind,
                                                        data=data))  # fmt: skip
    except DomainError as exc:
        return _panels(page, session, round_id, error=exc)
    return redirect(f"/staff/rounds/{round_id}/panels?done=strata")


@router.post("/staff/rounds/{round_id}/draw/commit")
def commit_draw(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    """Staff A commits: the secret is made here, only its hash is stored, and it is shown once."""
    actor = page.actor
    secret = secrets.token_hex(16)
    values = {
        "kind": text(form, "kind"),
        "commitment": commitment_of(secret),
        "size": text(form, "size").strip() or None,
        "reserves": text(form, "reserves").strip() or None,
    }
    try:
        data = parse_input(draw_record.CommitIn, values)
        attempt(session, lambda: draw_record.commit(session, actor=actor, round_id=round_id, data=data))
    except DomainError as exc:
        return _panels(page, session, round_id, error=exc)
    return _panels(page, session, round_id, done="committed", secret=(data.kind, secret))


@router.post("/staff/draw-commitments/{commitment_id}/contribute")
def contribute_draw(commitment_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    row = draw_record.get_commitment(session, actor=actor, commitment_id=commitment_id)
    try:
        data = parse_input(draw_record.ContributionIn, {"value": text(form, "value").strip()})
        attempt(
            session, lambda: draw_record.contribute(session, actor=actor, commitment_id=row.id, data=data)
        )
    except DomainError as exc:
        return _panels(page, session, row.round_id, error=exc)
    return redirect(f"/staff/rounds/{row.round_id}/panels?done=contributed")


@router.post("/staff/draw-commitments/{commitment_id}/reveal")
def reveal_draw(commitment_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    row = draw_record.get_commitment(session, actor=actor, commitment_id=commitment_id)
    try:
        data = parse_input(draw_record.RevealIn, {"secret": text(form, "secret").strip()})
        attempt(session, lambda: draw_record.reveal(session, actor=actor, commitment_id=row.id, data=data))
    except DomainError as exc:
        return _panels(page, session, row.round_id, error=exc)
    return redirect(f"/staff/rounds/{row.round_id}/panels?done=drawn")


@router.post("/staff/panels/{panel_id}/extend")
def extend(panel_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    """Further reserves for a panel whose reserves declines have used up; short applications get
    their missing sheets from them at once."""
    actor = page.actor
    assert actor is not None
    view = panels.get_panel(session, actor=actor, panel_id=panel_id)
    round_id = view.panel.round_id
    values = {"expert_ids": _ids(form, "expert_ids")}
    try:
        data = parse_input(panels.ExtendIn, values)
        attempt(session, lambda: panels.extend_panel(session, actor=actor, panel_id=panel_id, data=data))
    except DomainError as exc:
        return _panels(page, session, round_id, error=exc)
    return redirect(f"/staff/rounds/{round_id}/panels?done=extended")


# ---- ranking ----------------------------------------------------------------------------------


RANKING_PAGE_ROWS = 250  # rows per page; the whole list is the CSV export


@router.get("/staff/rounds/{round_id}/ranking", response_class=HTMLResponse)
def ranking_page(
    round_id: DbId,
    page: StaffPage,
    session: SessionDep,
    kind: str | None = None,
    profile: int | None = None,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    kind = kind if kind in rnd.kinds else rnd.kinds[0]
    result = ranking.get_ranking(session, actor=page.actor, round_id=rnd.id, kind=kind)
    pages = max(1, -(-len(result.rows) // RANKING_PAGE_ROWS))
    page_number = min(page_number, pages)  # past the end: the last page
    offset = (page_number - 1) * RANKING_PAGE_ROWS
    # Only the page's rows are built and rendered; the summary (count, quota line) covers every row.
    shape = ranking_view.ranking_out(result, offset=offset, limit=RANKING_PAGE_ROWS, consistency=True)
    names = ranking.expert_names(session, actor=page.actor, ranking=result)
    charts = _charts(result, shape, names)
    chosen = profile or (shape.rows[0].application_id if shape.rows else None)
    profiled = result.row(chosen) if chosen is not None else None
    if profiled is not None:
        detail = results.application_result(session, actor=page.actor, application_id=profiled.application_id)
        counted, medians = results.section_medians(session, result)
        charts["profile"] = {
            "application_id": profiled.application_id,
            "applicant": profiled.applicant,
            "compared_with": counted,  # the median of this many applications of the kind
            "sections": [
                {
                    "title": s.title_en if page.locale == "en" else s.title,
                    "points": s.points,
                    "max": s.max,
                    "median": fmt2(medians[s.code]) if s.code in medians else None,
                }
                for s in detail.section_breakdown
            ],
        }
    return render(
        page,
        "staff/ranking.html",
        round=rounds.round_out(rnd),
        kind=kind,
        ranking=shape,
        notes=ranking_notes(session, result, page.locale),
        # The explanation names each data indicator by its clause, its code beside it for staff.
        indicator_names={
            i.code: i.text_en if page.locale == "en" else i.text_zh for i in result.rubric.indicators()
        },
        expert_names=names,
        charts=charts,
        paging={
            "page": page_number,
            "pages": pages,
            "first": offset + 1 if shape.rows else 0,
            "last": offset + len(shape.rows),
            "tied": len(result.tied_ids),
        },
    )


def _charts(
    result: ranking.KindRanking, shape: ConsistentRankingOut, names: dict[int, str]
) -> dict[str, Any]:
    """Data for the three charts: every application's final score in 5-point bins, each expert's mean
    against the panel's, and the profiled application's sections."""
    bins: Counter[int] = Counter()
    for row in result.rows:
        if row.final is not None:
            bins[min(95, int(round2(row.final) // 5 * 5))] += 1
    distribution = [
        {"bin": f"{b}–{b + 5}", "count": bins.get(b, 0)} for b in range(min(bins or [60]), 100, 5)
    ]
    calibration = [
        {
            "expert": names.get(int(expert_id), expert_id),
            "applications": c.applications,
            "mean": c.mean,
            "panel_mean": c.panel_mean,
            "difference": c.difference,
            "mean_z": c.mean_z,
        }
        for expert_id, c in shape.calibration.items()
    ]
    return {"distribution": distribution, "calibration": calibration}
