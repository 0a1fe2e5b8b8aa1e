"""A draft autosave's commit does not wait for the disk; nothing else changes durability.

Every audited write appends to one hash chain under a lock held until COMMIT, so one slow disk flush
used to hold every expert's autosave behind it (bench/sheets.py --workers 2 on PostgreSQL: p99 of
80-440 ms in runs with a checkpoint). Only the autosave endpoint's transaction, which holds that one
draft, commits without waiting (PostgreSQL's synchronous_commit, for that transaction only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from scoring.store import db
from scoring.store.models import Sheet
from tests.conftest import Person
from tests.review.conftest import PoolExpert, full_scores

RELAX = "SET LOCAL synchronous_commit TO OFF"


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement the application's engine sends, in order."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_only_a_changed_autosave_commits_without_waiting_for_the_disk(
    client: TestClient,
    session: Session,
    engine: Engine,
    draft: tuple[PoolExpert, Sheet],
    login: Callable[[Person], dict[str, str]],
    statements: list[str],
) -> None:
    who, sheet = draft
    headers = login(who.person)
    on_postgresql = engine.dialect.name == "postgresql"

    statements.clear()
    body = {"scores": {"e1_1": "4.5"}, "comments": "", "version": sheet.version}
    saved = client.put(f"/api/v1/sheets/{sheet.id}", headers=headers, json=body)
    assert saved.status_code == 200, saved.text
    # PostgreSQL: once, after the update and its audit event (the same transaction); SQLite: never.
    assert statements.count(RELAX) == (1 if on_postgresql else 0)
    if on_postgresql:
        assert any(
            s.lstrip().upper().startswith("UPDATE SHEETS") for s in statements[: statements.index(RELAX)]
        )

    # The same body again writes nothing, so there is nothing to relax.
    statements.clear()
    again = client.put(f"/api/v1/sheets/{sheet.id}", headers=headers, json=body | {"version": 0})
    assert again.status_code == 200 and again.json()["version"] == saved.json()["version"]
    assert RELAX not in statements

    # A stale save changes nothing; a submission keeps the usual durability.
    statements.clear()
    stale = client.put(
        f"/api/v1/sheets/{sheet.id}", headers=headers, json=body | {"scores": {}, "version": 1}
    )
    assert stale.status_code == 409
    full = client.put(
        f"/api/v1/sheets/{sheet.id}",
        headers=headers,
        json={"scores": full_scores(session, sheet), "comments": "", "version": saved.json()["version"]},
    )
    assert full.status_code == 200, full.text
    statements.clear()
    submitted = client.post(f"/api/v1/sheets/{sheet.id}/submit", headers=headers, json={})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert RELAX not in statements


@pytest.fixture
def pg_engine(db_url: str) -> Iterator[Engine]:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite's durability is its connection's synchronous pragma")
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


def _setting_and_backend(conn: Any) -> tuple[str, int]:
    row = conn.execute(text("SELECT current_setting('synchronous_commit'), pg_backend_pid()")).one()
    return str(row[0]), int(row[1])


def test_the_relaxed_commit_ends_with_its_transaction(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        before, pid = _setting_and_backend(conn)
        db.commit_before_disk_flush(conn)
        during, _ = _setting_and_backend(conn)
    # The pooled connection's next transaction (the same server process) waits for the disk again.
    with pg_engine.begin() as conn:
        after, same_pid = _setting_and_backend(conn)
    assert (before, during, after) == ("on", "off", "on")
    assert same_pid == pid
    # A rolled-back transaction leaves nothing behind either.
    with pg_engine.connect() as conn:
        with conn.begin() as trans:
            db.commit_before_disk_flush(conn)
            trans.rollback()
        with conn.begin():
            assert _setting_and_backend(conn)[0] == "on"
