"""The expert's pages: my assignments with progress, the no-conflict declaration, and the score
sheet (source text, level anchors, narrative and evidence per indicator; autosave; submit)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from criteria.load import dec_str
from scoring.core.errors import DomainError
from scoring.core.figures import effective_figures
from scoring.core.lifecycle import SheetStatus
from scoring.services.review import sheet_views, sheets
from web.deps import ExpertPage, UserPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, prefixed, redirect, render, text
from web.views_roles import anchors

router = lazy_router(include_in_schema=False)


@router.get("/expert", response_class=HTMLResponse)
def assignments(page: ExpertPage, session: SessionDep, done: str | None = None) -> Response:
    items = sheet_views.list_sheets(session, actor=page.actor, limit=500)
    # Work still to do first (drafts, then undeclared), newest round first within each group.
    order: dict[str, int] = {SheetStatus.DRAFT: 0, SheetStatus.ASSIGNED: 1, SheetStatus.SUBMITTED: 2}
    items.sort(key=lambda item: (order.get(item.status, 3), -item.id))
    pending = sum(1 for item in items if item.status in (SheetStatus.DRAFT, SheetStatus.ASSIGNED))
    return render(page, "expert/assignments.html", items=items, done=done, pending=pending)


@router.get("/expert/sheets/{sheet_id}", response_class=HTMLResponse)
def sheet_page(sheet_id: DbId, page: ExpertPage, session: SessionDep, done: str | None = None) -> Response:
    return _sheet_page(page, session, sheet_id, done=done)


def _sheet_page(
    page: UserPage,
    session: Session,
    sheet_id: int,
    *,
    done: str | None = None,
    error: DomainError | None = None,
    submitted: dict[str, Any] | None = None,
    confirm: bool = False,
    status: int | None = None,
) -> Response:
    view = sheet_views.get_sheet(session, actor=page.actor, sheet_id=sheet_id)
    ctx = view.context
    sheet, app, org = ctx.sheet, ctx.application, ctx.organisation
    common: dict[str, Any] = {
        "sheet": sheet,
        "app": app,
        "organisation": org,
        "round": ctx.round,
        "declaration": sheets.declaration_text(app.title, org.name).render(page.locale),
        "errors": field_errors(error, page.locale) if error else {},
        "message": error.message.render(page.locale) if error else None,
        "done": done,
        "values": submitted or {},
    }
    code = status or (error.status if error else 200)
    if not view.show_material:  # assigned (declaration first) or declined
        return render(page, "expert/declaration.html", status=code, **common)
    rubric = view.rubric.rubric
    evidence: dict[str, list[Any]] = {}
    for att in view.attachments:
        evidence.setdefault(att.indicator_code, []).append(att)
    en = page.locale == "en"
    items: list[dict[str, Any]] = [
        {
            "indicator": ind,
            "section": section.title_en if en else section.title_zh,
            "text": ind.text_en if en else ind.text_zh,
            "anchors": anchors(ind, page.locale),
            "max": dec_str(ind.max_points),
            "step": dec_str(ind.step),
            "narrative": app.narratives.get(ind.code, ""),
            "evidence": evidence.get(ind.code, []),
        }
        for section in rubric.sections
        for ind in section.indicators
        if ind.kind == "expert"
    ]
    scores = submitted["scores"] if submitted else dict(sheet.scores)
    figures = effective_figures(app.figures, app.verified_figures)
    return render(
        page,
        "expert/sheet.html",
        status=code,
        items=items,
        scores=scores,
        comments=submitted["comments"] if submitted else sheet.comments,
        version=submitted["version"] if submitted else str(sheet.version),
        scored=sum(1 for item in items if scores.get(item["indicator"].code, "") != ""),
        figures=[(fig, figures.get(fig.code)) for fig in rubric.figures],
        rubric=rubric,
        editable=sheet.status == "draft",
        confirm=confirm,
        **common,
    )


@router.post("/expert/sheets/{sheet_id}/declaration")
def declare(sheet_id: DbId, page: ExpertPage, session: SessionDep, form: CheckedForm) -> Response:
    actor = page.actor
    values = {"no_conflict": text(form, "no_conflict"), "reason": text(form, "reason")}
    try:
        data = parse_input(sheets.DeclarationIn, values)
        attempt(session, lambda: sheets.declare(session, actor=actor, sheet_id=sheet_id, data=data))
    except DomainError as exc:
        return _sheet_page(page, session, sheet_id, error=exc, submitted=values)
    if data.no_conflict:
        return redirect(f"/expert/sheets/{sheet_id}?done=declared")
    return redirect("/expert?done=declined_sheet")


def _sheet_values(form: Any) -> dict[str, Any]:
    return {
        "scores": {code: value.strip() for code, value in prefixed(form, "scores").items()},
        "comments": text(form, "comments"),
        "version": text(form, "version"),
    }


@router.post("/expert/sheets/{sheet_id}")
def save(sheet_id: DbId, page: ExpertPage, session: SessionDep, form: CheckedForm) -> Response:
    """The plain-form save (the page's script autosaves through the API). With intent=submit the
    scores are saved and the confirmation is shown; nothing typed is lost on an error."""
    actor = page.actor
    submitted = _sheet_values(form)
    try:
        data = parse_input(
            sheets.SheetUpdate,
            {
                "scores": {code: (value or None) for code, value in submitted["scores"].items()},
                "comments": submitted["comments"],
                "version": submitted["version"],
            },
        )
        saved = attempt(
            session, lambda: sheets.save_sheet(session, actor=actor, sheet_id=sheet_id, data=data)
        )
    except DomainError as exc:
        return _sheet_page(page, session, sheet_id, error=exc, submitted=submitted)
    if text(form, "intent") == "submit":
        submitted["version"] = str(saved.version)
        return _sheet_page(page, session, sheet_id, submitted=submitted, confirm=True)
    return redirect(f"/expert/sheets/{sheet_id}?done=saved")


@router.post("/expert/sheets/{sheet_id}/submit")
def submit(sheet_id: DbId, page: ExpertPage, session: SessionDep, form: CheckedForm) -> Response:
    """The confirmed submission (from the confirmation dialog, or the page's confirmation panel)."""
    actor = page.actor
    try:
        data = parse_input(sheets.SubmitIn, {"version": text(form, "version") or None})
        attempt(session, lambda: sheets.submit(session, actor=actor, sheet_id=sheet_id, data=data))
    except DomainError as exc:
        return _sheet_page(page, session, sheet_id, error=exc)
    return redirect(f"/expert/sheets/{sheet_id}?done=sheet_submitted")
