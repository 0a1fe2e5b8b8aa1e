"""On SQLite, reads take no write lock: a GET answers while a writer holds the lock; writes still queue."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.services.admin.accounts import UserIn, create_user
from scoring.settings import Settings
from scoring.store import migrate
from scoring.store.db import is_read_only, make_engine, make_sessionmaker, read_only, utcnow
from scoring.store.models import AuthSession
from tests.conftest import PASSWORD


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wal") / "reads.sqlite3"
    migrate.upgrade(f"sqlite:///{path.as_posix()}")
    return path


@pytest.fixture
def file_engine(sqlite_file: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{sqlite_file.as_posix()}")
    yield eng
    eng.dispose()


@pytest.fixture
def writer_lock(sqlite_file: Path) -> Iterator[sqlite3.Connection]:
    """Another process's writer, holding SQLite's write lock for the whole test."""
    conn = sqlite3.connect(sqlite_file, isolation_level=None, timeout=0.1)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _in_thread(fn: Any, timeout: float) -> tuple[bool, Any]:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # reported to the test below
            box["value"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    return (not worker.is_alive(), box.get("value"))


def test_read_only_bind_shares_the_pool_and_is_cached(file_engine: Engine) -> None:
    reading = read_only(file_engine)
    assert reading is read_only(file_engine)
    assert reading.pool is file_engine.pool
    factory = make_sessionmaker(file_engine)
    assert is_read_only(factory(bind=reading)) is True
    assert is_read_only(factory()) is False


def test_a_read_transaction_proceeds_while_a_writer_holds_the_lock(
    file_engine: Engine, writer_lock: sqlite3.Connection
) -> None:
    writer_lock.execute("BEGIN IMMEDIATE")
    factory = make_sessionmaker(file_engine)

    def read() -> int:
        with factory(bind=read_only(file_engine)) as s:
            return len(s.scalars(select(AuthSession.id)).all())

    done, value = _in_thread(read, timeout=5)
    assert done is True
    assert isinstance(value, int)


def test_a_write_transaction_still_waits_for_the_lock(
    file_engine: Engine, writer_lock: sqlite3.Connection
) -> None:
    writer_lock.execute("BEGIN IMMEDIATE")
    factory = make_sessionmaker(file_engine)

    def write() -> None:
        with factory() as s:
            s.scalars(select(AuthSession.id)).all()

    done, _ = _in_thread(write, timeout=1.0)
    assert done is False  # queued on the busy timeout behind the other writer
    writer_lock.execute("ROLLBACK")


def test_get_answers_while_a_writer_holds_the_lock_and_touches_in_a_write_of_its_own(
    file_engine: Engine, writer_lock: sqlite3.Connection, settings: Settings
) -> None:
    from api.app import create_app

    factory = make_sessionmaker(file_engine)
    with factory() as s:
        user = create_user(
            s,
            actor=SYSTEM,
            data=UserIn(username=f"reader{time.monotonic_ns()}", password=PASSWORD, role="staff"),
        )
        s.commit()
        username = user.username
    app = create_app(settings.model_copy(update={"database_url": str(file_engine.url)}), engine=file_engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        writer_lock.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        done, resp = _in_thread(lambda: client.get("/api/v1/me", headers=headers), timeout=10)
        assert done is True
        assert resp.status_code == 200
        assert resp.json()["username"] == username
        assert time.monotonic() - started < 5  # the busy timeout is 30 s: it never waited on the lock
        writer_lock.execute("ROLLBACK")

        # A touch due: the GET writes it in a transaction of its own and still answers.
        stale = utcnow() - timedelta(minutes=5)
        with Session(file_engine) as s:
            s.execute(update(AuthSession).values(last_seen_at=stale))
            s.commit()
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        with Session(file_engine) as s:
            seen = s.scalars(select(AuthSession.last_seen_at)).all()
        assert len(seen) == 1
        assert seen[0] > stale + timedelta(minutes=4)
