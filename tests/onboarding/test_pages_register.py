"""The registration page (public) and the county's review queue in the pages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Registration, User
from tests.conftest import Person
from tests.onboarding.sheets import credit
from tests.web.conftest import csrf_of, page_csrf, web_login


def register_form(n: int, **over: str) -> dict[str, str]:
    values = {
        "credit_code": credit(n),
        "name": f"页面注册有限公司{n}",
        "kind": "enterprise",
        "district": "鹿泉区",
        "contact_name": "周八",
        "contact_phone": "13900000000",
        "contact_email": "zhou@example.cn",
        "password": "Zhuce-Mima-2026",
    }
    values.update(over)
    return values


def test_register_in_the_page_then_the_county_approves_and_the_account_logs_in(
    app: object,
    client: TestClient,
    session: Session,
    page_as: Callable[[Person], TestClient],
    make_person: Callable[..., Person],
) -> None:
    form = client.get("/register")
    assert form.status_code == 200
    weak = client.post(
        "/register", data={**register_form(76001, password="abc"), "csrf_token": csrf_of(form.text)}
    )
    assert weak.status_code == 422
    assert "长度至少为 8 个字符" in weak.text
    assert f'value="{credit(76001)}"' in weak.text  # typed values kept, the password not
    done = client.post("/register", data={**register_form(76001), "csrf_token": csrf_of(form.text)})
    assert 'id="registration-received"' in done.text

    county = page_as(make_person("county", district="鹿泉区"))
    queue = county.get("/registrations")
    assert "页面注册有限公司76001" in queue.text
    reg = session.scalar(
        select(Registration).join(User, User.id == Registration.user_id).where(User.username == credit(76001))
    )
    assert reg is not None
    no_reason = county.post(
        f"/registrations/{reg.id}", data={"decision": "reject", "csrf_token": page_csrf(county)}
    )
    assert no_reason.status_code == 422
    assert "驳回须说明理由" in no_reason.text
    ok = county.post(
        f"/registrations/{reg.id}",
        data={"decision": "approve", "csrf_token": page_csrf(county)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with TestClient(app) as applicant:  # type: ignore[arg-type]
        web_login(applicant, credit(76001), "Zhuce-Mima-2026")
        assert applicant.get("/applicant", follow_redirects=False).status_code == 200


def test_the_registration_page_refuses_a_missing_csrf_token(client: TestClient) -> None:
    client.get("/register")
    assert client.post("/register", data=register_form(76002)).status_code == 403
