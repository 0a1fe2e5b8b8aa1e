"""Accounts per role can log in and see themselves; the login resists guessing and leaks nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.db import utcnow
from scoring.store.models import AuthSession

ROLES = ["applicant", "county", "expert", "evaluator", "staff", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_and_reads_me(role, client: TestClient, make_person, make_org, login) -> None:
    org = make_org() if role == "applicant" else None
    district = "正定县" if role == "county" else None
    person = make_person(role, org=org, district=district)
    headers = login(person)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["username"] == person.username
    assert me["roles"] == [role]
    assert me["scope"] == {"organisation_id": org.id if org else None, "district": district}


def test_token_endpoint_accepts_a_form(client: TestClient, make_person) -> None:
    person = make_person("staff")
    resp = client.post("/api/v1/auth/token", data={"username": person.username, "password": person.password})
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0


def test_unknown_user_and_wrong_password_get_the_same_answer(client: TestClient, make_person) -> None:
    person = make_person("staff")
    wrong = client.post("/api/v1/auth/token", json={"username": person.username, "password": "Nope-1234"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody-here", "password": "Nope-1234"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "bad_credentials"
    assert "用户名或密码错误" in wrong.json()["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic abc", "Bearer " + "x" * 5000])
def test_malformed_tokens_are_401(client: TestClient, header: str) -> None:
    resp = client.get("/api/v1/me", headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] in ("invalid_token", "not_authenticated")


def test_expired_token_is_refused(client: TestClient, make_person, login, session: Session) -> None:
    person = make_person("staff")
    headers = login(person)
    row = session.scalar(select(AuthSession).where(AuthSession.user_id == person.user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    resp = client.get("/api/v1/me", headers=headers, params={}, cookies={})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "token_expired"
    assert resp.headers["www-authenticate"] == "Bearer"
    resp_en = client.get("/api/v1/me", headers={**headers, "Accept-Language": "en"})
    assert resp_en.json()["error"]["message"] == "Your login has expired. Please log in again."


def test_logout_kills_the_token(client: TestClient, make_person, login) -> None:
    headers = login(make_person("staff"))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_healthz_reports_the_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
