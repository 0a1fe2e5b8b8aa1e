"""Performance evaluations (绩效评估) of designated bases: evaluator assignments with conflicts
excluded, the evaluator's declaration, scoring and submission, and settling a base's outcome.

Campaigns live in `campaigns`, outcomes and their grading in `outcomes`; both names stay reachable
here for the edges.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core import grading
from scoring.core.actors import Actor
from scoring.core.base_rules import evaluator_conflict
from scoring.core.errors import Conflict, InvalidTransition, NotFound, StaleVersion, ValidationFailed, invalid
from scoring.core.figures import effective_figures
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import (
    EVALUATION_TRANSITIONS,
    RECTIFICATION_TRANSITIONS,
    BaseStatus,
    CampaignStatus,
    EvaluationStatus,
    RectificationStatus,
    transition,
)
from scoring.core.permissions import management as can
from scoring.core.scores import data_points, sheet_total
from scoring.core.vocabulary import Grade
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.rounds import msg_stale
from scoring.services.management import common
from scoring.services.management.campaigns import (
    campaign_out,
    close_campaign,
    create_campaign,
    list_campaigns,
    record_references,
)
from scoring.services.management.common import (
    add_event,
    current_rectification,
    get_base,
    performance_rubric,
    require_manager,
    rubric_version,
)
from scoring.services.management.evaluation_reads import (
    base_of,
    blocked_reason,
    campaign_references,
    figures_of,
    get_evaluation,
    list_evaluations,
    missing_references,
    sheet,
    sheet_out,
    summary_out,
)
from scoring.services.management.outcomes import (
    bands_for,
    group_key,
    groups,
    latest_outcome,
    outcome,
)
from scoring.services.management.schemas import (
    AssignIn,
    CampaignIn,
    DeclarationIn,
    EvaluationPurpose,
    EvaluationSummary,
    EvaluationUpdate,
    EvaluatorChoice,
    SheetOut,
)
from scoring.services.review.sheets import SheetRubric, missing_scores, score_text, validate_scores
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import BaseYearFigures, Campaign, DesignatedBase, Evaluation, Expert

# The edges and the demo reach campaigns and the reading side through `evaluations`.
__all__ = [
    "CampaignIn",
    "campaign_out",
    "close_campaign",
    "create_campaign",
    "get_evaluation",
    "list_campaigns",
    "list_evaluations",
    "record_references",
    "sheet",
]

# ---- assignments ------------------------------------------------------------------------------


def conflict_reason(expert: Expert, base: DesignatedBase) -> Msg | None:
    """Why an evaluator may not evaluate a base, or None (scoring.core.base_rules)."""
    return evaluator_conflict(
        evaluator_organisation_id=expert.organisation_id,
        evaluator_district=expert.district,
        declared_conflict_org_ids=expert.declared_conflict_org_ids or [],
        base_organisation_id=base.organisation_id,
        base_kind=base.kind,
        base_district=base.district,
    )


def evaluator_choices(session: Session, *, actor: Actor, base_id: int) -> list[EvaluatorChoice]:
    """The active evaluators staff may assign to a base, each with why it is excluded (if it is)."""
    require_manager(actor)
    base = get_base(session, actor=actor, base_id=base_id)
    pool = session.scalars(
        select(Expert).where(Expert.pool == "evaluator", Expert.is_active).order_by(Expert.id)
    )
    return [EvaluatorChoice(id=e.id, name=e.name, conflict=conflict_reason(e, base)) for e in pool]


def assign(session: Session, *, actor: Actor, base_id: int, data: AssignIn) -> list[EvaluationSummary]:
    """Assign evaluators to a base for a campaign, or for the re-evaluation after rectification."""
    require_manager(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if base.status == BaseStatus.REVOKED:
        raise InvalidTransition(msg("The title of this base has been revoked."))
    today = common.today()
    campaign: Campaign | None = None
    if data.purpose == EvaluationPurpose.REGULAR:
        if data.campaign_id is None:
            raise invalid("campaign_id", msg("is required for a regular evaluation"))
        campaign = session.get(Campaign, data.campaign_id)
        if campaign is None:
            raise invalid("campaign_id", msg("is not a campaign"))
        if campaign.status != CampaignStatus.OPEN:
            raise InvalidTransition(msg("The campaign is closed."))
        year, version = campaign.year, campaign.rubric_versions[base.kind]
        deadline = data.deadline or campaign.deadline
    else:
        order = current_rectification(session, base.id)
        if base.status != BaseStatus.RECTIFYING or order is None or order.status != RectificationStatus.OPEN:
            raise InvalidTransition(msg("A re-evaluation follows an open rectification order."))
        if today < order.deadline and not data.reason:
            raise invalid(
                "reason",
                msg(
                    "is required to re-evaluate before the rectification deadline of %(date)s",
                    date=order.deadline.isoformat(),
                ),
            )
        if today < order.deadline and order.brought_forward_reason is None:
            order.brought_forward_reason = data.reason
        # The re-evaluation looks at the latest year the base has declared since the failed one.
        failed = latest_outcome(session, base, purpose=EvaluationPurpose.REGULAR)
        declared = session.scalars(select(BaseYearFigures.year).where(BaseYearFigures.base_id == base.id))
        year = max([failed.year if failed else today.year - 1, *declared])
        version, deadline = rubric_version(session, base.kind), data.deadline
    experts = {e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(data.evaluator_ids)))}
    problems: dict[str, Msg] = {}
    for i, expert_id in enumerate(data.evaluator_ids):
        expert = experts.get(expert_id)
        if expert is None or expert.pool != "evaluator" or not expert.is_active:
            problems[f"evaluator_ids.{i}"] = msg("is not an active evaluator")
            continue
        reason = conflict_reason(expert, base)
        if reason is not None:
            problems[f"evaluator_ids.{i}"] = reason
    if problems:
        raise ValidationFailed(fields=problems)
    existing = {
        e.evaluator_id
        for e in session.scalars(
            select(Evaluation).where(
                Evaluation.base_id == base.id,
                Evaluation.purpose == data.purpose,
                Evaluation.campaign_id == campaign.id if campaign else Evaluation.campaign_id.is_(None),
                Evaluation.year == year,
            )
        )
    }
    created = []
    for expert_id in dict.fromkeys(data.evaluator_ids):
        if expert_id in existing:
            continue  # replay
        ev = Evaluation(
            campaign_id=campaign.id if campaign else None,
            base_id=base.id,
            evaluator_id=expert_id,
            purpose=data.purpose,
            rubric_version=version,
            year=year,
            deadline=deadline,
        )
        session.add(ev)
        created.append(ev)
    if not created:
        return []
    session.flush()
    add_event(
        session, base, "evaluation_assigned", actor, purpose=data.purpose, year=year,
        evaluator_ids=[e.evaluator_id for e in created],
    )  # fmt: skip
    audit.record(
        session,
        actor=actor,
        action="evaluation.assign",
        entity="base",
        entity_id=base.id,
        after={
            "purpose": data.purpose,
            "campaign_id": campaign.id if campaign else None,
            "year": year,
            "evaluations": {str(e.id): e.evaluator_id for e in created},
        },
        reason=data.reason,
    )
    notices.evaluations_assigned(session, created)
    return [summary_out(ev, base) for ev in created]


# ---- the evaluator's work ---------------------------------------------------------------------


def _own(session: Session, actor: Actor, evaluation_id: int) -> Evaluation:
    """The evaluation, row locked, for the one evaluator who may write it; 404 for anyone else."""
    ev, expert = get_evaluation(session, actor=actor, evaluation_id=evaluation_id, for_update=True)
    if not can.can_use_evaluation(actor, evaluator_user_id=expert.user_id):
        raise NotFound()
    return ev


def _sheet_rubric(session: Session, kind: str, version: str) -> SheetRubric:
    rubric = performance_rubric(session, kind, version)
    indicators = rubric.indicators()
    return SheetRubric(
        rubric=rubric,
        expert={i.code: i for i in indicators if i.kind == "expert"},
        data_codes=frozenset(i.code for i in indicators if i.kind != "expert"),
    )


def declare(session: Session, *, actor: Actor, evaluation_id: int, data: DeclarationIn) -> SheetOut:
    """No conflict opens the sheet; a declared conflict (with its reason) frees it for staff to reassign."""
    ev = _own(session, actor, evaluation_id)
    if (ev.status == EvaluationStatus.DRAFT and data.no_conflict) or (
        ev.status == EvaluationStatus.DECLINED and not data.no_conflict
    ):
        return sheet_out(session, ev)  # replay
    if not data.no_conflict and not data.reason:
        raise invalid("reason", msg("is required when declaring a conflict of interest"))
    before = ev.status
    ev.status = transition(EVALUATION_TRANSITIONS, ev.status, "declare" if data.no_conflict else "decline")
    ev.declared_at = utcnow()
    ev.version += 1
    if not data.no_conflict:
        ev.comments = data.reason or ""
    session.flush()
    audit.record(
        session, actor=actor, action="evaluation.declare", entity="evaluation", entity_id=ev.id,
        before={"status": before}, after={"status": ev.status}, reason=data.reason,
    )  # fmt: skip
    return sheet_out(session, ev)


def save(session: Session, *, actor: Actor, evaluation_id: int, data: EvaluationUpdate) -> SheetOut:
    """Save a draft (idempotent; a stale version is refused with nothing changed)."""
    ev = _own(session, actor, evaluation_id)
    transition(EVALUATION_TRANSITIONS, ev.status, "save")
    base = base_of(session, ev)
    info = _sheet_rubric(session, base.kind, ev.rubric_version)
    parsed = validate_scores(info, data.scores)
    scores = {code: score_text(parsed[code]) for code in info.expert if code in parsed}
    comments = ev.comments if data.comments is None else data.comments
    if scores == ev.scores and comments == ev.comments:
        return sheet_out(session, ev)
    if data.version != ev.version:
        raise StaleVersion(msg_stale(data.version, ev.version))
    before = {"scores": dict(ev.scores), "version": ev.version}
    ev.scores = scores
    ev.comments = comments
    ev.version += 1
    session.flush()
    audit.record(
        session, actor=actor, action="evaluation.save", entity="evaluation", entity_id=ev.id,
        before=before, after={"scores": scores, "version": ev.version},
    )  # fmt: skip
    return sheet_out(session, ev)


def submit(session: Session, *, actor: Actor, evaluation_id: int) -> SheetOut:
    """Lock the sheet: every indicator scored; the total adds the data points of the base's figures."""
    ev = _own(session, actor, evaluation_id)
    if ev.status == EvaluationStatus.SUBMITTED:
        return sheet_out(session, ev)  # replay
    before = ev.status
    after = transition(EVALUATION_TRANSITIONS, ev.status, "submit")
    base = base_of(session, ev)
    info = _sheet_rubric(session, base.kind, ev.rubric_version)
    gaps = missing_references(session, ev, info.rubric)
    if gaps:  # no score is ever computed from a missing figure: 0 points would be a guess
        reason = blocked_reason(session, ev, info.rubric)
        raise Conflict(
            reason,
            fields={f"campaign.references.{key}": msg("is not recorded on the campaign") for key in gaps},
            code="campaign_reference_missing",
        )
    missing = missing_scores(info, ev.scores)
    if missing:
        raise ValidationFailed(
            msg("Every indicator must be scored before submitting."),
            fields={f"scores.{code}": msg("is not scored yet") for code in missing},
        )
    figures = figures_of(session, base, ev.year)
    scores = {code: Decimal(v) for code, v in ev.scores.items()}
    total = sheet_total(info.rubric, scores) + sum(
        data_points(info.rubric, effective_figures(figures), references(session, ev)).values(), Decimal(0)
    )
    ev.figures = figures
    ev.total = total
    ev.grade = grading.grade(total, bands_for(session, ev, base.kind))
    ev.status = after
    ev.submitted_at = utcnow()
    ev.version += 1
    session.flush()
    audit.record(
        session, actor=actor, action="evaluation.submit", entity="evaluation", entity_id=ev.id,
        before={"status": before}, after={"status": ev.status, "total": total, "grade": ev.grade},
    )  # fmt: skip
    _settle(session, ev, base, actor)
    return sheet_out(session, ev)


