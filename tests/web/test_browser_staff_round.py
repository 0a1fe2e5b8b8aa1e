"""Real-browser test: staff open the ranking of a round, read a row's explanation, and the three
ECharts charts draw from the vendored library with no request leaving the server; the panel and pool
pages render. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ranking.conftest import small_world
from tests.web.conftest import LiveServer, browser_login, screenshot

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def test_staff_read_the_ranking_and_its_charts_in_the_browser(
    live_server: LiveServer, browser_page: Any
) -> None:
    server = live_server
    with server.session() as s:
        w = small_world(s, title="2026年度“双创”示范基地评选(排名浏览器测试)", status="reviewing")
        rnd = w.round
        w.application(["90", "90", "90", "60", "95"], name="石家庄星河科技股份有限公司")
        w.application(["82", "80", "84"], name="石家庄远航智能装备有限公司", district="桥西区")
        w.application(["70", "71", "69"], name="石家庄晨光新材料有限公司", platforms="0")
        _, make_person = server.makers(s)
        staff = make_person("staff")
        round_id = rnd.id

    page = browser_page
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server.url) else outside.append(r.url))
    browser_login(page, server.url, staff.username)

    page.goto(f"{server.url}/staff")
    expect(page.locator(f'tr[data-round="{round_id}"]')).to_contain_text("排名浏览器测试")
    screenshot(page, "staff-round-01-dashboard")

    page.goto(f"{server.url}/staff/rounds/{round_id}/ranking")
    expect(page.locator("h1")).to_contain_text("排名")
    table = page.locator("table.ranking")
    expect(table).to_contain_text("1 ≥ 1")
    expect(table).to_contain_text("0 < 1")
    first_explanation = page.locator("tr.explain details").first
    first_explanation.locator("summary").click()
    expect(first_explanation).to_contain_text("去掉最高最低分的评分表")
    for chart in ("#chart-distribution", "#chart-calibration", "#chart-profile"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    assert page.evaluate("() => !!echarts.getInstanceByDom(document.getElementById('chart-profile'))")
    screenshot(page, "staff-round-02-ranking-charts")

    page.goto(f"{server.url}/staff/rounds/{round_id}/panels")
    expect(page.locator("h1")).to_contain_text("专家组")
    screenshot(page, "staff-round-03-panels")

    page.goto(f"{server.url}/staff/experts")
    expect(page.locator("h1")).to_have_text("专家库")
    screenshot(page, "staff-round-04-expert-pool")

    assert outside == [], outside  # every asset is served by the application itself
