"""Pure permission predicates over an actor and plain attributes of the object in question.

Services call these before touching anything; a False on something the caller may not even know
exists becomes NotFound (404), never Forbidden.
"""

from __future__ import annotations

from scoring.core.actors import Actor, Role


def is_staff(actor: Actor) -> bool:
    return actor.is_staff


def can_see_application(
    actor: Actor,
    *,
    organisation_id: int,
    district: str | None,
    status: str,
    assigned_expert_user_ids: frozenset[int] = frozenset(),
) -> bool:
    """Staff see all; an applicant its own organisation's; a county its district's once submitted;
    an expert only the applications it holds a sheet for (material shown after the declaration)."""
    if actor.is_staff:
        return True
    if actor.role is Role.APPLICANT:
        return actor.organisation_id is not None and actor.organisation_id == organisation_id
    if actor.role is Role.COUNTY:
        return actor.district is not None and actor.district == district and status != "draft"
    if actor.role is Role.EXPERT:
        return actor.user_id is not None and actor.user_id in assigned_expert_user_ids
    return False


def can_edit_application(actor: Actor, *, organisation_id: int) -> bool:
    return actor.role is Role.APPLICANT and actor.organisation_id == organisation_id


def can_recommend(actor: Actor, *, district: str | None) -> bool:
    return actor.role is Role.COUNTY and actor.district is not None and actor.district == district


def can_use_sheet(actor: Actor, *, sheet_expert_user_id: int | None) -> bool:
    """Only the expert who holds a sheet reads or writes it; staff read all sheets."""
    return actor.role is Role.EXPERT and actor.user_id is not None and actor.user_id == sheet_expert_user_id


def can_use_evaluation(actor: Actor, *, evaluator_user_id: int | None) -> bool:
    return actor.role is Role.EVALUATOR and actor.user_id is not None and actor.user_id == evaluator_user_id


def can_see_base(actor: Actor, *, organisation_id: int) -> bool:
    if actor.is_staff:
        return True
    return actor.role is Role.APPLICANT and actor.organisation_id == organisation_id
