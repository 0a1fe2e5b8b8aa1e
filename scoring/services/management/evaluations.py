"""Performance evaluations (绩效评估) of designated bases: campaigns, evaluator assignments with
conflicts excluded, the evaluator's declaration, scoring and submission, and each base's outcome.

An outcome belongs to a group of evaluations — one base, one campaign (or one re-evaluation): when
every evaluator of the group who did not decline has submitted, the base's score is the exact mean of
their totals and its grade follows the bands (优秀 ≥ 85, 合格 ≥ 60, else 不合格 by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core import permissions
from scoring.core.actors import Actor, Role
from scoring.core.errors import InvalidTransition, NotFound, StaleVersion, ValidationFailed, invalid
from scoring.core.figures import effective_figures, resolve_references
from scoring.core.i18n import Msg, msg
from scoring.core.ids import RowId, Version
from scoring.core.lifecycle import EVALUATION_TRANSITIONS, transition
from scoring.core.scores import data_points, sheet_total
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.rounds import msg_stale
from scoring.services.management.bases import (
    add_event,
    base_evidence,
    current_rectification,
    evidence_out,
    get_base,
    performance_rubric,
)
from scoring.services.review.publication import china_today
from scoring.services.review.sheets import SheetRubric, missing_scores, score_text, validate_scores
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import BaseYearFigures, Campaign, DesignatedBase, Evaluation, Expert, Round

DEFAULT_BANDS = {"excellent": Decimal(85), "pass": Decimal(60)}
KINDS = ("regional", "university", "enterprise")
GRADE_ZH = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
CENT = Decimal("0.01")


# ---- inputs -----------------------------------------------------------------------------------


class BandsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    excellent: Annotated[Decimal, Field(gt=0, le=100)] = DEFAULT_BANDS["excellent"]
    pass_: Annotated[Decimal, Field(gt=0, le=100, alias="pass")] = DEFAULT_BANDS["pass"]

    @model_validator(mode="after")
    def _ordered(self) -> BandsIn:
        if self.pass_ >= self.excellent:
            raise ValueError("the pass band must be below the excellent band")
        return self


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    bands: BandsIn = BandsIn()
    deadline: datetime | None = None


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    purpose: Literal["regular", "re_evaluation"] = "regular"
    campaign_id: RowId | None = None
    evaluator_ids: Annotated[list[RowId], Field(min_length=1, max_length=20)]
    deadline: datetime | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None  # bringing a re-evaluation forward


class DeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    no_conflict: bool
    reason: Annotated[str, Field(max_length=2000)] | None = None


class EvaluationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: dict[str, Any] = {}
    comments: Annotated[str, Field(max_length=5000)] | None = None
    version: Version


# ---- campaigns --------------------------------------------------------------------------------


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotFound()


def create_campaign(session: Session, *, actor: Actor, data: CampaignIn) -> Campaign:
    """Open a campaign for a year, freezing the performance rubric of every kind."""
    _require_staff(actor)
    if data.year > china_today().year:
        raise invalid("year", msg("must not be in the future"))
    existing = session.scalar(
        select(Campaign).where(Campaign.year == data.year, Campaign.title == data.title)
    )
    if existing is not None:
        return existing  # replay
    versions = {kind: _rubric_version(session, kind) for kind in KINDS}
    campaign = Campaign(
        year=data.year,
        title=data.title,
        bands={"excellent": str(data.bands.excellent), "pass": str(data.bands.pass_)},
        rubric_versions=versions,
        deadline=data.deadline,
        created_by_id=actor.user_id,
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session, actor=actor, action="campaign.create", entity="campaign", entity_id=campaign.id,
        after=campaign_out(campaign),
    )  # fmt: skip
    return campaign


def _rubric_version(session: Session, kind: str) -> str:
    from scoring.core.actors import SYSTEM
    from scoring.services.admin.rubrics import freeze_shipped

    return freeze_shipped(session, actor=SYSTEM, kind=kind, purpose="performance").version


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "year": c.year,
        "title": c.title,
        "status": c.status,
        "bands": c.bands,
        "rubric_versions": c.rubric_versions,
        "deadline": c.deadline.isoformat() if c.deadline else None,
    }


def list_campaigns(session: Session, *, actor: Actor) -> list[Campaign]:
    _require_staff(actor)
    return list(session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())))


# ---- assignments ------------------------------------------------------------------------------


def conflict_reason(expert: Expert, base: DesignatedBase) -> Msg | None:
    """Why an evaluator may not evaluate a base (the same rules as for experts), or None."""
    if expert.organisation_id is not None and expert.organisation_id == base.organisation_id:
        return msg("works for the base's own organisation")
    if base.kind == "regional" and expert.district is not None and expert.district == base.district:
        return msg("is from the same district as the regional base")
    if base.organisation_id in (expert.declared_conflict_org_ids or []):
        return msg("has declared a conflict with the base's organisation")
    return None


def assign(session: Session, *, actor: Actor, base_id: int, data: AssignIn) -> list[Evaluation]:
    """Assign evaluators to a base for a campaign, or for the re-evaluation after rectification."""
    _require_staff(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if base.status == "revoked":
        raise InvalidTransition(msg("The title of this base has been revoked."))
    today = china_today()
    campaign: Campaign | None = None
    if data.purpose == "regular":
        if data.campaign_id is None:
            raise invalid("campaign_id", msg("is required for a regular evaluation"))
        campaign = session.get(Campaign, data.campaign_id)
        if campaign is None:
            raise invalid("campaign_id", msg("is not a campaign"))
        if campaign.status != "open":
            raise InvalidTransition(msg("The campaign is closed."))
        year, version = campaign.year, campaign.rubric_versions[base.kind]
        deadline = data.deadline or campaign.deadline
    else:
        order = current_rectification(session, base.id)
        if base.status != "rectifying" or order is None or order.status != "open":
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
        failed = latest_outcome(session, base.id, purpose="regular")
        declared = session.scalars(select(BaseYearFigures.year).where(BaseYearFigures.base_id == base.id))
        year = max([failed["year"] if failed else today.year - 1, *declared])
        version, deadline = _rubric_version(session, base.kind), data.deadline
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
        return created
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
    return created


# ---- the evaluator's work ---------------------------------------------------------------------


def _load(session: Session, evaluation_id: int, *, for_update: bool = False) -> tuple[Evaluation, Expert]:
    stmt = (
        select(Evaluation, Expert)
        .join(Expert, Expert.id == Evaluation.evaluator_id)
        .where(Evaluation.id == evaluation_id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Evaluation).execution_options(populate_existing=True)
    row = session.execute(stmt).tuples().one_or_none()
    if row is None:
        raise NotFound()
    return row


def get_evaluation(
    session: Session, *, actor: Actor, evaluation_id: int, for_update: bool = False
) -> tuple[Evaluation, Expert]:
    """The evaluator's own evaluation, or any for staff; 404 for everyone else."""
    ev, expert = _load(session, evaluation_id, for_update=for_update)
    if not (actor.is_staff or permissions.can_use_evaluation(actor, evaluator_user_id=expert.user_id)):
        raise NotFound()
    return ev, expert


