"""Writes go first at admission (api.edge.backpressure): a read waits, for a bounded time, while writes
run; writes never wait for reads. Driven through the middleware itself, with an application whose
requests finish when the test says so."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import anyio
import pytest
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from api.edge.backpressure import Backpressure
from scoring.settings import Settings


class Held:
    """An ASGI app whose request to /<name> runs until `finish(name)`; it logs starts and ends."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.release: dict[str, anyio.Event] = {}

    def hold(self, name: str) -> None:
        self.release[name] = anyio.Event()

    def finish(self, name: str) -> None:
        self.release[name].set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].lstrip("/")
        self.log.append(("start", name))
        try:
            if name in self.release:
                await self.release[name].wait()
            if name.startswith("failing"):
                raise RuntimeError("the handler failed")
        finally:
            self.log.append(("end", name))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _call(middleware: Backpressure, method: str, name: str) -> Callable[[], Coroutine[Any, Any, None]]:
    scope: Scope = {"type": "http", "method": method, "path": f"/{name}", "headers": []}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Message) -> None:
        return None

    async def run() -> None:
        # The failing handler's error: what matters is what the middleware did around it.
        with contextlib.suppress(RuntimeError):
            await middleware(scope, receive, send)

    return run


def _started(app: Held, name: str) -> bool:
    return ("start", name) in app.log


def _run(scenario: Callable[[Held, Backpressure], Awaitable[None]], read_yield: float = 5.0) -> Held:
    app = Held()
    middleware = Backpressure(app, limit=8, read_yield=read_yield)

    async def main() -> None:
        with anyio.fail_after(10):
            await scenario(app, middleware)

    # In a thread of its own: an earlier test in this process may have left an event loop running here.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            anyio.run(main)
        except BaseException as exc:  # re-raised below, in the test's own thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
    return app


def _read_during_a_held_write(read_yield: float) -> tuple[bool, list[tuple[str, str]]]:
    """A save runs until released; a read arrives meanwhile. Whether the read had started before the
    save was released, and the whole log."""
    started_early: list[bool] = []

    async def scenario(app: Held, mw: Backpressure) -> None:
        app.hold("save")
        async with anyio.create_task_group() as tg:
            tg.start_soon(_call(mw, "PUT", "save"))
            await anyio.sleep(0.02)
            tg.start_soon(_call(mw, "GET", "ranking"))
            await anyio.sleep(0.05)
            started_early.append(_started(app, "ranking"))
            app.finish("save")

    app = _run(scenario, read_yield=read_yield)
    return started_early[0], app.log


def test_a_read_that_arrives_while_a_write_runs_starts_when_the_write_has_finished() -> None:
    started_early, log = _read_during_a_held_write(read_yield=5.0)
    assert not started_early  # held back while the save runs
    assert log == [("start", "save"), ("end", "save"), ("start", "ranking"), ("end", "ranking")]


def test_a_read_with_no_write_running_starts_at_once_and_holds_up_no_write() -> None:
    async def scenario(app: Held, mw: Backpressure) -> None:
        app.hold("ranking")
        async with anyio.create_task_group() as tg:
            tg.start_soon(_call(mw, "GET", "ranking"))
            await anyio.sleep(0.02)
            assert _started(app, "ranking")
            # A write arriving while that read runs starts at once: writes never wait for reads.
            tg.start_soon(_call(mw, "POST", "save"))
            await anyio.sleep(0.02)
            assert app.log == [("start", "ranking"), ("start", "save"), ("end", "save")]
            app.finish("ranking")

    _run(scenario)


def test_a_read_waits_no_longer_than_the_bound_for_a_write_that_does_not_finish() -> None:
    started: list[float] = []

    async def scenario(app: Held, mw: Backpressure) -> None:
        app.hold("slow_save")
        async with anyio.create_task_group() as tg:
            tg.start_soon(_call(mw, "PUT", "slow_save"))
            await anyio.sleep(0.01)
            t0 = anyio.current_time()
            await _call(mw, "GET", "page")()
            started.append(anyio.current_time() - t0)
            assert not any(entry == ("end", "slow_save") for entry in app.log)
            app.finish("slow_save")

    _run(scenario, read_yield=0.1)
    assert 0.09 <= started[0] < 1.0


def test_with_no_yield_configured_reads_never_wait() -> None:
    started_early, _log = _read_during_a_held_write(read_yield=0.0)
    assert started_early


@pytest.mark.parametrize("value", ["-1", "1001", "soon"])
def test_an_unusable_read_yield_is_refused_at_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SHUANGCHUANG_READ_YIELD_MS", value)
    with pytest.raises(ValidationError) as caught:
        Settings(environment="test", secret_key="k" * 40)
    assert "read_yield_ms" in str(caught.value)


def test_the_read_yield_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(environment="test", secret_key="k" * 40).read_yield_ms == 50
    monkeypatch.setenv("SHUANGCHUANG_READ_YIELD_MS", "0")
    assert Settings(environment="test", secret_key="k" * 40).read_yield_ms == 0


def test_a_failed_write_lets_reads_through_afterwards() -> None:
    async def scenario(app: Held, mw: Backpressure) -> None:
        await _call(mw, "DELETE", "failing_write")()
        assert app.log == [("start", "failing_write"), ("end", "failing_write")]
        with anyio.fail_after(0.5):  # far below the 5 s bound: nothing is counted as running
            await _call(mw, "GET", "ranking")()

    app = _run(scenario)
    assert app.log[-2:] == [("start", "ranking"), ("end", "ranking")]
