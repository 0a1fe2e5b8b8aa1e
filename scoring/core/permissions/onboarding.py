"""Permission predicates of onboarding: who manages organisations, accounts and registrations."""

from __future__ import annotations

from scoring.core.actors import Actor, Role


def can_manage_organisations(actor: Actor) -> bool:
    """Admins and city staff keep the register of organisations."""
    return actor.role in (Role.ADMIN, Role.STAFF)


def can_manage_accounts(actor: Actor) -> bool:
    """Only admins create, change, disable and reset accounts (DOMAIN.md §7)."""
    return actor.role is Role.ADMIN


def can_review_registration(actor: Actor, *, district: str | None) -> bool:
    """A county reviews the registrations of its district; city staff those without a district."""
    if actor.role is Role.COUNTY:
        return district is not None and actor.district == district
    return actor.role is Role.STAFF and district is None