def _own(actor: Actor, expert: Expert) -> None:
    if not permissions.can_use_evaluation(actor, evaluator_user_id=expert.user_id):
        raise NotFound()


def _sheet_rubric(session: Session, kind: str, version: str) -> SheetRubric:
    rubric = performance_rubric(session, kind, version)
    indicators = rubric.indicators()
    return SheetRubric(
        rubric=rubric,
        expert={i.code: i for i in indicators if i.kind == "expert"},
        data_codes=frozenset(i.code for i in indicators if i.kind != "expert"),
    )


def declare(session: Session, *, actor: Actor, evaluation_id: int, data: DeclarationIn) -> Evaluation:
    """No conflict opens the sheet; a declared conflict (with its reason) frees it for staff to reassign."""
    ev, expert = get_evaluation(session, actor=actor, evaluation_id=evaluation_id, for_update=True)
    _own(actor, expert)
    if (ev.status == "draft" and data.no_conflict) or (ev.status == "declined" and not data.no_conflict):
        return ev  # replay
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
    return ev


def save(session: Session, *, actor: Actor, evaluation_id: int, data: EvaluationUpdate) -> Evaluation:
    """Save a draft (idempotent; a stale version is refused with nothing changed)."""
    ev, expert = get_evaluation(session, actor=actor, evaluation_id=evaluation_id, for_update=True)
    _own(actor, expert)
    transition(EVALUATION_TRANSITIONS, ev.status, "save")
    base = session.get(DesignatedBase, ev.base_id)
    assert base is not None
    info = _sheet_rubric(session, base.kind, ev.rubric_version)
    parsed = validate_scores(info, data.scores)
    scores = {code: score_text(parsed[code]) for code in info.expert if code in parsed}
    comments = ev.comments if data.comments is None else data.comments
    if scores == ev.scores and comments == ev.comments:
        return ev
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
    return ev


