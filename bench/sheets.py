"""Benchmark of score-sheet autosave: the save_sheet service in-process, then PUT /api/v1/sheets/{id}
over HTTP with many experts at once against a real uvicorn; checks that no update was lost.

    python bench/sheets.py [--db URL] [--experts 50] [--applications 10] [--saves 500]
                           [--http-requests 30] [--http-seconds 90] [--think-ms 800] [--workers 1]

"Experts saving at once" as the scoring page does it: every expert is active at the same time and
autosaves 800 ms after their last keystroke, one save in flight each (scoresheet.js); pauses are
drawn from think-ms to 2×think-ms and starts are staggered, with seeded randomness. Each expert's
first two saves warm the server up and are not timed. --think-ms 0 sends every save back to back
from the same instant: a saturation test, whose latency is queueing, not the cost of a save.

The database is reset first (SQLite: a fresh temporary file by default; PostgreSQL: every table is
dropped and migrated again), so point --db only at a database meant for benchmarks. Prints one JSON line.

Data is bulk-inserted through the models: one round in review, `--applications` enterprise
applications under review, `--experts` experts who each hold a declared (draft) sheet for every
application, and an API token per expert. Each expert's thread saves only its own sheets, so a
stale version (409) can only come from a bug; they are counted, and every sheet's final stored
scores are compared with the last save the server acknowledged ("lost_updates").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import insert, select

from criteria.load import shipped_rubric
from scoring.core.actors import SYSTEM, Actor, Role
from scoring.core.credit_code import make_credit_code
from scoring.services.admin.rubrics import freeze
from scoring.services.review.sheets import SheetUpdate, save_sheet, sheet_rubric
from scoring.settings import normalise_database_url
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work, utcnow
from scoring.store.models import (
    Application,
    AuthSession,
    Expert,
    Organisation,
    Panel,
    Round,
    Sheet,
    User,
)

KIND = "enterprise"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# ---- data ----------------------------------------------------------------------------------------


def build(url: str, *, experts: int, applications: int) -> dict[str, Any]:
    """Reset the database and bulk-insert a round in review with declared sheets and API tokens."""
    if url.startswith("postgresql"):
        migrate.downgrade(url, "base")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    now = utcnow()
    tokens: dict[int, str] = {}
    with unit_of_work(factory) as s:
        rubric = shipped_rubric(KIND)
        version = freeze(s, actor=SYSTEM, rubric=rubric, source="bench").version
        orgs = [
            {
                "name": f"基准单位{i}",
                "credit_code": make_credit_code("9", "1", "130102", f"{i:08d}"),
                "kind": "enterprise",
                "district": "长安区",
            }
            for i in range(1, applications + 2)
        ]
        s.execute(insert(Organisation), orgs)
        org_ids = list(s.scalars(select(Organisation.id).order_by(Organisation.id)))
        expert_org = org_ids[-1]
        s.execute(
            insert(User),
            [
                {
                    "username": f"bench_expert{i}",
                    "display_name": f"专家{i}",
                    "password_hash": "!",  # never logs in with a password: it gets a token below
                    "role": "expert",
                }
                for i in range(experts)
            ],
        )
        user_ids = list(s.scalars(select(User.id).where(User.role == "expert").order_by(User.id)))
        s.execute(
            insert(Expert),
            [
                {"user_id": uid, "pool": "expert", "name": f"专家{i}", "organisation_id": expert_org}
                for i, uid in enumerate(user_ids)
            ],
        )
        expert_ids = list(s.scalars(select(Expert.id).order_by(Expert.id)))
        rnd = Round(
            year=2023,
            title="基准测试",
            status="reviewing",
            kinds=[KIND],
            rubric_versions={KIND: version},
            references={},
            quotas={KIND: 3},
        )
        s.add(rnd)
        s.flush()
        s.execute(
            insert(Application),
            [
                {
                    "round_id": rnd.id,
                    "kind": KIND,
                    "organisation_id": org_id,
                    "title": f"申报{org_id}",
                    "status": "under_review",
                }
                for org_id in org_ids[:-1]
            ],
        )
        app_ids = list(s.scalars(select(Application.id).order_by(Application.id)))
        panel = Panel(round_id=rnd.id, kind=KIND, size=experts, reserves=0, seed=0, result={})
        s.add(panel)
        s.flush()
        s.execute(
            insert(Sheet),
            [
                {
                    "panel_id": panel.id,
                    "application_id": app_id,
                    "expert_id": expert_id,
                    "status": "draft",
                    "declared_at": now,
                    "scores": {},
                    "comments": "",
                    "version": 1,
                }
                for expert_id in expert_ids
                for app_id in app_ids
            ],
        )
        for uid in user_ids:
            tokens[uid] = secrets.token_urlsafe(32)
        s.execute(
            insert(AuthSession),
            [
                {
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "user_id": uid,
                    "kind": "api",
                    "csrf_token": secrets.token_urlsafe(24),
                    "created_at": now,
                    "last_seen_at": now,
                    "expires_at": now + timedelta(hours=8),
                }
                for uid, token in tokens.items()
            ],
        )
        sheets_of: dict[int, list[int]] = {}
        for sheet_id, uid in s.execute(
            select(Sheet.id, Expert.user_id).join(Expert, Expert.id == Sheet.expert_id).order_by(Sheet.id)
        ):
            sheets_of.setdefault(uid, []).append(sheet_id)
    return {
        "engine": engine,
        "factory": factory,
        "version": version,
        "tokens": tokens,
        "sheets_of": sheets_of,
        "codes": list(sheet_rubric_codes(factory, version)),
    }


def sheet_rubric_codes(factory: Any, version: str) -> list[str]:
    with unit_of_work(factory) as s:
        return list(sheet_rubric(s, kind=KIND, version=version).expert)


def scores_for(codes: list[str], n: int) -> dict[str, str]:
    """A partial score set that differs from save to save (so every save really writes)."""
    k = 1 + n % len(codes)
    return {code: str(Decimal(n % 7) / 2) for code in codes[:k]}


# ---- in-process ----------------------------------------------------------------------------------


def bench_in_process(data: dict[str, Any], saves: int) -> dict[str, Any]:
    factory = data["factory"]
    codes: list[str] = data["codes"]
    actors = {uid: Actor(user_id=uid, username=f"u{uid}", role=Role.EXPERT) for uid in data["sheets_of"]}
    plan = [(uid, sheet_id) for uid, ids in data["sheets_of"].items() for sheet_id in ids]
    versions = {sheet_id: 1 for _, sheet_id in plan}
    last: dict[int, dict[str, str]] = {}
    call_ms: list[float] = []
    txn_ms: list[float] = []
    for n in range(saves):
        uid, sheet_id = plan[n % len(plan)]
        body = SheetUpdate(scores=scores_for(codes, n), comments=f"save {n}", version=versions[sheet_id])
        t0 = time.perf_counter()
        with unit_of_work(factory) as s:
            t1 = time.perf_counter()
            saved = save_sheet(s, actor=actors[uid], sheet_id=sheet_id, data=body)
            t2 = time.perf_counter()
        t3 = time.perf_counter()
        call_ms.append((t2 - t1) * 1000)
        txn_ms.append((t3 - t0) * 1000)
        versions[sheet_id] = saved.version
        last[sheet_id] = saved.scores
    lost = count_lost(factory, last)
    return {
        "saves": saves,
        "median_ms": round(statistics.median(txn_ms), 3),
        "p99_ms": round(percentile(txn_ms, 99), 3),
        "call_median_ms": round(statistics.median(call_ms), 3),
        "lost": lost,
    }


def count_lost(factory: Any, expected: dict[int, dict[str, str]]) -> int:
    with unit_of_work(factory) as s:
        stored = dict(s.execute(select(Sheet.id, Sheet.scores).where(Sheet.id.in_(list(expected)))).all())
    return sum(1 for sheet_id, scores in expected.items() if stored.get(sheet_id) != scores)


# ---- HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, port: int, workers: int, var_dir: Path, app: str = "api.app:create_served_app"
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SHUANGCHUANG_DATABASE_URL": url,
        "SHUANGCHUANG_ENVIRONMENT": "development",
        "SHUANGCHUANG_VAR_DIR": str(var_dir),
        "SHUANGCHUANG_SECRET_KEY": secrets.token_urlsafe(40),
    }
    cmd = [
        sys.executable, "-m", "uvicorn", app, "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=Path(__file__).resolve().parents[1])
    if wait_healthy(f"http://127.0.0.1:{port}", timeout=60):
        return proc
    proc.terminate()
    raise SystemExit("uvicorn did not start")


def wait_healthy(base: str, *, timeout: float) -> bool:
    """Whether GET {base}/healthz answered 200 within `timeout` seconds (polled every 20 ms, so a
    start-up time taken around it is that close)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.02)
    return False


