"""The formal check in the browser, desktop and phone: gates with their arithmetic, a gate-failing
application's default action is to return it; and an applicant's draft deletion confirmation.
Screenshots go to test-output/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ranking.conftest import small_world
from tests.web.conftest import LiveServer, answer_confirmations, browser_login, screenshot

pytestmark = pytest.mark.browser


def test_staff_see_the_gates_and_the_default_return_on_desktop_and_phone(
    live_server: LiveServer, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    with server.session() as s:
        w = small_world(s, title="2026年度评选(形式审查浏览器测试)", status="recommending")
        failing = w.application([], name="石家庄浏览器甲科技有限公司", status="recommended", platforms="0")
        w.application([], name="石家庄浏览器乙科技有限公司", status="recommended", platforms="3")
        _, make_person = server.makers(s)
        staff = make_person("staff")
        round_id, failing_id = w.round.id, failing.id

    page = browser_page
    browser_login(page, server.url, staff.username)
    page.goto(f"{server.url}/staff/rounds/{round_id}/check")
    expect(page.locator(f'tr[data-application="{failing_id}"] .detail')).to_have_text("0 < 1")
    expect(page.locator(f"#return-{failing_id} button.primary")).to_have_text("以“不符合申报条件”退回")
    screenshot(page, "intake-01-formal-check-queue")
    page.goto(f"{server.url}/staff/applications/{failing_id}")
    expect(page.locator("#formal-check")).to_contain_text("该申报有 1 项硬性门槛（一票否决）未达到")
    expect(page.locator("#organisation-history")).to_contain_text("无以往申报、基地、整改或撤销记录。")
    screenshot(page, "intake-02-staff-application")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "intake-03-staff-application-phone")
    said = answer_confirmations(page, once=True)
    page.click(f"#return-{failing_id} button.primary")
    page.wait_for_load_state("load")
    assert said and "退回" in said[0]  # the return states its consequence before it goes
    expect(page.locator("p.alert.ok")).to_have_text("申报已退回,理由已记录。")
