"""Reminders computed from the data by `notify run`: scoring deadlines (3 and 1 days) and
rectification deadlines (30 and 7 days). Idempotent: each reminder's key names its deadline, so a
rerun (or a second runner) adds nothing, and an extended deadline earns fresh reminders."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.admin.notifications.events import applicants_of
from scoring.services.admin.notifications.kinds import NoticeKind
from scoring.services.admin.notifications.outbox import notify, users
from scoring.store.models import DesignatedBase, Expert, Panel, Rectification, Round, Sheet, User

CHINA_TZ = ZoneInfo("Asia/Shanghai")
SCORING_OFFSETS = ((1, NoticeKind.SCORING_DUE_1D), (3, NoticeKind.SCORING_DUE_3D))
RECTIFICATION_OFFSETS = ((7, NoticeKind.RECTIFICATION_DUE_7D), (30, NoticeKind.RECTIFICATION_DUE_30D))


def scoring_offset(deadline: datetime, now: datetime) -> NoticeKind | None:
    """The one reminder due now: the 1-day one inside the last day, else the 3-day one inside 3 days."""
    left = deadline - now
    if left <= timedelta(0):
        return None
    for days, kind in SCORING_OFFSETS:
        if left <= timedelta(days=days):
            return kind
    return None


def rectification_offset(deadline: date, today: date) -> NoticeKind | None:
    left = (deadline - today).days
    if left < 0:
        return None
    for days, kind in RECTIFICATION_OFFSETS:
        if left <= days:
            return kind
    return None


def scoring_reminders(session: Session, *, now: datetime) -> int:
    """One message per expert and round with sheets not yet submitted."""
    rows = session.execute(
        select(Round.id, Round.title, Round.scoring_deadline, Expert.user_id, Sheet.id)
        .join(Panel, Panel.round_id == Round.id)
        .join(Sheet, Sheet.panel_id == Panel.id)
        .join(Expert, Expert.id == Sheet.expert_id)
        .where(
            Round.status == "reviewing",
            Round.scoring_deadline.is_not(None),
            Round.scoring_deadline > now,
            Round.scoring_deadline <= now + timedelta(days=3),
            Sheet.status.in_(("assigned", "draft")),
            Expert.user_id.is_not(None),
        )
    )
    open_sheets: dict[tuple[int, str, datetime, int], int] = defaultdict(int)
    for rid, title, deadline, uid, _sid in rows:
        if deadline is not None and uid is not None:  # the query keeps only these; for the type checker
            open_sheets[(rid, title, deadline, uid)] += 1
    written = 0
    for (rid, title, deadline, uid), count in sorted(open_sheets.items()):
        kind = scoring_offset(deadline, now)
        if kind is None:
            continue
        written += len(
            notify(
                session,
                kind=kind,
                key=f"{kind.value}:r{rid}:{deadline.isoformat()}",
                recipients=users(session, User.id == uid),
                params={"round_title": title, "open_sheets": count, "deadline": deadline.isoformat()},
                link="/expert",
            )
        )
    return written


def rectification_reminders(session: Session, *, today: date) -> int:
    rows = session.execute(
        select(Rectification, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Rectification.base_id)
        .where(
            Rectification.status == "open",
            DesignatedBase.status == "rectifying",
            Rectification.deadline >= today,
            Rectification.deadline <= today + timedelta(days=30),
        )
        .order_by(Rectification.id)
    ).all()
    written = 0
    for order, base in rows:
        kind = rectification_offset(order.deadline, today)
        if kind is None:
            continue
        written += len(
            notify(
                session,
                kind=kind,
                key=f"{kind.value}:rect{order.id}:{order.deadline.isoformat()}",
                recipients=applicants_of(session, base.organisation_id),
                params={"base_name": base.name, "deadline": order.deadline.isoformat()},
                link=f"/applicant/bases/{base.id}",
            )
        )
    return written


def compute_reminders(session: Session, *, now: datetime) -> int:
    """Queue every reminder due at `now`; returns how many messages were written now."""
    today = now.astimezone(CHINA_TZ).date()
    return scoring_reminders(session, now=now) + rectification_reminders(session, today=today)
