"""The events that send messages: each called with one line at the point of its state change.

Each function finds the recipients from the data, builds the parameters its kind declares (nothing a
recipient may not see), and queues the messages in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Role
from scoring.services.admin.notifications.kinds import PUBLIC, NoticeKind
from scoring.services.admin.notifications.outbox import Recipient, notify, staff, users
from scoring.store.models import (
    Application,
    DesignatedBase,
    Evaluation,
    Expert,
    Objection,
    Organisation,
    Panel,
    Rectification,
    Round,
    Sheet,
    User,
)

K = NoticeKind


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def applicants_of(session: Session, organisation_id: int) -> list[Recipient]:
    return users(session, User.role == Role.APPLICANT, User.organisation_id == organisation_id)


def _expert_users(session: Session, expert_ids: Iterable[int]) -> dict[int, int]:
    """expert id -> user id, for experts with an account."""
    rows = session.execute(
        select(Expert.id, Expert.user_id).where(Expert.id.in_(set(expert_ids)), Expert.user_id.is_not(None))
    )
    return {eid: uid for eid, uid in rows if uid is not None}


def _users_by_id(session: Session, ids: Iterable[int]) -> list[Recipient]:
    return users(session, User.id.in_(set(ids)))


# ---- review ------------------------------------------------------------------------------------


def sheets_assigned(session: Session, sheets: Iterable[Sheet]) -> None:
    """New sheets (a draw, an extension, a reserve replacing a decline): one message per expert."""
    new = [s for s in sheets if s is not None]
    if not new:
        return
    session.flush()
    panel = session.get(Panel, new[0].panel_id)
    assert panel is not None
    rnd = session.get(Round, panel.round_id)
    assert rnd is not None
    by_expert: dict[int, list[Sheet]] = defaultdict(list)
    for s in new:
        by_expert[s.expert_id].append(s)
    accounts = _expert_users(session, by_expert)
    for expert_id, own in sorted(by_expert.items()):
        uid = accounts.get(expert_id)
        if uid is None:
            continue
        notify(
            session,
            kind=K.PANEL_ASSIGNED,
            # Once per expert and panel: the assignment is the news; later sheets show on /expert.
            key=f"panel_assigned:p{panel.id}:e{expert_id}",
            recipients=_users_by_id(session, [uid]),
            params={
                "round_title": rnd.title,
                "base_kind": panel.kind,
                "sheets": len(own),
                "deadline": _iso(rnd.scoring_deadline),
            },
            link="/expert",
        )


def sheet_reopened(session: Session, sheet: Sheet, reason: str) -> None:
    """Staff reopened a submitted sheet: its expert may submit it past the deadline."""
    panel = session.get(Panel, sheet.panel_id)
    assert panel is not None
    rnd = session.get(Round, panel.round_id)
    assert rnd is not None
    uid = _expert_users(session, [sheet.expert_id]).get(sheet.expert_id)
    if uid is None:
        return
    notify(
        session,
        kind=K.DEADLINE_EXTENDED,
        key=f"deadline_extended:s{sheet.id}:v{sheet.version}",
        recipients=_users_by_id(session, [uid]),
        params={"round_title": rnd.title, "reason": reason},
        link=f"/expert/sheets/{sheet.id}",
    )


def scoring_deadline_extended(session: Session, rnd: Round, sheets: Iterable[Sheet], reason: str) -> None:
    """Staff extended the scoring deadline: the round's experts with open sheets (or the one expert's)."""
    own = list(sheets)  # one expert's sheets, or none when the round's deadline moved
    open_sheets = own or list(
        session.scalars(
            select(Sheet)
            .join(Panel, Panel.id == Sheet.panel_id)
            .where(Panel.round_id == rnd.id, Sheet.status.in_(("assigned", "draft")))
        )
    )
    users = _expert_users(session, {s.expert_id for s in open_sheets})
    stamp = _iso(own[0].deadline if own else rnd.scoring_deadline)
    for uid in sorted(set(users.values())):
        notify(
            session,
            kind=K.DEADLINE_EXTENDED,
            key=f"deadline_extended:r{rnd.id}:u{uid}:{stamp}",
            recipients=_users_by_id(session, [uid]),
            params={"round_title": rnd.title, "reason": reason},
            link="/expert",
        )


# ---- designation -------------------------------------------------------------------------------


def _app_context(session: Session, app: Application) -> tuple[Organisation, Round]:
    org = session.get(Organisation, app.organisation_id)
    rnd = session.get(Round, app.round_id)
    assert org is not None and rnd is not None
    return org, rnd


def application_moved(session: Session, app: Application) -> None:
    """After a submit or a county decision: the county must act, or the applicant must correct it."""
    org, rnd = _app_context(session, app)
    key = f"a{app.id}:v{app.version}"
    if app.status == "submitted":
        notify(
            session,
            kind=K.APPLICATION_WAITING,
            key=f"application_waiting:{key}",
            recipients=users(session, User.role == Role.COUNTY, User.district == org.district),
            params={
                "round_title": rnd.title,
                "application_title": app.title,
                "organisation_name": org.name,
                "deadline": _iso(rnd.recommendation_deadline),
            },
            link=f"/county/applications/{app.id}",
        )
    elif app.status == "returned":
        notify(
            session,
            kind=K.APPLICATION_RETURNED,
            key=f"application_returned:{key}",
            recipients=applicants_of(session, org.id),
            params={
                "round_title": rnd.title,
                "application_title": app.title,
                "returned_by": "county",  # a formal check that returns it sends its result
                "reason": app.status_reason or "",
            },
            link=f"/applicant/applications/{app.id}",
        )


def formal_check_done(session: Session, app: Application) -> None:
    org, rnd = _app_context(session, app)
    notify(
        session,
        kind=K.FORMAL_CHECK_RESULT,
        key=f"formal_check_result:a{app.id}:v{app.version}",
        recipients=applicants_of(session, org.id),
        params={
            "round_title": rnd.title,
            "application_title": app.title,
            "outcome": "accepted" if app.status == "accepted" else "returned",
            "reason": app.status_reason or "",
        },
        link=f"/applicant/applications/{app.id}",
    )


def registration_decided(
    session: Session, *, user_id: int, registrant: str, approved: bool, reason: str = ""
) -> None:
    """For the registration feature (issue 12): an account's registration approved or rejected."""
    notify(
        session,
        kind=K.REGISTRATION_DECIDED,
        key=f"registration_decided:u{user_id}:{'approved' if approved else 'rejected'}",
        recipients=[
            Recipient(user_id=uid, role=role)
            for uid, role in session.execute(select(User.id, User.role).where(User.id == user_id))
        ],
        params={
            "registrant": registrant,
            "decision": "approved" if approved else "rejected",
            "reason": reason,
        },
        link="/login",
    )


