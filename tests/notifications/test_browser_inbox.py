"""Real browser: the header counts an expert's unread messages; opening one follows its link and marks it
read; the count goes down."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.services.admin.notifications import NoticeKind, Recipient, notify
from tests.web.conftest import (  # noqa: F401  (fixtures used here)
    LiveServer,
    browser,
    browser_login,
    browser_page,
    live_server,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_an_expert_sees_the_unread_count_opens_a_message_and_lands_on_its_page(
    live_server: LiveServer,  # noqa: F811
    browser_page: Any,  # noqa: F811  (fixtures imported above)
) -> None:
    from playwright.sync_api import expect

    expert = live_server.make_person("expert", display_name="李明")
    with live_server.session() as s:
        for key in ("a", "b"):
            notify(
                s, kind=NoticeKind.DEADLINE_EXTENDED, key=f"browser:{key}",
                recipients=[Recipient(expert.user.id, "expert")],
                params={"round_title": "2026年度评选", "reason": f"原因{key}"}, link="/expert",
            )  # fmt: skip
    page = browser_page
    browser_login(page, live_server.url, expert.username)
    expect(page.locator(".topbar .unread-count")).to_have_text("2")
    page.click(".topbar .inbox-link")
    expect(page.locator("article.message.unread")).to_have_count(2)
    screenshot(page, "inbox-expert")
    page.locator("article.message").first.get_by_role("button", name="打开").click()
    page.wait_for_url(f"{live_server.url}/expert")
    expect(page.locator(".topbar .unread-count")).to_have_text("1")
    page.goto(f"{live_server.url}/inbox")
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator("article.message.unread")).to_have_count(0)
    expect(page.locator(".topbar .unread-count")).to_have_count(0)
