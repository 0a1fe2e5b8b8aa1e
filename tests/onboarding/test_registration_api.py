"""Self-registration: pending until the county (or city staff) approves; no enumeration; rate-limited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent, Organisation, Registration, User
from tests.conftest import Person, count
from tests.onboarding.sheets import credit

EN = {"Accept-Language": "en"}


def form(n: int, **over: Any) -> dict[str, Any]:
    body = {
        "credit_code": credit(n),
        "name": f"自助注册科技有限公司{n}",
        "kind": "enterprise",
        "district": "正定县",
        "contact_name": "孙七",
        "contact_phone": "13800000000",
        "contact_email": "sun@example.cn",
        "password": "Zhuce-Mima-2026",
    }
    body.update(over)
    return body


def test_a_registration_waits_for_its_county_then_logs_in_with_the_credit_code(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    resp = client.post("/api/v1/registrations", json=form(75001))
    assert resp.status_code == 202, resp.text
    too_early = client.post(
        "/api/v1/auth/token", json={"username": credit(75001), "password": "Zhuce-Mima-2026"}
    )
    assert too_early.status_code == 401

    other_county = login(make_person("county", district="赵县"))
    assert client.get("/api/v1/registrations", headers=other_county).json() == []
    county = login(make_person("county", district="正定县"))
    pending = client.get("/api/v1/registrations", headers=county).json()
    assert [(r["credit_code"], r["status"], r["contact_name"]) for r in pending] == [
        (credit(75001), "pending", "孙七")
    ]
    rid = pending[0]["id"]
    assert (
        client.post(
            f"/api/v1/registrations/{rid}/decision", json={"decision": "approve"}, headers=other_county
        ).status_code
        == 404
    )
    decided = client.post(
        f"/api/v1/registrations/{rid}/decision", json={"decision": "approve"}, headers=county
    )
    assert decided.json()["status"] == "approved"
    me = client.get(
        "/api/v1/me",
        headers={
            "Authorization": "Bearer "
            + client.post(
                "/api/v1/auth/token", json={"username": credit(75001), "password": "Zhuce-Mima-2026"}
            ).json()["access_token"]
        },
    )
    assert me.status_code == 200
    org = session.scalar(select(Organisation).where(Organisation.credit_code == credit(75001)))
    assert org is not None and org.is_active is True
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "registration")).all()
    assert list(actions) == ["registration.submit", "registration.approve"]


def test_registering_twice_gets_the_same_answer_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    first = client.post("/api/v1/registrations", json=form(75002), headers=EN)
    before = (count(session, "organisations"), count(session, "users"), count(session, "registrations"))
    second = client.post(
        "/api/v1/registrations", json=form(75002, name="冒名顶替公司", password="Andere-Mima-99"), headers=EN
    )
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == second.json()
    assert (
        count(session, "organisations"),
        count(session, "users"),
        count(session, "registrations"),
    ) == before
    org = session.scalar(select(Organisation).where(Organisation.credit_code == credit(75002)))
    assert org is not None and org.name == "自助注册科技有限公司75002"


def test_a_rejection_needs_a_reason_and_city_level_goes_to_staff(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    client.post("/api/v1/registrations", json=form(75003, district="", kind="university"))
    county = login(make_person("county", district="正定县"))
    assert client.get("/api/v1/registrations", headers=county).json() == []
    staff = {**login(make_person("staff")), **EN}
    rid = client.get("/api/v1/registrations", headers=staff).json()[0]["id"]
    no_reason = client.post(
        f"/api/v1/registrations/{rid}/decision", json={"decision": "reject"}, headers=staff
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["fields"] == {"reason": "a rejection needs a reason"}
    rejected = client.post(
        f"/api/v1/registrations/{rid}/decision",
        json={"decision": "reject", "reason": "非本市单位"},
        headers=staff,
    )
    assert rejected.json()["status"] == "rejected"
    user = session.scalar(select(User).where(User.username == credit(75003)))
    assert user is not None and user.is_active is False
    again = client.post(f"/api/v1/registrations/{rid}/decision", json={"decision": "approve"}, headers=staff)
    assert again.status_code == 409
    # After a rejection the organisation may register again: a new pending registration.
    client.post("/api/v1/registrations", json=form(75003, district="", kind="university"))
    statuses = session.scalars(
        select(Registration.status).where(Registration.user_id == user.id).order_by(Registration.id)
    ).all()
    assert list(statuses) == ["rejected", "pending"]


def test_bad_registration_inputs_name_their_fields(client: TestClient) -> None:
    good = credit(75004)
    bad_code = good[:17] + ("0" if good[17] != "0" else "1")
    resp = client.post(
        "/api/v1/registrations",
        json=form(75004, credit_code=bad_code, district="朝阳区", kind="evaluator", password="weak"),
        headers=EN,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "credit_code": "the check character (the 18th) does not match (GB 32100-2015)",
        "district": "must be one of the districts of Shijiazhuang",
        "kind": "must be one of: government or park committee, university or institute, enterprise",
        "password": "must be at least 8 characters long",
    }


def test_registrations_are_rate_limited_per_address(client: TestClient) -> None:
    answers = [client.post("/api/v1/registrations", json=form(75010 + i)).status_code for i in range(6)]
    assert answers == [202, 202, 202, 202, 202, 429]
