"""Reading performance evaluations: an evaluator's list, a sheet (its rubric, figures and evidence
only after the no-conflict declaration), and the evaluation a caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.core.figures import effective_figures, resolve_references
from scoring.core.gates import evaluate_rule
from scoring.core.i18n import DEFAULT_LOCALE, Msg, msg, normalise_locale
from scoring.core.lifecycle import EvaluationStatus, RectificationStatus
from scoring.core.permissions import management as can
from scoring.core.vocabulary import BaseKind, Grade
from scoring.services.management.common import base_evidence, evidence_fields, performance_rubric
from scoring.services.management.outcomes import cents
from scoring.services.management.schemas import (
    BaseRef,
    EvaluationPurpose,
    EvaluationSummary,
    EvaluatorRef,
    IndicatorOut,
    SheetEvidenceOut,
    SheetOut,
    wording,
)
from scoring.services.review.sheets import score_text
from scoring.store.models import (
    BaseYearFigures,
    Campaign,
    DesignatedBase,
    Evaluation,
    Expert,
    Rectification,
)


def _load(session: Session, evaluation_id: int, *, for_update: bool = False) -> tuple[Evaluation, Expert]:
    stmt = (
        select(Evaluation, Expert)
        .join(Expert, Expert.id == Evaluation.evaluator_id)
        .where(Evaluation.id == evaluation_id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Evaluation).execution_options(populate_existing=True)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise NotFound()
    return row


def get_evaluation(
    session: Session, *, actor: Actor, evaluation_id: int, for_update: bool = False
) -> tuple[Evaluation, Expert]:
    """The evaluator's own evaluation, or any for staff; 404 for everyone else."""
    ev, expert = _load(session, evaluation_id, for_update=for_update)
    if not can.can_see_evaluation(actor, evaluator_user_id=expert.user_id):
        raise NotFound()
    return ev, expert


def base_of(session: Session, ev: Evaluation) -> DesignatedBase:
    base = session.get(DesignatedBase, ev.base_id)
    if base is None:  # a foreign key: never without a base
        raise NotFound()
    return base


def figures_of(session: Session, base: DesignatedBase, year: int) -> dict[str, str]:
    row = session.scalar(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base.id, BaseYearFigures.year == year)
    )
    return dict(row.figures) if row else {}


def sheet(session: Session, *, actor: Actor, evaluation_id: int) -> SheetOut:
    ev, _ = get_evaluation(session, actor=actor, evaluation_id=evaluation_id)
    return sheet_out(session, ev)


def list_evaluations(
    session: Session, *, actor: Actor, campaign_id: int | None = None
) -> list[EvaluationSummary]:
    """An evaluator's own assignments; staff: all of them."""
    if not can.can_list_evaluations(actor):
        raise NotFound()
    stmt = (
        select(Evaluation, DesignatedBase, Expert)
        .join(DesignatedBase, DesignatedBase.id == Evaluation.base_id)
        .join(Expert, Expert.id == Evaluation.evaluator_id)
        .order_by(Evaluation.id)
    )
    staff = can.can_see_evaluators(actor)
    if not staff:
        stmt = stmt.where(Expert.user_id == actor.user_id)
    if campaign_id is not None:
        stmt = stmt.where(Evaluation.campaign_id == campaign_id)
    return [
        summary_out(ev, base, EvaluatorRef(id=expert.id, name=expert.name) if staff else None)
        for ev, base, expert in session.execute(stmt)
    ]


def _summary_fields(ev: Evaluation, base: DesignatedBase) -> dict[str, Any]:
    return {
        "id": ev.id,
        "base": BaseRef(id=base.id, name=base.name, kind=BaseKind(base.kind), district=base.district),
        "purpose": EvaluationPurpose(ev.purpose),
        "year": ev.year,
        "status": EvaluationStatus(ev.status),
        "deadline": ev.deadline,
        "progress": f"{len(ev.scores)}",
        "version": ev.version,
    }


def summary_out(
    ev: Evaluation, base: DesignatedBase, evaluator: EvaluatorRef | None = None
) -> EvaluationSummary:
    fields = _summary_fields(ev, base)
    if evaluator is not None:
        fields["evaluator"] = evaluator
    return EvaluationSummary(**fields)


