"""Real-browser tests (Playwright driving Debian's Chromium against a live server):
an applicant fills in and submits a draft; an expert declares, scores with the keyboard alone and
submits. Screenshots of the main pages go to test-output/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from scoring.store.models import Application, Sheet
from tests.web.conftest import (
    PDF_BYTES,
    LiveServer,
    answer_confirmations,
    browser_login,
    build_review_world,
    open_round_in,
    screenshot,
)

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def tab_to(page: Any, selector: str, limit: int = 120) -> list[str]:
    """Press Tab until the element matching `selector` has the focus; the path taken is returned."""
    path: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "(sel) => { const el = document.activeElement;"
            " return [el.matches(sel), el.tagName + (el.name ? '[' + el.name + ']' : '')]; }",
            selector,
        )
        path.append(here[1])
        if here[0]:
            return path
    raise AssertionError(f"{selector} never got the focus by Tab; path: {path}")


def only_local_requests(page: Any, base_url: str) -> list[str]:
    """Record every request the page makes; the caller asserts none leaves the server."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def assert_local(seen: list[str], base_url: str) -> None:
    outside = [url for url in seen if not url.startswith(base_url + "/") and not url.startswith("data:")]
    assert outside == [], outside


def focused(page: Any, attribute: str) -> str | None:
    return page.evaluate("(a) => document.activeElement.getAttribute(a)", attribute)


