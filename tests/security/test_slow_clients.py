"""Slow and abusive clients against a real server: timeouts, admission after the body, address caps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import connect, read_all, running_server

SLOW_POST = (
    b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b'Content-Length: 5000\r\n\r\n{"username": '
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(
        tmp_path_factory.mktemp("slow"),
        header_timeout_seconds="1.5",
        body_idle_timeout_seconds="1.5",
        max_connections_per_address="300",
    ) as url:
        yield url


def test_healthz_answers_while_more_slow_bodies_are_open_than_there_are_admission_slots(server: str) -> None:
    # The admission limit is 28; before, 28 trickling bodies took every slot and health checks hung.
    slow = []
    for _ in range(60):
        s = connect(server, source="127.0.0.2")
        s.sendall(SLOW_POST)
        slow.append(s)
    try:
        started = time.monotonic()
        statuses = [httpx.get(f"{server}/healthz", timeout=2).status_code for _ in range(10)]
        assert statuses == [200] * 10
        assert time.monotonic() - started < 2
    finally:
        for s in slow:
            s.close()


def test_a_trickling_body_gets_408_once_it_falls_behind_the_minimum_rate(server: str) -> None:
    s = connect(server)
    try:
        s.sendall(SLOW_POST)
        started = time.monotonic()
        reply = read_all(s, timeout=5)
        assert reply.startswith(b"HTTP/1.1 408 "), reply[:80]
        assert b'"code":"request_timeout"' in reply.replace(b" ", b"")
        assert 1.0 < time.monotonic() - started < 4
    finally:
        s.close()


def test_headers_that_never_finish_are_cut_off_with_408(server: str) -> None:
    s = connect(server)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        for _ in range(3):
            time.sleep(0.3)
            s.sendall(b"a")  # data keeps arriving, but the headers never end
        reply = read_all(s, timeout=5)
        assert reply.startswith(b"HTTP/1.1 408 "), reply[:80]
        assert 1.0 < time.monotonic() - started < 4
    finally:
        s.close()


def test_an_idle_keep_alive_connection_that_starts_a_request_slowly_is_cut_off_too(server: str) -> None:
    s = connect(server)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(3)
        first = b""
        while not first.endswith(b"}"):  # the whole first response, body included
            first += s.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        reply = read_all(s, timeout=5)
        assert reply.startswith(b"HTTP/1.1 408 "), reply[:80]
    finally:
        s.close()


def test_a_body_sent_at_a_normal_pace_is_served(server: str) -> None:
    body = b'{"username": "nobody", "password": "wrong-password"}'
    s = connect(server)
    try:
        s.sendall(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for i in range(0, len(body), 10):
            time.sleep(0.05)
            s.sendall(body[i : i + 10])
        s.settimeout(5)
        reply = s.recv(65536)
        assert reply.startswith(b"HTTP/1.1 401 "), reply[:80]
    finally:
        s.close()


def test_one_address_may_hold_only_so_many_connections(tmp_path: Path) -> None:
    with running_server(tmp_path, max_connections_per_address="5") as url:
        held = [connect(url, source="127.0.0.3") for _ in range(5)]
        try:
            extra = connect(url, source="127.0.0.3")
            reply = read_all(extra, timeout=3)
            extra.close()
            assert reply.startswith(b"HTTP/1.1 503 "), reply[:80]
            # Another address is not affected, and the cap frees up as connections close.
            assert httpx.get(f"{url}/healthz", timeout=2).status_code == 200
            held.pop().close()
            time.sleep(0.2)
            again = connect(url, source="127.0.0.3")
            again.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert read_all(again, timeout=3).startswith(b"HTTP/1.1 200 ")
            again.close()
            # The trusted reverse proxy (uvicorn's forwarded_allow_ips, 127.0.0.1 by default) is never capped.
            proxied = [connect(url, source="127.0.0.1") for _ in range(8)]
            for s in proxied:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert [read_all(s, timeout=3)[:13] for s in proxied] == [b"HTTP/1.1 200 "] * 8
            for s in proxied:
                s.close()
        finally:
            for s in held:
                s.close()


def test_a_chunked_body_over_the_limit_gets_413(server: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 50_000

    resp = httpx.post(
        f"{server}/api/v1/auth/token",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"
