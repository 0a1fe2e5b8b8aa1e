"""Backpressure: at most a fixed number of requests inside the application at once.

Every request holds a database connection while its handler runs, and FastAPI hands a request
between pool threads (dependencies, handler, commit). Let more requests in than there are
connections and a burst can leave every thread waiting for a connection held by a request that is
itself waiting for a thread. The extra requests wait here instead, on the event loop, costing no
thread and no connection.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send


class Backpressure:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: anyio.Semaphore | None = None  # created inside the event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = anyio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
