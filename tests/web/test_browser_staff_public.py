"""Real-browser test: staff decide and propose the list, a second staff member confirms it (the
first is refused), the list is published after its notice, and the public list shows it — without
login. Screenshots of the staff and public pages go to test-output/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from scoring.services.review.publication import china_today
from scoring.store.models import Round
from tests.ranking.conftest import small_world
from tests.web.conftest import LiveServer, answer_confirmations, browser_login, screenshot

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def deciding_round(s: Any, city: str = "石家庄") -> tuple[Round, list[Any]]:
    """A round in 研究决定 with three enterprises; tests sharing one live server pass another `city` so the
    organisations' names (unique) differ."""
    w = small_world(s, title=f"2026年度“双创”示范基地评选(浏览器测试,{city})")
    rnd = w.round
    apps = [
        w.application(["90", "88", "92"], name=f"{city}星河科技股份有限公司", district="长安区"),
        w.application(["82", "80", "84"], name=f"{city}远航智能装备有限公司", district="桥西区"),
        w.application(["70", "71", "69"], name=f"{city}晨光新材料有限公司", district="新华区"),
    ]
    return rnd, apps


def test_staff_publish_with_a_second_account_and_the_public_list_shows_it(
    live_server: LiveServer, browser: Any
) -> None:
    server = live_server
    with server.session() as s:
        rnd, _ = deciding_round(s)
        _, make_person = server.makers(s)
        alice, bob = make_person("staff"), make_person("staff")
    contexts = [
        browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}) for _ in range(3)
    ]
    try:
        first, second, visitor = (c.new_page() for c in contexts)
        for page in (first, visitor):
            answer_confirmations(page)  # every irreversible step asks first; these agree
        url = f"{server.url}/staff/rounds/{rnd.id}/decision"

        browser_login(first, server.url, alice.username)
        first.goto(url)
        expect(first.locator("h1")).to_have_text("认定与公布")
        screenshot(first, "staff-01-decision")
        first.click("text=确定认定名单")
        expect(first.locator(".alert.ok")).to_contain_text("认定决定已记录")
        first.fill("input[name=document_no]", "石政字〔2026〕12号")
        first.fill("input[name=approved_on]", china_today().isoformat())
        first.click("text=登记批准文件")
        expect(first.locator(".alert.ok")).to_contain_text("批准文件已登记")
        first.click("text=提请公布")
        expect(first.locator(".alert.ok")).to_contain_text("须由另一名工作人员确认")
        first.click("text=确认(须另一名工作人员)")
        expect(first.locator(".alert.error")).to_contain_text("不能自行确认")  # four eyes: not the proposer

        browser_login(second, server.url, bob.username)
        second.goto(url)
        # The confirmation states what happens and to whom; refused, the notice does not start.
        said = answer_confirmations(second, agree=False, once=True)
        second.click("text=确认(须另一名工作人员)")
        assert said == [
            "确认该名单？公示自今日开始：名单将在公示网站发布并通知各申报单位，此操作不可撤销。"
        ]
        expect(second.locator(".alert.ok")).to_have_count(0)
        with server.session() as s:
            assert s.get(Round, rnd.id).status == "deciding"
        answer_confirmations(second)
        second.click("text=确认(须另一名工作人员)")
        expect(second.locator(".alert.ok")).to_contain_text("公示开始")
        screenshot(second, "staff-02-notice-started")

        visitor.goto(f"{server.url}/public/notice")
        expect(visitor.locator("main")).to_contain_text("石家庄星河科技股份有限公司")
        screenshot(visitor, "public-01-notice")
        # a visitor, not logged in, objects to an entry; the second staff member dismisses it
        visitor.select_option("select[name=application_id]", label="石家庄远航智能装备有限公司")
        visitor.fill("input[name=name]", "王先生")
        visitor.fill("input[name=contact]", "0311-12345678")
        visitor.fill("textarea[name=text]", "该企业孵化数据有疑问")
        visitor.click("text=提交异议")
        expect(visitor.locator(".alert.ok")).to_contain_text("您的异议已收到")
        second.goto(url)
        objection = second.locator(".objection")
        expect(objection).to_contain_text("该企业孵化数据有疑问")
        objection.locator("input[name=reason]").fill("经核实,孵化数据属实")
        objection.locator("text=驳回异议").click()
        expect(second.locator(".alert.ok")).to_contain_text("异议已处理")
        expect(second.locator(".objection")).to_contain_text("经核实,孵化数据属实")
        screenshot(second, "staff-03-objection-dismissed")

        with server.session() as s:  # the five working days of the notice pass
            row = s.get(Round, rnd.id)
            row.notice_starts_on = china_today() - timedelta(days=14)
            row.notice_ends_on = china_today() - timedelta(days=7)
        second.goto(url)
        second.click("text=公示期满后正式公布")
        expect(second.locator(".alert.ok")).to_contain_text("名单已正式公布")

        visitor.goto(f"{server.url}/public/bases")
        table = visitor.locator("table.public-list")
        expect(table).to_contain_text("石家庄星河科技股份有限公司")
        expect(table).to_contain_text("石家庄远航智能装备有限公司")
        expect(table).to_contain_text("石政字〔2026〕12号")
        expect(table).not_to_contain_text("石家庄晨光新材料有限公司")
        screenshot(visitor, "public-02-designation-list")
        visitor.emulate_media(media="print")
        assert not visitor.locator("header.topbar").is_visible()  # the print stylesheet hides the chrome
        visitor.emulate_media(media="screen")
        visitor.goto(f"{server.url}/public/bases?status=revoked")
        expect(visitor.locator("h1")).to_have_text("已撤销称号的基地")
        screenshot(visitor, "public-03-revoked-list")

        # the trail of this round, then the whole chain verified
        second.goto(f"{server.url}/staff/audit?entity=round&entity_id={rnd.id}")
        expect(second.locator('table.audit [data-action="round.publish"]')).to_have_text("公布名单")
        expect(second.locator('table.audit [data-action="round.start_notice"]')).to_have_text("开始公示")
        second.click("text=核验日志链")
        expect(second.locator("#chain-report")).to_contain_text("日志链完整")
        screenshot(second, "staff-04-audit-verified")
        assert date.today().year >= 2026
    finally:
        for c in contexts:
            c.close()


