"""uvicorn HTTP protocols that drop slow-header connections and cap concurrent connections per address."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Container
from functools import lru_cache
from typing import Any, cast

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from scoring.settings import get_settings

_REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 5\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 26\r\n\r\nToo many connections open\n"
)
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 16\r\n\r\nRequest timeout\n"
)

# One event loop per worker process, so plain module state is enough.
_open_by_address: Counter[str] = Counter()


def open_connections(address: str) -> int:
    return _open_by_address[address]


def _is_trusted_proxy(protocol: Any, address: str) -> bool:
    """A reverse proxy uvicorn trusts for X-Forwarded-For carries everyone's connections: it is never
    capped here (the proxy limits per client itself, see README), and the login throttle sees the
    forwarded client address."""
    config = getattr(protocol, "config", None)
    if config is None or not config.proxy_headers:
        return False
    trusted = _trusted_hosts(str(config.forwarded_allow_ips))
    return address in trusted


@lru_cache(maxsize=8)
def _trusted_hosts(spec: str) -> Container[str]:
    try:
        from uvicorn.middleware.proxy_headers import _TrustedHosts

        return cast(Container[str], _TrustedHosts(spec))
    except ImportError:  # pragma: no cover - a uvicorn without it: exact addresses only
        return frozenset(part.strip() for part in spec.split(","))


class _Guard:
    """Mixed into uvicorn's protocols: the request line and headers must arrive within
    `header_timeout_seconds` of the connection opening (or of the previous response), and one
    address holds at most `max_connections_per_address` connections (0: no cap, e.g. behind a proxy
    that enforces its own)."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any

    def _guard_start(self, transport: asyncio.Transport) -> bool:
        settings = get_settings()
        self._header_timeout = settings.header_timeout_seconds
        self._counted: str | None = None
        self._header_timer: asyncio.TimerHandle | None = None
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else None
        cap = settings.max_connections_per_address
        if address is not None and cap > 0 and not _is_trusted_proxy(self, address):
            if _open_by_address[address] >= cap:
                transport.write(_REFUSED)
                transport.close()
                return False
            _open_by_address[address] += 1
            self._counted = address
        return True

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self._header_timeout, self._header_deadline, self.cycle)

    def _disarm_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _header_deadline(self, cycle_when_armed: Any) -> None:
        self._header_timer = None
        # A new cycle, or one still running (a pipelined request), means headers were parsed in time;
        # a body has its own deadline (api.edge.backpressure).
        idle = self.cycle is None or self.cycle.response_complete
        if self.cycle is cycle_when_armed and idle and not self.transport.is_closing():
            self.transport.write(_TIMED_OUT)
            self.transport.close()

    def _guard_end(self) -> None:
        self._disarm_header_timer()
        address = getattr(self, "_counted", None)
        if address is not None:
            self._counted = None
            _open_by_address[address] -= 1
            if _open_by_address[address] <= 0:
                del _open_by_address[address]


class GuardedH11Protocol(_Guard, H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self._guard_start(transport):
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._guard_end()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()


class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self._guard_start(transport):
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._guard_end()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()


# For `uvicorn --http`: the C parser when it is installed, as uvicorn's "auto" would choose.
PROTOCOL = "api.edge.connections:GuardedHttpToolsProtocol"
