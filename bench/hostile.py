"""Hostile traffic: /healthz latency with 200 slow connections open, and password guesses per hour.

    python bench/hostile.py [--slow 200] [--seconds 20] [--addresses 10]

Part 1 starts a real uvicorn (the guarded protocol, as `shuangchuang serve` runs it) over a fresh
SQLite file and opens `--slow` connections from `--addresses` loopback addresses (127.0.0.2, …;
Linux routes all of 127/8 to lo): half send headers a byte at a time, half declare a 5,000-byte body
and trickle it. A connection the server drops is opened again at once, so `--slow` stay open. Meanwhile
one client at 127.0.0.1 calls /healthz back to back; the latency percentiles, the number of failures
and how many slow connections the server cut are printed.

Part 2 counts the password attempts one address gets against one account in 10 minutes and in an
hour, trying again the moment the throttle lets it, with the clock simulated (no waiting), while the
owner logs in from another address at the end. It also times refused logins with the production
password hashing, for an unknown name and for a wrong password (they should cost the same).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring.core.actors import SYSTEM  # noqa: E402
from scoring.core.errors import NotAuthenticated  # noqa: E402
from scoring.services.admin import passwords  # noqa: E402
from scoring.services.admin.accounts import UserIn, create_user  # noqa: E402
from scoring.services.admin.login_throttle import retry_after, throttled_login  # noqa: E402
from scoring.settings import Settings  # noqa: E402
from scoring.store import migrate  # noqa: E402
from scoring.store.db import make_engine, make_sessionmaker  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    db = f"sqlite:///{(tmp / 'hostile.sqlite3').as_posix()}"
    migrate.upgrade(db)
    port = _free_port()
    env = dict(os.environ, SHUANGCHUANG_DATABASE_URL=db, SHUANGCHUANG_VAR_DIR=str(tmp))
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--http", "api.edge.connections:GuardedHttpToolsProtocol",
            "--log-level", "error",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start")


class SlowClients:
    """`count` connections that never finish a request, reopened whenever the server drops one."""

    def __init__(self, port: int, count: int, addresses: int) -> None:
        self.port, self.count, self.addresses = port, count, addresses
        self.stop = threading.Event()
        self.cut = 0
        self.refused = 0
        self.lock = threading.Lock()

    def _open(self, i: int) -> socket.socket:
        s = socket.socket()
        s.bind((f"127.0.0.{2 + i % self.addresses}", 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", self.port))
        if i % 2:
            s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{")
        else:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        return s

    def run(self) -> None:
        conns = {i: self._open(i) for i in range(self.count)}
        while not self.stop.is_set():
            for i, s in list(conns.items()):
                try:
                    s.sendall(b"a")
                    s.setblocking(False)
                    try:
                        data = s.recv(4096)
                    except BlockingIOError:
                        data = None
                    finally:
                        s.setblocking(True)
                    if data is not None:  # an answer (408/503) or the close: reconnect
                        raise ConnectionError(data[:12])
                except (OSError, ConnectionError) as exc:
                    with self.lock:
                        if b"503" in str(exc).encode():
                            self.refused += 1
                        else:
                            self.cut += 1
                    s.close()
                    try:
                        conns[i] = self._open(i)
                    except OSError:
                        conns.pop(i)
            self.stop.wait(1.0)
        for s in conns.values():
            s.close()


def healthz_under_slow_clients(slow: int, seconds: float, addresses: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _serve(Path(tmp))
        try:
            attackers = SlowClients(int(url.rsplit(":", 1)[1]), slow, addresses)
            thread = threading.Thread(target=attackers.run, daemon=True)
            thread.start()
            time.sleep(2)  # every slow connection open
            latencies: list[float] = []
            failures = 0
            end = time.monotonic() + seconds
            with httpx.Client(timeout=5) as client:
                while time.monotonic() < end:
                    t = time.perf_counter()
                    try:
                        ok = client.get(f"{url}/healthz").status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    latencies.append((time.perf_counter() - t) * 1000)
                    failures += not ok
            attackers.stop.set()
            thread.join(10)
        finally:
            proc.terminate()
            proc.wait(10)
    latencies.sort()
    return {
        "slow_connections": slow,
        "slow_addresses": addresses,
        "healthz_requests": len(latencies),
        "healthz_failures": failures,
        "healthz_p50_ms": round(statistics.median(latencies), 2),
        "healthz_p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
        "healthz_max_ms": round(latencies[-1], 2),
        "slow_connections_cut_by_server": attackers.cut,
        "slow_connections_refused_503": attackers.refused,
    }


def password_attempts() -> dict[str, object]:
    passwords.use_fast_hashing()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/throttle.sqlite3"
        migrate.upgrade(db)
        settings = Settings(
            environment="test", var_dir=Path(tmp), database_url=db, secret_key=secrets.token_urlsafe(40)
        )
        engine = make_engine(db)
        factory = make_sessionmaker(engine)
        result: dict[str, object] = {}
        password = "Owner-Passw0rd!"
        t0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        with factory() as session:
            for label, window in (("10min", timedelta(minutes=10)), ("1h", timedelta(hours=1))):
                name = f"victim_{label}"
                create_user(
                    session, actor=SYSTEM, data=UserIn(username=name, password=password, role="staff")
                )
                now, tries = t0, 0
                while now < t0 + window:
                    wait = retry_after(
                        session, settings=settings, address="10.66.0.1", username=name, now=now
                    )
                    if wait:
                        now += timedelta(seconds=wait)
                        continue
                    tries += 1
                    with contextlib.suppress(NotAuthenticated):
                        throttled_login(
                            session,
                            settings=settings,
                            address="10.66.0.1",
                            username=name,
                            password=f"guess-{tries}",
                            now=now,
                        )
                result[f"attempts_one_address_one_account_{label}"] = tries
                owner = throttled_login(
                    session, settings=settings, address="10.1.2.3", username=name, password=password, now=now
                )
                result[f"owner_logs_in_from_another_address_after_{label}"] = owner.username == name
            session.rollback()
        engine.dispose()
    return result


def login_timing(rounds: int = 20) -> dict[str, object]:
    """Mean time of a refused login, with the production password hashing: unknown name vs wrong password."""
    # Runs before password_attempts(), which switches this process to the fast test hashing.
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/timing.sqlite3"
        migrate.upgrade(db)
        settings = Settings(
            environment="test", var_dir=Path(tmp), database_url=db, secret_key=secrets.token_urlsafe(40)
        )
        engine = make_engine(db)
        times: dict[str, list[float]] = {"unknown": [], "wrong": []}
        with make_sessionmaker(engine)() as session:
            create_user(
                session, actor=SYSTEM, data=UserIn(username="known", password="Owner-Passw0rd!", role="staff")
            )
            for i in range(rounds):
                for label, name in (("unknown", f"nobody{i}"), ("wrong", "known")):
                    t = time.perf_counter()
                    with contextlib.suppress(NotAuthenticated):
                        throttled_login(
                            session,
                            settings=settings,
                            address=f"10.9.{i}.1",
                            username=name,
                            password=f"guess-{i}",
                        )
                    times[label].append((time.perf_counter() - t) * 1000)
            session.rollback()
        engine.dispose()
    return {f"refused_login_ms_{k}": round(statistics.mean(v), 1) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--addresses", type=int, default=10, help="source addresses of the slow clients")
    args = parser.parse_args()
    report = (
        healthz_under_slow_clients(args.slow, args.seconds, args.addresses)
        | login_timing()
        | password_attempts()
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
