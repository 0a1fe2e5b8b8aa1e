"""Permission predicates for the evidence that holds against an insider: pure functions of an actor."""

from __future__ import annotations

from scoring.core.actors import Actor, Role


def can_read_evidence(actor: Actor) -> bool:
    """The audit trail, checkpoints, verification, reconciliation and draw records: auditors and staff."""
    return actor.role in (Role.AUDITOR, Role.STAFF, Role.ADMIN)


def can_checkpoint(actor: Actor) -> bool:
    """Writing a manual checkpoint changes the trail: staff only, never the read-only auditor."""
    return actor.is_staff
