"""Login throttling: growing delays per (address, name), no account-wide lock, nothing to enumerate."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.errors import NotAuthenticated
from scoring.services.admin import login_throttle
from scoring.services.admin.login_throttle import LoginThrottled, delay_after, throttled_login
from scoring.settings import Settings
from scoring.store.models import AuditEvent

T0 = datetime(2026, 11, 29, 9, 0, 0).astimezone()
WRONG = "Wrong-Passw0rd!"


def _attempts_in(
    session: Session,
    settings: Settings,
    *,
    address: str,
    username: str,
    window: timedelta,
    start: datetime = T0,
) -> int:
    """Attempts an attacker gets that reach the password check, trying again the moment it may."""
    now, end, tries = start, start + window, 0
    while now < end:
        wait = login_throttle.retry_after(
            session, settings=settings, address=address, username=username, now=now
        )
        if wait:
            now += timedelta(seconds=wait)
            continue
        tries += 1
        with pytest.raises(NotAuthenticated):
            throttled_login(
                session, settings=settings, address=address, username=username, password=WRONG, now=now
            )
    return tries


def test_delays_double_after_the_free_attempts_up_to_the_cap() -> None:
    cap = timedelta(minutes=15)
    assert [delay_after(n, 3, cap).total_seconds() for n in range(1, 9)] == [0, 0, 1, 2, 4, 8, 16, 32]
    assert delay_after(13, 3, cap) == cap
    assert delay_after(10_000, 3, cap) == cap


def test_one_address_gets_12_guesses_in_10_minutes_and_15_in_an_hour(
    session: Session, settings: Settings, make_person: Any
) -> None:
    person = make_person("staff")
    ten = _attempts_in(
        session, settings, address="10.0.0.66", username=person.username, window=timedelta(minutes=10)
    )
    assert ten == 12
    other = make_person("staff")
    hour = _attempts_in(
        session, settings, address="10.0.0.67", username=other.username, window=timedelta(hours=1)
    )
    assert hour == 15


def test_a_second_address_guessing_the_same_name_gets_one_free_try_then_waits_with_the_name(
    session: Session, settings: Settings, make_person: Any
) -> None:
    person = make_person("staff")
    _attempts_in(
        session, settings, address="10.0.0.66", username=person.username, window=timedelta(minutes=10)
    )
    # Twelve failures on the name: a fresh address has one free try, then waits 16 s, then 32 s.
    second = _attempts_in(
        session,
        settings,
        address="10.0.0.68",
        username=person.username,
        window=timedelta(minutes=1),
        start=T0 + timedelta(minutes=10),
    )
    assert second == 3


def test_the_owner_at_another_address_logs_in_while_the_attacker_is_slowed(
    session: Session, settings: Settings, make_person: Any
) -> None:
    person = make_person("staff")
    _attempts_in(
        session, settings, address="10.0.0.66", username=person.username, window=timedelta(minutes=30)
    )
    later = T0 + timedelta(minutes=30)
    with pytest.raises(LoginThrottled):
        throttled_login(
            session,
            settings=settings,
            address="10.0.0.66",
            username=person.username,
            password=person.password,
            now=later,
        )
    user = throttled_login(
        session,
        settings=settings,
        address="10.0.0.9",
        username=person.username,
        password=person.password,
        now=later,
    )
    assert user.id == person.user.id


def test_unknown_and_existing_names_are_throttled_alike(
    session: Session, settings: Settings, make_person: Any
) -> None:
    person = make_person("expert")

    def outcomes(username: str, address: str) -> list[str]:
        seen = []
        for second in range(8):
            try:
                throttled_login(
                    session,
                    settings=settings,
                    address=address,
                    username=username,
                    password=WRONG,
                    now=T0 + timedelta(seconds=second),
                )
            except LoginThrottled as exc:
                seen.append(f"429 after {exc.retry_after}")
            except NotAuthenticated as exc:
                seen.append(f"401 {exc.code} {exc.message.render('en')}")
        return seen

    known = outcomes(person.username, "10.1.1.1")
    unknown = outcomes("no-such-user", "10.1.1.2")
    assert known == unknown
    assert known[:5] == [
        "401 bad_credentials Wrong username or password.",
        "401 bad_credentials Wrong username or password.",
        "401 bad_credentials Wrong username or password.",
        "401 bad_credentials Wrong username or password.",
        "429 after 1",
    ]


def test_a_guessing_run_leaves_one_audit_event(
    session: Session, settings: Settings, make_person: Any
) -> None:
    person = make_person("county", district="正定县")
    before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    _attempts_in(
        session, settings, address="10.0.0.70", username=person.username, window=timedelta(minutes=10)
    )
    events = session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.entity, e.entity_id, e.after) for e in events] == [
        ("login.throttle", "login", person.username.lower(), {"address": "10.0.0.70", "failures": 3})
    ]


def test_api_answers_429_with_retry_after_and_another_address_still_gets_a_token(
    app: Any, make_person: Any, session: Session
) -> None:
    person = make_person("staff")
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.5", 4000)) as attacker:
        codes = [
            attacker.post(
                "/api/v1/auth/token", json={"username": person.username, "password": WRONG}
            ).status_code
            for _ in range(3)
        ]
        assert codes == [401, 401, 401]
        blocked = attacker.post(
            "/api/v1/auth/token", json={"username": person.username, "password": person.password}
        )
        assert blocked.status_code == 429
        assert blocked.headers["retry-after"] == "1"
        assert blocked.json()["error"]["code"] == "login_throttled"
    with TestClient(app, raise_server_exceptions=False, client=("198.51.100.7", 4000)) as owner:
        ok = owner.post("/api/v1/auth/token", json={"username": person.username, "password": person.password})
        assert ok.status_code == 200
    opened = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity == "user", AuditEvent.entity_id == str(person.user.id)
        )
    ).all()
    assert opened.count("session.open_api") == 1


def test_login_page_answers_429_with_retry_after(app: Any, make_person: Any) -> None:
    person = make_person("expert")
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 4000)) as browser:
        statuses = []
        for _ in range(4):
            form = browser.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]*)"', form)
            assert token
            resp = browser.post(
                "/login",
                data={
                    "username": person.username,
                    "password": WRONG,
                    "csrf_token": token.group(1),
                    "next": "/",
                },
                follow_redirects=False,
            )
            statuses.append(resp.status_code)
        assert statuses == [401, 401, 401, 429]
        assert resp.headers["retry-after"] == "1"
        assert "Too many failed logins" in resp.text or "登录失败次数过多" in resp.text
