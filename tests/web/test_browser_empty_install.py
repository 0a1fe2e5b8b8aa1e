"""Real-browser test from an EMPTY database (no demo seeder): the first admin comes from the CLI; from
then on everything happens in the pages — organisations and the expert pool imported from XLSX files
written here, accounts with one-time passwords, a self-registration approved by its county, a round
set up with its public call, applied for, recommended, checked, drawn, scored, decided, approved and
published with a second staff account, and the public list shows the new base. Screenshots go to
test-output/screenshots/onboarding-*.png. The database is only read (to know who was drawn) and, once,
written to let the five working days of the public notice pass."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from scoring.services.designation.rounds import CHINA_TZ
from scoring.services.review.publication import china_today
from scoring.settings import get_settings
from scoring.store.db import utcnow
from scoring.store.models import Expert, Round, Sheet, User
from tests.onboarding.sheets import EXPERT_HEADERS, credit, org_row, xlsx
from tests.web.conftest import PDF_BYTES, LiveServer, answer_confirmations, browser_login, screenshot

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "Admin-Erst-2026!"
NEW_PASSWORD = "Eigenes-Passw0rt!"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPLICANT_CODE = credit(78900)
APPLICANT_NAME = "石家庄新启点智能科技有限公司"
APPLICANT_PASSWORD = "Qiye-Mima-2026!"


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as _expect

    return _expect(target)


def shot(page: Any, name: str) -> None:
    screenshot(page, f"onboarding-{name}")


def local(days: int) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")


def first_login(page: Any, base: str, username: str, one_time: str) -> None:
    """A one-time password leads to the password page before anything else."""
    browser_login(page, base, username, one_time)
    expect(page.locator("h1")).to_have_text("修改密码")
    page.fill("input[name=current_password]", one_time)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-changed")).to_be_visible()


def upload_and_commit(page: Any, base: str, what: str, content: bytes, name: str) -> None:
    page.goto(f"{base}/admin/{what}/import")
    page.set_input_files("#upload-form input[type=file]", {"name": name, "mimeType": XLSX, "buffer": content})
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#import-preview")).to_be_visible()
    page.click("#commit-form button[type=submit]")
    expect(page.locator("#import-done")).to_be_visible()


def create_account(page: Any, base: str, **fields: str) -> str:
    page.goto(f"{base}/admin/accounts/new")
    page.fill("input[name=username]", fields["username"])
    page.fill("input[name=display_name]", fields.get("display_name", fields["username"]))
    page.select_option("select[name=role]", fields["role"])
    if "district" in fields:
        page.select_option("select[name=district]", fields["district"])
    page.click("#account-form button[type=submit]")
    return page.locator("#one-time-password code.secret").inner_text()


def transition(page: Any, base: str, round_id: int, action: str) -> None:
    """A round step as staff take it: the overview's link, then the confirmation page's button."""
    page.goto(f"{base}/staff/rounds/{round_id}")
    page.locator(f"a[href='/staff/rounds/{round_id}/confirm/{action}']").click()
    page.locator("#confirm-transition form button[type=submit]").click()
    page.wait_for_load_state("load")


def test_a_round_runs_from_an_empty_install_entirely_in_the_pages(
    live_server: LiveServer, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live_server
    base = server.url
    contexts: list[Any] = []

    def new_page() -> Any:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        answer_confirmations(page)  # every irreversible step asks first; this run agrees
        return page

    try:
        # An empty install: the home page says how to create the first admin; the CLI does it.
        visitor = new_page()
        visitor.goto(base)
        expect(visitor.locator("#first-run")).to_contain_text("shuangchuang user create --role admin")
        shot(visitor, "01-first-run")
        from scoring.cli.main import app as cli

        monkeypatch.setenv("SHUANGCHUANG_DATABASE_URL", server.settings.database_url)
        get_settings.cache_clear()
        created = CliRunner().invoke(
            cli, ["user", "create", "--role", "admin", "--username", "admin"], input=ADMIN_PASSWORD + "\n"
        )
        get_settings.cache_clear()
        assert created.exit_code == 0, created.output

        admin = new_page()
        browser_login(admin, base, "admin", ADMIN_PASSWORD)
        # Organisations and the expert pool from spreadsheets written here.
        university_code = credit(78001)
        orgs = xlsx(
            [
                [
                    "河北测试科技大学",
                    university_code,
                    "高校或科研院所",
                    "裕华区",
                    "石家庄市裕华区",
                    "赵老师",
                    "0311-81000000",
                    "",
                ],
                org_row(78002, name="石家庄测试装备集团有限公司", district="桥西区"),
            ]
        )
        upload_and_commit(admin, base, "organisations", orgs, "单位.xlsx")
        shot(admin, "02-organisations-imported")
        experts = xlsx(
            [
                [f"专家{i}", "教授", "产业经济", university_code, "", f"1390000{i:04d}", "", ""]
                for i in range(1, 8)
            ],
            headers=EXPERT_HEADERS,
        )
        upload_and_commit(admin, base, "experts", experts, "专家库.xlsx")
        rows = admin.locator("#one-time-passwords tbody tr")
        expect(rows).to_have_count(7)
        expert_passwords = {
            rows.nth(i).locator("td").nth(1).inner_text(): rows.nth(i).locator("code").inner_text()
            for i in range(7)
        }
        shot(admin, "03-experts-imported")

        # Accounts: two staff members and the county of 长安区, each with a one-time password.
        staff_otp = create_account(
            admin, base, username="wang.staff", role="staff", display_name="王工作人员"
        )
        staff2_otp = create_account(admin, base, username="li.staff", role="staff", display_name="李工作人员")
        county_otp = create_account(admin, base, username="county.changan", role="county", district="长安区")
        shot(admin, "04-account-created")

        # A new organisation registers itself; its county approves.
        visitor.goto(f"{base}/register")
        visitor.fill("input[name=credit_code]", APPLICANT_CODE)
        visitor.fill("input[name=name]", APPLICANT_NAME)
        visitor.select_option("select[name=kind]", "enterprise")
        visitor.select_option("select[name=district]", "长安区")
        visitor.fill("input[name=contact_name]", "陈经理")
        visitor.fill("input[name=contact_phone]", "13811112222")
        visitor.fill("input[name=contact_email]", "chen@example.cn")
        visitor.fill("input[name=password]", APPLICANT_PASSWORD)
        visitor.click("#register-form button[type=submit]")
        expect(visitor.locator("#registration-received")).to_be_visible()
        shot(visitor, "05-registered")

        county = new_page()
        first_login(county, base, "county.changan", county_otp)
        county.goto(f"{base}/registrations")
        card = county.locator("section[data-registration]", has_text=APPLICANT_NAME)
        card.locator("button[value=approve]").click()
        expect(county.locator(".alert.ok")).to_contain_text("已通过")

        # Staff set up the round with its public call and open it.
        staff = new_page()
        first_login(staff, base, "wang.staff", staff_otp)
        staff.goto(f"{base}/staff")
        staff.click("#new-round")
        staff.fill("input[name=title]", "2027年度石家庄市“双创”示范基地评选")
        staff.fill("input[name=year]", "2027")
        for kind in ("regional", "university"):
            staff.uncheck(f"input[name=kinds][value={kind}]")
        staff.fill("textarea[name=focus]", "# 建设重点\n- 建设专业化众创空间")
        staff.fill("textarea[name=requirements]", "1. 在石家庄市注册\n2. 拥有省级以上研发平台")
        for name, days in (
            ("application", 20),
            ("recommendation", 30),
            ("formal_check", 35),
            ("scoring", 50),
        ):
            staff.fill(f"input[name='deadlines.{name}']", local(days))
        staff.fill("input[name='references.provincial_rd_intensity']", "2.00")
        staff.fill("input[name='quotas.enterprise']", "1")
        staff.click("#round-form button[type=submit]")
        expect(staff.locator("#round-created")).to_be_visible()
        round_id = int(re.search(r"/staff/rounds/(\d+)/setup", staff.url).group(1))  # type: ignore[union-attr]
        staff.set_input_files(
            "#document-form input[type=file]",
            {"name": "通知.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
        )
        staff.fill("#document-form input[name=title]", "申报通知")
        staff.click("#document-form button[type=submit]")
        shot(staff, "06-round-setup")
        transition(staff, base, round_id, "open")

        # The applicant finds the call from the home page and applies.
        visitor.goto(base)
        visitor.click("a[href='/call']")
        visitor.click(f"a[href='/call/{round_id}']")
        expect(visitor.locator("#requirements")).to_contain_text("拥有省级以上研发平台")
        expect(visitor.locator("#criteria")).to_contain_text("是否")
        shot(visitor, "07-public-call")
        visitor.click("text=登录后申报")
        visitor.fill("input[name=username]", APPLICANT_CODE)
        visitor.fill("input[name=password]", APPLICANT_PASSWORD)
        visitor.click("form.form button[type=submit]")
        expect(visitor.locator("h1")).to_have_text("我的申报")
        visitor.select_option("select[name=round_id]", str(round_id))
        visitor.select_option("select[name=kind]", "enterprise")
        visitor.fill("input[name=title]", f"{APPLICANT_NAME}企业“双创”示范基地")
        visitor.click("text=创建草稿")
        expect(visitor.locator(".alert.ok")).to_contain_text("草稿已创建")
        visitor.fill("input[data-figure=rd_platforms]", "2")
        visitor.fill("textarea[name=plan]", "三年内建成开放共享的研发与孵化平台。")
        narratives = visitor.locator("textarea[name^='narratives.']")
        for i in range(narratives.count()):
            narratives.nth(i).fill(f"第{i + 1}项指标的落实情况。")
        blocks = visitor.locator(".evidence")
        for i in range(blocks.count()):
            block = blocks.nth(i)
            block.locator("input[type=file]").set_input_files(
                {"name": f"证明{i}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
            )
            expect(block.locator(".upload-status")).to_contain_text("已上传")
        visitor.click("button[value=submit]")
        expect(visitor.locator(".alert.ok")).to_contain_text("已提交至所在县")
        shot(visitor, "08-submitted")

        # The county recommends; staff close applications and pass the formal check.
        county.goto(f"{base}/county")
        county.click(f"text={APPLICANT_NAME}企业“双创”示范基地")
        county.check("input[name=decision][value=recommend]")
        county.click("form[action$='/recommendation'] button[type=submit]")
        expect(county.locator(".alert.ok")).to_be_visible()
        transition(staff, base, round_id, "close_applications")
        staff.goto(f"{base}/staff/rounds/{round_id}/check")
        staff.locator("tr[data-application] button[value=accept]").click()
        expect(staff.locator(".alert.ok")).to_be_visible()
        transition(staff, base, round_id, "start_review")
        staff.goto(f"{base}/staff/rounds/{round_id}/panels")
        # The committed draw: wang commits (the secret is shown once), li contributes, wang reveals.
        staff.locator("form[action$='/draw/commit'] button").click()
        secret = staff.locator("code[data-secret]").inner_text()
        second = new_page()
        first_login(second, base, "li.staff", staff2_otp)
        second.goto(f"{base}/staff/rounds/{round_id}/panels")
        second.locator("form[action$='/contribute'] button").click()
        staff.goto(f"{base}/staff/rounds/{round_id}/panels")
        staff.fill("input[name=secret]", secret)
        staff.locator("form[action$='/reveal'] button").click()
        expect(staff.locator("[data-replay=match]")).to_be_visible()
        page_text = staff.locator("main")
        expect(page_text).to_contain_text("专家")
        shot(staff, "09-panel-drawn")

        # Every drawn expert changes the one-time password, declares and scores.
        with server.session() as s:
            drawn = list(
                s.scalars(
                    select(User.username)
                    .join(Expert, Expert.user_id == User.id)
                    .join(Sheet, Sheet.expert_id == Expert.id)
                    .order_by(User.username)
                )
            )
        assert len(drawn) == 5
        for username in drawn:
            expert = new_page()
            first_login(expert, base, username, expert_passwords[username])
            expert.goto(f"{base}/expert")
            expert.locator("a[href^='/expert/sheets/']").first.click()
            expert.click("#declare-form button")
            inputs = expert.locator("input[data-score]")
            for i in range(inputs.count()):
                box = inputs.nth(i)
                box.fill(box.get_attribute("max") or "0")
            expect(expert.locator("#save-status")).to_contain_text("已保存", timeout=15_000)
            expert.click("button[value=submit]")
            expert.locator("#confirm-submit button[type=submit]").click()
            expect(expert.locator(".alert.ok")).to_contain_text("评分表已提交并锁定")
        shot(expert, "10-sheet-submitted")

        # Staff rank and decide, record the approval, propose; the second staff member confirms.
        transition(staff, base, round_id, "start_deciding")
        staff.goto(f"{base}/staff/rounds/{round_id}/ranking")
        expect(staff.locator("main")).to_contain_text(APPLICANT_NAME)
        staff.goto(f"{base}/staff/rounds/{round_id}/decision")
        staff.click("text=确定认定名单")
        expect(staff.locator(".alert.ok")).to_contain_text("认定决定已记录")
        staff.fill("input[name=document_no]", "石政字〔2027〕3号")
        staff.fill("input[name=approved_on]", china_today().isoformat())
        staff.click("text=登记批准文件")
        expect(staff.locator(".alert.ok")).to_contain_text("批准文件已登记")
        staff.click("text=提请公布")
        second.goto(f"{base}/staff/rounds/{round_id}/decision")
        second.click("text=确认(须另一名工作人员)")
        expect(second.locator(".alert.ok")).to_contain_text("公示开始")
        with server.session() as s:  # the five working days of the notice pass
            row = s.get(Round, round_id)
            assert row is not None
            row.notice_starts_on = china_today() - timedelta(days=14)
            row.notice_ends_on = china_today() - timedelta(days=7)
        second.goto(f"{base}/staff/rounds/{round_id}/decision")
        second.click("text=公示期满后正式公布")
        expect(second.locator(".alert.ok")).to_contain_text("名单已正式公布")

        # The public list shows the new base.
        visitor.goto(f"{base}/public/bases")
        table = visitor.locator("table.public-list")
        expect(table).to_contain_text(APPLICANT_NAME)
        expect(table).to_contain_text("石政字〔2027〕3号")
        shot(visitor, "11-public-list")
    finally:
        for ctx in contexts:
            ctx.close()
        get_settings.cache_clear()
    assert Path(server.settings.database_url.removeprefix("sqlite:///")).exists()
