"""A list under notice changed by upheld objections: the seat (vacant or backfilled from the ranking),
the change's own government approval, and the four-eyes supplementary notice (补充公示) of added entries.

The round stays in its notice; `Round.list_status` (ListRevisionStatus) says what the change still
needs before the list can be published. A backfilled entry is an application named by an upheld
objection's `backfill_application_id` that is still on the list.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.clock import add_working_days, china_today
from scoring.core.errors import Conflict, InvalidTransition, NotFound, invalid
from scoring.core.four_eyes import require_second_person
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import LIST_REVISION_TRANSITIONS, transition
from scoring.core.lifecycle import ApplicationStatus as A
from scoring.core.lifecycle import ListRevisionStatus as LR
from scoring.core.lifecycle import ObjectionStatus as O
from scoring.core.lifecycle import RoundStatus as R
from scoring.core.permissions.review import can_manage_review
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.rounds import get_round_for_update
from scoring.services.review import ranking as ranking_service
from scoring.services.review.schemas import (
    ApprovalIn,
    ApprovalRef,
    BackfillCandidate,
    ListRevisionOut,
    RevisionIn,
)
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application, Objection, Round


def added_ids(session: Session, round_id: int) -> list[int]:
    """Applications backfilled onto the list by upheld objections and still on it."""
    return list(
        session.scalars(
            select(Application.id)
            .join(Objection, Objection.backfill_application_id == Application.id)
            .where(
                Objection.round_id == round_id,
                Objection.status == O.UPHELD,
                Application.status == A.SHORTLISTED,
            )
            .distinct()
            .order_by(Application.id)
        )
    )


def removed_ids(session: Session, round_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Objection.application_id)
            .where(Objection.round_id == round_id, Objection.status == O.UPHELD)
            .distinct()
            .order_by(Objection.application_id)
        )
    )


def backfill_candidate(session: Session, rnd: Round, app: Application) -> BackfillCandidate | None:
    """The next eligible application of the kind in rank order: not on the list, gates passed, at or
    above the pass line, and never taken off the list by an upheld objection."""
    removed = set(removed_ids(session, rnd.id)) | {app.id}
    ranking = ranking_service.compute_ranking(session, rnd, app.kind)
    for row in ranking.rows:
        if row.eligible and row.status == A.NOT_DESIGNATED and row.application_id not in removed:
            final = ranking_service.round2(row.final) if row.final is not None else None
            return BackfillCandidate(
                application_id=row.application_id,
                name=row.applicant,
                final_score=str(final) if final is not None else None,
                rank=row.rank,
            )
    return None


def change_list(rnd: Round, *, added: bool) -> None:
    """An upheld objection changed the list: any approval or proposal of an earlier change is void."""
    rnd.list_status = transition(LIST_REVISION_TRANSITIONS, rnd.list_status, "change")
    rnd.list_revision += 1
    rnd.list_changed_at = utcnow()
    if added:
        rnd.revision_adds += 1
    rnd.revision_document_no = None
    rnd.revision_approval_date = None
    rnd.revision_approved_by_id = None
    rnd.revision_proposed_by_id = None
    rnd.revision_proposed_at = None
    rnd.revision_confirmed_by_id = None


def publish_problems(rnd: Round, today: date) -> tuple[str, dict[str, Msg]] | None:
    """Why a changed list cannot be published yet (an error code and the fields), or None."""
    if rnd.list_status == LR.CHANGED:
        return "revision_unapproved", {
            "list_revision.approval": msg(
                "the list was changed by an upheld objection: a new government approval of the changed "
                "list must be recorded first"
            )
        }
    if rnd.list_status in (LR.APPROVED, LR.PROPOSED) and rnd.revision_adds:
        return "revision_notice_needed", {
            "list_revision.notice": msg(
                "the entries added to the list need their own public notice of %(days)s working days, "
                "proposed by one staff member and confirmed by another",
                days=rnd.notice_days,
            )
        }
    ends = rnd.revision_notice_ends_on
    if ends is not None and today <= ends:
        return "notice_running", {
            "list_revision.notice": msg(
                "the supplementary notice runs until %(date)s; the list can be published after that",
                date=ends.isoformat(),
            )
        }
    return None


def supplementary_open(rnd: Round, today: date) -> bool:
    return (
        rnd.status == R.NOTICE
        and rnd.revision_notice_starts_on is not None
        and rnd.revision_notice_ends_on is not None
        and rnd.revision_notice_starts_on <= today <= rnd.revision_notice_ends_on
    )


def revision_out(session: Session, rnd: Round) -> ListRevisionOut:
    return ListRevisionOut(
        round_id=rnd.id,
        status=rnd.list_status,
        revision=rnd.list_revision,
        changed_at=rnd.list_changed_at,
        added=added_ids(session, rnd.id),
        removed=removed_ids(session, rnd.id),
        unnoticed_additions=rnd.revision_adds,
        approval=ApprovalRef(document_no=rnd.revision_document_no, approved_on=rnd.revision_approval_date),
        approved_by_id=rnd.revision_approved_by_id,
        proposed_by_id=rnd.revision_proposed_by_id,
        proposed_at=rnd.revision_proposed_at,
        confirmed_by_id=rnd.revision_confirmed_by_id,
        notice_starts_on=rnd.revision_notice_starts_on,
        notice_ends_on=rnd.revision_notice_ends_on,
    )


def _changing_round(session: Session, actor: Actor, round_id: int) -> Round:
    if not can_manage_review(actor):
        raise NotFound()
    rnd = get_round_for_update(session, round_id=round_id)
    if rnd.status != R.NOTICE or rnd.list_status == LR.NONE:
        raise InvalidTransition(
            msg("The list has not been changed by an upheld objection during its public notice.")
        )
    return rnd


def record_revision_approval(
    session: Session, *, actor: Actor, round_id: int, data: ApprovalIn, today: date | None = None
) -> ListRevisionOut:
    """The city government's new approval of the changed list: its own document number and date."""
    today = today or china_today()
    rnd = _changing_round(session, actor, round_id)
    if rnd.revision_document_no == data.document_no and rnd.revision_approval_date == data.approved_on:
        return revision_out(session, rnd)  # replay
    if data.approved_on > today:
        raise invalid("approved_on", msg("must not be in the future"))
    if data.document_no == rnd.approval_document_no:
        raise invalid(
            "document_no",
            msg("must be a new approval: this is the document number of the first approval"),
        )
    if rnd.approval_date is not None and data.approved_on < rnd.approval_date:
        raise invalid("approved_on", msg("must not be before the first approval"))
    if rnd.list_status == LR.NOTICE:
        raise Conflict(
            msg("The approval cannot change once the supplementary notice has started."),
            code="notice_started",
        )
    before = revision_out(session, rnd).model_dump(mode="json")
    rnd.list_status = transition(LIST_REVISION_TRANSITIONS, rnd.list_status, "approve")
    rnd.revision_document_no = data.document_no
    rnd.revision_approval_date = data.approved_on
    rnd.revision_approved_by_id = actor.user_id
    rnd.revision_proposed_by_id = None  # a corrected approval: the second person must see it
    rnd.revision_proposed_at = None
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.revision_approval",
        entity="round",
        entity_id=rnd.id,
        before=before,
        after=revision_out(session, rnd).model_dump(mode="json"),
    )
    return revision_out(session, rnd)


