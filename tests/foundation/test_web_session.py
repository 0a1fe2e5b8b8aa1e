"""Page sessions: HttpOnly SameSite cookie, CSRF on forms, new id at login, logout kills it server-side."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.db import utcnow
from scoring.store.models import AuthSession


def _csrf(html: str, action: str = "") -> str:
    start = html.index(f'action="{action}"') if action else 0
    match = re.search(r'name="csrf_token" value="([^"]+)"', html[start:])
    assert match, html
    return match.group(1)


def _login(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": _csrf(page.text, "/login"),
            "next": "/",
        },
        follow_redirects=False,
    )
    return resp.status_code, resp.headers.get("set-cookie", "")


def test_login_page_is_chinese_by_default_and_english_on_switch(client: TestClient) -> None:
    assert "用户名" in client.get("/login").text
    client.get("/lang/en")
    assert "Username" in client.get("/login").text


def test_login_sets_an_httponly_lax_cookie(client: TestClient, make_person) -> None:
    person = make_person("staff")
    status, cookie = _login(client, person.username, person.password)
    assert status == 303
    assert "sc_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert person.username in client.get("/").text


def test_login_without_csrf_token_is_refused(client: TestClient, make_person) -> None:
    person = make_person("staff")
    client.get("/login")
    resp = client.post(
        "/login", data={"username": person.username, "password": person.password, "csrf_token": "x"}
    )
    assert resp.status_code == 403
    assert "安全令牌" in resp.text


def test_wrong_password_rerenders_with_the_error(client: TestClient, make_person) -> None:
    person = make_person("staff")
    status, _ = _login(client, person.username, "Wrong-pass-1")
    assert status == 401


def test_new_session_id_at_login_and_logout_kills_it(
    client: TestClient, make_person, session: Session
) -> None:
    person = make_person("staff")
    _login(client, person.username, person.password)
    first = client.cookies.get("sc_session")
    _login(client, person.username, person.password)
    second = client.cookies.get("sc_session")
    assert first and second and first != second
    rows = session.scalars(
        select(AuthSession).where(AuthSession.user_id == person.user.id, AuthSession.kind == "web")
    ).all()
    assert len(rows) == 1  # the old session was closed, not left alive
    home = client.get("/")
    resp = client.post("/logout", data={"csrf_token": _csrf(home.text)}, follow_redirects=False)
    assert resp.status_code == 303
    session.expire_all()
    assert (
        session.scalars(
            select(AuthSession).where(AuthSession.user_id == person.user.id, AuthSession.kind == "web")
        ).all()
        == []
    )
    client.cookies.set("sc_session", second)  # replaying the stolen cookie does not work
    assert client.get("/api/v1/me").status_code == 401


def test_idle_session_expires(client: TestClient, make_person, session: Session, settings) -> None:
    person = make_person("staff")
    _login(client, person.username, person.password)
    row = session.scalar(select(AuthSession).where(AuthSession.user_id == person.user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
    session.flush()
    assert client.get("/api/v1/me").status_code == 401


def test_cookie_api_writes_need_the_csrf_header(client: TestClient, make_person) -> None:
    person = make_person("staff")
    _login(client, person.username, person.password)
    assert client.get("/api/v1/me").status_code == 200  # reads need no token
    resp = client.post("/api/v1/auth/logout")
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "csrf_failed"
