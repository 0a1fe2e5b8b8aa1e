"""Read-only summaries the staff pages show beside the review: application counts per status, and
the names and statuses a decision page labels its rows with."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.core.permissions.review import can_manage_review
from scoring.services.review.schemas import DecisionLabels, StatusCounts
from scoring.store.models import Application, Organisation, User


def _require_manager(actor: Actor) -> None:
    if not can_manage_review(actor):
        raise NotFound()


def status_counts(session: Session, *, actor: Actor, round_id: int | None = None) -> StatusCounts:
    """How many applications each round holds per status (all rounds, or one)."""
    _require_manager(actor)
    stmt = select(Application.round_id, Application.status, func.count()).group_by(
        Application.round_id, Application.status
    )
    if round_id is not None:
        stmt = stmt.where(Application.round_id == round_id)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for rid, status, n in session.execute(stmt):
        counts[rid][status] = n
    return StatusCounts(by_round=dict(counts))


def decision_labels(session: Session, *, actor: Actor, round_id: int) -> DecisionLabels:
    """Each application's status and applicant name in a round, and every user's display name."""
    _require_manager(actor)
    rows = session.execute(
        select(Application.id, Application.status, Organisation.name)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.round_id == round_id)
    ).all()
    people = session.execute(select(User.id, User.display_name)).all()
    return DecisionLabels(
        statuses={app_id: status for app_id, status, _ in rows},
        names={app_id: name for app_id, _, name in rows},
        people={user_id: name for user_id, name in people},
    )
