"""Real-browser test: moving a round to 研究决定 goes through a confirmation that lists the missing
sheets and will not go on without a reason; then the round moves and the reason is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from scoring.store.models import AuditEvent, Round
from tests.ranking.conftest import small_world
from tests.web.conftest import LiveServer, browser_login, screenshot

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def test_the_deciding_step_is_confirmed_with_the_missing_sheets_listed_and_a_reason(
    live_server: LiveServer,
    browser_page: Any,
) -> None:
    server = live_server
    with server.session() as s:
        w = small_world(s, title="2026年度“双创”示范基地评选(确认对话框测试)", status="reviewing")
        w.application(["90", "88", None], name="石家庄确认科技有限公司", status="under_review",
                      statuses=["submitted", "submitted", "draft"])  # fmt: skip
        _, make_person = server.makers(s)
        staff = make_person("staff")
        round_id = w.round.id
        missing_expert = w.expert(2).name

    page = browser_page
    browser_login(page, server.url, staff.username)
    page.goto(f"{server.url}/staff/rounds/{round_id}")
    page.locator(f'a[href="/staff/rounds/{round_id}/confirm/start_deciding"]').click()
    dialog = page.locator("#confirm-transition")
    expect(dialog).to_contain_text("此操作不可撤销")
    expect(page.locator("#missing-list")).to_contain_text(missing_expert)
    screenshot(page, "round-end-01-confirm-deciding")
    page.locator("#confirm-transition button[type=submit]").click()  # the reason is required: nothing sent
    expect(dialog).to_be_visible()
    with server.session() as s:
        assert s.get(Round, round_id).status == "reviewing"  # type: ignore[union-attr]
    page.locator("#confirm-transition textarea[name=reason]").fill("该专家失联，按已提交评分决定")
    page.locator("#confirm-transition button[type=submit]").click()
    expect(page.locator("p.alert.ok")).to_be_visible()
    with server.session() as s:
        assert s.get(Round, round_id).status == "deciding"  # type: ignore[union-attr]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "round.start_deciding")).one()
        assert event.reason == "该专家失联，按已提交评分决定"
