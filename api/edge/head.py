"""HEAD is answered wherever GET is: the GET response's status and headers, without its body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """RFC 9110 §9.3.2: a server must answer HEAD like GET, minus the content. Routes declare GET
    only, so a HEAD request runs as GET and its body is dropped (Content-Length stays the GET's).
    A path without GET still answers 405, its Allow naming HEAD only where GET is served."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
