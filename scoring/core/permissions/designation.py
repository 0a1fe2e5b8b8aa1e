"""Permission predicates of the designation phase: pure functions of an actor and plain attributes."""

from __future__ import annotations

from scoring.core.actors import Actor, Role


def can_manage_rounds(actor: Actor) -> bool:
    """Creating a round and moving it through its status table is the city DRC's."""
    return actor.is_staff


def can_read_rounds(actor: Actor) -> bool:
    """A round's settings are public to every logged-in participant."""
    return True


def can_create_application(actor: Actor) -> bool:
    """Only an applicant account belonging to an organisation applies (for that organisation)."""
    return actor.role is Role.APPLICANT and actor.organisation_id is not None


def can_formal_check(actor: Actor) -> bool:
    """The formal check of recommended applications is the city DRC's."""
    return actor.is_staff
