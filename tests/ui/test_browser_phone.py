"""On a phone (390×844): the gate check stays in sight while a figure is typed, accepts figures as
people type them ("1,200", full-width digits), and says nothing stale when a figure is rejected."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer, browser_login, open_round_in, screenshot

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def test_on_a_phone_the_gate_check_follows_the_figure_being_typed(
    live_server: LiveServer, browser: Any
) -> None:
    server = live_server
    with server.session() as s:
        make_org, make_person = server.makers(s)
        staff = make_person("staff")
        rnd = open_round_in(s, staff.actor, title="2026年度“双创”示范基地评选（手机测试）")
        org = make_org(kind="enterprise", district="长安区", name="石家庄远望科技股份有限公司")
        applicant = make_person("applicant", org=org)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        browser_login(page, server.url, applicant.username)
        page.goto(f"{server.url}/applicant")
        page.select_option("select[name=round_id]", str(rnd.id))
        page.select_option("select[name=kind]", "enterprise")
        page.fill("input[name=title]", "石家庄远望科技企业“双创”示范基地")
        page.click("text=创建草稿")
        expect(page.locator(".alert.ok")).to_contain_text("草稿已创建")

        figure = page.locator("input[data-figure=rd_platforms]")
        gate = page.locator('[data-gate="rd_platform"]')
        figure.scroll_into_view_if_needed()
        figure.press_sequentially("２")  # a full-width digit, as a Chinese input method types it
        expect(gate.locator(".badge")).to_have_text("通过")
        panel = page.locator(".gate-panel").bounding_box()
        field = figure.bounding_box()
        assert panel is not None and field is not None
        # both in sight at once: the panel sits at the foot of the screen, under the field
        assert field["y"] >= 0 and field["y"] + field["height"] <= panel["y"] <= 844
        assert panel["y"] + panel["height"] <= 844 + 1
        screenshot(page, "phone-gate-check-follows-the-figure")

        figure.press_sequentially("x")  # "２x" is no number: no verdict is left standing
        expect(page.locator('[id="err-figures.rd_platforms"]')).not_to_be_empty()
        expect(gate.locator(".badge")).to_have_text("—")
        assert gate.get_attribute("data-result") == "unknown"

        figure.fill("")
        figure.press_sequentially("1,200")
        expect(gate.locator(".badge")).to_have_text("通过")
        expect(page.locator('[id="err-figures.rd_platforms"]')).to_be_empty()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