def test_staff_uphold_an_objection_backfilling_the_seat_after_seeing_who_leaves_and_who_enters(
    live_server: LiveServer, browser: Any
) -> None:
    from scoring.services.review import decisions, publication
    from scoring.services.review.schemas import ApprovalIn, DecisionIn, ObjectionIn, PublicationIn

    server = live_server
    with server.session() as s:
        rnd, apps = deciding_round(s, city="正定")
        _, make_person = server.makers(s)
        alice, bob = make_person("staff"), make_person("staff")
        decide = DecisionIn(kind="enterprise", designate=[apps[0].id, apps[1].id])
        decisions.decide(s, actor=alice.actor, round_id=rnd.id, data=decide)
        approval = ApprovalIn(document_no="石政字〔2026〕12号", approved_on=china_today())
        decisions.record_approval(s, actor=alice.actor, round_id=rnd.id, data=approval)
        for who, action in ((alice, "propose"), (bob, "confirm")):
            publication.publication_action(
                s, actor=who.actor, round_id=rnd.id, data=PublicationIn(action=action)
            )
        filed = ObjectionIn(
            round_id=rnd.id, application_id=apps[1].id, name="王先生", contact="1", text="数据不实"
        )
        publication.file_objection(s, data=filed)
    # the phone only looks at the confirmation; the desktop then takes the step
    for name, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1280, "height": 900}),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        try:
            page = context.new_page()
            browser_login(page, server.url, bob.username)
            page.goto(f"{server.url}/staff/rounds/{rnd.id}/decision")
            objection = page.locator(".objection")
            expect(objection).to_contain_text("由下一个符合条件的申报递补：正定晨光新材料有限公司")
            objection.locator("input[name=reason]").fill("经核实,数据不实")
            objection.locator("input[value=backfill]").check()
            objection.locator("text=异议成立(移出名单)").click()
            expect(page.locator("#confirm-uphold")).to_contain_text("正定远航智能装备有限公司 将移出名单")
            expect(page.locator("#confirm-uphold")).to_contain_text("正定晨光新材料有限公司（最终得分")
            screenshot(page, f"staff-04-uphold-confirm-{name}")
            if name == "phone":
                continue
            page.locator("#confirm-uphold button[type=submit]").click()
            expect(page.locator("#list-revision")).to_contain_text("递补：正定晨光新材料有限公司")
            screenshot(page, f"staff-05-list-changed-{name}")
        finally:
            context.close()
