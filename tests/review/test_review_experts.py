"""The expert pool: staff add, update and deactivate experts; bad input names its field; others get 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.core.errors import Conflict, NotFound, ValidationFailed
from scoring.services.admin.experts import ExpertIn, ExpertUpdate, create_expert, list_experts, update_expert
from scoring.store.models import AuditEvent, Expert, User
from tests.conftest import PASSWORD, Person, count


def _en(exc: ValidationFailed | Conflict) -> dict[str, str]:
    return {k: v.render("en") for k, v in exc.fields.items()}


def test_staff_add_an_expert_with_a_new_account(
    client: TestClient, session: Session, make_person: Callable[..., Person], make_org, login
) -> None:
    staff = make_person("staff")
    org = make_org("university", "裕华区")
    other = make_org("enterprise", "长安区")
    resp = client.post(
        "/api/v1/experts",
        headers=login(staff),
        json={
            "name": "王建国",
            "title": "教授",
            "fields": ["区域规划", "产业经济"],
            "organisation_id": org.id,
            "district": "裕华区",
            "username": "wangjianguo",
            "password": PASSWORD,
            "declared_conflict_org_ids": [other.id, other.id],
        },
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert {k: body[k] for k in ("name", "title", "fields", "district", "pool", "is_active", "username")} == {
        "name": "王建国",
        "title": "教授",
        "fields": ["区域规划", "产业经济"],
        "district": "裕华区",
        "pool": "expert",
        "is_active": True,
        "username": "wangjianguo",
    }
    assert body["organisation"] == {"id": org.id, "name": org.name}
    assert body["declared_conflict_org_ids"] == [other.id]
    user = session.scalar(select(User).where(User.username == "wangjianguo"))
    assert user is not None and user.role == "expert" and user.display_name == "王建国"
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)))
    assert actions == ["expert.create", "user.create"]


def test_an_evaluator_joins_the_evaluator_pool_with_an_existing_account(
    session: Session, make_person: Callable[..., Person]
) -> None:
    evaluator = make_person("evaluator")
    expert = create_expert(
        session, actor=SYSTEM, data=ExpertIn(name="孟庆华", user_id=evaluator.user.id, pool="evaluator")
    )
    assert (expert.pool, expert.user_id) == ("evaluator", evaluator.user.id)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"organisation_id": 999_999}, {"organisation_id": "no such organisation"}),
        ({"district": "海淀区"}, {"district": "must be one of the districts of Shijiazhuang"}),
        (
            {"declared_conflict_org_ids": [999_998, 999_999]},
            {"declared_conflict_org_ids": "no such organisation: 999998, 999999"},
        ),
        ({"user_id": None}, {"username": "is required: every pool member logs in to score"}),
        ({"user_id": 999_999}, {"user_id": "no such user"}),
        ({"user_role": "staff"}, {"user_id": "must be a user with the role expert"}),
        ({"pool": "evaluator"}, {"user_id": "must be a user with the role evaluator"}),
        (
            {"username": "someone"},
            {"user_id": "give either an existing user or a username and password, not both"},
        ),
        ({"user_id": None, "username": "someone"}, {"password": "is required"}),
    ],
)
def test_bad_expert_input_names_the_field_and_saves_nothing(
    session: Session, make_person: Callable[..., Person], changes: dict[str, Any], fields: dict[str, str]
) -> None:
    person = make_person(changes.pop("user_role", "expert"))
    data: dict[str, Any] = {"name": "李淑芳", "user_id": person.user.id} | changes
    before = (count(session, "experts"), count(session, "users"), count(session, "audit_events"))
    with pytest.raises(ValidationFailed) as err:
        create_expert(session, actor=SYSTEM, data=ExpertIn(**data))
    assert _en(err.value) == fields
    assert (count(session, "experts"), count(session, "users"), count(session, "audit_events")) == before


def test_a_user_is_in_the_pool_once(session: Session, make_person: Callable[..., Person]) -> None:
    person = make_person("expert")
    create_expert(session, actor=SYSTEM, data=ExpertIn(name="甲", user_id=person.user.id))
    with pytest.raises(Conflict) as err:
        create_expert(session, actor=SYSTEM, data=ExpertIn(name="乙", user_id=person.user.id))
    assert _en(err.value) == {"user_id": "this user is already in the pool"}


def test_a_weak_password_for_the_new_account_is_refused(session: Session) -> None:
    before = count(session, "experts")
    with pytest.raises(ValidationFailed) as err:
        create_expert(session, actor=SYSTEM, data=ExpertIn(name="甲", username="jia01", password="short1A"))
    assert _en(err.value) == {"password": "must be at least 8 characters long"}
    assert count(session, "experts") == before


def test_update_declares_conflicts_and_deactivates_with_one_audit_event(
    session: Session, make_expert, make_org
) -> None:
    pooled = make_expert()
    conflict = make_org()
    before = count(session, "audit_events")
    expert = update_expert(
        session,
        actor=SYSTEM,
        expert_id=pooled.expert.id,
        data=ExpertUpdate(declared_conflict_org_ids=[conflict.id], is_active=False),
    )
    assert (expert.declared_conflict_org_ids, expert.is_active) == ([conflict.id], False)
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event is not None and event.action == "expert.update" and event.actor == SYSTEM.username
    assert event.before == {"declared_conflict_org_ids": [], "is_active": True}
    assert event.after == {"declared_conflict_org_ids": [conflict.id], "is_active": False}
    assert count(session, "audit_events") == before + 1
    # The same update again changes nothing and records nothing.
    update_expert(
        session,
        actor=SYSTEM,
        expert_id=pooled.expert.id,
        data=ExpertUpdate(declared_conflict_org_ids=[conflict.id], is_active=False),
    )
    assert count(session, "audit_events") == before + 1


def test_update_refuses_unknown_conflict_organisations_and_keeps_the_old_ones(
    session: Session, make_expert, make_org
) -> None:
    first = make_org()
    pooled = make_expert(conflicts=(first,))
    with pytest.raises(ValidationFailed) as err:
        update_expert(
            session,
            actor=SYSTEM,
            expert_id=pooled.expert.id,
            data=ExpertUpdate(declared_conflict_org_ids=[first.id, 999_999], is_active=None),
        )
    assert _en(err.value) == {
        "declared_conflict_org_ids": "no such organisation: 999999",
        "is_active": "must not be empty",
    }
    session.expire_all()
    assert session.get(Expert, pooled.expert.id).declared_conflict_org_ids == [first.id]  # type: ignore[union-attr]


def test_pool_lists_are_paginated_in_id_order(
    client: TestClient, make_expert, make_person: Callable[..., Person], login
) -> None:
    made = [make_expert().expert.id for _ in range(3)]
    make_expert(pool="evaluator")
    headers = login(make_person("staff"))
    seen: list[int] = []
    cursor = 0
    while True:
        page = client.get(f"/api/v1/experts?pool=expert&limit=2&cursor={cursor}", headers=headers).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert seen == sorted(seen) and set(made) <= set(seen)
    assert all(
        item["pool"] == "expert"
        for item in client.get("/api/v1/experts?pool=expert", headers=headers).json()["items"]
    )


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_only_staff_see_the_pool(
    client: TestClient, make_person: Callable[..., Person], make_org, make_expert, login, role: str
) -> None:
    pooled = make_expert()
    org = make_org() if role == "applicant" else None
    person = make_person(role, org=org, district="长安区" if role == "county" else None)
    headers = login(person)
    assert client.get("/api/v1/experts", headers=headers).status_code == 404
    assert client.get(f"/api/v1/experts/{pooled.expert.id}", headers=headers).status_code == 404
    resp = client.post("/api/v1/experts", headers=headers, json={"name": "x", "user_id": person.user.id})
    assert resp.status_code == 404
    resp = client.put(f"/api/v1/experts/{pooled.expert.id}", headers=headers, json={"is_active": False})
    assert resp.status_code == 404


def test_services_refuse_non_staff(session: Session, make_person: Callable[..., Person]) -> None:
    expert = make_person("expert")
    with pytest.raises(NotFound):
        list_experts(session, actor=expert.actor)


def test_api_validation_error_shape(client: TestClient, make_person: Callable[..., Person], login) -> None:
    headers = login(make_person("staff"))
    resp = client.post(
        "/api/v1/experts",
        headers={**headers, "Accept-Language": "en"},
        json={"name": "甲", "username": "jia02", "password": PASSWORD, "district": "朝阳区", "pool": "judge"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"pool": "must be one of: 'expert' or 'evaluator'"}
    resp = client.post(
        "/api/v1/experts",
        headers={**headers, "Accept-Language": "en"},
        json={"name": "甲", "username": "jia02", "password": PASSWORD, "district": "朝阳区"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"district": "must be one of the districts of Shijiazhuang"}
