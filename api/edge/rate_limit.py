"""A per-address sliding-window limit for public forms (self-registration), kept in the process."""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from scoring.core.errors import TooManyRequests
from scoring.core.i18n import msg


class AddressLimiter:
    """At most `limit` attempts per client address within `window` seconds. Per process: with several
    workers each counts its own share, which still bounds a single address's rate."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, request: Request) -> None:
        address = request.client.host if request.client else "unknown"
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(address, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise TooManyRequests(
                    msg(
                        "Too many registrations from your address. Try again in %(minutes)s minutes.",
                        minutes=int(self.window // 60),
                    )
                )
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle addresses so memory stays bounded
                for key in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                    del self._hits[key]


REGISTRATION_LIMIT = 5
REGISTRATION_WINDOW = 600.0


def registration_limiter(request: Request) -> AddressLimiter:
    """One limiter per application, shared by the API and the page."""
    state = request.app.state
    limiter = getattr(state, "registration_limiter", None)
    if limiter is None:
        limiter = AddressLimiter(REGISTRATION_LIMIT, REGISTRATION_WINDOW)
        state.registration_limiter = limiter
    return limiter
