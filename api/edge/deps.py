"""Dependency aliases: the request's unit of work, its language and the acting user per role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, cast

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api.edge.errors import locale_of
from scoring.core.actors import Actor, Role
from scoring.core.errors import Forbidden, NotAuthenticated, NotFound
from scoring.core.i18n import msg
from scoring.services.admin.accounts import ResolvedSession, resolve_session
from scoring.settings import Settings
from scoring.store.db import is_read_only, read_only

SESSION_COOKIE = "sc_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_settings_dep(request: Request) -> Settings:  # async: a synchronous one costs a thread hop
    settings: Settings = request.app.state.settings
    return settings


_finisher: anyio.CapacityLimiter | None = None


def _finish_limiter() -> anyio.CapacityLimiter:
    """Threads of their own for commit, rollback and close. Handlers run in the shared thread pool;
    if a transaction's commit had to queue there too, a burst of requests blocked on the database
    (a row lock, the audit chain's lock, a pool checkout) could take every thread and wait forever
    for the very commit that would release them."""
    global _finisher
    if _finisher is None:
        _finisher = anyio.CapacityLimiter(64)
    return _finisher


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The edge owns the transaction: commit when the handler returns, roll back if it raises.

    One thread hop ends it (commit and close together); none when the handler already committed in
    its own thread, as the hottest writes do to release the audit chain's lock without waiting for
    another thread."""
    session: Session = request.app.state.sessionmaker()
    if request.method in _SAFE_METHODS and isinstance(session.bind, Engine):
        # Safe methods only read (a session touch aside, see resolve_request): no write lock on SQLite.
        session.bind = read_only(session.bind)
    limiter = _finish_limiter()
    try:
        yield session
    except BaseException:
        await anyio.to_thread.run_sync(_rollback_and_close, session, limiter=limiter)
        raise
    if session.in_transaction():
        await anyio.to_thread.run_sync(_commit_and_close, session, limiter=limiter)
    else:
        session.close()  # no transaction, no connection: nothing to wait for


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit happens before the response is sent, so a failed commit is an error.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
LocaleDep = Annotated[str, Depends(locale_of)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _resolve(request: Request, session: Session, settings: Settings) -> ResolvedSession | None:
    token = bearer_token(request)
    if token is not None:
        return resolve_session(session, settings=settings, token=token, kind="api")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    resolved = resolve_session(session, settings=settings, token=cookie, kind="web")
    unsafe = request.method not in _SAFE_METHODS and request.url.path.startswith("/api/")
    if unsafe and request.headers.get(CSRF_HEADER) != resolved.csrf_token:
        raise Forbidden(
            msg("The form has expired or its security token is missing. Reload the page."),
            code="csrf_failed",
        )
    return resolved


def resolve_request(request: Request, session: Session, settings: Settings) -> ResolvedSession | None:
    """Bearer token first; otherwise the page session cookie (CSRF-checked for unsafe methods)."""
    cached = getattr(request.state, "resolved", None)
    if cached is not None:
        return cast(ResolvedSession, cached)
    resolved = _resolve(request, session, settings)
    if resolved is None:
        return None
    if session.dirty and is_read_only(session) and session.get_bind().dialect.name == "sqlite":
        # A deferred SQLite read cannot safely turn into a write (SQLITE_BUSY if a writer went first):
        # the once-a-minute touch runs again in a write transaction of its own, then reading resumes.
        session.rollback()
        reading = session.bind
        session.bind = request.app.state.engine  # the same pool, beginning IMMEDIATE
        try:
            resolved = _resolve(request, session, settings)
            session.commit()
        finally:
            session.bind = reading
    request.state.resolved = resolved
    sqlite = session.get_bind().dialect.name == "sqlite"
    if session.dirty or (sqlite and not is_read_only(session)):
        # Commit the session touch now. On SQLite a writing transaction holds the write lock (BEGIN
        # IMMEDIATE), which must not wait across the hop to the handler's thread. On PostgreSQL a
        # clean read keeps its connection for the handler: one checkout (and ping, when idle) a request;
        # Backpressure admits fewer requests than there are connections, so none waits for one.
        session.commit()
    return resolved


# What a user holding a one-time password may reach: who they are, the change itself, logging out.
PASSWORD_CHANGE_PATHS = frozenset({"/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"})


def current_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    resolved = resolve_request(request, session, settings)
    if resolved is None:
        raise NotAuthenticated()
    if resolved.actor.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise Forbidden(
            msg("Change your one-time password first (POST /api/v1/me/password)."),
            code="password_change_required",
        )
    return resolved.actor


def optional_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor | None:
    try:
        resolved = resolve_request(request, session, settings)
    except NotAuthenticated:
        return None
    return resolved.actor if resolved else None


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def require_roles(*roles: Role, hide: bool = False) -> Callable[[Actor], Awaitable[Actor]]:
    """A role gate. With hide=True the resource pretends not to exist (404) for other roles."""

    async def _check(actor: CurrentActor) -> Actor:  # async: a pure check needs no thread hop
        if actor.role not in roles and not (Role.STAFF in roles and actor.role is Role.ADMIN):
            raise NotFound() if hide else Forbidden()
        return actor

    return _check


StaffActor = Annotated[Actor, Depends(require_roles(Role.STAFF))]
ApplicantActor = Annotated[Actor, Depends(require_roles(Role.APPLICANT))]
CountyActor = Annotated[Actor, Depends(require_roles(Role.COUNTY))]
ExpertActor = Annotated[Actor, Depends(require_roles(Role.EXPERT))]
EvaluatorActor = Annotated[Actor, Depends(require_roles(Role.EVALUATOR))]
AdminActor = Annotated[Actor, Depends(require_roles(Role.ADMIN))]