def submit(session: Session, *, actor: Actor, evaluation_id: int) -> Evaluation:
    """Lock the sheet: every indicator scored; the total adds the data points of the base's figures."""
    ev, expert = get_evaluation(session, actor=actor, evaluation_id=evaluation_id, for_update=True)
    _own(actor, expert)
    if ev.status == "submitted":
        return ev  # replay
    transition(EVALUATION_TRANSITIONS, ev.status, "submit")
    base = session.get(DesignatedBase, ev.base_id)
    assert base is not None
    info = _sheet_rubric(session, base.kind, ev.rubric_version)
    missing = missing_scores(info, ev.scores)
    if missing:
        raise ValidationFailed(
            msg("Every indicator must be scored before submitting."),
            fields={f"scores.{code}": msg("is not scored yet") for code in missing},
        )
    figures = _figures(session, base, ev.year)
    scores = {code: Decimal(v) for code, v in ev.scores.items()}
    total = sheet_total(info.rubric, scores) + sum(
        data_points(info.rubric, effective_figures(figures), _references(session, base)).values(), Decimal(0)
    )
    ev.figures = figures
    ev.total = total
    ev.grade = grade_of(total, _bands(session, ev))
    ev.status = "submitted"
    ev.submitted_at = utcnow()
    ev.version += 1
    session.flush()
    audit.record(
        session, actor=actor, action="evaluation.submit", entity="evaluation", entity_id=ev.id,
        before={"status": "draft"}, after={"status": "submitted", "total": total, "grade": ev.grade},
    )  # fmt: skip
    _settle(session, ev, base, actor)
    return ev


def _figures(session: Session, base: DesignatedBase, year: int) -> dict[str, str]:
    row = session.scalar(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base.id, BaseYearFigures.year == year)
    )
    return dict(row.figures) if row else {}


def _references(session: Session, base: DesignatedBase) -> dict[str, Decimal]:
    rnd = session.get(Round, base.round_id)
    return resolve_references(rnd.references if rnd else {})


def _bands(session: Session, ev: Evaluation) -> dict[str, Decimal]:
    campaign = session.get(Campaign, ev.campaign_id) if ev.campaign_id else None
    if campaign is None:
        return DEFAULT_BANDS
    return {k: Decimal(v) for k, v in campaign.bands.items()}


def grade_of(total: Decimal, bands: dict[str, Decimal]) -> str:
    """优秀 from the excellent band (inclusive), 合格 from the pass band (inclusive), else 不合格."""
    if total >= bands["excellent"]:
        return "excellent"
    if total >= bands["pass"]:
        return "pass"
    return "fail"


# ---- outcomes ---------------------------------------------------------------------------------


def _group_key(ev: Evaluation) -> tuple[int | None, str, int]:
    return (ev.campaign_id, ev.purpose, ev.year)