def sheet_out(session: Session, ev: Evaluation) -> SheetOut:
    """The sheet for its evaluator (or staff): the rubric and the base's figures appear only after
    the no-conflict declaration, like an expert's sheet."""
    base = base_of(session, ev)
    fields = _summary_fields(ev, base) | {
        "scores": ev.scores,
        "comments": ev.comments,
        "total": cents(ev.total),
        "grade": Grade(ev.grade) if ev.grade else None,
        "submitted_at": ev.submitted_at,
    }
    if ev.status in (EvaluationStatus.DRAFT, EvaluationStatus.SUBMITTED):
        rubric = performance_rubric(session, base.kind, ev.rubric_version)
        fields["figures"] = (
            ev.figures if ev.status == EvaluationStatus.SUBMITTED else figures_of(session, base, ev.year)
        )
        values = effective_figures(fields["figures"] or {})
        refs = campaign_references(session, ev)
        indicators = []
        for section in rubric.sections:
            for ind in section.indicators:
                rule = rubric.rule_of(ind) if ind.kind == "data" else None
                outcome = evaluate_rule(rubric, rule, values, refs) if rule is not None else None
                not_computed: Msg | None = None
                if rule is not None and rule.reference is not None and rule.reference not in refs:
                    not_computed = msg(
                        "Not computed: this campaign has no reference value (%(reference)s) to compare "
                        "with; no total is computed until staff record it on the campaign.",
                        reference=REFERENCE_NAMES.get(rule.reference, msg("reference")),
                    )
                indicators.append(
                    IndicatorOut(
                        code=ind.code,
                        section=wording(section.title_zh, section.title_en),
                        text=wording(ind.text_zh, ind.text_en),
                        kind=ind.kind,
                        max_points=score_text(ind.max_points),
                        step=score_text(ind.step),
                        result=outcome.result if outcome is not None and not_computed is None else None,
                        detail=outcome.detail if outcome is not None and not_computed is None else None,
                        not_computed=not_computed,
                    )
                )
        fields["indicators"] = indicators
        if ev.status == EvaluationStatus.DRAFT:
            fields["blocked"] = blocked_reason(session, ev, rubric)
        # A file added after this sheet was submitted is marked: its evaluator did not read it.
        late = ev.submitted_at
        fields["evidence"] = [
            SheetEvidenceOut(**evidence_fields(a), after_submission=late is not None and a.uploaded_at > late)
            for a in base_evidence(session, base.id, ev.year)
        ]
    return SheetOut(**fields)


@dataclass(frozen=True)
class MsgList(Msg):
    """Several messages as one: joined by “、” in Chinese, by ", " in English."""

    msgid: str = ""
    items: tuple[Msg, ...] = ()

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        sep = ", " if normalise_locale(locale) == "en" else "、"
        return sep.join(item.render(locale) for item in self.items)


REFERENCE_NAMES: dict[str, Msg] = {
    "city_rd_intensity": msg("the city's R&D intensity that year"),
    "provincial_rd_intensity": msg("the province's R&D intensity that year"),
}


def reference_campaign(session: Session, ev: Evaluation) -> Campaign | None:
    """The campaign whose reference values an evaluation reads: its own; a re-evaluation (no campaign)
    inherits the campaign of the evaluation whose failure it follows, through its rectification order."""
    seen: set[int] = set()
    current: Evaluation | None = ev
    while current is not None and current.id not in seen:
        if current.campaign_id is not None:
            return session.get(Campaign, current.campaign_id)
        seen.add(current.id)
        order = session.scalar(
            select(Rectification).where(Rectification.re_evaluation_id == current.id).limit(1)
        )
        if order is None:
            order = session.scalar(
                select(Rectification)
                .where(
                    Rectification.base_id == current.base_id,
                    Rectification.evaluation_id != current.id,
                    Rectification.status == RectificationStatus.OPEN,
                )
                .order_by(Rectification.id.desc())
                .limit(1)
            )
        current = session.get(Evaluation, order.evaluation_id) if order is not None else None
    return None


def campaign_references(session: Session, ev: Evaluation) -> dict[str, Decimal]:
    """The evaluation's campaign's own reference values (that year's), never the designation round's."""
    campaign = reference_campaign(session, ev)
    return resolve_references(campaign.references if campaign is not None else {})


def missing_references(session: Session, ev: Evaluation, rubric: Rubric) -> list[str]:
    """The reference values the evaluation's data indicators compare with that its campaign lacks."""
    refs = campaign_references(session, ev)
    wanted = [
        rule.reference
        for ind in rubric.indicators()
        if ind.kind == "data" and (rule := rubric.rule_of(ind)) is not None and rule.reference is not None
    ]
    return [key for key in dict.fromkeys(wanted) if key not in refs]


def blocked_reason(session: Session, ev: Evaluation, rubric: Rubric) -> Msg | None:
    """Why no total can be computed for the evaluation (a reference value its campaign lacks), or None."""
    missing = missing_references(session, ev, rubric)
    if not missing:
        return None
    campaign = reference_campaign(session, ev)
    names = MsgList(items=tuple(REFERENCE_NAMES.get(key, msg("reference")) for key in missing))
    if campaign is None:
        return msg(
            "No total can be computed: this re-evaluation follows no campaign that records %(reference)s, "
            "which its indicators compare with. Staff must record it on the campaign of the failed "
            "evaluation first.",
            reference=names,
        )
    return msg(
        "No total can be computed: the campaign “%(campaign)s” has not recorded %(reference)s, which its "
        "indicators compare with. Staff must record it on the campaign first; the evaluation can then be "
        "submitted and graded.",
        campaign=campaign.title,
        reference=names,
    )
