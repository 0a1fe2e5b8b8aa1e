"""CSRF protection for forms: the session's token for logged-in users, a double-submit cookie before login."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from scoring.core.errors import Forbidden
from scoring.core.i18n import msg

PRELOGIN_COOKIE = "sc_csrf"


def prelogin_token(request: Request) -> str:
    return request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)


def set_prelogin_cookie(response: Response, token: str) -> None:
    response.set_cookie(PRELOGIN_COOKIE, token, httponly=True, samesite="lax", path="/")


def check(expected: str | None, submitted: str | None) -> None:
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden(
            msg("The form has expired or its security token is missing. Reload the page."), code="csrf_failed"
        )