def _groups(session: Session, base_id: int) -> dict[tuple[int | None, str, int], list[Evaluation]]:
    groups: dict[tuple[int | None, str, int], list[Evaluation]] = {}
    for ev in session.scalars(
        select(Evaluation).where(Evaluation.base_id == base_id).order_by(Evaluation.id)
    ):
        groups.setdefault(_group_key(ev), []).append(ev)
    return groups


def _outcome(session: Session, evs: Sequence[Evaluation]) -> dict[str, Any]:
    counted = [e for e in evs if e.status != "declined"]
    submitted = [e for e in counted if e.status == "submitted" and e.total is not None]
    complete = bool(counted) and len(submitted) == len(counted)
    mean = None
    if complete:
        mean = sum((e.total for e in submitted if e.total is not None), Decimal(0)) / len(submitted)
    grade = grade_of(mean, _bands(session, evs[0])) if mean is not None else None
    return {
        "campaign_id": evs[0].campaign_id,
        "purpose": evs[0].purpose,
        "year": evs[0].year,
        "complete": complete,
        "submitted": len(submitted),
        "expected": len(counted),
        "score": str(mean.quantize(CENT, ROUND_HALF_UP)) if mean is not None else None,
        "grade": grade,
        "evaluation_ids": [e.id for e in submitted],
        "last_at": max((e.submitted_at for e in submitted if e.submitted_at), default=None),
    }


def _settle(session: Session, ev: Evaluation, base: DesignatedBase, actor: Actor) -> None:
    """When the last evaluator of a group submits, record the base's outcome (a fact, not a decision:
    a failed outcome waits for staff to order rectification or propose revocation)."""
    group = _groups(session, base.id)[_group_key(ev)]
    outcome = _outcome(session, group)
    if not outcome["complete"]:
        return
    add_event(
        session, base, "evaluated", actor, purpose=ev.purpose, year=ev.year,
        score=outcome["score"], grade=outcome["grade"],
    )  # fmt: skip
    after: dict[str, Any] = {"score": outcome["score"], "grade": outcome["grade"], "purpose": ev.purpose}
    if outcome["grade"] == "excellent" and not base.promotion_marked:
        base.promotion_marked = True
        base.version += 1
        after["promotion_marked"] = True
    if ev.purpose == "re_evaluation":
        order = current_rectification(session, base.id)
        if order is not None and order.status == "open":
            order.status = "passed" if outcome["grade"] in ("excellent", "pass") else "failed"
            order.re_evaluation_id = ev.id
            after["rectification"] = order.status
    session.flush()
    audit.record(
        session, actor=actor, action="base.evaluated", entity="base", entity_id=base.id, after=after,
    )  # fmt: skip


def outcomes_out(session: Session, base: DesignatedBase, *, actor: Actor) -> list[dict[str, Any]]:
    """Each evaluation group's outcome: grade and mean score, never who evaluated."""
    campaigns = {c.id: c.title for c in session.scalars(select(Campaign))}
    out = []
    for evs in _groups(session, base.id).values():
        o = _outcome(session, evs)
        out.append(
            {
                "campaign": campaigns.get(o["campaign_id"]) if o["campaign_id"] else None,
                "purpose": o["purpose"],
                "year": o["year"],
                "complete": o["complete"],
                "submitted": o["submitted"],
                "expected": o["expected"],
                "score": o["score"],
                "grade": o["grade"],
            }
        )
    return out


def latest_outcome(session: Session, base_id: int, *, purpose: str) -> dict[str, Any] | None:
    complete = [
        o
        for o in (_outcome(session, evs) for evs in _groups(session, base_id).values())
        if o["complete"] and o["purpose"] == purpose
    ]
    return max(complete, key=lambda o: (o["year"], o["evaluation_ids"][-1])) if complete else None


