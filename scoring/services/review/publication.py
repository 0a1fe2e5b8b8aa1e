"""Four-eyes publication of a round's list: propose, confirm (starts the 公示), objections, finalize.

The notice period counts working days (scoring.core.clock: the State Council calendar). A notice
confirmed on day D runs from D through the notice_days-th working day after D; objections are taken
through that last day and the list can be finalized from the next calendar day on.

Over 400 lines: propose, confirm, finalize and the objections share one round lock and its states;
the public lists at the end are the next split (objections and notice into their own module).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor, Role
from scoring.core.clock import add_working_days, china_today
from scoring.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed, invalid
from scoring.core.four_eyes import require_second_person
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import (
    APPLICATION_TRANSITIONS,
    OBJECTION_TRANSITIONS,
    ROUND_TRANSITIONS,
    BaseStatus,
    transition,
)
from scoring.core.lifecycle import ApplicationStatus as A
from scoring.core.lifecycle import ObjectionStatus as O
from scoring.core.lifecycle import RoundStatus as R
from scoring.core.permissions.review import can_manage_review
from scoring.core.vocabulary import Seat
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.round_end import unscored_applications
from scoring.services.designation.rounds import get_round_for_update
from scoring.services.review import list_revision
from scoring.services.review import ranking as ranking_service
from scoring.services.review.schemas import (
    ApprovalRef,
    BackfillCandidate,
    NoticeEntry,
    NoticeRound,
    ObjectionIn,
    ObjectionOut,
    ObjectionReceipt,
    PublicationIn,
    PublicationOut,
    PublicBase,
    ResolutionIn,
)
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application, BaseEvent, DesignatedBase, Objection, Organisation, Round

# Objections come from the public: the audit trail names them "public" (no account, no role).
PUBLIC = Actor(user_id=None, username="public", role=Role.APPLICANT, display_name="public")

BASE_STATUSES: tuple[BaseStatus, ...] = tuple(BaseStatus)


# ---- inputs -----------------------------------------------------------------------------------


# ---- publication ------------------------------------------------------------------------------


def publication_out(session: Session, rnd: Round) -> PublicationOut:
    return PublicationOut(
        round_id=rnd.id,
        status=rnd.status,
        approval=ApprovalRef(document_no=rnd.approval_document_no, approved_on=rnd.approval_date),
        proposed_by_id=rnd.publication_proposed_by_id,
        proposed_at=rnd.publication_proposed_at,
        confirmed_by_id=rnd.publication_confirmed_by_id,
        notice_days=rnd.notice_days,
        notice_starts_on=rnd.notice_starts_on,
        notice_ends_on=rnd.notice_ends_on,
        published_at=rnd.published_at,
        published_by_id=rnd.published_by_id,
        list_revision=list_revision.revision_out(session, rnd),
    )


def publication_action(
    session: Session, *, actor: Actor, round_id: int, data: PublicationIn, today: date | None = None
) -> PublicationOut:
    """Propose (staff A), confirm (staff B: starts the notice) or finalize (after the notice)."""
    if not can_manage_review(actor):
        raise NotFound()
    rnd = get_round_for_update(session, round_id=round_id)
    today = today or china_today()
    if data.action == "propose":
        _propose(session, actor=actor, rnd=rnd)
    elif data.action == "confirm":
        _confirm(session, actor=actor, rnd=rnd, today=today)
    else:
        _finalize(session, actor=actor, rnd=rnd, today=today)
    return publication_out(session, rnd)


def _shortlisted_ids(session: Session, round_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Application.id)
            .where(Application.round_id == round_id, Application.status == A.SHORTLISTED)
            .order_by(Application.id)
        )
    )


def _unscored_problems(session: Session, round_id: int) -> dict[str, Msg]:
    return {
        f"applications.{app_id}": msg(
            "“%(title)s” is not scored yet (%(state)s)", title=title, state=Msg(state.replace("_", " "))
        )
        for app_id, title, state in unscored_applications(session, round_id)
    }


def _propose(session: Session, *, actor: Actor, rnd: Round) -> None:
    if rnd.publication_proposed_by_id is not None or rnd.status in (R.NOTICE, R.PUBLISHED):
        return  # replay: the proposal stands
    if rnd.status != R.DECIDING:
        raise InvalidTransition(
            msg("The list can be proposed for publication only while the round is deciding.")
        )
    problems = {}
    if rnd.approval_document_no is None or rnd.approval_date is None:
        problems["approval"] = msg("the city government's approval must be recorded first")
    undecided = list(
        session.execute(
            select(Application.kind, func.count())
            .where(Application.round_id == rnd.id, Application.status == A.SCORED)
            .group_by(Application.kind)
            .order_by(Application.kind)
        )
    )
    for kind, n in undecided:
        problems[f"decisions.{kind}"] = msg(
            "%(count)s scored application(s) of this kind have no decision yet", count=n
        )
    problems.update(_unscored_problems(session, rnd.id))
    if problems:
        raise Conflict(msg("The list is not ready to be proposed for publication."), fields=problems)
    rnd.publication_proposed_by_id = actor.user_id
    rnd.publication_proposed_at = utcnow()
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.propose_publication",
        entity="round",
        entity_id=rnd.id,
        before={"proposed_by_id": None},
        after={
            "proposed_by_id": actor.user_id,
            "shortlisted": _shortlisted_ids(session, rnd.id),
            "document_no": rnd.approval_document_no,
        },
    )


def _confirm(session: Session, *, actor: Actor, rnd: Round, today: date) -> None:
    if rnd.status in (R.NOTICE, R.PUBLISHED):
        return  # replay: the notice has already started
    if rnd.status != R.DECIDING or rnd.publication_proposed_by_id is None:
        raise InvalidTransition(msg("Nothing has been proposed for publication yet."))
    require_second_person(actor, rnd.publication_proposed_by_id)
    # A sheet reopened or an expert replaced since the proposal: the list is not final.
    unscored = _unscored_problems(session, rnd.id)
    if unscored:
        raise Conflict(msg("The list is not ready to be proposed for publication."), fields=unscored)
    ends_on = add_working_days(today, rnd.notice_days)  # an uncovered year is refused before any change
    before = rnd.status
    rnd.status = transition(ROUND_TRANSITIONS, rnd.status, "start_notice")
    rnd.publication_confirmed_by_id = actor.user_id
    rnd.notice_starts_on = today
    rnd.notice_ends_on = ends_on
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.start_notice",
        entity="round",
        entity_id=rnd.id,
        before={"status": before},
        after={
            "status": rnd.status,
            "notice_starts_on": rnd.notice_starts_on,
            "notice_ends_on": rnd.notice_ends_on,
            "proposed_by_id": rnd.publication_proposed_by_id,
            "confirmed_by_id": actor.user_id,
            "shortlisted": _shortlisted_ids(session, rnd.id),
        },
    )
    notices.notice_opened(session, rnd)


def _finalize(session: Session, *, actor: Actor, rnd: Round, today: date) -> None:
    if rnd.status == R.PUBLISHED:
        return  # replay: the bases exist already
    if rnd.status != R.NOTICE or rnd.notice_ends_on is None:
        raise InvalidTransition(msg("The list can be published only after its public notice."))
    if today <= rnd.notice_ends_on:
        raise Conflict(
            msg(
                "The public notice runs until %(date)s; the list can be published after that.",
                date=rnd.notice_ends_on.isoformat(),
            ),
            code="notice_running",
        )
    revision = list_revision.publish_problems(rnd, today)
    if revision is not None:
        code, fields = revision
        raise Conflict(msg("The changed list cannot be published yet."), code=code, fields=fields)
    open_objections = session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.round_id == rnd.id, Objection.status == O.OPEN)
    )
    if open_objections:
        raise Conflict(
            msg(
                "%(count)s objection(s) are still open; resolve them before publishing.",
                count=open_objections,
            ),
            code="objections_open",
        )
    chosen = list(
        session.execute(
            select(Application, Organisation)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(Application.round_id == rnd.id, Application.status == A.SHORTLISTED)
            .order_by(Application.id)
        )
    )
    finals = _final_scores(session, rnd, sorted({app.kind for app, _ in chosen}))
    added = set(list_revision.added_ids(session, rnd.id))
    bases: list[DesignatedBase] = []
    for app, org in chosen:
        app.status = transition(APPLICATION_TRANSITIONS, app.status, "designate")
        app.version += 1
        app.updated_at = utcnow()
        final = finals.get(app.id)
        base = DesignatedBase(
            application_id=app.id,
            round_id=rnd.id,
            organisation_id=org.id,
            kind=app.kind,
            name=org.name,
            district=org.district,
            status=BaseStatus.ACTIVE,
            designated_on=today,
            # an entry added by a changed list is designated under the change's own approval
            document_no=(rnd.revision_document_no if app.id in added else rnd.approval_document_no) or "",
            final_score=ranking_service.round2(final) if final is not None else None,
        )
        session.add(base)
        bases.append(base)
    session.flush()
    for base in bases:
        session.add(
            BaseEvent(
                base_id=base.id,
                event="designated",
                detail={
                    "round_id": rnd.id,
                    "application_id": base.application_id,
                    "document_no": base.document_no,
                    "designated_on": today.isoformat(),
                },
                actor_id=actor.user_id,
            )
        )
    before = rnd.status
    rnd.status = transition(ROUND_TRANSITIONS, rnd.status, "publish")
    rnd.published_at = utcnow()
    rnd.published_by_id = actor.user_id
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.publish",
        entity="round",
        entity_id=rnd.id,
        before={"status": before},
        after={
            "status": rnd.status,
            "designated": [b.application_id for b in bases],
            "bases": [b.id for b in bases],
            "document_no": rnd.approval_document_no,
            "revision_document_no": rnd.revision_document_no,
            "list_revision": rnd.list_revision,
        },
    )
    notices.results_published(session, rnd)


def _final_scores(session: Session, rnd: Round, kinds: Sequence[str]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for kind in kinds:
        for row in ranking_service.compute_ranking(session, rnd, kind).rows:
            out[row.application_id] = row.final
    return out


# ---- objections -------------------------------------------------------------------------------


def _notice_open(rnd: Round, today: date) -> bool:
    return (
        rnd.status == R.NOTICE
        and rnd.notice_starts_on is not None
        and rnd.notice_ends_on is not None
        and rnd.notice_starts_on <= today <= rnd.notice_ends_on
    )


def objection_out(obj: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=obj.id,
        round_id=obj.round_id,
        application_id=obj.application_id,
        name=obj.filed_by_name,
        contact=obj.contact,
        text=obj.text,
        status=obj.status,
        resolution_reason=obj.resolution_reason,
        seat=obj.seat,
        backfill_application_id=obj.backfill_application_id,
        resolved_by_id=obj.resolved_by_id,
        resolved_at=obj.resolved_at,
        created_at=obj.created_at,
    )


def public_objection_out(obj: Objection) -> ObjectionReceipt:
    """What the person who filed it gets back: a receipt, never staff data."""
    return ObjectionReceipt(
        id=obj.id,
        round_id=obj.round_id,
        application_id=obj.application_id,
        status=obj.status,
        created_at=obj.created_at,
    )


def file_objection(session: Session, *, data: ObjectionIn, today: date | None = None) -> Objection:
    """Anyone may object to an application on the list while its notice runs, and to an entry added
    to it while the supplementary notice runs. A replay of the same objection returns the one filed."""
    today = today or china_today()
    rnd = session.get(Round, data.round_id)
    if rnd is None:
        raise NotFound()
    first, supplementary = _notice_open(rnd, today), list_revision.supplementary_open(rnd, today)
    if not first and not supplementary:
        raise Conflict(
            msg("Objections can be filed only during the public notice period."), code="notice_closed"
        )
    app_status = session.scalar(
        select(Application.status).where(
            Application.id == data.application_id, Application.round_id == rnd.id
        )
    )
    if app_status != A.SHORTLISTED or (
        not first and data.application_id not in list_revision.added_ids(session, rnd.id)
    ):
        raise NotFound(msg("This application is not on the list under public notice."))
    existing = session.scalar(
        select(Objection).where(
            Objection.round_id == rnd.id,
            Objection.application_id == data.application_id,
            Objection.filed_by_name == data.name,
            Objection.contact == data.contact,
            Objection.text == data.text,
        )
    )
    if existing is not None:
        return existing
    obj = Objection(
        round_id=rnd.id,
        application_id=data.application_id,
        filed_by_name=data.name,
        contact=data.contact,
        text=data.text,
        status=O.OPEN,
        created_at=utcnow(),
    )
    session.add(obj)
    session.flush()
    audit.record(
        session,
        actor=PUBLIC,
        action="objection.file",
        entity="objection",
        entity_id=obj.id,
        after={"round_id": rnd.id, "application_id": obj.application_id, "status": O.OPEN.value},
    )
    notices.objection_filed(session, obj)
    return obj


def list_objections(session: Session, *, actor: Actor, round_id: int) -> list[Objection]:
    if not can_manage_review(actor):
        raise NotFound()
    if session.get(Round, round_id) is None:
        raise NotFound()
    return list(
        session.scalars(select(Objection).where(Objection.round_id == round_id).order_by(Objection.id))
    )


def resolve_objection(session: Session, *, actor: Actor, objection_id: int, data: ResolutionIn) -> Objection:
    """Uphold (the application leaves the list with the reason; staff leave its seat vacant or fill it
    from the next eligible application) or dismiss; replays change nothing.

    An upheld objection that changes the list puts the round's list into "changed": publishing then
    needs a new approval, and for an added entry its own four-eyes supplementary notice.
    """
    if not can_manage_review(actor):
        raise NotFound()
    obj = session.scalar(
        select(Objection)
        .where(Objection.id == objection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if obj is None:
        raise NotFound()
    wanted = O.UPHELD if data.decision == "uphold" else O.DISMISSED
    if obj.status != O.OPEN:
        if obj.status == wanted and obj.resolution_reason == data.reason and obj.seat == data.seat:
            return obj  # replay
        raise Conflict(msg("This objection has already been resolved."), code="already_resolved")
    rnd = get_round_for_update(session, round_id=obj.round_id)
    if rnd.status != R.NOTICE:
        raise InvalidTransition(msg("Objections are resolved during the public notice period."))
    app = session.scalar(
        select(Application)
        .where(Application.id == obj.application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert app is not None  # objections reference applications by foreign key
    removes = wanted == O.UPHELD and app.status == A.SHORTLISTED
    backfill = _check_seat(session, rnd, app, data, removes=removes)
    before: dict[str, Any] = {
        "status": obj.status,
        "application_status": app.status,
        "list_status": rnd.list_status,
    }
    if removes:
        app.status = transition(APPLICATION_TRANSITIONS, app.status, "reject")
        app.decision_reason = data.reason
        app.version += 1
        app.updated_at = utcnow()
    if backfill is not None:
        backfill.status = transition(APPLICATION_TRANSITIONS, backfill.status, "shortlist")
        backfill.decision_reason = data.reason
        backfill.version += 1
        backfill.updated_at = utcnow()
    if removes:
        list_revision.change_list(rnd, added=backfill is not None)
        rnd.version += 1
    obj.status = transition(OBJECTION_TRANSITIONS, obj.status, data.decision)
    obj.resolution_reason = data.reason
    obj.seat = data.seat
    obj.backfill_application_id = backfill.id if backfill is not None else None
    obj.resolved_by_id = actor.user_id
    obj.resolved_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"objection.{data.decision}",
        entity="objection",
        entity_id=obj.id,
        before=before,
        after={
            "status": obj.status,
            "application_id": app.id,
            "application_status": app.status,
            "seat": obj.seat,
            "backfill_application_id": obj.backfill_application_id,
            "list_status": rnd.list_status,
            "list_revision": rnd.list_revision,
        },
        reason=data.reason,
    )
    notices.objection_resolved(session, obj)
    return obj


def _check_seat(
    session: Session, rnd: Round, app: Application, data: ResolutionIn, *, removes: bool
) -> Application | None:
    """The seat decision an uphold needs, checked before anything changes; the backfill, locked."""
    if not removes:
        if data.seat is not None:
            reason = (
                msg("must be left out when the objection is dismissed")
                if data.decision == "dismiss"
                else msg("must be left out: the application is no longer on the list")
            )
            raise invalid("seat", reason)
        return None
    if data.seat is None:
        raise invalid(
            "seat",
            msg(
                "is required when an objection is upheld: leave the seat vacant or fill it from the "
                "next eligible application"
            ),
        )
    if data.seat == Seat.VACANT:
        return None
    candidate = list_revision.backfill_candidate(session, rnd, app)
    if candidate is None:
        raise Conflict(
            msg("The seat cannot be filled."),
            code="no_backfill_candidate",
            fields={
                "seat": msg(
                    "no eligible application of this kind is left (not on the list, gates passed, at "
                    "or above the pass line); leave the seat vacant"
                )
            },
        )
    return session.scalar(
        select(Application)
        .where(Application.id == candidate.application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def resolution_preview(
    session: Session, *, actor: Actor, objection_id: int, data: ResolutionIn
) -> BackfillCandidate | None:
    """Every check of an uphold, nothing changed: who would enter the list (None: the seat stays vacant).
    Shown to staff before they confirm."""
    if not can_manage_review(actor):
        raise NotFound()
    obj = session.get(Objection, objection_id)
    if obj is None:
        raise NotFound()
    if obj.status != O.OPEN:
        raise Conflict(msg("This objection has already been resolved."), code="already_resolved")
    rnd = session.get(Round, obj.round_id)
    app = session.get(Application, obj.application_id)
    assert rnd is not None and app is not None
    if rnd.status != R.NOTICE:
        raise InvalidTransition(msg("Objections are resolved during the public notice period."))
    removes = data.decision == "uphold" and app.status == A.SHORTLISTED
    backfill = _check_seat(session, rnd, app, data, removes=removes)
    if backfill is None:
        return None
    return list_revision.backfill_candidate(session, rnd, app)


def backfill_preview(session: Session, *, actor: Actor, objection_id: int) -> BackfillCandidate | None:
    """Who would fill the seat if this objection were upheld with a backfill (shown before confirming)."""
    if not can_manage_review(actor):
        raise NotFound()
    obj = session.get(Objection, objection_id)
    if obj is None:
        raise NotFound()
    app = session.get(Application, obj.application_id)
    rnd = session.get(Round, obj.round_id)
    assert app is not None and rnd is not None
    if obj.status != O.OPEN or app.status != A.SHORTLISTED:
        return None
    return list_revision.backfill_candidate(session, rnd, app)


# ---- public lists -------------------------------------------------------------------------------


def public_notice(session: Session, *, today: date | None = None) -> list[NoticeRound]:
    """The lists under public notice right now: names, kinds and districts, nothing else."""
    today = today or china_today()
    rounds = [
        r
        for r in session.scalars(select(Round).where(Round.status == R.NOTICE).order_by(Round.id))
        if _notice_open(r, today) or list_revision.supplementary_open(r, today)
    ]
    if not rounds:
        return []
    entries: dict[int, list[NoticeEntry]] = {r.id: [] for r in rounds}
    # An added entry shows during its supplementary notice, marked so; before it, it is not approved.
    added = {r.id: set(list_revision.added_ids(session, r.id)) for r in rounds}
    open_now = {r.id: (_notice_open(r, today), list_revision.supplementary_open(r, today)) for r in rounds}
    rows = session.execute(
        select(
            Application.round_id, Application.id, Application.kind, Organisation.name, Organisation.district
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.round_id.in_(list(entries)), Application.status == A.SHORTLISTED)
        .order_by(Application.round_id, Application.kind, Organisation.name, Application.id)
    )
    for round_id, app_id, kind, name, district in rows:
        first, supplementary = open_now[round_id]
        is_added = app_id in added[round_id]
        if (is_added and not supplementary) or (not is_added and not first):
            continue
        entries[round_id].append(
            NoticeEntry(
                application_id=app_id, name=name, kind=kind, district=district, supplementary=is_added
            )
        )
    return [
        NoticeRound(
            round_id=r.id,
            year=r.year,
            title=r.title,
            notice_starts_on=r.notice_starts_on,
            notice_ends_on=r.notice_ends_on,
            supplementary_starts_on=r.revision_notice_starts_on if open_now[r.id][1] else None,
            supplementary_ends_on=r.revision_notice_ends_on if open_now[r.id][1] else None,
            entries=entries[r.id],
        )
        for r in rounds
    ]


def public_bases(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    year: int | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> tuple[list[PublicBase], int | None]:
    """Bases of published rounds only, in id order; never scores, experts or evaluators."""
    problems = {}
    if status is not None and status not in BASE_STATUSES:
        problems["status"] = msg("must be one of: %(expected)s", expected=", ".join(BASE_STATUSES))
    if kind is not None and kind not in ranking_service.KINDS:
        problems["kind"] = msg("must be one of: %(expected)s", expected=", ".join(ranking_service.KINDS))
    if problems:
        raise ValidationFailed(fields=problems)
    stmt = (
        select(
            DesignatedBase.id,
            DesignatedBase.name,
            DesignatedBase.kind,
            DesignatedBase.district,
            Round.year,
            DesignatedBase.document_no,
            DesignatedBase.designated_on,
            DesignatedBase.status,
            DesignatedBase.revoked_on,
            DesignatedBase.revocation_document_no,
        )
        .join(Round, Round.id == DesignatedBase.round_id)
        .where(Round.status == R.PUBLISHED, DesignatedBase.id > after_id)
        .order_by(DesignatedBase.id)
        .limit(limit + 1)
    )
    if status is not None:
        stmt = stmt.where(DesignatedBase.status == status)
    if kind is not None:
        stmt = stmt.where(DesignatedBase.kind == kind)
    if year is not None:
        stmt = stmt.where(Round.year == year)
    rows = list(session.execute(stmt))
    more = len(rows) > limit
    items = [
        PublicBase(
            id=r.id,
            name=r.name,
            kind=r.kind,
            district=r.district,
            year=r.year,
            document_no=r.document_no,
            designated_on=r.designated_on,
            status=r.status,
            revoked_on=r.revoked_on,
            revocation_document_no=r.revocation_document_no,
        )
        for r in rows[:limit]
    ]
    return items, (items[-1].id if more and items else None)