def test_applicant_fills_and_submits_a_draft(live_server: LiveServer, browser_page: Any) -> None:
    server, page = live_server, browser_page
    with server.session() as s:
        make_org, make_person = server.makers(s)
        staff = make_person("staff")
        rnd = open_round_in(s, staff.actor, title="2026年度“双创”示范基地评选（浏览器测试）")
        org = make_org(kind="enterprise", district="长安区", name="石家庄云帆科技股份有限公司")
        applicant = make_person("applicant", org=org)
    requests = only_local_requests(page, server.url)
    browser_login(page, server.url, applicant.username)
    page.goto(f"{server.url}/applicant")
    expect(page.locator("h1")).to_have_text("我的申报")
    screenshot(page, "applicant-01-my-applications")

    page.select_option("select[name=round_id]", str(rnd.id))
    page.select_option("select[name=kind]", "enterprise")
    page.fill("input[name=title]", "石家庄云帆科技企业“双创”示范基地")
    page.click("text=创建草稿")
    expect(page.locator(".alert.ok")).to_contain_text("草稿已创建")

    # The gate self-check follows the figure as it is typed.
    gate = page.locator('[data-gate="rd_platform"]')
    expect(gate.locator(".badge")).to_have_text("无法判断")
    page.locator("input[data-figure=rd_platforms]").press_sequentially("0")
    expect(gate.locator(".badge")).to_have_text("未通过")
    page.fill("input[data-figure=rd_platforms]", "")
    page.locator("input[data-figure=rd_platforms]").press_sequentially("2")
    expect(gate.locator(".badge")).to_have_text("通过")
    expect(page.locator("#gate-note")).to_contain_text("已于")
    page.locator("input[data-figure=rd_platforms]").press_sequentially("x")  # "2x" is no number
    expect(page.locator('[id="err-figures.rd_platforms"]')).not_to_be_empty()
    page.fill("input[data-figure=rd_platforms]", "2")

    page.fill("textarea[name=plan]", "三年内建成开放共享的研发与孵化平台，服务园区中小企业。")
    narratives = page.locator("textarea[name^='narratives.']")
    for i in range(narratives.count()):
        narratives.nth(i).fill(f"第{i + 1}项指标的落实情况说明。")
    screenshot(page, "applicant-02-draft-with-gate-check")

    # Submitting asks first, stating what happens; refused, nothing is sent.
    said = answer_confirmations(page, agree=False, once=True)
    page.click("button[value=submit]")
    assert said == [
        "确认提交“石家庄云帆科技企业“双创”示范基地”？提交后不能再修改，"
        "申报材料将报送县级发展改革部门，由其决定是否向市发展改革委推荐。"
    ]
    expect(page.locator("#missing-summary")).to_have_count(0)
    with server.session() as s:
        draft = s.scalar(select(Application).where(Application.organisation_id == org.id))
        assert draft is not None and draft.status == "draft"

    # Submitting without evidence (agreed this time): the summary says what is missing; nothing typed
    # is lost.
    answer_confirmations(page, once=True)
    page.click("button[value=submit]")
    summary = page.locator("#missing-summary")
    expect(summary).to_contain_text("提交前还缺少以下内容")
    expect(summary).to_contain_text("佐证材料")
    expect(page.locator("textarea[name=plan]")).to_have_value(
        "三年内建成开放共享的研发与孵化平台，服务园区中小企业。"
    )
    screenshot(page, "applicant-03-missing-summary")

    # Evidence per indicator, uploaded with a progress bar as soon as the file is chosen.
    blocks = page.locator(".evidence")
    for i in range(blocks.count()):
        block = blocks.nth(i)
        code = block.get_attribute("data-indicator")
        block.locator("input[type=file]").set_input_files(
            {"name": f"{code}-证明材料.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        expect(block.locator(".upload-status")).to_contain_text("已上传")
        expect(block.locator(".files a")).to_have_text(f"{code}-证明材料.pdf")
        expect(block.locator("progress")).to_have_js_property("value", 100)
    screenshot(page, "applicant-04-evidence-uploaded")

    answer_confirmations(page, once=True)
    page.click("button[value=submit]")
    expect(page.locator(".alert.ok")).to_contain_text("已提交至所在县")
    expect(page.locator("#application-form")).to_have_count(0)
    screenshot(page, "applicant-05-submitted")
    with server.session() as s:
        app = s.scalar(select(Application).where(Application.organisation_id == org.id))
        assert app is not None and app.status == "submitted"
        assert app.figures == {"rd_platforms": "2"}
    assert_local(requests, server.url)  # intranet: no CDN, no external request


def test_expert_declares_scores_with_the_keyboard_and_submits(
    live_server: LiveServer, browser_page: Any
) -> None:
    server, page = live_server, browser_page
    with server.session() as s:
        make_org, make_person = server.makers(s)
        world = build_review_world(s, server.settings, make_org, make_person)
        person = world.experts[0][0]
        sheet_id = world.sheets_of(s, person)[0].id
    requests = only_local_requests(page, server.url)
    browser_login(page, server.url, person.username)
    page.goto(f"{server.url}/expert")
    expect(page.locator("h1")).to_have_text("我的评审任务")
    screenshot(page, "expert-01-assignments")

    # To the first assignment and through the declaration, by keyboard.
    tab_to(page, f'a[href="/expert/sheets/{sheet_id}"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("回避声明")
    expect(page.locator(".declaration-text")).to_contain_text("本人")
    screenshot(page, "expert-02-declaration")
    tab_to(page, "#declare-form button")
    said = answer_confirmations(page, once=True)  # the signature cannot be withdrawn: it asks first
    page.keyboard.press("Enter")
    expect(page.locator(".alert.ok")).to_contain_text("您的声明已记录")
    assert said == ["确认签署无利益冲突声明？签署记录及时间将存档，不可撤回；签署后即可开始评分。"]

    inputs = page.locator("input[data-score]")
    total = inputs.count()
    codes = [inputs.nth(i).get_attribute("data-score") for i in range(total)]
    counter = page.locator("#scored-count")
    expect(counter).to_have_text(f"0 / {total} 已评分")

    # Tab reaches the first score; its focus is visible.
    tab_to(page, "input[data-score]")
    assert focused(page, "data-score") == codes[0]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")

    # An off-scale value is refused as it is typed and is never saved.
    page.keyboard.type("9")
    first = inputs.nth(0)
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f'[id="err-scores.{codes[0]}"]')).to_contain_text("不能大于")
    expect(page.locator("#save-status")).to_contain_text("未保存")
    page.keyboard.press("Backspace")
    page.keyboard.type("4.3")  # off the 0.5 step
    expect(page.locator(f'[id="err-scores.{codes[0]}"]')).to_contain_text("整数倍")
    for _ in range(3):
        page.keyboard.press("Backspace")

    # Type each score and press Enter: the focus moves on, nothing is submitted.
    for i, code in enumerate(codes):
        assert focused(page, "data-score") == code
        page.keyboard.type("5")
        expect(counter).to_have_text(f"{i + 1} / {total} 已评分")
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "comments"
    page.keyboard.type("材料翔实，建议认定。")
    expect(page.locator("#save-status")).to_contain_text("已保存", timeout=15_000)
    expect(first).to_have_attribute("aria-invalid", "false")
    screenshot(page, "expert-03-sheet-scored")
    with server.session() as s:
        saved = s.get(Sheet, sheet_id)
        assert saved.status == "draft"
        assert saved.scores == {code: "5" for code in codes}
        assert saved.comments == "材料翔实，建议认定。"

    # Submit: Tab to the button, Enter, confirm in the dialog by keyboard.
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    dialog = page.locator("#confirm-submit")
    expect(dialog).to_be_visible()
    expect(page.locator("#confirm-summary")).to_have_text(f"共 {total} 项指标，已评 {total} 项。")
    assert page.evaluate("document.activeElement.hasAttribute('data-cancel')")  # the safe choice first
    screenshot(page, "expert-04-confirm-dialog")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "确认提交"
    page.keyboard.press("Enter")
    expect(page.locator(".alert.ok")).to_contain_text("评分表已提交并锁定")
    expect(page.locator("input[data-score]")).to_have_count(0)
    screenshot(page, "expert-05-submitted")
    with server.session() as s:
        assert s.get(Sheet, sheet_id).status == "submitted"
    assert_local(requests, server.url)
