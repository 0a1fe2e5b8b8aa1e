"""A pure ASGI guard on request body size, counted while streaming (Content-Length can lie)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoring.core.i18n import msg, negotiate


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default_limit: int, upload_limit: int) -> None:
        self.app = app
        self.default_limit = default_limit
        self.upload_limit = upload_limit

    def _limit_for(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1")
        return self.upload_limit if ctype.startswith("multipart/form-data") else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope)
        headers = dict(scope.get("headers") or [])
        lang = negotiate(headers.get(b"accept-language", b"").decode("latin-1") or None)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, lang)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLarge
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, limit, lang)
        except Exception:
            if too_large and not started:
                await _too_large(send, limit, lang)
            else:
                raise


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int, lang: str) -> None:
    message = msg("The request body is larger than the limit of %(limit)s bytes.", limit=limit).render(lang)
    body = json.dumps(
        {"error": {"code": "too_large", "message": message, "fields": {}}}, ensure_ascii=False
    ).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
