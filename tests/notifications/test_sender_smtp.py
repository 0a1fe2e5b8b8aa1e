"""The sender against a real SMTP server (aiosmtpd): what arrives, retries with backoff when the server
refuses, a restarted sender that resumes without duplicates, and two senders at once."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

from sqlalchemy import select, update

from scoring.services.admin.notifications import NoticeKind, Recipient, notify
from scoring.services.admin.notifications.sender import LEASE, backoff, claim, deliver_due
from scoring.settings import Settings
from scoring.store.db import unit_of_work
from scoring.store.models.notifications import Delivery, Notification
from tests.notifications.conftest import Committed, Mailbox, mail_settings

ASSIGNED = {"round_title": "2026年度双创示范基地评选", "base_kind": "enterprise", "sheets": 3,
            "deadline": "2026-12-20T10:00:00+00:00"}  # fmt: skip


def _assign(c: Committed, user_ids: list[int], key: str = "t:assign") -> list[int]:
    with unit_of_work(c.factory) as s:
        return notify(
            s,
            kind=NoticeKind.PANEL_ASSIGNED,
            key=key,
            recipients=[Recipient(user_id=u, role="expert") for u in user_ids],
            params=ASSIGNED,
            link="/expert",
        )


def _deliveries(c: Committed, note_ids: list[int]) -> list[Delivery]:
    with c.factory() as s:
        return list(
            s.scalars(select(Delivery).where(Delivery.notification_id.in_(note_ids)).order_by(Delivery.id))
        )


def test_an_email_arrives_with_its_headers_an_encoded_chinese_subject_the_body_and_the_link(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    uid = committed.user("expert", email="li.ming@example.cn")
    ids = _assign(committed, [uid])
    report = deliver_due(committed.factory, settings=mail_settings(settings, port))
    assert report.as_dict() == {"sent": 1, "logged": 0, "retrying": 0, "failed": 0}
    [mail] = box.messages
    assert box.envelopes == [("noreply@sjzdrc.example.cn", ["li.ming@example.cn"])]
    assert mail["To"] == "li.ming@example.cn"
    assert mail["From"].addresses[0].addr_spec == "noreply@sjzdrc.example.cn"
    assert mail["Subject"] == "【双创评审】您已被抽选为2026年度双创示范基地评选评审专家"
    with committed.factory() as s:
        key = s.scalar(select(Notification.key).where(Notification.id == ids[0]))
    assert mail["X-Shuangchuang-Key"] == key
    assert mail["Message-ID"].endswith("@sjzdrc.example.cn>")
    body = mail.get_body(("plain",)).get_content()
    assert "共分配评分表 3 份" in body
    assert "评分截止时间：2026-12-20 18:00" in body  # 10:00 UTC in Beijing time
    assert "进入评分：https://sc.example.cn/expert" in body
    [row] = _deliveries(committed, ids)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None


def test_the_subject_on_the_wire_is_rfc2047_encoded_utf8_and_headers_are_7_bit(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    uid = committed.user("expert", email="wire@example.cn")
    _assign(committed, [uid])
    deliver_due(committed.factory, settings=mail_settings(settings, port))
    [wire] = box.raw
    head = wire.split(b"\r\n\r\n")[0] if b"\r\n\r\n" in wire else wire.split(b"\n\n")[0]
    assert all(b < 128 for b in head)
    raw_subject = email.message_from_bytes(wire, policy=email.policy.compat32)["Subject"]
    assert raw_subject.lower().startswith("=?utf-8?")
    assert (
        str(make_header(decode_header(raw_subject)))
        == "【双创评审】您已被抽选为2026年度双创示范基地评选评审专家"
    )


def test_an_english_recipient_gets_the_english_template(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    uid = committed.user("expert", email="ann@example.org", locale="en")
    _assign(committed, [uid])
    deliver_due(committed.factory, settings=mail_settings(settings, port))
    [mail] = box.messages
    assert (
        mail["Subject"]
        == "[Shuangchuang review] You have been drawn for the panel of 2026年度双创示范基地评选"
    )
    assert "Scoring deadline: 2026-12-20 18:00" in mail.get_body(("plain",)).get_content()


def test_a_refusing_server_leaves_the_message_queued_and_retried_with_backoff_then_failed(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    box.fail = True
    uid = committed.user("expert", email="wang@example.cn")
    ids = _assign(committed, [uid])
    cfg = mail_settings(settings, port, notify_max_attempts=3)
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    clock = [t0]

    def now() -> datetime:
        return clock[0]

    first = deliver_due(committed.factory, settings=cfg, now=now)
    assert first.as_dict() == {"sent": 0, "logged": 0, "retrying": 1, "failed": 0}
    [row] = _deliveries(committed, ids)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == t0 + timedelta(minutes=1)
    assert "451" in (row.last_error or "")
    # Not due yet: nothing is tried.
    assert deliver_due(committed.factory, settings=cfg, now=now).as_dict()["retrying"] == 0
    clock[0] = t0 + timedelta(minutes=1)
    assert deliver_due(committed.factory, settings=cfg, now=now).as_dict()["retrying"] == 1
    [row] = _deliveries(committed, ids)
    assert (row.status, row.attempts, row.next_attempt_at) == ("queued", 2, clock[0] + timedelta(minutes=2))
    clock[0] += timedelta(minutes=2)
    last = deliver_due(committed.factory, settings=cfg, now=now)
    assert last.as_dict() == {"sent": 0, "logged": 0, "retrying": 0, "failed": 1}
    [row] = _deliveries(committed, ids)
    assert (row.status, row.attempts) == ("failed", 3)
    assert box.messages == []
    # The inbox still has it.
    with committed.factory() as s:
        assert s.scalar(select(Notification.read_at).where(Notification.id == ids[0])) is None


def test_the_server_recovering_delivers_the_queued_message_once(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    box.fail = True
    uid = committed.user("expert", email="zhao@example.cn")
    ids = _assign(committed, [uid])
    cfg = mail_settings(settings, port)
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    deliver_due(committed.factory, settings=cfg, now=lambda: t0)
    box.fail = False
    later = t0 + backoff(1)
    assert deliver_due(committed.factory, settings=cfg, now=lambda: later).sent == 1
    assert deliver_due(committed.factory, settings=cfg, now=lambda: later + timedelta(days=1)).sent == 0
    assert len(box.to("zhao@example.cn")) == 1
    assert [(d.status, d.attempts) for d in _deliveries(committed, ids)] == [("sent", 2)]


def test_a_sender_that_died_mid_send_is_resumed_after_its_lease_without_duplicates(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    uids = [committed.user("expert", email=f"e{i}@example.cn") for i in range(3)]
    ids = _assign(committed, uids)
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    # A sender claims two messages, then dies before sending them.
    with unit_of_work(committed.factory) as s:
        died = claim(s, now=t0, limit=2)
    assert len(died) == 2
    cfg = mail_settings(settings, port)
    # A restarted sender during the lease sends only the unclaimed one …
    assert deliver_due(committed.factory, settings=cfg, now=lambda: t0 + timedelta(minutes=1)).sent == 1
    # … and the others once the lease has run out.
    after = t0 + LEASE + timedelta(seconds=1)
    assert deliver_due(committed.factory, settings=cfg, now=lambda: after).sent == 2
    assert deliver_due(committed.factory, settings=cfg, now=lambda: after + timedelta(hours=1)).sent == 0
    assert sorted(m["To"] for m in box.messages) == ["e0@example.cn", "e1@example.cn", "e2@example.cn"]
    # The old holder cannot mark a row it no longer holds.
    with unit_of_work(committed.factory) as s:
        s.execute(
            update(Delivery)
            .where(Delivery.id == died[0][0], Delivery.attempts == died[0][1], Delivery.status == "sending")
            .values(status="failed")
        )
    assert {d.status for d in _deliveries(committed, ids)} == {"sent"}


def test_two_senders_at_once_send_each_message_exactly_once(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    uids = [committed.user("expert", email=f"pair{i}@example.cn") for i in range(12)]
    ids = _assign(committed, uids, key="t:pair")
    cfg = mail_settings(settings, port)
    start = threading.Barrier(2)
    reports: list[dict[str, int]] = []

    def sender() -> None:
        start.wait()
        reports.append(deliver_due(committed.factory, settings=cfg, limit=3).as_dict())
        while True:  # keep going until the queue is empty, as a timer would
            r = deliver_due(committed.factory, settings=cfg, limit=3).as_dict()
            reports.append(r)
            if r["sent"] == 0:
                break

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r["sent"] for r in reports) == 12
    received = sorted(m["To"] for m in box.messages)
    assert received == sorted(f"pair{i}@example.cn" for i in range(12))
    assert len({m["Message-ID"] for m in box.messages}) == 12
    assert {(d.status, d.attempts) for d in _deliveries(committed, ids)} == {("sent", 1)}


def test_email_turned_off_logs_the_message_and_keeps_the_inbox(
    committed: Committed, settings: Settings, caplog: object
) -> None:
    uid = committed.user("expert", email="off@example.cn")
    ids = _assign(committed, [uid])
    off = settings.model_copy(update={"email_enabled": False})
    report = deliver_due(committed.factory, settings=off)
    assert report.as_dict() == {"sent": 0, "logged": 1, "retrying": 0, "failed": 0}
    assert [d.status for d in _deliveries(committed, ids)] == ["logged"]


def test_a_template_that_cannot_render_fails_its_delivery_with_the_reason_and_loses_nothing(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    uid = committed.user("expert", email="broken@example.cn")
    ids = _assign(committed, [uid])
    with unit_of_work(committed.factory) as s:  # a message whose parameters no longer fit its template
        s.execute(update(Notification).where(Notification.id == ids[0]).values(params={"round_title": "x"}))
    report = deliver_due(committed.factory, settings=mail_settings(settings, port))
    assert report.failed == 1
    [row] = _deliveries(committed, ids)
    assert row.status == "failed"
    assert row.last_error is not None and row.last_error.startswith("template: panel_assigned (zh_CN)")
    assert "'base_kind' is undefined" in row.last_error
    assert box.messages == []
