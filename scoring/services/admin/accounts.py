"""Organisations, user accounts, login with lock-out, and server-side sessions for API and pages."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor, Role
from scoring.core.credit_code import validate_credit_code
from scoring.core.districts import DISTRICTS
from scoring.core.errors import Conflict, Forbidden, NotAuthenticated, ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.admin import can_manage_accounts
from scoring.core.vocabulary import ORGANISATION_KINDS, SessionKind
from scoring.services.admin.passwords import hash_password, password_problem, verify_password
from scoring.services.admin.schemas import OrganisationIn, UserIn
from scoring.settings import Settings
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import AuthSession, Organisation, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
ORG_KINDS: tuple[str, ...] = tuple(ORGANISATION_KINDS)

__all__ = ["ORG_KINDS", "USERNAME_RE", "OrganisationIn", "UserIn"]

_CREDIT_CODE_RULES = {
    "length": msg("must be exactly 18 characters"),
    "charset": msg("may contain only digits and upper-case letters other than I, O, Z, S and V"),
    "division": msg("characters 3 to 8 must be an administrative division code (digits)"),
    "org_code_check": msg("the organisation code (characters 9 to 17) has a wrong check character"),
    "check_character": msg("the check character (the 18th) does not match (GB 32100-2015)"),
}


def create_organisation(session: Session, *, actor: Actor, data: OrganisationIn) -> Organisation:
    if not can_manage_accounts(actor):
        raise Forbidden()
    code = data.credit_code.strip().upper()
    problems: dict[str, Msg] = {}
    rule = validate_credit_code(code)
    if rule is not None:
        problems["credit_code"] = _CREDIT_CODE_RULES.get(str(rule), msg("is not a valid credit code"))
    if data.district is not None and data.district not in DISTRICTS:
        problems["district"] = msg("must be one of the districts of Shijiazhuang")
    if problems:
        raise ValidationFailed(fields=problems)
    if session.scalar(select(Organisation.id).where(Organisation.credit_code == code)):
        raise Conflict(fields={"credit_code": msg("an organisation with this credit code exists already")})
    if session.scalar(select(Organisation.id).where(Organisation.name == data.name)):
        raise Conflict(fields={"name": msg("an organisation with this name exists already")})
    org = Organisation(name=data.name, credit_code=code, kind=data.kind, district=data.district)
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="organisation.create",
        entity="organisation",
        entity_id=org.id,
        after={"name": org.name, "credit_code": code, "kind": org.kind, "district": org.district},
    )
    return org


def create_user(session: Session, *, actor: Actor, data: UserIn) -> User:
    problems: dict[str, Msg] = {}
    if not USERNAME_RE.match(data.username):
        problems["username"] = msg("must be 3 to 64 letters, digits, dots, hyphens or underscores")
    try:
        role = Role(data.role)
    except ValueError:
        problems["role"] = msg("must be one of: %(roles)s", roles=", ".join(r.value for r in Role))
        role = None
    weak = password_problem(data.password)
    if weak is not None:
        problems["password"] = weak
    if role is Role.APPLICANT and data.organisation_id is None:
        problems["organisation"] = msg("an applicant account must belong to an organisation")
    if role is Role.COUNTY and data.district is None:
        problems["district"] = msg("a county recommender account must belong to a district")
    if data.district is not None and data.district not in DISTRICTS:
        problems["district"] = msg("must be one of the districts of Shijiazhuang")
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        problems["organisation"] = msg("no such organisation")
    if problems:
        raise ValidationFailed(fields=problems)
    if not can_manage_accounts(actor):
        raise Forbidden()
    if session.scalar(select(User.id).where(User.username == data.username)):
        raise Conflict(fields={"username": msg("this username is taken")})
    assert role is not None
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=hash_password(data.password),
        role=role.value,
        organisation_id=data.organisation_id,
        district=data.district,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=user.id,
        after={
            "username": user.username,
            "role": user.role,
            "organisation_id": user.organisation_id,
            "district": user.district,
        },
    )
    return user


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        district=user.district,
        display_name=user.display_name,
        must_change_password=user.must_change_password,
    )


def _bad_login(settings: Settings) -> NotAuthenticated:
    # One answer for unknown users, wrong passwords and locked accounts: nothing to enumerate.
    return NotAuthenticated(
        msg(
            "Wrong username or password. After %(max)s failed attempts an account is locked for "
            "%(minutes)s minutes.",
            max=settings.login_max_failures,
            minutes=settings.login_lock_minutes,
        ),
        code="bad_credentials",
    )


def authenticate(session: Session, *, settings: Settings, username: str, password: str) -> User:
    """Check a password. Unknown users and wrong passwords get the same answer (and cost)."""
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        verify_password(None, password)
        raise _bad_login(settings)
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        raise _bad_login(settings)
    if not verify_password(user.password_hash, password):
        # No account-wide lock: anyone could use it to keep the owner out. Failures are throttled
        # per address and name in services.admin.login_throttle.
        raise _bad_login(settings)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str
    expires_at: datetime
    user: User


def open_session(
    session: Session, *, settings: Settings, user: User, kind: Literal["api", "web"]
) -> IssuedSession:
    """A fresh secret at every login (no session fixation); only its digest is stored."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    ttl = (
        timedelta(minutes=settings.token_ttl_minutes)
        if kind == SessionKind.API
        else timedelta(hours=settings.session_absolute_hours)
    )
    row = AuthSession(
        token_hash=_digest(token),
        user_id=user.id,
        kind=kind,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        last_seen_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    audit.record(
        session, actor=actor_for(user), action=f"session.open_{kind}", entity="user", entity_id=user.id
    )
    return IssuedSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at, user=user)


@dataclass(frozen=True)
class ResolvedSession:
    actor: Actor
    csrf_token: str
    session_id: int


_EXPIRED = msg("Your login has expired. Please log in again.")
# Built once: every authenticated request runs it, and building a select (and its cache key) per
# request cost about as much as running it.
_SESSION_AND_USER = (
    select(AuthSession, User)
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.token_hash == bindparam("token_hash"))
)


def resolve_session(
    session: Session, *, settings: Settings, token: str, kind: Literal["api", "web"]
) -> ResolvedSession:
    now = utcnow()
    # One round trip for the session and its user: every authenticated request starts here.
    found = session.execute(_SESSION_AND_USER, {"token_hash": _digest(token)}).one_or_none()
    if found is None or found[0].kind != kind:
        raise NotAuthenticated(msg("The login token is not valid."), code="invalid_token")
    row, user = found
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    if row.expires_at <= now or (kind == SessionKind.WEB and now - row.last_seen_at > idle_limit):
        raise NotAuthenticated(_EXPIRED, code="token_expired")
    if not user.is_active:
        raise NotAuthenticated(msg("The login token is not valid."), code="invalid_token")
    # Touch at most once a minute: keeps reads cheap and idle timeouts honest.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return ResolvedSession(actor=actor_for(user), csrf_token=row.csrf_token, session_id=row.id)


def close_session(session: Session, *, token: str) -> None:
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(token)))
    if row is None:
        return
    user = session.get(User, row.user_id)
    session.execute(delete(AuthSession).where(AuthSession.id == row.id))
    if user is not None:
        audit.record(
            session,
            actor=actor_for(user),
            action=f"session.close_{row.kind}",
            entity="user",
            entity_id=user.id,
        )
