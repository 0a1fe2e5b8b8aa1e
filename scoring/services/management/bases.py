"""Designated bases after publication: reading them, their history and yearly figures, and the
staff decisions of dynamic management — rectification orders, restoration, and four-eyes revocation.

Nothing here changes a base on its own: every status change is a staff action checked against
BASE_TRANSITIONS and the facts it rests on (a failed evaluation, a failed re-evaluation).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.base_rules import RECTIFICATION_MONTHS
from scoring.core.errors import Conflict, InvalidTransition, NotFound, invalid
from scoring.core.four_eyes import require_second_person
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import (
    BASE_TRANSITIONS,
    RECTIFICATION_TRANSITIONS,
    REVOCATION_TRANSITIONS,
    BaseStatus,
    RectificationStatus,
    RevocationStatus,
    transition,
)
from scoring.core.permissions import management as can
from scoring.core.vocabulary import BaseKind, Grade
from scoring.services.admin.notifications import events as notices
from scoring.services.management import common
from scoring.services.management.common import (
    add_event,
    add_months,
    base_evidence,
    current_rectification,
    evidence_out,
    get_base,
    performance_rubric,
    require_manager,
)
from scoring.services.management.due import due
from scoring.services.management.evaluation_reads import blocked_reason
from scoring.services.management.figures import (
    base_forms,
    correct_figures,
    declare_figures,
    default_evidence_year,
    evidence_base,
    figure_corrections,
    indicator_names,
    year_on_year,
)
from scoring.services.management.outcomes import latest_outcome, outcomes_out, staff_rows
from scoring.services.management.schemas import (
    BaseDetail,
    BaseOut,
    EvaluationPurpose,
    HistoryEntry,
    RectificationIn,
    RectificationOut,
    RestoreIn,
    RevocationConfirmIn,
    RevocationIn,
    RevocationOut,
    StaffRevocationOut,
)
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import (
    BaseEvent,
    DesignatedBase,
    Evaluation,
    Rectification,
    Revocation,
)

# Other modules and slices reach these through `bases`.
__all__ = [
    "add_months",
    "base_forms",
    "correct_figures",
    "declare_figures",
    "default_evidence_year",
    "due",
    "evidence_base",
    "evidence_out",
    "get_base",
    "indicator_names",
    "performance_rubric",
    "year_on_year",
]

BASE_STATUSES: tuple[BaseStatus, ...] = tuple(BaseStatus)


def base_out(base: DesignatedBase) -> BaseOut:
    return BaseOut.model_validate(_base_fields(base))


def _base_fields(base: DesignatedBase) -> dict[str, Any]:
    return {name: getattr(base, name) for name in BaseOut.model_fields}


def bases_out(bases: Iterable[DesignatedBase]) -> list[BaseOut]:
    return [base_out(b) for b in bases]


def list_bases(
    session: Session, *, actor: Actor, status: BaseStatus | None = None, kind: BaseKind | None = None
) -> list[BaseOut]:
    """Staff: every base; an applicant: its organisation's bases; anyone else: none."""
    if not can.can_list_bases(actor):
        raise NotFound()
    stmt = select(DesignatedBase).order_by(DesignatedBase.id)
    if not can.can_manage_bases(actor):
        stmt = stmt.where(DesignatedBase.organisation_id == actor.organisation_id)
    if status is not None:
        stmt = stmt.where(DesignatedBase.status == status)
    if kind is not None:
        stmt = stmt.where(DesignatedBase.kind == kind)
    return bases_out(session.scalars(stmt))


# ---- detail: history, rectifications, revocation, outcomes ------------------------------------


