"""Account administration over the API: one-time passwords, disable, role change, own password change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent, Organisation, User
from tests.conftest import PASSWORD, Person

EN = {"Accept-Language": "en"}


def token(client: TestClient, username: str, password: str) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_a_new_account_gets_a_one_time_password_that_must_be_changed_first(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_person: Callable[..., Person],
    login: Callable[..., Any],
) -> None:
    admin = login(make_person("admin"))
    org = make_org()
    resp = client.post(
        "/api/v1/accounts",
        json={"username": "zhang.applicant", "role": "applicant", "organisation_id": org.id},
        headers=admin,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    temporary = body["one_time_password"]
    assert len(temporary) == 16
    assert body["account"]["must_change_password"] is True
    assert body["account"]["organisation_name"] == org.name

    user = token(client, "zhang.applicant", temporary)
    blocked = client.get("/api/v1/rounds", headers={**user, **EN})
    assert blocked.status_code == 403
    assert blocked.json()["error"]["code"] == "password_change_required"
    weak = client.post(
        "/api/v1/me/password",
        json={"current_password": temporary, "new_password": "password"},
        headers={**user, **EN},
    )
    assert weak.status_code == 422
    assert weak.json()["error"]["fields"] == {
        "new_password": "must contain at least 3 of these 4: upper-case letters, lower-case letters, "
        "digits, symbols"
    }
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": temporary, "new_password": "Neues-Passw0rt"},
        headers=user,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    assert client.get("/api/v1/rounds", headers=user).status_code == 200


def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(
    client: TestClient, make_person: Callable[..., Person]
) -> None:
    person = make_person("staff")
    first = token(client, person.username, PASSWORD)
    second = token(client, person.username, PASSWORD)
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "nope", "new_password": "Neues-Passw0rt"},
        headers={**first, **EN},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"] == {"current_password": "is not your current password"}
    ok = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "Neues-Passw0rt"},
        headers=first,
    )
    assert ok.status_code == 200
    assert client.get("/api/v1/me", headers=first).status_code == 200
    assert client.get("/api/v1/me", headers=second).status_code == 401


def test_disabling_an_account_ends_its_token_at_once_and_enabling_lets_it_log_in(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    admin = login(make_person("admin"))
    expert = make_person("expert")
    expert_token = token(client, expert.username, PASSWORD)
    assert client.get("/api/v1/me", headers=expert_token).status_code == 200
    resp = client.post(f"/api/v1/accounts/{expert.user.id}/status", json={"active": False}, headers=admin)
    assert resp.status_code == 200
    assert resp.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=expert_token).status_code == 401
    refused = client.post("/api/v1/auth/token", json={"username": expert.username, "password": PASSWORD})
    assert refused.status_code == 401
    client.post(f"/api/v1/accounts/{expert.user.id}/status", json={"active": True}, headers=admin)
    assert client.get("/api/v1/me", headers=token(client, expert.username, PASSWORD)).status_code == 200
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity == "user", AuditEvent.entity_id == str(expert.user.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a in actions if a.startswith("user.")] == ["user.create", "user.disable", "user.enable"]


def test_a_role_change_revokes_the_users_tokens(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    admin = login(make_person("admin"))
    person = make_person("staff")
    old = token(client, person.username, PASSWORD)
    resp = client.put(
        f"/api/v1/accounts/{person.user.id}", json={"role": "county", "district": "正定县"}, headers=admin
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["role"], resp.json()["district"]) == ("county", "正定县")
    assert client.get("/api/v1/me", headers=old).status_code == 401


def test_the_last_active_admin_cannot_be_disabled_or_demoted(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    for other in session.scalars(select(User).where(User.role == "admin")):
        other.is_active = False
    session.flush()
    admin = make_person("admin")
    headers = {**login(admin), **EN}
    resp = client.post(f"/api/v1/accounts/{admin.user.id}/status", json={"active": False}, headers=headers)
    assert resp.status_code == 409
    assert resp.json()["error"] == {
        "code": "last_admin",
        "message": "This is the last active administrator: create or enable another one first.",
        "fields": {},
    }
    demote = client.put(f"/api/v1/accounts/{admin.user.id}", json={"role": "staff"}, headers=headers)
    assert demote.status_code == 409


def test_reset_gives_a_one_time_password_and_ends_sessions(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    admin = login(make_person("admin"))
    person = make_person("county", district="赵县")
    old = token(client, person.username, PASSWORD)
    resp = client.post(f"/api/v1/accounts/{person.user.id}/password-reset", headers=admin)
    assert resp.status_code == 200
    temporary = resp.json()["one_time_password"]
    assert client.get("/api/v1/me", headers=old).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": person.username, "password": PASSWORD}
        ).status_code
        == 401
    )
    assert client.get("/api/v1/me", headers=token(client, person.username, temporary)).status_code == 200


def test_bad_account_inputs_name_their_fields(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    admin = {**login(make_person("admin")), **EN}
    resp = client.post(
        "/api/v1/accounts",
        json={"username": "x", "role": "county", "district": "朝阳区", "password": "short"},
        headers=admin,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "username": "must be 3 to 64 letters, digits, dots, hyphens or underscores",
        "district": "must be one of the districts of Shijiazhuang",
        "password": "must be at least 8 characters long",
    }
    staff = login(make_person("staff"))
    assert client.get("/api/v1/accounts", headers=staff).status_code == 404