def references(session: Session, ev: Evaluation) -> dict[str, Decimal]:
    """The campaign's own references: an indicator comparing with one it lacks is not computed."""
    return campaign_references(session, ev)


def _settle(session: Session, ev: Evaluation, base: DesignatedBase, actor: Actor) -> None:
    """When the last evaluator of a group submits, record the base's outcome (a fact, not a decision:
    a failed outcome waits for staff to order rectification or propose revocation)."""
    result = outcome(session, groups(session, base.id)[group_key(ev)], base.kind)
    if not result.complete or result.grade is None:
        return
    add_event(
        session, base, "evaluated", actor, purpose=ev.purpose, year=ev.year,
        score=result.score, grade=result.grade,
    )  # fmt: skip
    after: dict[str, Any] = {"score": result.score, "grade": result.grade, "purpose": ev.purpose}
    if result.grade is Grade.EXCELLENT and not base.promotion_marked:
        base.promotion_marked = True
        base.version += 1
        after["promotion_marked"] = True
    if ev.purpose == EvaluationPurpose.RE_EVALUATION:
        order = current_rectification(session, base.id)
        if order is not None and order.status == RectificationStatus.OPEN:
            action = "pass" if grading.passed(result.grade) else "fail"
            order.status = transition(RECTIFICATION_TRANSITIONS, order.status, action)
            order.re_evaluation_id = ev.id
            after["rectification"] = order.status
    session.flush()
    audit.record(
        session, actor=actor, action="base.evaluated", entity="base", entity_id=base.id, after=after,
    )  # fmt: skip