def current_versions(factory: Any) -> dict[int, int]:
    with unit_of_work(factory) as s:
        return dict(s.execute(select(Sheet.id, Sheet.version)).all())


def bench_http(
    data: dict[str, Any], *, base: str, requests_per_expert: int, seconds: float, think_ms: float
) -> dict[str, Any]:
    codes: list[str] = data["codes"]
    versions = current_versions(data["factory"])
    latencies: list[float] = []
    last: dict[int, dict[str, str]] = {}
    counters = {"ok": 0, "stale": 0, "errors": 0}
    lock = threading.Lock()
    start = threading.Barrier(len(data["tokens"]))
    stop_at = time.monotonic() + seconds + 5

    def expert(uid: int, token: str) -> None:
        my_sheets = data["sheets_of"][uid]
        mine: list[float] = []
        my_last: dict[int, dict[str, str]] = {}
        ok = stale = errors = 0
        pace = random.Random(uid)  # seeded: the same schedule on every run
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:

            def save(n: int) -> tuple[float, int]:
                nonlocal ok, stale, errors
                sheet_id = my_sheets[n % len(my_sheets)]
                scores = scores_for(codes, n + uid)
                body = {"scores": scores, "comments": f"http {uid} {n}", "version": versions[sheet_id]}
                t0 = time.perf_counter()
                resp = client.put(f"/api/v1/sheets/{sheet_id}", json=body)
                elapsed = (time.perf_counter() - t0) * 1000
                if resp.status_code == 200:
                    versions[sheet_id] = resp.json()["version"]
                    my_last[sheet_id] = resp.json()["scores"]
                elif resp.status_code == 409:
                    versions[sheet_id] = client.get(f"/api/v1/sheets/{sheet_id}").json()["version"]
                return elapsed, resp.status_code

            # Warm-up, not timed: the connection, and the server's first save (statement compilation,
            # rubric cache) in every worker process, which would otherwise be the slowest requests.
            for n in range(-2, 0):
                _, status = save(n)
                errors += status not in (200, 409)
            start.wait()
            if think_ms:
                # Experts do not press keys in lockstep: each starts somewhere in the first pause.
                time.sleep(pace.uniform(0, think_ms) / 1000)
            for n in range(requests_per_expert):
                if time.monotonic() > stop_at:
                    break
                elapsed, status = save(n)
                mine.append(elapsed)
                if status == 200:
                    ok += 1
                elif status == 409:
                    stale += 1
                else:
                    errors += 1
                if think_ms:
                    # The page autosaves think_ms after the last keystroke (scoresheet.js: 800 ms),
                    # one save in flight at a time; typing adds up to as much again.
                    time.sleep(think_ms * pace.uniform(1, 2) / 1000)
        with lock:
            latencies.extend(mine)
            last.update(my_last)
            counters["ok"] += ok
            counters["stale"] += stale
            counters["errors"] += errors

    threads = [threading.Thread(target=expert, args=(uid, tok)) for uid, tok in data["tokens"].items()]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "http_concurrency": len(threads),
        "http_requests": len(latencies),
        "http_ok": counters["ok"],
        "http_errors": counters["errors"],
        "stale_409": counters["stale"],
        "http_median_ms": round(statistics.median(latencies), 3) if latencies else None,
        "http_p99_ms": round(percentile(latencies, 99), 3) if latencies else None,
        "http_throughput_rps": round(len(latencies) / elapsed, 1),
        "lost": count_lost(data["factory"], last),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--applications", type=int, default=10)
    parser.add_argument("--saves", type=int, default=500, help="in-process saves")
    parser.add_argument("--http-requests", type=int, default=30, help="saves per expert over HTTP")
    parser.add_argument("--http-seconds", type=float, default=90, help="time bound of the HTTP phase")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=800,
        help="an expert's pause between saves: think-ms to 2×think-ms, start staggered within the first "
        "(default 800, the page's autosave delay); 0 = all at once back to back, a saturation test",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--app",
        default="api.app:create_served_app",
        help="the application factory (api.app:create_app: without the served process's gc.freeze)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-sheets-"))
    url = normalise_database_url(args.db or f"sqlite:///{(tmp / 'bench.sqlite3').as_posix()}")
    data = build(url, experts=args.experts, applications=args.applications)
    in_process = bench_in_process(data, args.saves)
    port = free_port()
    server = start_server(url, port, args.workers, tmp, args.app)
    try:
        http = bench_http(
            data,
            base=f"http://127.0.0.1:{port}",
            requests_per_expert=args.http_requests,
            seconds=args.http_seconds,
            think_ms=args.think_ms,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    data["engine"].dispose()
    print(
        json.dumps(
            {
                "database": data["engine"].dialect.name,
                "saves": in_process["saves"],
                "median_ms": in_process["median_ms"],
                "p99_ms": in_process["p99_ms"],
                "call_median_ms": in_process["call_median_ms"],
                "http_concurrency": http["http_concurrency"],
                "http_requests": http["http_requests"],
                "http_think_ms": args.think_ms,
                "http_workers": args.workers,
                "app_factory": args.app,
                "http_median_ms": http["http_median_ms"],
                "http_p99_ms": http["http_p99_ms"],
                "http_throughput_rps": http["http_throughput_rps"],
                "http_errors": http["http_errors"],
                "stale_409": http["stale_409"],
                "lost_updates": in_process["lost"] + http["lost"],
            }
        )
    )


if __name__ == "__main__":
    main()