def base_detail(session: Session, *, actor: Actor, base_id: int) -> BaseDetail:
    """The base with its history; staff also see who evaluated and each evaluator's score, the base
    itself only the outcome of each evaluation (grade and mean total)."""
    base = get_base(session, actor=actor, base_id=base_id)
    events = session.scalars(select(BaseEvent).where(BaseEvent.base_id == base.id).order_by(BaseEvent.id))
    rectifications = session.scalars(
        select(Rectification).where(Rectification.base_id == base.id).order_by(Rectification.id)
    )
    revocation = session.scalar(
        select(Revocation).where(Revocation.base_id == base.id).order_by(Revocation.id.desc()).limit(1)
    )
    fields: dict[str, Any] = _base_fields(base) | {
        "history": [
            HistoryEntry(at=e.at, event=e.event, detail=_public_detail(e.detail, actor)) for e in events
        ],
        "rectifications": [rectification_out(r) for r in rectifications],
        "revocation": revocation_out(revocation, actor) if revocation else None,
        "outcomes": outcomes_out(session, base, blocked=lambda ev: _blocked(session, base, ev)),
        "figures_by_year": year_on_year(session, base),
        "evidence": [evidence_out(a) for a in base_evidence(session, base.id)],
        "figure_corrections": figure_corrections(session, base.id),
    }
    if can.can_see_evaluators(actor):
        fields["evaluations"] = staff_rows(session, base.id)
    return BaseDetail(**fields)


def _blocked(session: Session, base: DesignatedBase, ev: Evaluation) -> Msg | None:
    return blocked_reason(session, ev, performance_rubric(session, base.kind, ev.rubric_version))


def _public_detail(detail: dict[str, Any], actor: Actor) -> dict[str, Any]:
    if can.can_see_evaluators(actor):
        return detail
    return {k: v for k, v in detail.items() if k not in ("evaluator_ids", "actor_name")}


def rectification_out(r: Rectification) -> RectificationOut:
    return RectificationOut(
        id=r.id,
        evaluation_id=r.evaluation_id,
        reasons=r.reasons,
        deadline=r.deadline,
        status=RectificationStatus(r.status),
        brought_forward_reason=r.brought_forward_reason,
        issued_at=r.issued_at,
    )


def revocation_out(r: Revocation, actor: Actor) -> RevocationOut:
    if can.can_see_evaluators(actor):
        return staff_revocation_out(r)
    return RevocationOut(**_revocation_fields(r))


def staff_revocation_out(r: Revocation) -> StaffRevocationOut:
    return StaffRevocationOut(
        **_revocation_fields(r), proposed_by_id=r.proposed_by_id, confirmed_by_id=r.confirmed_by_id
    )


def _revocation_fields(r: Revocation) -> dict[str, Any]:
    return {
        "id": r.id,
        "status": RevocationStatus(r.status),
        "reason": r.reason,
        "proposed_at": r.proposed_at,
        "document_no": r.document_no,
        "decided_on": r.decided_on,
    }


# ---- rectification, restoration, revocation ---------------------------------------------------


