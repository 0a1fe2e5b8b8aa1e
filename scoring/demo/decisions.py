"""Demo stage: decision, approval, four-eyes publication with one objection, and the published list.

The demo round is the 2023 round, so its history is backdated: the government approved the list on
12 October 2023, a second staff member confirmed it on 16 October (the 公示 ran five working days), a
member of the public objected during the notice, staff dismissed the objection with a reason, and the
list was published on 30 October 2023. The services run with those dates; the timestamps they stamp
with the clock (deadlines, submissions, sheets) are then shifted by the same offset, and that shift is
itself recorded in the audit trail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.demo.people import DemoPeople
from scoring.services.designation.rounds import CHINA_TZ, RoundTransitionIn, transition_round
from scoring.services.review import ranking as ranking_service
from scoring.services.review.decisions import ApprovalIn, DecisionIn, decide, record_approval
from scoring.services.review.publication import (
    ObjectionIn,
    PublicationIn,
    ResolutionIn,
    file_objection,
    publication_action,
    resolve_objection,
)
from scoring.settings import Settings
from scoring.store import audit
from scoring.store.models import (
    Application,
    Attachment,
    BaseEvent,
    DesignatedBase,
    Objection,
    Panel,
    Round,
    Sheet,
)

APPROVAL_DOCUMENT = "石政字〔2023〕58号"
CONFIRMED_ON = date(2023, 10, 16)  # a Monday; five working days of 公示 end on 23 October
PUBLISHED_ON = date(2023, 10, 30)
TIE_REASON = (
    "两家申报单位最终得分并列,均通过全部门槛;经市发展改革委主任办公会研究,"
    "鉴于鹿泉区双创载体孵化成效更为突出,按程序报请市政府同意后列入名单。"
)
OBJECTION_TEXT = "该单位申报材料中“孵化企业数量”与我们了解的实际情况不符,请予核查。"
DISMISS_REASON = "经核查,该单位提供的孵化企业名册与市场监管部门登记信息一致,所反映问题不属实,异议不成立。"


def seed_decisions(session: Session, people: DemoPeople, settings: Settings) -> None:
    staff, second = people.actor("staff"), people.actor("staff2")
    rnd = session.scalars(select(Round).order_by(Round.id.desc())).first()
    if rnd is None:
        return
    transition_round(session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="start_deciding"))
    for kind in rnd.kinds:
        ranking = ranking_service.compute_ranking(session, rnd, kind)
        designate = list(ranking.proposed_ids)
        reason = None
        if ranking.tied_ids:
            # The tie straddles the quota line: staff take the first of the tied pair, with a reason.
            designate = [i for i in designate if i not in ranking.tied_ids] + [ranking.tied_ids[0]]
            reason = TIE_REASON
        decide(
            session,
            actor=staff,
            round_id=rnd.id,
            data=DecisionIn(kind=kind, designate=designate, reason=reason),
        )

    confirmed_on = CONFIRMED_ON
    record_approval(
        session,
        actor=staff,
        round_id=rnd.id,
        data=ApprovalIn(document_no=APPROVAL_DOCUMENT, approved_on=confirmed_on - timedelta(days=2)),
        today=confirmed_on - timedelta(days=2),
    )
    publication_action(session, actor=staff, round_id=rnd.id, data=PublicationIn(action="propose"))
    publication_action(
        session, actor=second, round_id=rnd.id, data=PublicationIn(action="confirm"), today=confirmed_on
    )
    target = session.scalars(
        select(Application)
        .where(Application.round_id == rnd.id, Application.status == "shortlisted")
        .order_by(Application.id)
    ).first()
    if target is not None:
        objection = file_objection(
            session,
            data=ObjectionIn(
                round_id=rnd.id,
                application_id=target.id,
                name="王先生",
                contact="0311-8xxxxxxx",
                text=OBJECTION_TEXT,
            ),
            today=confirmed_on + timedelta(days=1),
        )
        resolve_objection(
            session,
            actor=staff,
            objection_id=objection.id,
            data=ResolutionIn(decision="dismiss", reason=DISMISS_REASON),
        )
    publication_action(
        session, actor=second, round_id=rnd.id, data=PublicationIn(action="finalize"), today=PUBLISHED_ON
    )
    _backdate(session, rnd)


def _cst(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=CHINA_TZ)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite: naive UTC


def _shift(rows: list[tuple[object, str]], start: datetime) -> None:
    """Move one stage's times so the earliest falls on `start`, keeping their order and spacing."""
    values = [(row, name, getattr(row, name)) for row, name in rows if getattr(row, name) is not None]
    if not values:
        return
    delta = start - min(_aware(v) for _, _, v in values)
    for row, name, value in values:
        setattr(row, name, _aware(value) + delta)


def _backdate(session: Session, rnd: Round) -> None:
    """Put the clock-stamped times of the round on its 2023 calendar, stage by stage."""
    apps = list(session.scalars(select(Application).where(Application.round_id == rnd.id)))
    app_ids = [a.id for a in apps]
    attachments = list(session.scalars(select(Attachment).where(Attachment.application_id.in_(app_ids))))
    sheets = list(session.scalars(select(Sheet).where(Sheet.application_id.in_(app_ids))))
    panels = list(session.scalars(select(Panel).where(Panel.round_id == rnd.id)))
    objections = list(session.scalars(select(Objection).where(Objection.round_id == rnd.id)))
    bases = list(session.scalars(select(DesignatedBase).where(DesignatedBase.round_id == rnd.id)))
    events = list(
        session.scalars(
            select(BaseEvent)
            .join(DesignatedBase, DesignatedBase.id == BaseEvent.base_id)
            .where(DesignatedBase.round_id == rnd.id)
        )
    )
    rnd.application_deadline = _cst(date(2023, 8, 31), 17)
    rnd.recommendation_deadline = _cst(date(2023, 9, 15), 17)
    rnd.scoring_deadline = _cst(date(2023, 10, 8), 17)
    stages: list[tuple[list[tuple[object, str]], datetime]] = [
        ([(rnd, "created_at")], _cst(date(2023, 7, 3))),
        (
            [(a, f) for a in apps for f in ("created_at", "submitted_at")]
            + [(x, "uploaded_at") for x in attachments],
            _cst(date(2023, 8, 14)),
        ),
        ([(a, "recommended_at") for a in apps], _cst(date(2023, 9, 11))),
        ([(a, "checked_at") for a in apps], _cst(date(2023, 9, 19))),
        (
            [(p, "drawn_at") for p in panels] + [(x, "created_at") for x in sheets],
            _cst(date(2023, 9, 25)),
        ),
        (
            [(x, f) for x in sheets for f in ("declared_at", "saved_at", "submitted_at")],
            _cst(date(2023, 9, 26)),
        ),
        ([(rnd, "publication_proposed_at")], _cst(date(2023, 10, 13), 16)),
        ([(o, "created_at") for o in objections], _cst(date(2023, 10, 17), 10)),
        ([(o, "resolved_at") for o in objections], _cst(date(2023, 10, 20), 15)),
        (
            [(rnd, "published_at")]
            + [(a, "updated_at") for a in apps]
            + [(b, "created_at") for b in bases]
            + [(e, "at") for e in events],
            _cst(PUBLISHED_ON, 10),
        ),
    ]
    for rows, start in stages:
        _shift(rows, start)
    session.flush()
    audit.record(
        session,
        actor=SYSTEM,
        action="demo.backdate",
        entity="round",
        entity_id=rnd.id,
        before=None,
        after={"published_on": PUBLISHED_ON},
        reason="Demo data: the 2023 round's clock-stamped times moved to its 2023 calendar.",
    )
