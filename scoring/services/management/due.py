"""What is overdue in dynamic management: rectification orders and evaluations past their deadline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.lifecycle import EvaluationStatus, RectificationStatus
from scoring.services.management import common
from scoring.services.management.common import require_manager
from scoring.services.management.schemas import Due, DueEvaluation, DueRectification, EvaluationPurpose
from scoring.store.models import DesignatedBase, Evaluation, Rectification


def due(session: Session, *, actor: Actor, today: date | None = None) -> Due:
    """Overdue rectifications (deadline passed, no re-evaluation outcome) and overdue evaluations
    (not submitted by their deadline). Listing only: nothing changes without a staff decision."""
    require_manager(actor)
    today = today or common.today()
    overdue_orders = session.execute(
        select(Rectification, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Rectification.base_id)
        .where(Rectification.status == RectificationStatus.OPEN, Rectification.deadline < today)
        .order_by(Rectification.deadline, Rectification.id)
    ).all()
    now = datetime.combine(today, datetime.min.time())
    overdue_evaluations = session.execute(
        select(Evaluation, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Evaluation.base_id)
        .where(
            Evaluation.status.in_((EvaluationStatus.ASSIGNED, EvaluationStatus.DRAFT)),
            Evaluation.deadline.is_not(None),
        )
        .order_by(Evaluation.deadline, Evaluation.id)
    ).all()
    return Due(
        rectifications=[
            DueRectification(
                base_id=b.id,
                base=b.name,
                rectification_id=r.id,
                deadline=r.deadline,
                days_overdue=(today - r.deadline).days,
            )
            for r, b in overdue_orders
        ],
        evaluations=[
            DueEvaluation(
                base_id=b.id,
                base=b.name,
                evaluation_id=e.id,
                purpose=EvaluationPurpose(e.purpose),
                status=EvaluationStatus(e.status),
                deadline=e.deadline.date(),
                days_overdue=(today - e.deadline.date()).days,
            )
            for e, b in overdue_evaluations
            if e.deadline is not None and e.deadline.replace(tzinfo=None) < now
        ],
    )
