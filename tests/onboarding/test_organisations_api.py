"""The organisation register over the API: create, edit, deactivate, and the refusals naming each field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.credit_code import make_credit_code
from scoring.store.models import AuditEvent, Organisation
from tests.conftest import Person

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def code(n: int, division: str = "130102") -> str:
    return make_credit_code("9", "1", division, f"{n:08d}")


def org_body(n: int, **over: Any) -> dict[str, Any]:
    body = {
        "name": f"石家庄测试科技有限公司{n}",
        "credit_code": code(n),
        "kind": "enterprise",
        "district": "长安区",
        "address": "石家庄市长安区中山东路1号",
        "contact_name": "张三",
        "contact_phone": "0311-86000000",
        "contact_email": "zhangsan@example.cn",
    }
    body.update(over)
    return body


def test_staff_creates_edits_and_deactivates_an_organisation_with_audit(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    resp = client.post("/api/v1/organisations", json=org_body(71001), headers=staff)
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["credit_code"] == code(71001)
    assert created["kind"] == "enterprise"
    assert created["is_active"] is True
    oid = created["id"]

    resp = client.put(
        f"/api/v1/organisations/{oid}",
        json=org_body(71001, contact_name="李四", kind="企业"),
        headers=staff,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["contact_name"] == "李四"

    resp = client.post(f"/api/v1/organisations/{oid}/status", json={"active": False}, headers=staff)
    assert resp.json()["is_active"] is False
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "organisation", AuditEvent.entity_id == str(oid))
    ).all()
    assert [e.action for e in events] == [
        "organisation.create",
        "organisation.update",
        "organisation.deactivate",
    ]
    assert events[1].before == {"contact_name": "张三"}
    assert events[1].after == {"contact_name": "李四"}
    listed = client.get("/api/v1/organisations?active=false", headers=staff).json()["items"]
    assert [o["id"] for o in listed if o["id"] == oid] == [oid]


def test_a_wrong_check_character_is_refused_naming_the_rule_in_chinese(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    good = code(71002)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    resp = client.post(
        "/api/v1/organisations", json=org_body(71002, credit_code=bad), headers={**staff, **ZH}
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"credit_code": "第 18 位校验码不正确(GB 32100-2015)"}
    assert session.scalar(select(Organisation.id).where(Organisation.credit_code == bad)) is None


def test_duplicate_credit_code_unknown_district_and_bad_kind_are_refused(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    assert client.post("/api/v1/organisations", json=org_body(71003), headers=staff).status_code == 201
    dup = client.post(
        "/api/v1/organisations", json=org_body(71003, name="另一个名称"), headers={**staff, **EN}
    )
    assert dup.status_code == 409
    assert dup.json()["error"]["fields"] == {
        "credit_code": "an organisation with this credit code exists already"
    }
    bad = client.post(
        "/api/v1/organisations",
        json=org_body(71004, district="朝阳区", kind="bank"),
        headers={**staff, **EN},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {
        "district": "must be one of the districts of Shijiazhuang",
        "kind": "must be one of: government or park committee, university or institute, enterprise, "
        "evaluator, other",
    }


def test_applicants_and_experts_do_not_see_the_register(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_person: Callable[..., Person],
    login: Callable[..., Any],
) -> None:
    applicant = login(make_person("applicant", org=make_org()))
    assert client.get("/api/v1/organisations", headers=applicant).status_code == 404
    assert client.post("/api/v1/organisations", json=org_body(71005), headers=applicant).status_code == 404
    assert client.get("/api/v1/organisations").status_code == 401
