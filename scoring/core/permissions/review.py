"""Permission predicates of the review phase: pure functions of an actor and plain attributes."""

from __future__ import annotations

from scoring.core.actors import Actor, Role
from scoring.core.lifecycle import RoundStatus, SheetStatus


def can_manage_review(actor: Actor) -> bool:
    """Panels, rankings, decisions, the approval, publication, objections, reopening and exports:
    staff (and admins) only; to anyone else these do not exist."""
    return actor.is_staff


def can_list_sheets(actor: Actor) -> bool:
    """Experts list their own sheets, staff every sheet; nobody else learns sheets exist."""
    return actor.role is Role.EXPERT or actor.is_staff


def can_score_sheet(actor: Actor, *, sheet_expert_user_id: int | None) -> bool:
    """Declaring, saving and submitting: only the expert who holds the sheet (never staff)."""
    return actor.role is Role.EXPERT and actor.user_id is not None and actor.user_id == sheet_expert_user_id


def can_read_sheet(actor: Actor, *, sheet_expert_user_id: int | None) -> bool:
    """Staff read every sheet; an expert only its own."""
    return actor.is_staff or can_score_sheet(actor, sheet_expert_user_id=sheet_expert_user_id)


def can_see_sheet_material(actor: Actor, *, sheet_status: str) -> bool:
    """The application's material shows once the no-conflict declaration is signed (staff: always)."""
    return actor.is_staff or sheet_status in (SheetStatus.DRAFT, SheetStatus.SUBMITTED)


def can_see_sheet_expert(actor: Actor) -> bool:
    """Who scored is known to staff only."""
    return actor.is_staff


def can_see_result(actor: Actor, *, organisation_id: int, round_status: str) -> bool:
    """Staff see every result; an applicant its own organisation's, from the opening of the notice period."""
    if actor.is_staff:
        return True
    return (
        actor.role is Role.APPLICANT
        and actor.organisation_id is not None
        and actor.organisation_id == organisation_id
        and round_status in (RoundStatus.NOTICE, RoundStatus.PUBLISHED)
    )
