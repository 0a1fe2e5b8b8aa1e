"""Permission predicates of the designation phase: pure functions of an actor and plain attributes."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class ApplicationScope:
    """Which applications a caller's lists hold (the list form of `can_see_application`): all of
    them, one organisation's, one district's past the draft, or those an expert holds a sheet for."""

    everything: bool = False
    organisation_id: int | None = None
    district: str | None = None
    expert_user_id: int | None = None


def application_list_scope(actor: Actor) -> ApplicationScope | None:
    """The caller's scope, or None when it may list no application at all."""
    if actor.is_staff:
        return ApplicationScope(everything=True)
    if actor.role is Role.APPLICANT and actor.organisation_id is not None:
        return ApplicationScope(organisation_id=actor.organisation_id)
    if actor.role is Role.COUNTY and actor.district is not None:
        return ApplicationScope(district=actor.district)
    if actor.role is Role.EXPERT and actor.user_id is not None:
        return ApplicationScope(expert_user_id=actor.user_id)
    return None
