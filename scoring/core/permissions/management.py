"""Permission predicates of the management phase: pure functions of an actor and plain attributes."""

from __future__ import annotations

from scoring.core.actors import Actor, Role
from scoring.core.permissions import can_see_base, can_use_evaluation

__all__ = [
    "can_declare_for_base",
    "can_list_bases",
    "can_list_evaluations",
    "can_manage_bases",
    "can_see_base",
    "can_see_evaluation",
    "can_see_evaluators",
    "can_use_evaluation",
]


def can_manage_bases(actor: Actor) -> bool:
    """Campaigns, evaluator assignments, rectification, restoration, revocation, the overdue list."""
    return actor.is_staff


def can_list_bases(actor: Actor) -> bool:
    """Staff list every base, an applicant its organisation's; no one else has a list."""
    return actor.is_staff or (actor.role is Role.APPLICANT and actor.organisation_id is not None)


def can_declare_for_base(actor: Actor, *, organisation_id: int) -> bool:
    """Yearly figures and their evidence: the base's own applicant account, or staff."""
    if actor.is_staff:
        return True
    return actor.role is Role.APPLICANT and actor.organisation_id == organisation_id


def can_see_evaluators(actor: Actor) -> bool:
    """Who evaluated a base and each evaluator's score; the base itself sees only the outcome."""
    return actor.is_staff


def can_list_evaluations(actor: Actor) -> bool:
    return actor.is_staff or actor.role is Role.EVALUATOR


def can_see_evaluation(actor: Actor, *, evaluator_user_id: int | None) -> bool:
    """Staff read every evaluation; an evaluator its own (only it may write it: can_use_evaluation)."""
    return actor.is_staff or can_use_evaluation(actor, evaluator_user_id=evaluator_user_id)
