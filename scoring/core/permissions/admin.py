"""Permission predicates of the admin phase: pure functions of an actor and plain attributes."""

from __future__ import annotations

from scoring.core.actors import Actor, Role


def can_manage_accounts(actor: Actor) -> bool:
    """Creating user accounts and organisations is the city DRC's (admins included)."""
    return actor.is_staff


def can_manage_experts(actor: Actor) -> bool:
    """The expert pool and the evaluators are read and kept by the city DRC only."""
    return actor.is_staff


def can_read_audit(actor: Actor) -> bool:
    """The audit trail and its chain verification are for the city DRC only."""
    return actor.is_staff


def can_see_any_base_evidence(actor: Actor) -> bool:
    """Staff read every base's evidence files; others only through their base or evaluation."""
    return actor.is_staff


def can_read_evaluation_evidence(actor: Actor, *, declared_evaluator_user_ids: frozenset[int]) -> bool:
    """An evaluator reads a base's evidence for the year of an evaluation assigned to them, once they
    have signed its no-conflict declaration (the ids of such evaluators' accounts)."""
    return (
        actor.role is Role.EVALUATOR
        and actor.user_id is not None
        and actor.user_id in declared_evaluator_user_ids
    )
