"""Account administration: create for any role, change role or scope, disable and enable, reset to a
one-time password; and every user's own password change. Sessions are revoked whenever access changes."""

from __future__ import annotations

import hashlib
import re
import secrets
import string

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor, Role
from scoring.core.districts import DISTRICTS
from scoring.core.errors import Conflict, NotFound, ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.onboarding import can_manage_accounts
from scoring.services.admin.onboarding_schemas import (
    AccountCreated,
    AccountIn,
    AccountOut,
    AccountPage,
    AccountStatusIn,
    AccountUpdate,
    PasswordChangeIn,
    PasswordResetOut,
)
from scoring.services.admin.passwords import hash_password, password_problem, verify_password
from scoring.store import audit
from scoring.store.models import AuthSession, Organisation, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
ROLE_RULE = msg("must be one of: %(roles)s", roles=", ".join(r.value for r in Role))


def one_time_password() -> str:
    """16 characters from all four classes, so it meets the policy it will be replaced under."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return (
        body
        + secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + secrets.choice("-_!#%+")
    )


def revoke_sessions(session: Session, *, user_id: int, keep_session_id: int | None = None) -> int:
    """End every page session and API token of a user at once (ASVS 8.3.2); the count ended."""
    stmt = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep_session_id is not None:
        stmt = stmt.where(AuthSession.id != keep_session_id)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def account_out(user: User, organisation_name: str | None) -> AccountOut:
    return AccountOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        organisation_id=user.organisation_id,
        organisation_name=organisation_name,
        district=user.district,
        is_active=user.is_active,
        must_change_password=user.must_change_password,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _out(session: Session, user: User) -> AccountOut:
    name = None
    if user.organisation_id is not None:
        name = session.scalar(select(Organisation.name).where(Organisation.id == user.organisation_id))
    return account_out(user, name)


def _require(actor: Actor) -> None:
    if not can_manage_accounts(actor):
        raise NotFound()


def _load(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def scope_problems(
    session: Session, *, role: str, organisation_id: int | None, district: str | None
) -> dict[str, Msg]:
    """The binding each role needs: applicants, experts and evaluators an organisation (applicants:
    an active one), county recommenders a district."""
    problems: dict[str, Msg] = {}
    try:
        parsed = Role(role)
    except ValueError:
        return {"role": ROLE_RULE}
    if district is not None and district not in DISTRICTS:
        problems["district"] = msg("must be one of the districts of Shijiazhuang")
    if organisation_id is not None:
        org = session.get(Organisation, organisation_id)
        if org is None:
            problems["organisation_id"] = msg("no such organisation")
        elif not org.is_active and parsed is Role.APPLICANT:
            problems["organisation_id"] = msg("this organisation is deactivated")
    if parsed is Role.APPLICANT and organisation_id is None:
        problems["organisation_id"] = msg("an applicant account must belong to an organisation")
    if parsed is Role.COUNTY and district is None:
        problems["district"] = msg("a county recommender account must belong to a district")
    return problems


def _active_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        )
        or 0
    )


def _guard_last_admin(session: Session, user: User) -> None:
    if user.role == Role.ADMIN.value and user.is_active and _active_admins(session) <= 1:
        raise Conflict(
            msg("This is the last active administrator: create or enable another one first."),
            code="last_admin",
        )


def create_account(session: Session, *, actor: Actor, data: AccountIn) -> AccountCreated:
    """A new account; without a password a one-time one is generated, shown once, changed at first login."""
    _require(actor)
    district = (data.district or "").strip() or None
    problems: dict[str, Msg] = {}
    if not USERNAME_RE.match(data.username):
        problems["username"] = msg("must be 3 to 64 letters, digits, dots, hyphens or underscores")
    problems.update(
        scope_problems(session, role=data.role, organisation_id=data.organisation_id, district=district)
    )
    if data.password:
        weak = password_problem(data.password)
        if weak is not None:
            problems["password"] = weak
    if problems:
        raise ValidationFailed(fields=problems)
    if session.scalar(select(User.id).where(func.lower(User.username) == data.username.lower())):
        raise Conflict(fields={"username": msg("this username is taken")})
    temporary = None if data.password else one_time_password()
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=hash_password(data.password or temporary or ""),
        role=data.role,
        organisation_id=data.organisation_id,
        district=district,
        must_change_password=temporary is not None,
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
            "one_time_password": temporary is not None,
        },
    )
    return AccountCreated(account=_out(session, user), one_time_password=temporary)


def update_account(session: Session, *, actor: Actor, user_id: int, data: AccountUpdate) -> AccountOut:
    """Change the name, role or binding; a change of role or binding ends the user's sessions at once."""
    _require(actor)
    user = _load(session, user_id)
    role = data.role if data.role is not None else user.role
    fields = data.model_fields_set
    organisation_id = data.organisation_id if "organisation_id" in fields else user.organisation_id
    district = ((data.district or "").strip() or None) if "district" in fields else user.district
    problems = scope_problems(session, role=role, organisation_id=organisation_id, district=district)
    if problems:
        raise ValidationFailed(fields=problems)
    if role != user.role:
        _guard_last_admin(session, user)
    before = {
        "display_name": user.display_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "district": user.district,
    }
    user.display_name = data.display_name or user.display_name
    user.role = role
    user.organisation_id = organisation_id
    user.district = district
    after = {
        "display_name": user.display_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "district": user.district,
    }
    if before == after:
        return _out(session, user)
    access_changed = any(before[k] != after[k] for k in ("role", "organisation_id", "district"))
    revoked = revoke_sessions(session, user_id=user.id) if access_changed else 0
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.update",
        entity="user",
        entity_id=user.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={**{k: v for k, v in after.items() if before[k] != v}, "sessions_revoked": revoked},
    )
    return _out(session, user)