def _round_applications(session: Session, rnd: Round, statuses: tuple[str, ...]) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(Application.round_id == rnd.id, Application.status.in_(statuses))
            .order_by(Application.id)
        )
    )


def notice_opened(session: Session, rnd: Round) -> None:
    """Each reviewed applicant learns its own place on (or off) the proposed list, nobody else's."""
    for app in _round_applications(session, rnd, ("shortlisted", "not_designated")):
        notify(
            session,
            kind=K.NOTICE_OPENED,
            key=f"notice_opened:r{rnd.id}:a{app.id}:{rnd.notice_starts_on}",
            recipients=applicants_of(session, app.organisation_id),
            params={
                "round_title": rnd.title,
                "application_title": app.title,
                "outcome": app.status,
                "notice_ends": _iso(rnd.notice_ends_on),
            },
            link=f"/applicant/applications/{app.id}",
        )


def supplementary_notice_opened(session: Session, rnd: Round, application_ids: Iterable[int]) -> None:
    """An applicant backfilled onto the list learns that it is on the list under supplementary notice."""
    for app_id in application_ids:
        app = session.get(Application, app_id)
        if app is None:
            continue
        notify(
            session,
            kind=K.NOTICE_OPENED,
            key=f"notice_opened:r{rnd.id}:a{app.id}:{rnd.revision_notice_starts_on}",
            recipients=applicants_of(session, app.organisation_id),
            params={
                "round_title": rnd.title,
                "application_title": app.title,
                "outcome": app.status,
                "notice_ends": _iso(rnd.revision_notice_ends_on),
            },
            link=f"/applicant/applications/{app.id}",
        )


