"""Sets the caller's locale for the request, so typed read models serialise their texts in it."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from api.edge.errors import locale_of
from scoring.core.i18n import current_locale


class LocaleMiddleware:
    """Pure ASGI: the contextvar is copied into the threads that run sync endpoints."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = current_locale.set(locale_of(HTTPConnection(scope)))  # type: ignore[arg-type]
        try:
            await self.app(scope, receive, send)
        finally:
            current_locale.reset(token)
