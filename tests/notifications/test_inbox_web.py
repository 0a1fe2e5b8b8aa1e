"""The inbox through the API and the pages: own messages only, in the caller's language, the unread
count in the header, mark as read, preferences, and the staff outbox and template previews."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.admin.notifications import NoticeKind, Recipient, notify
from scoring.store.models import AuditEvent
from scoring.store.models.notifications import Delivery
from tests.web.conftest import csrf_of, web_login

PARAMS = {"round_title": "2026年度评选", "reason": "补交材料"}


def _extended(session: Session, user_id: int, key: str = "ext") -> int:
    [nid] = notify(
        session, kind=NoticeKind.DEADLINE_EXTENDED, key=key, recipients=[Recipient(user_id, "expert")],
        params=PARAMS, link="/expert/sheets/9",
    )  # fmt: skip
    session.flush()
    return nid


def test_the_api_inbox_shows_own_messages_in_the_callers_language(
    client: TestClient, session: Session, make_person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    me, other = make_person("expert"), make_person("expert")
    nid = _extended(session, me.user.id)
    headers = login(me)
    zh = client.get("/api/v1/inbox", headers=headers).json()
    assert zh["unread"] == 1
    [item] = zh["items"]
    assert (item["id"], item["kind"], item["read"], item["link"]) == (
        nid,
        "deadline_extended",
        False,
        "/expert/sheets/9",
    )
    assert item["subject"] == "【双创评审】评分期限已延长：2026年度评选"
    en = client.get("/api/v1/inbox", headers={**headers, "Accept-Language": "en"}).json()
    assert en["items"][0]["subject"] == "[Shuangchuang review] Scoring deadline extended: 2026年度评选"
    assert en["items"][0]["body"] == (
        'The city DRC has extended your scoring deadline for "2026年度评选" '
        "(or reopened one of your score sheets); please finish scoring by the new deadline.\n"
        "Reason: 补交材料"
    )
    assert client.get("/api/v1/inbox", headers=login(other)).json() == {"unread": 0, "items": []}


def test_marking_read_is_for_the_recipient_only(
    client: TestClient, session: Session, make_person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    me, other = make_person("expert"), make_person("county", district="长安区")
    nid = _extended(session, me.user.id)
    assert client.post(f"/api/v1/inbox/{nid}/read", headers=login(other)).status_code == 404
    mine = login(me)
    assert client.get("/api/v1/inbox/unread", headers=mine).json() == {"unread": 1}
    assert client.post(f"/api/v1/inbox/{nid}/read", headers=mine).json() == {"marked": 1}
    assert client.post(f"/api/v1/inbox/{nid}/read", headers=mine).json() == {"marked": 0}
    assert client.get("/api/v1/inbox/unread", headers=mine).json() == {"unread": 0}
    assert client.get("/api/v1/inbox", headers=mine).json()["items"][0]["read"] is True


def test_preferences_are_validated_saved_and_audited(
    client: TestClient, session: Session, make_person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    me = make_person("expert")
    headers = login(me)
    bad = client.put("/api/v1/inbox/preferences", headers=headers, json={"email": "not an address"})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {"email": "必须是电子邮箱地址"}
    ok = client.put(
        "/api/v1/inbox/preferences", headers=headers,
        json={"email": "me@example.cn", "locale": "en", "reminder_emails": False},
    )  # fmt: skip
    assert ok.status_code == 200
    assert ok.json() == {
        "email": "me@example.cn", "locale": "en", "reminder_emails": False,
        "note": "发给您的决定类通知始终发送；只有提醒邮件可以关闭。",
    }  # fmt: skip
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "notifications.preferences")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.entity_id == str(me.user.id)
    assert event.after == {"email": "me@example.cn", "locale": "en", "reminder_emails": False}


def test_staff_list_and_preview_the_templates_others_cannot(
    client: TestClient, make_person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    staff, expert = make_person("staff"), make_person("expert")
    listed = client.get("/api/v1/notifications/templates", headers=login(staff)).json()
    assert [t["kind"] for t in listed] == [k.value for k in NoticeKind]
    assert listed[0] == {
        "kind": "panel_assigned", "title": "抽选为评审专家", "roles": ["expert"],
        "params": ["round_title", "base_kind", "sheets", "deadline"], "reminder": False,
    }  # fmt: skip
    shown = client.get(
        "/api/v1/notifications/templates/scoring_due_1d?locale=en", headers=login(staff)
    ).json()
    assert (
        shown["subject"]
        == "[Shuangchuang review] Scoring closes in 1 day: 2026年度石家庄市“双创”示范基地评选"
    )
    assert shown["error"] is None and "{% block subject %}" in shown["source"]
    assert client.get("/api/v1/notifications/templates", headers=login(expert)).status_code == 403
    assert client.get("/api/v1/notifications/templates/nope", headers=login(staff)).status_code == 404


def test_the_header_counts_unread_messages_and_opening_one_marks_it_read(
    app: Any, session: Session, make_person: Callable[..., Any]
) -> None:
    me = make_person("expert")
    nid = _extended(session, me.user.id)
    _extended(session, me.user.id, key="ext2")
    with TestClient(app) as page:
        web_login(page, me.username)
        home = page.get("/inbox")
        assert '<span class="badge warn unread-count" aria-label="2 条未读">2</span>' in home.text
        assert home.text.count("【双创评审】评分期限已延长：2026年度评选") == 2
        token = csrf_of(home.text)
        opened = page.post(f"/inbox/{nid}/read", data={"csrf_token": token, "next": "/expert/sheets/9"},
                           follow_redirects=False)  # fmt: skip
        assert (opened.status_code, opened.headers["location"]) == (303, "/expert/sheets/9")
        evil = page.post(f"/inbox/{nid}/read", data={"csrf_token": token, "next": "//evil.example/x"},
                         follow_redirects=False)  # fmt: skip
        assert evil.headers["location"] == "/inbox"
        assert 'aria-label="1 条未读">1</span>' in page.get("/inbox").text
        page.post("/inbox/read", data={"csrf_token": token})
        assert "unread-count" not in page.get("/inbox").text
        assert page.post(f"/inbox/{nid}/read", data={"csrf_token": "wrong"}).status_code == 403


def test_the_preferences_page_names_an_invalid_address(app: Any, make_person: Callable[..., Any]) -> None:
    me = make_person("county", district="长安区")
    with TestClient(app) as page:
        web_login(page, me.username)
        form = page.get("/inbox/preferences")
        resp = page.post(
            "/inbox/preferences", data={"csrf_token": csrf_of(form.text), "email": "x@", "locale": "zh_CN"}
        )
        assert resp.status_code == 422
        assert '<p class="field-error">必须是电子邮箱地址</p>' in resp.text
        saved = page.post(
            "/inbox/preferences",
            data={
                "csrf_token": csrf_of(form.text),
                "email": "c@example.cn",
                "locale": "en",
                "reminder_emails": "on",
            },
        )
        assert saved.status_code == 200 and 'value="c@example.cn"' in saved.text and "已保存。" in saved.text


def test_the_staff_outbox_page_shows_a_failed_delivery_with_its_reason_and_retries_it(
    app: Any, session: Session, make_person: Callable[..., Any]
) -> None:
    staff, expert = make_person("staff"), make_person("expert")
    nid = _extended(session, expert.user.id)
    row = Delivery(notification_id=nid, channel="email", address="x@example.cn", status="failed", attempts=6,
                   last_error="SMTPRecipientsRefused: 550 no such user")  # fmt: skip
    session.add(row)
    session.flush()
    with TestClient(app) as page:
        web_login(page, staff.username)
        shown = page.get("/staff/notifications")
        assert f'<tr data-delivery="{row.id}">' in shown.text
        assert "SMTPRecipientsRefused: 550 no such user" in shown.text
        # the kind and the status in words, not their codes
        assert f'<tr data-delivery="{row.id}"><td>{row.id}</td><td>评分期限延长</td>' in shown.text
        assert "<td>发送失败</td>" in shown.text
        assert '<span class="badge" data-status="failed">发送失败：1</span>' in shown.text
        assert ">deadline_extended<" not in shown.text and ">failed<" not in shown.text
        assert '<tr data-template="deadline_extended"><td>评分期限延长</td><td>评审专家</td>' in shown.text
        assert '<tr data-template="revocation_decided">' in shown.text
        page.post(f"/staff/notifications/deliveries/{row.id}/retry", data={"csrf_token": csrf_of(shown.text)})
        session.refresh(row)
        assert (row.status, row.attempts) == ("queued", 0)
        preview = page.get("/staff/notifications/templates/formal_check_result?locale=zh_CN")
        assert "【双创申报】形式审查通过：某某科技有限公司企业“双创”示范基地" in preview.text
        assert "<h1>消息模板：形式审查结果</h1>" in preview.text
        assert "formal_check_result</code>" not in preview.text


def test_a_template_that_fails_is_reported_to_staff_and_the_change_goes_ahead(
    app: Any, session: Session, make_person: Callable[..., Any]
) -> None:
    staff, expert = make_person("staff"), make_person("expert")
    bad = {"round_title": "R", "base_kind": "enterprise", "sheets": 1, "deadline": "not a date"}
    [nid] = notify(
        session,
        kind=NoticeKind.PANEL_ASSIGNED,
        key="bad",
        recipients=[Recipient(expert.user.id, "expert")],
        params=bad,
    )
    session.flush()
    with TestClient(app) as page:
        web_login(page, expert.username)
        inbox = page.get("/inbox")
        assert f'data-notification="{nid}"' in inbox.text
        assert "此消息无法显示，已告知市发改委。" in inbox.text
    with TestClient(app) as page:
        web_login(page, staff.username)
        shown = page.get("/staff/notifications")
        assert f'<tr data-broken="{nid}">' in shown.text
        assert (
            "panel_assigned (zh_CN): ValueError: Invalid isoformat string: &#39;not a date&#39;" in shown.text
        )
