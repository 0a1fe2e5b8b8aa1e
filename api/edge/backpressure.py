"""Backpressure: a request is admitted only once its body is in, and a fixed number run at once.

Every request holds a database connection while its handler runs, and FastAPI hands a request
between pool threads (dependencies, handler, commit). Let more requests in than there are
connections and a burst can leave every thread waiting for a connection held by a request that is
itself waiting for a thread. The extra requests wait here instead, on the event loop, costing no
thread and no connection.

A slot is taken only when the request is ready to run: its body is read first (spooled to disk past
1 MiB), under an idle timeout and a minimum average rate, so clients that trickle a body in hold a
socket but never a slot. A client that stops reading the response loses it after `send_timeout`.

Writes go first. A read (GET, HEAD, OPTIONS) that arrives while writes are running waits until none is,
for at most `read_yield` seconds, before it takes a slot. All requests of a worker share one
interpreter, so a read that starts beside a write slows it down: an expert's autosave, whose page
waits for it, was held up by a staff member refreshing a ranking in a loop (autosave p99 on SQLite
2.0-2.5 times its p99 alone; 1.2-1.4 times with reads yielding, and the refresher as fast as before).
Writes never wait for reads, and a read already running is never interrupted.
"""

from __future__ import annotations

import json
import tempfile
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoring.core.i18n import msg, negotiate

_SPOOL_IN_MEMORY = 1024 * 1024
_REPLAY_CHUNK = 64 * 1024
READS = frozenset({"GET", "HEAD", "OPTIONS"})


class _ClientGone(Exception):
    pass


class Backpressure:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        body_idle_timeout: float = 15.0,
        body_min_bytes_per_second: int = 8 * 1024,
        send_timeout: float = 60.0,
        read_yield: float = 0.05,
    ) -> None:
        self.app = app
        self.limit = limit
        self.body_idle_timeout = body_idle_timeout
        self.body_min_bytes_per_second = body_min_bytes_per_second
        self.send_timeout = send_timeout
        self.read_yield = read_yield
        self._slots: anyio.Semaphore | None = None  # created inside the event loop
        self._writes = 0  # writes admitted and not finished (one event loop: no lock needed)
        self._no_writes: anyio.Event | None = None  # set when the last of them finishes

    @property
    def in_use(self) -> int:
        return 0 if self._slots is None else self.limit - self._slots.value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        try:
            spool = await self._read_body(receive)
        except TimeoutError:
            await _request_timeout(send, scope)
            return
        except _ClientGone:
            return
        if self._slots is None:
            self._slots = anyio.Semaphore(self.limit)
        write = scope["method"] not in READS
        if write:
            self._writes += 1
            if self._writes == 1:
                self._no_writes = anyio.Event()
        elif self._writes and self.read_yield > 0 and self._no_writes is not None:
            with anyio.move_on_after(self.read_yield):
                await self._no_writes.wait()
        try:
            async with self._slots:
                await self.app(scope, _replay(spool, receive), self._timed_send(send))
        finally:
            spool.close()
            if write:
                self._writes -= 1
                if self._writes == 0 and self._no_writes is not None:
                    self._no_writes.set()

    async def _read_body(self, receive: Receive) -> tempfile.SpooledTemporaryFile[bytes]:
        spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=_SPOOL_IN_MEMORY
        )
        started = time.monotonic()
        received = 0
        try:
            while True:
                # The whole body must keep up a minimum average rate; no single wait exceeds the idle timeout.
                deadline = started + self.body_idle_timeout + received / self.body_min_bytes_per_second
                wait = min(self.body_idle_timeout, deadline - time.monotonic())
                if wait <= 0:
                    raise TimeoutError
                with anyio.fail_after(wait):
                    message = await receive()
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                chunk = message.get("body", b"")
                if chunk:
                    received += len(chunk)
                    spool.write(chunk)
                if not message.get("more_body", False):
                    break
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def _timed_send(self, send: Send) -> Send:
        async def timed_send(message: Message) -> None:
            with anyio.fail_after(self.send_timeout):
                await send(message)

        return timed_send


def _replay(spool: tempfile.SpooledTemporaryFile[bytes], receive: Receive) -> Receive:
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()  # only the disconnect is left to hear about
        chunk = spool.read(_REPLAY_CHUNK)
        more = spool.tell() < _size(spool)
        done = not more
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay


def _size(spool: tempfile.SpooledTemporaryFile[bytes]) -> int:
    here = spool.tell()
    end = spool.seek(0, 2)
    spool.seek(here)
    return end


async def _request_timeout(send: Send, scope: Scope) -> None:
    headers = dict(scope.get("headers") or [])
    lang = negotiate(headers.get(b"accept-language", b"").decode("latin-1") or None)
    message = msg("The request body arrived too slowly.").render(lang)
    body = json.dumps(
        {"error": {"code": "request_timeout", "message": message, "fields": {}}}, ensure_ascii=False
    ).encode()
    response_headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 408, "headers": response_headers})
    await send({"type": "http.response.body", "body": body})
