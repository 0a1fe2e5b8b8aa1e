"""Reading score sheets: one sheet as its reader may see it, the lists of sheets, and the autosave reply.

An expert sees only its own sheets, without another expert's scores or identity and without the
application's material before its declaration; staff see every sheet with its expert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.load import dec_str
from criteria.schema import Indicator
from scoring.core.actors import Actor
from scoring.core.errors import (
    NotFound,
)
from scoring.core.figures import effective_figures
from scoring.core.permissions.review import (
    can_list_sheets,
    can_manage_review,
    can_see_sheet_expert,
    can_see_sheet_material,
)
from scoring.core.sheet_rules import (
    SheetRubric,
    progress,
    score_text,
    scored_count,
)
from scoring.services.review.schemas import (
    Anchor,
    ApplicationSheet,
    Bilingual,
    ExpertRef,
    FigureValue,
    SavedSheetOut,
    SheetApplication,
    SheetApplicationRef,
    SheetAttachment,
    SheetIndicator,
    SheetItem,
    SheetOut,
    SheetRubricOut,
    StaffSheetItem,
)
from scoring.services.review.sheets import (
    SavedSheet,
    SheetContext,
    declaration_text,
    decline_message,
    load_sheet,
    rubric_of,
)
from scoring.store.models import Application, Attachment, Expert, Organisation, Round, Sheet

# ---- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetView:
    context: SheetContext
    rubric: SheetRubric
    attachments: Sequence[Attachment]
    show_material: bool
    show_expert: bool


def get_sheet(session: Session, *, actor: Actor, sheet_id: int) -> SheetView:
    """The sheet; its application material only once the declaration is signed (staff: always)."""
    ctx = load_sheet(session, actor=actor, sheet_id=sheet_id)
    info = rubric_of(session, ctx.application.kind, ctx.round.rubric_versions)
    material = can_see_sheet_material(actor, sheet_status=ctx.sheet.status)
    attachments = (
        list(
            session.scalars(
                select(Attachment)
                .where(Attachment.application_id == ctx.application.id)
                .order_by(Attachment.indicator_code, Attachment.id)
            )
        )
        if material
        else []
    )
    return SheetView(ctx, info, attachments, show_material=material, show_expert=can_see_sheet_expert(actor))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _total_text(total: Decimal | None) -> str | None:
    return score_text(total) if total is not None else None


def _indicator_out(ind: Indicator, section_title: Bilingual) -> SheetIndicator:
    return SheetIndicator(
        code=ind.code,
        section=section_title,
        text=Bilingual(ind.text_zh, ind.text_en),
        max_points=dec_str(ind.max_points),
        step=dec_str(ind.step),
        anchors=[
            Anchor(
                level=Bilingual(a.level, a.level_en),
                min_points=dec_str(a.min_share * ind.max_points),
                description=Bilingual(a.description_zh, a.description_en),
            )
            for a in ind.anchors
        ],
    )


def sheet_out(view: SheetView, *, replaced: bool | None = None) -> SheetOut:
    """The sheet as much as its reader may see (render with exclude_unset: unshown fields are absent).
    With `replaced` (after a declaration): whether a reserve took the sheet over, and what that means."""
    ctx, info = view.context, view.rubric
    sheet, app, org = ctx.sheet, ctx.application, ctx.organisation
    out: dict[str, Any] = {
        "id": sheet.id,
        "status": sheet.status,
        "declaration": declaration_text(app.title, org.name),
        "declared_at": sheet.declared_at,
        "version": sheet.version,
    }
    application: dict[str, Any] = {"id": app.id, "title": app.title, "kind": app.kind, "applicant": org.name}
    if view.show_expert:
        out["expert"] = ExpertRef(id=ctx.expert.id, name=ctx.expert.name)
        out["conflict_reason"] = sheet.conflict_reason
    if view.show_material:
        rubric = info.rubric
        figures = effective_figures(app.figures, app.verified_figures)
        application |= {
            "plan": app.plan,
            "narratives": dict(app.narratives),
            "figures": [
                FigureValue(
                    code=fig.code,
                    name=Bilingual(fig.name_zh, fig.name_en),
                    unit=Bilingual(fig.unit, fig.unit_en),
                    value=dec_str(value) if (value := figures.get(fig.code)) is not None else None,
                )
                for fig in rubric.figures
            ],
            "attachments": [
                SheetAttachment(
                    id=att.id,
                    indicator_code=att.indicator_code,
                    name=att.original_name,
                    content_type=att.content_type,
                    size=att.size_bytes,
                    url=f"/api/v1/attachments/{att.id}",
                )
                for att in view.attachments
            ],
        }
        out["rubric"] = SheetRubricOut(
            kind=rubric.kind,
            version=ctx.round.rubric_versions[app.kind],
            title=Bilingual(rubric.title_zh, rubric.title_en),
            indicators=[
                _indicator_out(ind, Bilingual(section.title_zh, section.title_en))
                for section in rubric.sections
                for ind in section.indicators
                if ind.kind == "expert"
            ],
        )
        out |= {
            "scores": dict(sheet.scores),
            "comments": sheet.comments,
            "total": _total_text(sheet.total),
            "progress": progress(info, sheet.scores),
            "saved_at": sheet.saved_at,
            "submitted_at": sheet.submitted_at,
            "reopened_reason": sheet.reopened_reason,
        }
    if replaced is not None:
        out["replaced"] = replaced
        out["message"] = decline_message(replaced)
    return SheetOut(application=SheetApplication(**application), **out)


def saved_out(saved: SavedSheet) -> SavedSheetOut:
    return SavedSheetOut(
        id=saved.id,
        status=saved.status,
        version=saved.version,
        scores=saved.scores,
        comments=saved.comments,
        total=_total_text(saved.total),
        progress=saved.progress,
        saved_at=saved.saved_at,
    )


def list_sheets(
    session: Session,
    *,
    actor: Actor,
    round_id: int | None = None,
    kind: str | None = None,
    application_id: int | None = None,
    expert_id: int | None = None,
    panel_id: int | None = None,
    status: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[SheetItem]:
    """An expert's own sheets (no material, no other expert); staff: every sheet, filtered."""
    if not can_list_sheets(actor):
        raise NotFound()
    stmt = (
        select(
            Sheet, Expert.name, Application.title, Application.kind, Organisation.name, Round.rubric_versions
        )
        .join(Expert, Expert.id == Sheet.expert_id)
        .join(Application, Application.id == Sheet.application_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .join(Round, Round.id == Application.round_id)
        .where(Sheet.id > after_id)
        .order_by(Sheet.id)
        .limit(limit)
    )
    staff = can_manage_review(actor)
    if not staff:
        stmt = stmt.where(Expert.user_id == actor.user_id)
    if round_id is not None:
        stmt = stmt.where(Application.round_id == round_id)
    if kind is not None:
        stmt = stmt.where(Application.kind == kind)
    if application_id is not None:
        stmt = stmt.where(Sheet.application_id == application_id)
    if expert_id is not None:
        stmt = stmt.where(Sheet.expert_id == expert_id)
    if panel_id is not None:
        stmt = stmt.where(Sheet.panel_id == panel_id)
    if status is not None:
        stmt = stmt.where(Sheet.status == status)
    items: list[SheetItem] = []
    for sheet, expert_name, title, app_kind, org_name, versions in session.execute(stmt):
        info = rubric_of(session, app_kind, versions)
        done = scored_count(info, sheet.scores)
        fields: dict[str, Any] = {
            "id": sheet.id,
            "application": SheetApplicationRef(
                id=sheet.application_id, title=title, kind=app_kind, applicant=org_name
            ),
            "status": sheet.status,
            "progress": f"{done}/{info.expert_count}",
            "total": _total_text(sheet.total),
            "version": sheet.version,
            "declared_at": sheet.declared_at,
            "saved_at": sheet.saved_at,
            "submitted_at": sheet.submitted_at,
            "done": done,
            "expected": info.expert_count,
        }
        if staff:
            expert = ExpertRef(id=sheet.expert_id, name=expert_name)
            items.append(StaffSheetItem(**fields, expert=expert, panel_id=sheet.panel_id))
        else:
            items.append(SheetItem(**fields))
    return items


def application_sheets(session: Session, *, actor: Actor, application_id: int) -> list[ApplicationSheet]:
    """Every sheet of one application with its expert (staff only: others never learn who scored)."""
    if not can_manage_review(actor):
        raise NotFound()
    if session.get(Application, application_id) is None:
        raise NotFound()
    rows = session.execute(
        select(Sheet, Expert.name)
        .join(Expert, Expert.id == Sheet.expert_id)
        .where(Sheet.application_id == application_id)
        .order_by(Sheet.id)
    )
    return [
        ApplicationSheet(
            id=sheet.id,
            expert_id=sheet.expert_id,
            expert_name=name,
            status=sheet.status,
            total=_total_text(sheet.total),
            scores=dict(sheet.scores),
            comments=sheet.comments,
            declared_at=sheet.declared_at,
            submitted_at=sheet.submitted_at,
            conflict_reason=sheet.conflict_reason,
            reopened_reason=sheet.reopened_reason,
            version=sheet.version,
        )
        for sheet, name in rows
    ]