def staff_rows(session: Session, base_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Evaluation, Expert.name)
        .join(Expert, Expert.id == Evaluation.evaluator_id)
        .where(Evaluation.base_id == base_id)
        .order_by(Evaluation.id)
    ).all()
    return [
        {
            "id": ev.id,
            "evaluator": name,
            "purpose": ev.purpose,
            "year": ev.year,
            "status": ev.status,
            "total": str(ev.total.quantize(CENT, ROUND_HALF_UP)) if ev.total is not None else None,
            "grade": ev.grade,
        }
        for ev, name in rows
    ]


def list_evaluations(
    session: Session, *, actor: Actor, campaign_id: int | None = None
) -> list[dict[str, Any]]:
    """An evaluator's own assignments; staff: all of them."""
    if not actor.is_staff and actor.role is not Role.EVALUATOR:
        raise NotFound()
    stmt = (
        select(Evaluation, DesignatedBase, Expert)
        .join(DesignatedBase, DesignatedBase.id == Evaluation.base_id)
        .join(Expert, Expert.id == Evaluation.evaluator_id)
        .order_by(Evaluation.id)
    )
    if not actor.is_staff:
        stmt = stmt.where(Expert.user_id == actor.user_id)
    if campaign_id is not None:
        stmt = stmt.where(Evaluation.campaign_id == campaign_id)
    out = []
    for ev, base, expert in session.execute(stmt).tuples():
        item = summary_out(ev, base)
        if actor.is_staff:
            item["evaluator"] = {"id": expert.id, "name": expert.name}
        out.append(item)
    return out


def summary_out(ev: Evaluation, base: DesignatedBase) -> dict[str, Any]:
    return {
        "id": ev.id,
        "base": {"id": base.id, "name": base.name, "kind": base.kind, "district": base.district},
        "purpose": ev.purpose,
        "year": ev.year,
        "status": ev.status,
        "deadline": ev.deadline.isoformat() if ev.deadline else None,
        "progress": f"{len(ev.scores)}",
        "version": ev.version,
    }


def evaluation_out(session: Session, ev: Evaluation, *, locale: str = "zh_CN") -> dict[str, Any]:
    """The sheet for its evaluator (or staff): the rubric and the base's figures appear only after
    the no-conflict declaration, like an expert's sheet."""
    base = session.get(DesignatedBase, ev.base_id)
    assert base is not None
    out = summary_out(ev, base)
    out.update(
        {
            "scores": ev.scores,
            "comments": ev.comments,
            "total": str(ev.total.quantize(CENT, ROUND_HALF_UP)) if ev.total is not None else None,
            "grade": ev.grade,
            "submitted_at": ev.submitted_at.isoformat() if ev.submitted_at else None,
        }
    )
    if ev.status in ("draft", "submitted"):
        rubric = performance_rubric(session, base.kind, ev.rubric_version)
        out["figures"] = ev.figures if ev.status == "submitted" else _figures(session, base, ev.year)
        out["indicators"] = _indicators(rubric, locale)
        # A file added after this sheet was submitted is marked: its evaluator did not read it.
        late = ev.submitted_at
        out["evidence"] = [
            evidence_out(a) | {"after_submission": late is not None and a.uploaded_at > late}
            for a in base_evidence(session, base.id, ev.year)
        ]
    return out


def _indicators(rubric: Rubric, locale: str) -> list[dict[str, Any]]:
    en = locale.startswith("en")
    return [
        {
            "code": ind.code,
            "section": section.title_en if en else section.title_zh,
            "text": ind.text_en if en else ind.text_zh,
            "kind": ind.kind,
            "max_points": score_text(ind.max_points),
            "step": score_text(ind.step),
        }
        for section in rubric.sections
        for ind in section.indicators
    ]


def close_campaign(session: Session, *, actor: Actor, campaign_id: int) -> Campaign:
    _require_staff(actor)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    if campaign.status == "closed":
        return campaign
    campaign.status = "closed"
    session.flush()
    audit.record(
        session, actor=actor, action="campaign.close", entity="campaign", entity_id=campaign.id,
        before={"status": "open"}, after={"status": "closed"},
    )  # fmt: skip
    return campaign
