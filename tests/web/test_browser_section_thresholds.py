"""Real-browser test: a round with a section minimum; the staff ranking shows the failed section like a
gate with its arithmetic, and under each row the decision's reason and the robustness verdict; the
set-up page shows the minimums. Desktop and phone screenshots go to test-output/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.services.review import decisions
from scoring.services.review.schemas import DecisionIn
from tests.ranking.conftest import small_world
from tests.web.conftest import LiveServer, browser_login, screenshot

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def test_a_section_below_its_minimum_and_the_reasons_read_on_a_desktop_and_a_phone(
    live_server: LiveServer, browser_page: Any
) -> None:
    server = live_server
    with server.session() as s:
        _, make_person = server.makers(s)
        staff = make_person("staff")
        w = small_world(
            s,
            title="2026年度“双创”示范基地评选(部分最低分浏览器测试)",
            quotas={"enterprise": 1},
            section_minimums={"enterprise": {"s1": "75.00"}},
        )
        w.application(["90", "70", "72", "80"], name="石家庄星河科技股份有限公司")  # 88
        b = w.application(["77", "79", "78", "77"], name="石家庄远航智能装备有限公司", district="桥西区")
        c = w.application(["74", "76", "74"], name="石家庄晨光新材料有限公司")  # s1 74.67 < 75
        decisions.decide(
            s,
            actor=staff.actor,
            round_id=w.round.id,
            data=DecisionIn(
                kind="enterprise", designate=[b.id], reason="远航公司专利转化更多，专家组复议后调整"
            ),
        )
        round_id, failing = w.round.id, c.id

    page = browser_page
    browser_login(page, server.url, staff.username)
    page.goto(f"{server.url}/staff/rounds/{round_id}/ranking")
    row = page.locator(f'tr[data-application="{failing}"]')
    expect(row).to_contain_text("74.66… < 75.00")
    expect(row.locator('[data-flag="section_below_minimum"]')).to_have_text("部分得分低于最低分")
    notes = page.locator("ul.row-notes").first
    expect(notes).to_contain_text("稳健性：敏感：")
    expect(notes).to_contain_text("决定与拟推荐名单不同")
    expect(notes).to_contain_text("远航公司专利转化更多，专家组复议后调整")
    why = page.locator("tr.explain details").nth(2)
    why.locator("summary").click()
    expect(why).to_contain_text("“制度创新”部分得分 74.66…，低于最低分 75.00。")
    screenshot(page, "section-thresholds-01-ranking-desktop")
    page.goto(f"{server.url}/staff/rounds/{round_id}/setup")
    expect(page.locator("#f-section_minimums")).to_contain_text("各部分最低分（可选）")
    expect(page.locator('input[name="section_minimums.enterprise.s1"]')).to_have_value("75.00")
    screenshot(page, "section-thresholds-02-setup-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/staff/rounds/{round_id}/ranking")
    expect(page.locator("ul.row-notes").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "section-thresholds-03-ranking-phone")
    page.goto(f"{server.url}/staff/rounds/{round_id}/setup")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "section-thresholds-04-setup-phone")
