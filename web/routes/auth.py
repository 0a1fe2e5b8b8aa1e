"""Login, logout and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.edge.deps import SESSION_COOKIE, SessionDep, SettingsDep
from api.edge.routing import lazy_router
from scoring.core.errors import NotAuthenticated
from scoring.services.admin.accounts import close_session, open_session
from scoring.services.admin.login_throttle import LoginThrottled, throttled_login
from web.csrf import PRELOGIN_COOKIE, check, prelogin_token, set_prelogin_cookie
from web.deps import Page, PageDep
from web.templating import templates

router = lazy_router(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login would be a phishing aid.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(page: PageDep, next: str | None = None) -> Response:
    return _login_page(page, next=next, error=None, username="", status=200)


def _login_page(page: Page, *, next: str | None, error: str | None, username: str, status: int) -> Response:
    token = prelogin_token(page.request)
    response = templates.TemplateResponse(
        page.request,
        "login.html",
        page.context(next=_safe_next(next), error=error, username=username, prelogin_csrf=token),
        status_code=status,
    )
    set_prelogin_cookie(response, token)
    return response


@router.post("/login")
def login(
    request: Request,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check(request.cookies.get(PRELOGIN_COOKIE), csrf_token)
    try:
        user = throttled_login(
            session,
            settings=settings,
            address=request.client.host if request.client else "unknown",
            username=username,
            password=password,
        )
    except LoginThrottled as exc:
        response = _login_page(
            page, next=next, error=exc.message.render(page.locale), username=username, status=429
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except NotAuthenticated as exc:
        session.commit()  # keep the failure count
        return _login_page(
            page, next=next, error=exc.message.render(page.locale), username=username, status=401
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        close_session(session, token=old)  # a new session id at every login
    issued = open_session(session, settings=settings, user=user, kind="web")
    # A one-time password is changed before anything else (the page guard would send them there anyway).
    target = "/account/password" if user.must_change_password else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request,
    page: PageDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and page.actor is not None:
        page.require_csrf(csrf_token)
        close_session(session, token=cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(code: str, request: Request) -> Response:
    back = _safe_next(request.query_params.get("next"))
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(
        "lang", "en" if code == "en" else "zh_CN", samesite="lax", path="/", max_age=365 * 86400
    )
    return response
