"""Evaluation outcomes of a base: the groups of evaluations (one campaign, or one re-evaluation), the
bands that grade them, each group's outcome, and the rows staff see.

An outcome is complete when every evaluator of the group who did not decline has submitted: the
base's score is then the exact mean of their totals, graded by the campaign's bands, else by the
bands of the performance rubric the evaluations were scored on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core import grading
from scoring.core.grading import Band
from scoring.core.i18n import Msg
from scoring.core.lifecycle import EvaluationStatus
from scoring.core.vocabulary import Grade
from scoring.services.management.common import performance_rubric
from scoring.services.management.schemas import EvaluationPurpose, EvaluationRow, OutcomeOut
from scoring.store.models import Campaign, DesignatedBase, Evaluation, Expert

CENT = Decimal("0.01")
GroupKey = tuple[int | None, str, int]


@dataclass(frozen=True)
class Outcome:
    campaign_id: int | None
    purpose: EvaluationPurpose
    year: int
    complete: bool
    submitted: int
    expected: int
    score: Decimal | None  # the mean to the cent; the grade is of the exact mean
    grade: Grade | None
    evaluation_ids: tuple[int, ...]
    last_at: datetime | None


def cents(value: Decimal | None) -> Decimal | None:
    return value.quantize(CENT, ROUND_HALF_UP) if value is not None else None


def bands_for(session: Session, ev: Evaluation, kind: str) -> tuple[Band, ...]:
    """A campaign's recorded bands, else those of the rubric version the evaluation is scored on."""
    campaign = session.get(Campaign, ev.campaign_id) if ev.campaign_id else None
    if campaign is not None and campaign.bands:
        return grading.bands_from_stored(campaign.bands)
    return grading.rubric_bands(performance_rubric(session, kind, ev.rubric_version))


def group_key(ev: Evaluation) -> GroupKey:
    return (ev.campaign_id, ev.purpose, ev.year)


def groups(session: Session, base_id: int) -> dict[GroupKey, list[Evaluation]]:
    out: dict[GroupKey, list[Evaluation]] = {}
    for ev in session.scalars(
        select(Evaluation).where(Evaluation.base_id == base_id).order_by(Evaluation.id)
    ):
        out.setdefault(group_key(ev), []).append(ev)
    return out


def outcome(session: Session, evs: Sequence[Evaluation], kind: str) -> Outcome:
    counted = [e for e in evs if e.status != EvaluationStatus.DECLINED]
    submitted = [e for e in counted if e.status == EvaluationStatus.SUBMITTED and e.total is not None]
    complete = bool(counted) and len(submitted) == len(counted)
    mean = None
    if complete:
        mean = sum((e.total for e in submitted if e.total is not None), Decimal(0)) / len(submitted)
    grade = grading.grade(mean, bands_for(session, evs[0], kind)) if mean is not None else None
    return Outcome(
        campaign_id=evs[0].campaign_id,
        purpose=EvaluationPurpose(evs[0].purpose),
        year=evs[0].year,
        complete=complete,
        submitted=len(submitted),
        expected=len(counted),
        score=cents(mean),
        grade=grade,
        evaluation_ids=tuple(e.id for e in submitted),
        last_at=max((e.submitted_at for e in submitted if e.submitted_at), default=None),
    )


def outcomes_out(
    session: Session, base: DesignatedBase, blocked: Callable[[Evaluation], Msg | None] | None = None
) -> list[OutcomeOut]:
    """Each evaluation group's outcome: grade and mean score, never who evaluated; an incomplete group
    says why no score can be computed yet (`blocked`), when it cannot."""
    campaigns = {c.id: c.title for c in session.scalars(select(Campaign))}
    out = []
    for evs in groups(session, base.id).values():
        o = outcome(session, evs, base.kind)
        out.append(
            OutcomeOut(
                campaign=campaigns.get(o.campaign_id) if o.campaign_id else None,
                purpose=o.purpose,
                year=o.year,
                complete=o.complete,
                submitted=o.submitted,
                expected=o.expected,
                score=o.score,
                grade=o.grade,
                blocked=blocked(evs[0]) if blocked is not None and not o.complete else None,
            )
        )
    return out


def latest_outcome(session: Session, base: DesignatedBase, *, purpose: EvaluationPurpose) -> Outcome | None:
    complete = [
        o
        for o in (outcome(session, evs, base.kind) for evs in groups(session, base.id).values())
        if o.complete and o.purpose == purpose
    ]
    return max(complete, key=lambda o: (o.year, o.evaluation_ids[-1])) if complete else None


def staff_rows(session: Session, base_id: int) -> list[EvaluationRow]:
    rows = session.execute(
        select(Evaluation, Expert.name)
        .join(Expert, Expert.id == Evaluation.evaluator_id)
        .where(Evaluation.base_id == base_id)
        .order_by(Evaluation.id)
    ).all()
    return [
        EvaluationRow(
            id=ev.id,
            evaluator=name,
            purpose=EvaluationPurpose(ev.purpose),
            year=ev.year,
            status=EvaluationStatus(ev.status),
            total=cents(ev.total),
            grade=Grade(ev.grade) if ev.grade else None,
        )
        for ev, name in rows
    ]