def order_rectification(
    session: Session, *, actor: Actor, base_id: int, data: RectificationIn, today: date | None = None
) -> RectificationOut:
    """限期整改 after a 不合格 outcome: reasons and a deadline (six months by default)."""
    require_manager(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    today = today or common.today()
    current = current_rectification(session, base.id)
    if base.status == BaseStatus.RECTIFYING and current is not None and current.reasons == data.reasons:
        return rectification_out(current)  # replay
    outcome = latest_outcome(session, base, purpose=EvaluationPurpose.REGULAR)
    if outcome is None or outcome.grade is not Grade.FAIL:
        raise InvalidTransition(
            msg("A rectification order follows an evaluation graded 不合格 (fail); this base has none.")
        )
    deadline = data.deadline or add_months(today, RECTIFICATION_MONTHS)
    if deadline <= today:
        raise invalid("deadline", msg("must be after today"))
    base.status = transition(BASE_TRANSITIONS, base.status, "order_rectification")
    base.version += 1
    order = Rectification(
        base_id=base.id,
        evaluation_id=outcome.evaluation_ids[0],
        reasons=data.reasons,
        deadline=deadline,
        issued_by_id=actor.user_id,
    )
    session.add(order)
    session.flush()
    add_event(session, base, "rectification_ordered", actor, deadline=deadline, reasons=data.reasons)
    audit.record(
        session,
        actor=actor,
        action="base.rectification",
        entity="base",
        entity_id=base.id,
        before={"status": BaseStatus.ACTIVE},
        after={"status": base.status, "rectification_id": order.id, "deadline": deadline},
        reason=data.reasons,
    )
    notices.rectification_ordered(session, order)
    return rectification_out(order)


def restore(session: Session, *, actor: Actor, base_id: int, data: RestoreIn) -> BaseOut:
    """A base whose re-evaluation is 合格 or better returns to active, by a staff decision."""
    require_manager(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if base.status == BaseStatus.ACTIVE:
        return base_out(base)  # replay
    order = current_rectification(session, base.id)
    if base.status != BaseStatus.RECTIFYING or order is None or order.status != RectificationStatus.PASSED:
        raise InvalidTransition(
            msg("A base is restored only after a re-evaluation graded 合格 (pass) or better.")
        )
    base.status = transition(BASE_TRANSITIONS, base.status, "restore")
    base.version += 1
    order.status = transition(RECTIFICATION_TRANSITIONS, order.status, "close")
    session.flush()
    add_event(session, base, "restored", actor, rectification_id=order.id)
    audit.record(
        session,
        actor=actor,
        action="base.restore",
        entity="base",
        entity_id=base.id,
        before={"status": BaseStatus.RECTIFYING},
        after={"status": base.status},
        reason=data.reason,
    )
    return base_out(base)


def propose_revocation(
    session: Session, *, actor: Actor, base_id: int, data: RevocationIn
) -> StaffRevocationOut:
    """After a failed re-evaluation a staff member proposes revocation; another must confirm it."""
    require_manager(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    pending = session.scalar(
        select(Revocation).where(
            Revocation.base_id == base.id, Revocation.status == RevocationStatus.PROPOSED
        )
    )
    if pending is not None:
        if pending.reason == data.reason:
            return staff_revocation_out(pending)  # replay
        raise Conflict(msg("A revocation of this base is already proposed."), code="revocation_pending")
    order = current_rectification(session, base.id)
    if base.status != BaseStatus.RECTIFYING or order is None or order.status != RectificationStatus.FAILED:
        raise InvalidTransition(
            msg("Revocation can be proposed only after a re-evaluation graded 不合格 (fail).")
        )
    revocation = Revocation(
        base_id=base.id, rectification_id=order.id, reason=data.reason, proposed_by_id=actor.user_id
    )
    session.add(revocation)
    session.flush()
    add_event(session, base, "revocation_proposed", actor, reason=data.reason)
    audit.record(
        session,
        actor=actor,
        action="base.revocation_propose",
        entity="base",
        entity_id=base.id,
        after={"revocation_id": revocation.id},
        reason=data.reason,
    )
    return staff_revocation_out(revocation)


def confirm_revocation(
    session: Session, *, actor: Actor, base_id: int, data: RevocationConfirmIn, today: date | None = None
) -> BaseOut:
    """A second staff member records the government document that revokes the title."""
    require_manager(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    today = today or common.today()
    if base.status == BaseStatus.REVOKED and base.revocation_document_no == data.document_no:
        return base_out(base)  # replay
    revocation = session.scalar(
        select(Revocation).where(
            Revocation.base_id == base.id, Revocation.status == RevocationStatus.PROPOSED
        )
    )
    if revocation is None:
        raise InvalidTransition(msg("No revocation of this base has been proposed."))
    require_second_person(
        actor,
        revocation.proposed_by_id,
        msg("A second staff member must confirm: the person who proposed the revocation cannot."),
    )
    if data.decided_on > today:
        raise invalid("decided_on", msg("must not be in the future"))
    base.status = transition(BASE_TRANSITIONS, base.status, "revoke")
    base.revoked_on = data.decided_on
    base.revocation_document_no = data.document_no
    base.version += 1
    revocation.status = transition(REVOCATION_TRANSITIONS, revocation.status, "confirm")
    revocation.confirmed_by_id = actor.user_id
    revocation.confirmed_at = utcnow()
    revocation.document_no = data.document_no
    revocation.decided_on = data.decided_on
    order = current_rectification(session, base.id)
    if order is not None and order.status != RectificationStatus.CLOSED:
        order.status = transition(RECTIFICATION_TRANSITIONS, order.status, "close")
    session.flush()
    add_event(session, base, "revoked", actor, document_no=data.document_no, decided_on=data.decided_on)
    audit.record(
        session,
        actor=actor,
        action="base.revoke",
        entity="base",
        entity_id=base.id,
        before={"status": BaseStatus.RECTIFYING},
        after={"status": BaseStatus.REVOKED, "document_no": data.document_no, "decided_on": data.decided_on},
        reason=revocation.reason,
    )
    notices.revocation_decided(session, base, revocation.reason)
    return base_out(base)
