"""Every decision on a round's applications with its reason, who took it and when, for staff pages,
the API, exports and documents: formal-check returns, the list decision (tie-break or deviation),
and objection outcomes. Read from where each is recorded (the decision's and the check's audit events,
the objection rows), so a staff member never has to search the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.clock import CHINA_TZ
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import ObjectionStatus
from scoring.services.review import ranking as ranking_service
from scoring.services.review.results_schemas import DecisionRecordOut
from scoring.store.models import Application, AuditEvent, Objection, User

FORMAL_CHECK_RETURN = "formal_check_return"
TIE_BREAK = "tie_break"
DEVIATION = "deviation"
DECISION = "decision"
OBJECTION_UPHELD = "objection_upheld"
OBJECTION_DISMISSED = "objection_dismissed"

SUBJECTS: dict[str, Msg] = {
    FORMAL_CHECK_RETURN: msg("Returned at the formal check"),
    TIE_BREAK: msg("Tie at the quota line resolved"),
    DEVIATION: msg("Decision differs from the proposed list"),
    DECISION: msg("Decision following the ranking"),
    OBJECTION_UPHELD: msg("Objection upheld"),
    OBJECTION_DISMISSED: msg("Objection dismissed"),
}


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    application_id: int
    subject: str  # one of SUBJECTS
    outcome: str | None  # the application status the decision left (decisions only)
    reason: str | None
    by: str | None  # the deciding user's display name
    at: datetime | None  # UTC

    @property
    def subject_text(self) -> Msg:
        return SUBJECTS[self.subject]


def beijing(at: datetime | None) -> str | None:
    """A time as shown everywhere outside the database: Beijing time, to the minute."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # stored naive UTC
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _name(names: dict[int, str], user_id: int | None) -> str | None:
    return None if user_id is None else names.get(user_id)


def beijing_date(at: datetime | None) -> date | None:
    """The calendar day in Beijing of a stored (UTC) time."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA_TZ).date()


def decision_records(
    session: Session,
    *,
    round_id: int,
    application_ids: Iterable[int],
    tied_ids: Iterable[int] = (),
) -> dict[int, list[DecisionRecord]]:
    """The records of the given applications of one round, oldest first (three selects)."""
    wanted = set(application_ids)
    tied = set(tied_ids)
    out: dict[int, list[DecisionRecord]] = {a: [] for a in wanted}
    if not wanted:
        return out
    names = dict(session.execute(select(User.id, User.display_name)).all())

    checks = session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.action == "application.formal_check",
            AuditEvent.entity == "application",
            AuditEvent.entity_id.in_([str(a) for a in wanted]),
        )
        .order_by(AuditEvent.id)
    ).scalars()
    for ev in checks:
        if (ev.after or {}).get("decision") == "return":
            out[int(ev.entity_id)].append(
                DecisionRecord(
                    int(ev.entity_id),
                    FORMAL_CHECK_RETURN,
                    "returned",
                    ev.reason,
                    _name(names, ev.actor_id),
                    ev.at,
                )
            )

    decides = session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.action == "round.decide",
            AuditEvent.entity == "round",
            AuditEvent.entity_id == str(round_id),
        )
        .order_by(AuditEvent.id)
    ).scalars()
    for ev in decides:
        after = ev.after or {}
        deviates = bool(after.get("deviates"))
        for key, status in (after.get("applications") or {}).items():
            app_id = int(key)
            if app_id not in wanted:
                continue
            subject = TIE_BREAK if app_id in tied and deviates else DEVIATION if deviates else DECISION
            out[app_id].append(
                DecisionRecord(app_id, subject, status, ev.reason, _name(names, ev.actor_id), ev.at)
            )

    objections = session.scalars(
        select(Objection)
        .where(Objection.round_id == round_id, Objection.application_id.in_(wanted))
        .where(Objection.status != ObjectionStatus.OPEN)
        .order_by(Objection.resolved_at, Objection.id)
    )
    for obj in objections:
        subject = OBJECTION_UPHELD if obj.status == ObjectionStatus.UPHELD else OBJECTION_DISMISSED
        out[obj.application_id].append(
            DecisionRecord(
                obj.application_id,
                subject,
                None,
                obj.resolution_reason,
                _name(names, obj.resolved_by_id),
                obj.resolved_at,
            )
        )
    for records in out.values():
        records.sort(key=lambda r: (r.at or datetime.min.replace(tzinfo=UTC), r.subject))
    return out


def round_decisions(
    session: Session, *, actor: Actor, round_id: int, kind: str | None
) -> list[DecisionRecordOut]:
    """Staff: every decision on one kind's applications (listed in the ranking or not, such as one
    returned at the formal check) with its reason, who and when, oldest first."""
    ranking = ranking_service.get_ranking(session, actor=actor, round_id=round_id, kind=kind)
    ids = session.scalars(
        select(Application.id).where(Application.round_id == round_id, Application.kind == ranking.kind)
    ).all()
    records = decision_records(session, round_id=round_id, application_ids=ids, tied_ids=ranking.tied_ids)
    flat = [r for rs in records.values() for r in rs]
    flat.sort(key=lambda r: (r.at or datetime.min.replace(tzinfo=UTC), r.application_id, r.subject))
    return [record_out(r, with_names=True) for r in flat]


def record_out(record: DecisionRecord, *, with_names: bool) -> DecisionRecordOut:
    return DecisionRecordOut(
        application_id=record.application_id,
        subject=record.subject,
        subject_text=record.subject_text,
        outcome=record.outcome,
        reason=record.reason,
        by=record.by if with_names else None,
        at=beijing(record.at),
    )
