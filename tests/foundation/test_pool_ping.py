"""Pooled PostgreSQL connections: pinged on checkout only after sitting idle (scoring.store.db).

A server that went away while a connection sat idle must cost no request an error; a connection used a
moment ago is not pinged (a round trip per request), and if it died anyway, the one statement that
finds out fails and the pool starts afresh.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from scoring.store import db


@pytest.fixture
def pg_engine(db_url: str) -> Iterator[Engine]:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: an SQLite connection is a file, with no server to lose")
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(pg_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The pings the pool sends (the dialect's own ping, counted as it runs)."""
    sent: list[Any] = []
    real = pg_engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        sent.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(pg_engine.dialect, "do_ping", counted)
    return sent


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(db_url: str, pid: int) -> None:
    other = db.make_engine(db_url)
    try:
        with other.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    finally:
        other.dispose()
    time.sleep(0.1)  # the backend exits after the signal


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_engine: Engine, pings: list[Any]) -> None:
    first = _backend_pid(pg_engine)  # a new connection: nothing to ping
    assert _backend_pid(pg_engine) == first  # the same connection, back from the pool within the window
    assert _backend_pid(pg_engine) == first
    assert pings == []


def test_an_idle_connection_is_pinged_and_one_the_server_dropped_is_replaced(
    pg_engine: Engine, db_url: str, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.2)
    first = _backend_pid(pg_engine)
    time.sleep(0.3)
    assert _backend_pid(pg_engine) == first  # pinged, alive, kept
    assert len(pings) == 1

    _terminate(db_url, first)  # the server drops it while it sits in the pool (a restart, an idle timeout)
    time.sleep(0.3)
    replaced = _backend_pid(pg_engine)  # no error: the failed ping discards it and connects anew
    assert replaced != first
    assert len(pings) == 2


def test_a_connection_that_died_within_the_window_fails_one_statement_then_the_pool_recovers(
    pg_engine: Engine, db_url: str, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(pg_engine)
    _terminate(db_url, first)
    with pytest.raises(exc.DBAPIError) as raised, pg_engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert raised.value.connection_invalidated
    assert _backend_pid(pg_engine) != first  # the next request gets a live connection
    assert pings == []
