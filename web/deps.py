"""Page dependencies: the locale, the logged-in user from the session cookie, and the page context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from api.edge.deps import SESSION_COOKIE, SessionDep, SettingsDep
from api.edge.errors import locale_of
from scoring.core.actors import ROLE_NAMES_ZH, Actor, Role
from scoring.core.errors import DomainError, NotAuthenticated, NotFound
from scoring.core.i18n import current_locale
from scoring.services.admin.accounts import resolve_session
from scoring.services.admin.notifications.inbox import unread_count
from web.csrf import check
from web.templating import templates


class LoginRequired(Exception):
    """Raised by page dependencies; turned into a redirect to the login page."""


class PasswordChangeRequired(LoginRequired):
    """A one-time password: every page sends its holder to the password change first."""


PASSWORD_PAGE = "/account/password"


@dataclass
class Page:
    request: Request
    locale: str
    actor: Actor | None
    csrf_token: str
    extra: dict[str, Any] = field(default_factory=dict)

    def context(self, **values: Any) -> dict[str, Any]:
        return {
            "request": self.request,
            "locale": self.locale,
            "actor": self.actor,
            "role_names": ROLE_NAMES_ZH,
            "csrf_token": self.csrf_token,
            **values,
        }

    def require_csrf(self, submitted: str | None) -> None:
        check(self.csrf_token, submitted)


@dataclass
class UserPage(Page):
    """A page behind a login: its actor is always there (the role dependencies return this)."""

    actor: Actor = field(kw_only=True)


def page_context(request: Request, session: SessionDep, settings: SettingsDep) -> Page:
    locale = locale_of(request)
    current_locale.set(locale)
    actor = None
    csrf = ""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            resolved = resolve_session(session, settings=settings, token=cookie, kind="web")
            actor, csrf = resolved.actor, resolved.csrf_token
        except NotAuthenticated:
            actor = None
        request.state.unread = unread_count(session, actor=actor) if actor else 0  # the header's badge
        session.commit()  # see api.edge.deps.resolve_request: hold no connection between threads
    request.state.page_user = (actor, csrf)  # the error page keeps the user's header
    return Page(request=request, locale=locale, actor=actor, csrf_token=csrf)


PageDep = Annotated[Page, Depends(page_context)]


async def logged_in(page: PageDep) -> UserPage:  # async: pure checks need no thread hop
    if page.actor is None:
        raise LoginRequired()
    if page.actor.must_change_password and page.request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
    return UserPage(
        request=page.request,
        locale=page.locale,
        csrf_token=page.csrf_token,
        extra=page.extra,
        actor=page.actor,
    )


def roles(*allowed: Role) -> Callable[[UserPage], Awaitable[UserPage]]:
    async def _check(page: Annotated[UserPage, Depends(logged_in)]) -> UserPage:
        ok = page.actor.role in allowed or (Role.STAFF in allowed and page.actor.role is Role.ADMIN)
        if not ok:
            raise NotFound()
        return page

    return _check


LoggedInPage = Annotated[UserPage, Depends(logged_in)]
StaffPage = Annotated[UserPage, Depends(roles(Role.STAFF))]
ApplicantPage = Annotated[UserPage, Depends(roles(Role.APPLICANT))]
CountyPage = Annotated[UserPage, Depends(roles(Role.COUNTY))]
ExpertPage = Annotated[UserPage, Depends(roles(Role.EXPERT))]
EvaluatorPage = Annotated[UserPage, Depends(roles(Role.EVALUATOR))]


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _user_of(request: Request) -> tuple[Actor | None, str]:
    """For an error raised before any page dependency ran (an unknown URL): who is logged in."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None, ""
    try:
        with request.app.state.sessionmaker() as session:
            resolved = resolve_session(session, settings=request.app.state.settings, token=cookie, kind="web")
            session.commit()
            return resolved.actor, resolved.csrf_token
    except NotAuthenticated:
        return None, ""


def error_page(request: Request, exc: DomainError) -> Any:
    locale = locale_of(request)
    current_locale.set(locale)
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    page_user = getattr(request.state, "page_user", None) or _user_of(request)
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "request": request,
            "locale": locale,
            "actor": page_user[0],
            "csrf_token": page_user[1],
            "role_names": ROLE_NAMES_ZH,
            "message": exc.message.render(locale),
            "fields": {k: v.render(locale) for k, v in exc.fields.items()},
            "status": exc.status,
        },
        status_code=exc.status,
    )