def revision_action(
    session: Session, *, actor: Actor, round_id: int, data: RevisionIn, today: date | None = None
) -> ListRevisionOut:
    """Propose (staff A) or confirm (staff B: the supplementary notice of the added entries starts)."""
    today = today or china_today()
    rnd = _changing_round(session, actor, round_id)
    if data.action == "propose":
        _propose(session, actor=actor, rnd=rnd)
    else:
        _confirm(session, actor=actor, rnd=rnd, today=today)
    return revision_out(session, rnd)


def _propose(session: Session, *, actor: Actor, rnd: Round) -> None:
    if rnd.list_status in (LR.PROPOSED, LR.NOTICE):
        return  # replay
    if rnd.list_status != LR.APPROVED:
        raise Conflict(
            msg("The changed list is not ready for a supplementary notice."),
            fields={"list_revision.approval": msg("the new government approval must be recorded first")},
        )
    if not rnd.revision_adds:
        raise Conflict(
            msg("The changed list is not ready for a supplementary notice."),
            fields={
                "list_revision.notice": msg("no entry was added: the list needs no supplementary notice")
            },
        )
    before = rnd.list_status
    rnd.list_status = transition(LIST_REVISION_TRANSITIONS, rnd.list_status, "propose")
    rnd.revision_proposed_by_id = actor.user_id
    rnd.revision_proposed_at = utcnow()
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.propose_supplementary_notice",
        entity="round",
        entity_id=rnd.id,
        before={"list_status": before},
        after={
            "list_status": rnd.list_status,
            "list_revision": rnd.list_revision,
            "added": added_ids(session, rnd.id),
            "document_no": rnd.revision_document_no,
        },
    )


def _confirm(session: Session, *, actor: Actor, rnd: Round, today: date) -> None:
    if rnd.list_status == LR.NOTICE:
        return  # replay: the supplementary notice has started
    if rnd.list_status != LR.PROPOSED or rnd.revision_proposed_by_id is None:
        raise InvalidTransition(msg("No supplementary notice has been proposed yet."))
    require_second_person(actor, rnd.revision_proposed_by_id)
    ends_on = add_working_days(today, rnd.notice_days)
    before = rnd.list_status
    rnd.list_status = transition(LIST_REVISION_TRANSITIONS, rnd.list_status, "confirm")
    rnd.revision_confirmed_by_id = actor.user_id
    rnd.revision_notice_starts_on = today
    rnd.revision_notice_ends_on = ends_on
    rnd.revision_adds = 0
    rnd.version += 1
    session.flush()
    added = added_ids(session, rnd.id)
    audit.record(
        session,
        actor=actor,
        action="round.start_supplementary_notice",
        entity="round",
        entity_id=rnd.id,
        before={"list_status": before},
        after={
            "list_status": rnd.list_status,
            "list_revision": rnd.list_revision,
            "notice_starts_on": today,
            "notice_ends_on": ends_on,
            "proposed_by_id": rnd.revision_proposed_by_id,
            "confirmed_by_id": actor.user_id,
            "added": added,
        },
    )
    notices.supplementary_notice_opened(session, rnd, added)