def results_published(session: Session, rnd: Round) -> None:
    for app in _round_applications(session, rnd, ("designated", "not_designated")):
        notify(
            session,
            kind=K.RESULTS_PUBLISHED,
            key=f"results_published:r{rnd.id}:a{app.id}",
            recipients=applicants_of(session, app.organisation_id),
            params={"round_title": rnd.title, "application_title": app.title, "outcome": app.status},
            link=f"/applicant/applications/{app.id}",
        )


def objection_filed(session: Session, objection: Objection) -> None:
    session.flush()
    app = session.get(Application, objection.application_id)
    rnd = session.get(Round, objection.round_id)
    assert app is not None and rnd is not None
    notify(
        session,
        kind=K.OBJECTION_RECEIVED,
        key=f"objection_received:o{objection.id}",
        recipients=staff(session),
        params={"round_title": rnd.title, "application_title": app.title, "objection_id": objection.id},
        link=f"/staff/rounds/{rnd.id}/decision",
    )


def objection_resolved(session: Session, objection: Objection) -> None:
    """The objector hears back where the contact they left is an email address."""
    contact = objection.contact.strip()
    if "@" not in contact or " " in contact:
        return
    app = session.get(Application, objection.application_id)
    assert app is not None
    notify(
        session,
        kind=K.OBJECTION_RESOLVED,
        key=f"objection_resolved:o{objection.id}",
        recipients=[Recipient(user_id=None, role=PUBLIC, address=contact)],
        params={
            "application_title": app.title,
            "outcome": objection.status,
            "reason": objection.resolution_reason or "",
        },
    )


# ---- management --------------------------------------------------------------------------------


def rectification_ordered(session: Session, order: Rectification) -> None:
    base = session.get(DesignatedBase, order.base_id)
    assert base is not None
    notify(
        session,
        kind=K.RECTIFICATION_ORDERED,
        key=f"rectification_ordered:r{order.id}",
        recipients=applicants_of(session, base.organisation_id),
        params={"base_name": base.name, "reasons": order.reasons, "deadline": _iso(order.deadline)},
        link=f"/applicant/bases/{base.id}",
    )


def evaluations_assigned(session: Session, evaluations: Iterable[Evaluation]) -> None:
    evs = list(evaluations)
    if not evs:
        return
    session.flush()
    accounts = _expert_users(session, (e.evaluator_id for e in evs if e.evaluator_id is not None))
    for ev in evs:
        uid = accounts.get(ev.evaluator_id) if ev.evaluator_id is not None else None
        base = session.get(DesignatedBase, ev.base_id)
        if uid is None or base is None:
            continue
        notify(
            session,
            kind=K.EVALUATION_ASSIGNED,
            key=f"evaluation_assigned:ev{ev.id}",
            recipients=_users_by_id(session, [uid]),
            params={"base_name": base.name, "year": ev.year, "deadline": _iso(ev.deadline)},
            link=f"/evaluator/evaluations/{ev.id}",
        )


def revocation_decided(session: Session, base: DesignatedBase, reason: str) -> None:
    notify(
        session,
        kind=K.REVOCATION_DECIDED,
        key=f"revocation_decided:b{base.id}:{base.revocation_document_no}",
        recipients=applicants_of(session, base.organisation_id),
        params={"base_name": base.name, "document_no": base.revocation_document_no or "", "reason": reason},
        link=f"/applicant/bases/{base.id}",
    )
