"""Login with throttling: growing delays per (address, username) pair, per address and per username.

The pair is what gets blocked, never the account everywhere: an attacker guessing from one address
cannot keep the owner, at another address, out. The per-username counter only slows addresses that
have themselves failed against that name (a distributed guess gets about one try per new address);
the per-address counter slows one address spraying many names. Counters are keyed by the submitted
name, so unknown and existing users are throttled, answered and timed alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, case, delete, select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.core.errors import NotAuthenticated, TooManyRequests
from scoring.core.i18n import msg
from scoring.services.admin.accounts import authenticate
from scoring.settings import Settings
from scoring.store import audit
from scoring.store.db import upsert_insert, utcnow
from scoring.store.models import LoginThrottle, User

# Counters idle this long start again from zero.
FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Rule:
    kind: str
    free: int  # failures allowed before any delay


def rules(settings: Settings) -> tuple[Rule, Rule, Rule]:
    free = settings.login_free_attempts
    return Rule("pair", free), Rule("address", 10 * free), Rule("account", 3 * free)


def delay_after(failures: int, free: int, cap: timedelta) -> timedelta:
    """The wait imposed by the `failures`-th failure: none before `free`, then 1 s doubling up to `cap`."""
    if failures < free:
        return timedelta(0)
    exponent = failures - free
    if exponent >= 40:
        return cap
    return min(cap, timedelta(seconds=2**exponent))


class LoginThrottled(TooManyRequests):
    code = "login_throttled"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            msg(
                "Too many failed logins from this address. Try again in %(seconds)s seconds.",
                seconds=retry_after,
            )
        )
        self.retry_after = retry_after


def bad_login() -> NotAuthenticated:
    # One answer for unknown users and wrong passwords: nothing to enumerate.
    return NotAuthenticated(msg("Wrong username or password."), code="bad_credentials")


def _keys(address: str, name: str) -> dict[str, str]:
    return {"pair": f"{address}|{name}"[:200], "address": address[:200], "account": name[:200]}


def retry_after(session: Session, *, settings: Settings, address: str, username: str, now: datetime) -> int:
    """Seconds this address must wait before trying `username` again (0: it may try now)."""
    keys = _keys(address, username.strip().lower())
    rows = {
        row.kind: row
        for row in session.scalars(
            select(LoginThrottle).where(
                ((LoginThrottle.kind == "pair") & (LoginThrottle.key == keys["pair"]))
                | ((LoginThrottle.kind == "address") & (LoginThrottle.key == keys["address"]))
                | ((LoginThrottle.kind == "account") & (LoginThrottle.key == keys["account"]))
            )
        )
    }
    pair = rows.get("pair")
    waits = [0.0]
    for kind, row in rows.items():
        if kind == "account" and (pair is None or pair.failures == 0):
            continue  # the owner's clean address is never slowed by others' failures
        if row.blocked_until is not None and row.blocked_until > now:
            waits.append((row.blocked_until - now).total_seconds())
    return math.ceil(max(waits))


def _count_failure(session: Session, *, kind: str, key: str, free: int, cap: timedelta, now: datetime) -> int:
    """Add one failure atomically (an upsert: concurrent failures all count); returns the new count."""
    insert = upsert_insert(session)
    stale = now - FORGET_AFTER
    table = cast(Table, LoginThrottle.__table__)
    stmt: Any = insert(table).values(kind=kind, key=key, failures=1, last_failure_at=now, blocked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.key],
        set_={
            "failures": case((table.c.last_failure_at < stale, 1), else_=table.c.failures + 1),
            "last_failure_at": now,
        },
    ).returning(table.c.failures)
    failures = int(session.execute(stmt).scalar_one())
    wait = delay_after(failures, free, cap)
    if wait:
        session.execute(
            table.update()
            .where(table.c.kind == kind, table.c.key == key)
            # Never shortens a wait already imposed.
            .values(
                blocked_until=case(
                    (table.c.blocked_until > now + wait, table.c.blocked_until), else_=now + wait
                )
            )
        )
    return failures


def throttled_login(
    session: Session,
    *,
    settings: Settings,
    address: str,
    username: str,
    password: str,
    now: datetime | None = None,
) -> User:
    """Authenticate unless this address is being slowed down for this name; count failures.

    Raises LoginThrottled (429, with the seconds to wait) or NotAuthenticated. The caller commits
    even on failure, so the counters persist. Logins are audited by `open_session`; here only the
    moment a pair starts being slowed down is, so a guessing run leaves one event, not thousands.
    """
    now = now or utcnow()
    name = username.strip().lower()
    wait = retry_after(session, settings=settings, address=address, username=username, now=now)
    if wait > 0:
        raise LoginThrottled(wait)
    try:
        user = authenticate(session, settings=settings, username=username.strip(), password=password)
    except NotAuthenticated:
        cap = timedelta(minutes=settings.login_lock_minutes)
        keys = _keys(address, name)
        counts = {
            rule.kind: _count_failure(
                session, kind=rule.kind, key=keys[rule.kind], free=rule.free, cap=cap, now=now
            )
            for rule in rules(settings)
        }
        if counts["pair"] == settings.login_free_attempts:
            audit.record(
                session,
                actor=SYSTEM,
                action="login.throttle",
                entity="login",
                entity_id=name[:64],
                after={"address": address, "failures": counts["pair"]},
            )
        session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))
        session.flush()
        raise bad_login() from None
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.kind == "pair", LoginThrottle.key == _keys(address, name)["pair"]
        )
    )
    session.flush()
    return user