def set_account_status(session: Session, *, actor: Actor, user_id: int, data: AccountStatusIn) -> AccountOut:
    """Disable (ending every session and token at once) or enable an account; never the last admin."""
    _require(actor)
    user = _load(session, user_id)
    if user.is_active == data.active:
        return _out(session, user)
    if not data.active:
        _guard_last_admin(session, user)
    user.is_active = data.active
    revoked = 0 if data.active else revoke_sessions(session, user_id=user.id)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.enable" if data.active else "user.disable",
        entity="user",
        entity_id=user.id,
        before={"is_active": not data.active},
        after={"is_active": data.active, "sessions_revoked": revoked},
    )
    return _out(session, user)


def reset_password(session: Session, *, actor: Actor, user_id: int) -> PasswordResetOut:
    """A one-time password the user must change at the next login; every session of theirs ends."""
    _require(actor)
    user = _load(session, user_id)
    temporary = one_time_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    revoked = revoke_sessions(session, user_id=user.id)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.reset_password",
        entity="user",
        entity_id=user.id,
        after={"must_change_password": True, "sessions_revoked": revoked},
    )
    return PasswordResetOut(account=_out(session, user), one_time_password=temporary)


def change_own_password(
    session: Session, *, actor: Actor, data: PasswordChangeIn, current_session_id: int | None = None
) -> AccountOut:
    """The user's own change: the current password is required, the policy holds, the new one differs;
    every other session and token of the user ends (the one making the change stays)."""
    if actor.user_id is None:
        raise NotFound()
    user = _load(session, actor.user_id)
    if not verify_password(user.password_hash, data.current_password):
        raise ValidationFailed(fields={"current_password": msg("is not your current password")})
    weak = password_problem(data.new_password)
    if weak is not None:
        raise ValidationFailed(fields={"new_password": weak})
    if data.new_password == data.current_password:
        raise ValidationFailed(fields={"new_password": msg("must differ from the current password")})
    user.password_hash = hash_password(data.new_password)
    was_forced = user.must_change_password
    user.must_change_password = False
    revoked = revoke_sessions(session, user_id=user.id, keep_session_id=current_session_id)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.change_password",
        entity="user",
        entity_id=user.id,
        after={"was_one_time": was_forced, "sessions_revoked": revoked},
    )
    return _out(session, user)


def must_change_password(session: Session, *, user_id: int) -> bool:
    return bool(session.scalar(select(User.must_change_password).where(User.id == user_id)))


def list_accounts(
    session: Session,
    *,
    actor: Actor,
    role: str | None = None,
    query: str = "",
    after_id: int = 0,
    limit: int = 100,
) -> AccountPage:
    _require(actor)
    stmt = (
        select(User, Organisation.name)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.id > after_id)
        .order_by(User.id)
        .limit(limit)
    )
    if role:
        stmt = stmt.where(User.role == role)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    rows = session.execute(stmt).all()
    return AccountPage(
        items=[account_out(u, name) for u, name in rows],
        next_cursor=rows[-1][0].id if len(rows) == limit else None,
    )


def get_account(session: Session, *, actor: Actor, user_id: int) -> AccountOut:
    _require(actor)
    return _out(session, _load(session, user_id))


def session_id_of(session: Session, *, token: str) -> int | None:
    """The stored session a page cookie or token names (only its SHA-256 digest is stored)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return session.scalar(select(AuthSession.id).where(AuthSession.token_hash == digest))


FIRST_ADMIN_COMMAND = "shuangchuang user create --role admin --username admin"


def needs_first_admin(session: Session) -> bool:
    """An empty install: no active administrator yet, so nobody can create accounts in the pages."""
    return _active_admins(session) == 0
