"""kill -9 on PostgreSQL: the server dies three times in a burst of sheet saves; no acknowledged save is lost.

Runs only on PostgreSQL (SHUANGCHUANG_TEST_DATABASE_URL, as `.ci/run` sets it), in a database of its
own next to the test database: the demo is seeded there, a real uvicorn serves it, experts save their
draft sheets back to back from several threads, and the server is killed with SIGKILL three times in
the middle of the burst and started again. Afterwards every sheet holds its last acknowledged save
(or the one that was in flight at the kill, which the server may have committed before dying), and
the audit chain verifies.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile_server import free_port
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from scoring.demo import seed_demo
from scoring.settings import Settings, normalise_database_url
from scoring.store import migrate
from scoring.store.audit import verify_chain
from scoring.store.db import make_engine, make_sessionmaker
from scoring.store.models import Expert, Sheet, User

ROOT = Path(__file__).resolve().parents[2]
KILLS = 3
SAVERS = 4


def _postgres_url() -> str:
    url = os.environ.get("SHUANGCHUANG_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        pytest.skip("the kill -9 test runs on PostgreSQL (SHUANGCHUANG_TEST_DATABASE_URL)")
    return normalise_database_url(url)


@pytest.fixture(scope="module")
def crash_db() -> Iterator[str]:
    base = make_url(_postgres_url())
    name = f"{base.database}_crash"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Server:
    def __init__(self, url: str, var: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, SHUANGCHUANG_DATABASE_URL=url, SHUANGCHUANG_VAR_DIR=str(var))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(self.port),
             "--log-level", "error"],
            env=self.env,
            cwd=ROOT,
        )  # fmt: skip
        for _ in range(400):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


@dataclass
class Track:
    acked: dict[int, str] = field(default_factory=dict)  # sheet -> comments of the last 200
    in_flight: dict[int, str] = field(default_factory=dict)
    acks: int = 0
    errors: int = 0


def _saver(
    server: Server, token: str, sheets: list[int], track: Track, lock: threading.Lock, stop: threading.Event
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    versions: dict[int, int] = {}
    n = 0
    while not stop.is_set():
        for sheet_id in sheets:
            n += 1
            comment = f"save {sheet_id}-{n}-{secrets.token_hex(3)}"
            try:
                if sheet_id not in versions:
                    versions[sheet_id] = httpx.get(
                        f"{server.base}/api/v1/sheets/{sheet_id}", headers=headers, timeout=5
                    ).json()["version"]
                with lock:
                    track.in_flight[sheet_id] = comment
                resp = httpx.put(
                    f"{server.base}/api/v1/sheets/{sheet_id}",
                    json={"scores": {}, "comments": comment, "version": versions[sheet_id]},
                    headers=headers,
                    timeout=5,
                )
            except (httpx.HTTPError, KeyError, ValueError):
                versions.pop(sheet_id, None)  # the server died mid-request: read the version again
                with lock:
                    track.errors += 1
                time.sleep(0.05)
                continue
            if resp.status_code == 200:
                versions[sheet_id] = resp.json()["version"]
                with lock:
                    track.acked[sheet_id] = comment
                    track.in_flight.pop(sheet_id, None)
                    track.acks += 1
            else:
                versions.pop(sheet_id, None)


def test_no_acknowledged_save_is_lost_when_the_server_is_killed_three_times(
    crash_db: str, tmp_path: Path
) -> None:
    from scoring.services.admin import passwords

    passwords.use_fast_hashing()
    migrate.upgrade(crash_db)
    settings = Settings(
        environment="test", var_dir=tmp_path, database_url=crash_db, secret_key=secrets.token_urlsafe(40)
    )
    engine = make_engine(crash_db)
    seed_demo(make_sessionmaker(engine), settings=settings)
    accounts = {
        parts[1]: parts[2]
        for parts in (
            line.split("\t")
            for line in (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
        )
        if len(parts) == 3
    }
    with Session(engine) as session:
        drafts: dict[str, list[int]] = {}
        for username, sheet_id in session.execute(
            select(User.username, Sheet.id)
            .join(Expert, Expert.user_id == User.id)
            .join(Sheet, Sheet.expert_id == Expert.id)
            .where(Sheet.status == "draft", Sheet.declared_at.is_not(None))
            .order_by(Sheet.id)
        ):
            drafts.setdefault(username, []).append(sheet_id)
    experts = sorted(drafts, key=lambda u: -len(drafts[u]))[:SAVERS]
    assert len(experts) >= 2, drafts

    server = Server(crash_db, tmp_path)
    server.start()
    tokens = {}
    for username in experts:
        resp = httpx.post(
            f"{server.base}/api/v1/auth/token", json={"username": username, "password": accounts[username]}
        )
        assert resp.status_code == 200, resp.text
        tokens[username] = resp.json()["access_token"]

    track, lock, stop = Track(), threading.Lock(), threading.Event()
    threads = [
        threading.Thread(target=_saver, args=(server, tokens[u], drafts[u], track, lock, stop), daemon=True)
        for u in experts
    ]
    for t in threads:
        t.start()
    acks_at_kill: list[int] = []
    try:
        for _ in range(KILLS + 1):
            # Kill in the middle of the burst: once saves are being acknowledged again.
            target = (acks_at_kill[-1] if acks_at_kill else 0) + 10
            deadline = time.monotonic() + 120
            while track.acks < target and time.monotonic() < deadline:
                time.sleep(0.05)
            with lock:
                acks_at_kill.append(track.acks)
            if len(acks_at_kill) > KILLS:
                break
            server.kill()
            server.start()
    finally:
        stop.set()
        for t in threads:
            t.join(15)
        server.kill()

    # Saves were acknowledged before every kill and after the last restart.
    assert all(b >= a + 10 for a, b in zip([0, *acks_at_kill], acks_at_kill, strict=False)), acks_at_kill
    lost: list[Any] = []
    with Session(engine) as session:
        stored = dict(
            session.execute(select(Sheet.id, Sheet.comments).where(Sheet.id.in_(list(track.acked)))).all()
        )
        for sheet_id, comment in track.acked.items():
            if stored[sheet_id] not in (comment, track.in_flight.get(sheet_id)):
                lost.append((sheet_id, comment, stored[sheet_id]))
        report = verify_chain(session)
    engine.dispose()
    assert lost == []
    assert report.ok, report
