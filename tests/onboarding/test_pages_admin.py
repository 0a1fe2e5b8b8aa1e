"""The admin pages: organisations (form, import with preview), accounts, one-time and own passwords."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Organisation, User
from tests.conftest import Person, count
from tests.onboarding.sheets import credit, org_row, xlsx
from tests.web.conftest import csrf_of, page_csrf, web_login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def org_form(n: int, **over: str) -> dict[str, str]:
    values = {
        "name": f"页面测试单位{n}",
        "credit_code": credit(n),
        "kind": "enterprise",
        "district": "新华区",
        "contact_name": "赵六",
        "contact_phone": "0311-87000000",
        "contact_email": "",
        "address": "",
    }
    values.update(over)
    return values


def test_staff_create_an_organisation_in_the_page_and_a_bad_code_is_named(
    page_as: Callable[[Person], TestClient], session: Session, make_person: Callable[..., Person]
) -> None:
    client = page_as(make_person("staff"))
    csrf = page_csrf(client)
    bad = credit(73001)[:17] + ("0" if credit(73001)[17] != "0" else "1")
    resp = client.post(
        "/admin/organisations/new", data={**org_form(73001, credit_code=bad), "csrf_token": csrf}
    )
    assert resp.status_code == 422
    assert "第 18 位校验码不正确(GB 32100-2015)" in resp.text
    assert f'value="{bad}"' in resp.text  # what was typed is kept
    resp = client.post(
        "/admin/organisations/new", data={**org_form(73001), "csrf_token": csrf}, follow_redirects=False
    )
    assert resp.status_code == 303
    org = session.scalar(select(Organisation).where(Organisation.credit_code == credit(73001)))
    assert org is not None and org.district == "新华区"
    listing = client.get("/admin/organisations?q=页面测试单位73001")
    assert f'href="/admin/organisations/{org.id}"' in listing.text
    deactivate = client.post(
        f"/admin/organisations/{org.id}/status", data={"active": "0", "reason": "合并", "csrf_token": csrf}
    )
    assert deactivate.status_code == 200
    assert "该单位已停用" not in deactivate.text
    session.refresh(org)
    assert org.is_active is False


def test_import_in_the_pages_previews_then_commits(
    page_as: Callable[[Person], TestClient], session: Session, make_person: Callable[..., Person]
) -> None:
    client = page_as(make_person("admin"))
    csrf = page_csrf(client)
    before = count(session, "organisations")
    bad = xlsx([org_row(73010), org_row(73011, kind="银行")])
    resp = client.post(
        "/admin/organisations/import", data={"csrf_token": csrf}, files={"file": ("o.xlsx", bad, XLSX)}
    )
    assert resp.status_code == 200
    assert 'id="import-problems"' in resp.text
    assert "<td>3</td><td>单位类型</td>" in resp.text
    assert 'id="commit-form"' not in resp.text

    good = xlsx([org_row(73010), org_row(73011)])
    resp = client.post(
        "/admin/organisations/import", data={"csrf_token": csrf}, files={"file": ("o.xlsx", good, XLSX)}
    )
    stash = re.search(r'name="stash" value="([^"]+)"', resp.text)
    assert stash, resp.text
    assert count(session, "organisations") == before
    done = client.post(
        "/admin/organisations/import/commit", data={"csrf_token": csrf, "stash": stash.group(1)}
    )
    assert 'id="import-done"' in done.text
    assert count(session, "organisations") == before + 2
    again = client.post(
        "/admin/organisations/import/commit", data={"csrf_token": csrf, "stash": stash.group(1)}
    )
    assert again.status_code == 422  # the kept upload is used once
    assert count(session, "organisations") == before + 2


def test_admin_creates_an_account_and_its_holder_must_change_the_one_time_password(
    app: object,
    page_as: Callable[[Person], TestClient],
    session: Session,
    make_person: Callable[..., Person],
    make_org: Callable[..., Organisation],
) -> None:
    admin = page_as(make_person("admin"))
    org = make_org()
    resp = admin.post(
        "/admin/accounts/new",
        data={
            "username": "li.applicant",
            "display_name": "李申报",
            "role": "applicant",
            "organisation_id": str(org.id),
            "csrf_token": page_csrf(admin),
        },
    )
    assert resp.status_code == 200
    secret = re.search(r'<code class="secret">([^<]+)</code>', resp.text)
    assert secret
    with TestClient(app) as holder:  # type: ignore[arg-type]
        page = holder.get("/login")
        login = holder.post(
            "/login",
            data={"username": "li.applicant", "password": secret.group(1), "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert login.headers["location"] == "/account/password"
        blocked = holder.get("/applicant", follow_redirects=False)
        assert (blocked.status_code, blocked.headers["location"]) == (303, "/account/password")
        form = holder.get("/account/password")
        weak = holder.post(
            "/account/password",
            data={
                "current_password": secret.group(1),
                "new_password": "abc",
                "csrf_token": csrf_of(form.text),
            },
        )
        assert weak.status_code == 422
        assert "长度至少为 8 个字符" in weak.text
        ok = holder.post(
            "/account/password",
            data={
                "current_password": secret.group(1),
                "new_password": "Mein-Neues-Passw0rt",
                "csrf_token": csrf_of(form.text),
            },
        )
        assert 'id="password-changed"' in ok.text
        assert holder.get("/applicant", follow_redirects=False).status_code == 200
    user = session.scalar(select(User).where(User.username == "li.applicant"))
    assert user is not None and user.must_change_password is False


def test_disabling_in_the_page_ends_the_users_page_session(
    app: object, page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    admin = page_as(make_person("admin"))
    staff = make_person("staff")
    with TestClient(app) as other:  # type: ignore[arg-type]
        web_login(other, staff.username)
        assert other.get("/staff", follow_redirects=False).status_code == 200
        resp = admin.post(
            f"/admin/accounts/{staff.user.id}/status", data={"active": "0", "csrf_token": page_csrf(admin)}
        )
        assert resp.status_code == 200
        assert other.get("/staff", follow_redirects=False).status_code == 303


def test_accounts_pages_are_not_there_for_staff(
    page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    staff = page_as(make_person("staff"))
    assert staff.get("/admin/accounts").status_code == 404


def test_the_expert_pool_is_imported_in_the_pages_and_passwords_shown_once(
    page_as: Callable[[Person], TestClient],
    session: Session,
    make_person: Callable[..., Person],
    make_org: Callable[..., Organisation],
) -> None:
    from tests.onboarding.sheets import EXPERT_HEADERS, expert_row

    client = page_as(make_person("staff"))
    csrf = page_csrf(client)
    org = make_org(kind="university", district=None)
    content = xlsx([expert_row(73101, org.credit_code)], headers=EXPERT_HEADERS)
    resp = client.post(
        "/admin/experts/import", data={"csrf_token": csrf}, files={"file": ("e.xlsx", content, XLSX)}
    )
    stash = re.search(r'name="stash" value="([^"]+)"', resp.text)
    assert stash, resp.text
    done = client.post("/admin/experts/import/commit", data={"csrf_token": csrf, "stash": stash.group(1)})
    assert 'id="one-time-passwords"' in done.text
    assert "<td>e13900073101</td>" in done.text
    assert session.scalar(select(User).where(User.username == "e13900073101")) is not None


def test_a_duplicate_credit_code_is_refused_in_the_page_naming_the_field(
    page_as: Callable[[Person], TestClient], session: Session, make_person: Callable[..., Person]
) -> None:
    client = page_as(make_person("admin"))
    csrf = page_csrf(client)
    first = client.post(
        "/admin/organisations/new", data={**org_form(73201), "csrf_token": csrf}, follow_redirects=False
    )
    assert first.status_code == 303
    before = count(session, "organisations")
    again = client.post(
        "/admin/organisations/new", data={**org_form(73201, name="另一家页面测试单位"), "csrf_token": csrf}
    )
    assert again.status_code == 409
    assert '<a href="#f-credit_code">统一社会信用代码</a>: 该统一社会信用代码的单位已存在' in again.text
    assert count(session, "organisations") == before


def test_the_import_templates_download_from_the_pages(
    page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    client = page_as(make_person("staff"))
    csv_template = client.get("/admin/experts/template.csv")
    assert csv_template.status_code == 200
    assert (
        csv_template.content.decode("utf-8-sig").strip()
        == "姓名,职称,专业领域,工作单位统一社会信用代码,所属县（市、区）,手机,电子邮箱,用户名"
    )
    assert client.get("/admin/organisations/template.xlsx").content[:2] == b"PK"
    assert client.get("/admin/banks/template.csv").status_code == 404
