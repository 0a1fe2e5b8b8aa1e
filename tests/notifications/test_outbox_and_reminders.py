"""The outbox in the caller's transaction (unique by key, rolled back with it, email only where wanted)
and the reminders `notify run` computes from the data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.admin.notifications import NoticeKind, Recipient, notify
from scoring.services.admin.notifications.reminders import (
    compute_reminders,
    rectification_offset,
    scoring_offset,
)
from scoring.store.models import (
    Application,
    DesignatedBase,
    Evaluation,
    Expert,
    Panel,
    Rectification,
    Round,
    Sheet,
)
from scoring.store.models.notifications import Delivery, Notification, NotificationPreference

NOW = datetime(2030, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
EXTENDED = {"round_title": "R", "reason": "补交材料"}


def _prefs(session: Session, user_id: int, email: str | None, reminders: bool = True) -> None:
    session.add(
        NotificationPreference(user_id=user_id, email=email, locale="zh_CN", reminder_emails=reminders)
    )
    session.flush()


def _mine(session: Session, user_id: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.recipient_id == user_id).order_by(Notification.id)
        )
    )


def _deliveries(session: Session, note_ids: list[int]) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Delivery.channel, Delivery.address).where(Delivery.notification_id.in_(note_ids))
    )
    return sorted((c, a) for c, a in rows)


def test_a_message_is_written_once_per_recipient_and_key(
    session: Session, make_person: Callable[..., Any]
) -> None:
    a, b = make_person("expert"), make_person("expert")
    recipients = [Recipient(a.user.id, "expert"), Recipient(b.user.id, "expert")]
    first = notify(
        session, kind=NoticeKind.DEADLINE_EXTENDED, key="k1", recipients=recipients, params=EXTENDED
    )
    again = notify(
        session, kind=NoticeKind.DEADLINE_EXTENDED, key="k1", recipients=recipients, params=EXTENDED
    )
    assert len(first) == 2 and again == []
    assert [n.key for n in _mine(session, a.user.id)] == [f"k1:u{a.user.id}"]


def test_a_rolled_back_change_sends_nothing(session: Session, make_person: Callable[..., Any]) -> None:
    p = make_person("expert")
    _prefs(session, p.user.id, "p@example.cn")
    with pytest.raises(RuntimeError), session.begin_nested():
        notify(
            session,
            kind=NoticeKind.DEADLINE_EXTENDED,
            key="rb",
            recipients=[Recipient(p.user.id, "expert")],
            params=EXTENDED,
        )
        raise RuntimeError("the state change fails after queueing")
    assert _mine(session, p.user.id) == []
    assert session.scalar(select(Delivery.id).where(Delivery.address == "p@example.cn")) is None


def test_email_goes_only_to_those_with_an_address_and_reminders_only_to_those_who_want_them(
    session: Session, make_person: Callable[..., Any]
) -> None:
    plain, mailed, quiet = make_person("expert"), make_person("expert"), make_person("expert")
    _prefs(session, mailed.user.id, "m@example.cn")
    _prefs(session, quiet.user.id, "q@example.cn", reminders=False)
    people = [Recipient(x.user.id, "expert") for x in (plain, mailed, quiet)]
    decision = notify(session, kind=NoticeKind.DEADLINE_EXTENDED, key="d", recipients=people, params=EXTENDED)
    reminder = notify(
        session, kind=NoticeKind.SCORING_DUE_1D, key="r", recipients=people,
        params={"round_title": "R", "open_sheets": 1, "deadline": "2030-03-11T00:00:00+00:00"},
    )  # fmt: skip
    assert len(decision) == len(reminder) == 3  # everyone's inbox, with or without an address
    assert _deliveries(session, decision) == [("email", "m@example.cn"), ("email", "q@example.cn")]
    assert _deliveries(session, reminder) == [("email", "m@example.cn")]


def test_a_recipient_of_the_wrong_role_is_refused(
    session: Session, make_org: Callable[..., Any], make_person: Callable[..., Any]
) -> None:
    p = make_person("applicant", org=make_org())
    with pytest.raises(ValueError, match="deadline_extended is not sent to applicant"):
        notify(
            session,
            kind=NoticeKind.DEADLINE_EXTENDED,
            key="x",
            recipients=[Recipient(p.user.id, "applicant")],
            params=EXTENDED,
        )


@pytest.mark.parametrize(
    ("left", "kind"),
    [
        (timedelta(days=3, seconds=1), None),
        (timedelta(days=3), NoticeKind.SCORING_DUE_3D),
        (timedelta(days=1, seconds=1), NoticeKind.SCORING_DUE_3D),
        (timedelta(days=1), NoticeKind.SCORING_DUE_1D),
        (timedelta(seconds=1), NoticeKind.SCORING_DUE_1D),
        (timedelta(0), None),
    ],
)
def test_the_scoring_reminder_due_at_each_distance_from_the_deadline(
    left: timedelta, kind: NoticeKind | None
) -> None:
    assert scoring_offset(NOW + left, NOW) is kind


@pytest.mark.parametrize(
    ("days", "kind"),
    [(31, None), (30, NoticeKind.RECTIFICATION_DUE_30D), (8, NoticeKind.RECTIFICATION_DUE_30D),
     (7, NoticeKind.RECTIFICATION_DUE_7D), (0, NoticeKind.RECTIFICATION_DUE_7D), (-1, None)],
)  # fmt: skip
def test_the_rectification_reminder_due_at_each_distance(days: int, kind: NoticeKind | None) -> None:
    today = date(2030, 3, 10)
    assert rectification_offset(today + timedelta(days=days), today) is kind


def _review(
    session: Session, make_org: Callable[..., Any], make_person: Callable[..., Any], deadline: datetime
) -> dict[str, Any]:
    orgs = [make_org(), make_org()]
    org = orgs[0]
    rnd = Round(year=2030, title="2030年度评选", status="reviewing", kinds=["enterprise"], rubric_versions={},
                references={}, quotas={}, scoring_deadline=deadline)  # fmt: skip
    session.add(rnd)
    session.flush()
    panel = Panel(round_id=rnd.id, kind="enterprise", size=5, reserves=0, seed=1, result={})
    session.add(panel)
    people = [make_person("expert") for _ in range(3)]
    experts = [Expert(user_id=p.user.id, name=p.username) for p in people]
    session.add_all(experts)
    apps = [
        Application(round_id=rnd.id, kind="enterprise", organisation_id=orgs[i].id, title=f"申报{i}")
        for i in range(2)
    ]
    session.add_all(apps)
    session.flush()
    # expert 0: two open sheets; expert 1: one open, one submitted; expert 2: all submitted or declined.
    plan = [
        (0, 0, "draft"),
        (0, 1, "assigned"),
        (1, 0, "draft"),
        (1, 1, "submitted"),
        (2, 0, "submitted"),
        (2, 1, "declined"),
    ]
    session.add_all(
        Sheet(panel_id=panel.id, application_id=apps[a].id, expert_id=experts[e].id, status=s)
        for e, a, s in plan
    )
    session.flush()
    return {"round": rnd, "people": people, "org": org}


def test_scoring_reminders_go_to_experts_with_open_sheets_once_per_deadline(
    session: Session, make_org: Callable[..., Any], make_person: Callable[..., Any]
) -> None:
    world = _review(session, make_org, make_person, NOW + timedelta(days=2))
    assert compute_reminders(session, now=NOW) == 2
    assert compute_reminders(session, now=NOW + timedelta(hours=6)) == 0  # idempotent
    p0, p1, p2 = world["people"]
    [n0] = _mine(session, p0.user.id)
    [n1] = _mine(session, p1.user.id)
    assert _mine(session, p2.user.id) == []
    assert (n0.kind, n0.params["open_sheets"], n0.link) == ("scoring_due_3d", 2, "/expert")
    assert (n1.kind, n1.params["open_sheets"]) == ("scoring_due_3d", 1)
    # Inside the last day the 1-day reminder follows; an extended deadline starts over.
    assert compute_reminders(session, now=NOW + timedelta(days=1, hours=1)) == 2
    world["round"].scoring_deadline = NOW + timedelta(days=3)
    session.flush()
    assert compute_reminders(session, now=NOW + timedelta(days=1, hours=1)) == 2
    kinds = [n.kind for n in _mine(session, p0.user.id)]
    assert kinds == ["scoring_due_3d", "scoring_due_1d", "scoring_due_3d"]


def test_rectification_reminders_at_30_and_7_days(
    session: Session, make_org: Callable[..., Any], make_person: Callable[..., Any]
) -> None:
    world = _review(session, make_org, make_person, NOW + timedelta(days=20))
    owner = make_person("applicant", org=world["org"])
    app_id = session.scalar(select(Application.id).where(Application.round_id == world["round"].id).limit(1))
    base = DesignatedBase(
        application_id=app_id, round_id=world["round"].id, organisation_id=world["org"].id, kind="enterprise",
        name="测试基地", status="rectifying", designated_on=date(2029, 1, 1), document_no="X",
    )  # fmt: skip
    session.add(base)
    session.flush()
    ev = Evaluation(base_id=base.id, rubric_version="v", year=2029)
    session.add(ev)
    session.flush()
    order = Rectification(base_id=base.id, evaluation_id=ev.id, reasons="整改", deadline=date(2030, 4, 9))
    session.add(order)
    session.flush()
    assert compute_reminders(session, now=NOW) == 1  # 30 days before 9 April (Beijing date 10 March)
    assert compute_reminders(session, now=NOW + timedelta(days=10)) == 0
    assert compute_reminders(session, now=NOW + timedelta(days=23)) == 1  # 7 days before
    notes = _mine(session, owner.user.id)
    assert [(n.kind, n.params, n.link) for n in notes] == [
        (
            "rectification_due_30d",
            {"base_name": "测试基地", "deadline": "2030-04-09"},
            f"/applicant/bases/{base.id}",
        ),
        (
            "rectification_due_7d",
            {"base_name": "测试基地", "deadline": "2030-04-09"},
            f"/applicant/bases/{base.id}",
        ),
    ]
