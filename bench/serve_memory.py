"""Benchmark: the memory of a real `serve` process after 50 whole-list rankings; prints one JSON line.

    python bench/serve_memory.py [--applications 1000 --experts 7 --indicators 18] [--db URL]
                                 [--requests 50] [--tracemalloc 25]

Seeds a round with bench/ranking.py's seed() into a fresh temporary SQLite file (or --db, which is
reset first: point it only at a database meant for benchmarks), starts `python -m scoring.cli
serve` on it as bench/serve.py does, logs the round's staff member in over HTTP, requests
GET /api/v1/rounds/{id}/ranking?kind=enterprise&limit=50000 (the whole list) --requests times and the
staff ranking page once, then reads the server's VmRSS (resident now) and VmHWM (peak resident) from
/proc/<pid>/status. The first ranking after start is a cold build; the others are served from the
ranking cache, as in production while nothing changes.

--tracemalloc N runs the server under bench/traced_serve.py, which traces allocations from the first
import and, on SIGUSR1, writes the N largest allocation sites (by file and line) to a file this
bench then prints under "tracemalloc_top". Tracing costs memory itself: its RSS figures are not the
plain server's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import select

from bench.ranking import KIND, seeded
from bench.serve import cpu_ms, start_serve, stop
from scoring.settings import normalise_database_url
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work
from scoring.store.models import User

PASSWORD = "Bench-Passw0rd!"  # bench/ranking.py's seed() creates its staff member with it
MIB = 1024  # /proc/<pid>/status reports kB


def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return {key: round(int(fields[key].split()[0]) / MIB, 1) for key in ("VmRSS", "VmHWM")}


def staff_username(url: str, staff_id: int) -> str:
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            return session.execute(select(User.username).where(User.id == staff_id)).scalar_one()
    finally:
        engine.dispose()


def page_login(client: httpx.Client, username: str) -> None:
    """Log in through the login form (its pre-login CSRF token, then the session cookie)."""
    form = client.get("/login")
    form.raise_for_status()
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found, "no csrf_token on the login page"
    resp = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": found[1], "next": "/"}
    )
    assert resp.status_code in (302, 303), resp.status_code


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=7)
    parser.add_argument("--indicators", type=int, default=18)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="N", help="the N largest sites")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-serve-memory-") as tmp:
        var_dir = Path(tmp)
        default_url = f"sqlite:///{(var_dir / 'bench.sqlite3').as_posix()}"
        url = normalise_database_url(args.db) if args.db else default_url
        engine, ids, seed_seconds = seeded(url, args)
        engine.dispose()
        username = staff_username(url, ids["staff_id"])

        pycache = var_dir / "pycache"
        trace_file = var_dir / "tracemalloc.txt"
        if args.tracemalloc:
            os.environ["BENCH_TRACEMALLOC_TOP"] = str(args.tracemalloc)
            os.environ["BENCH_TRACEMALLOC_OUT"] = str(trace_file)
        warm, _, _, _ = start_serve(url, var_dir, pycache)  # untimed: fills the bytecode cache
        stop(warm)
        proc, base, start_ms, start_cpu_ms = start_serve(url, var_dir, pycache, traced=bool(args.tracemalloc))
        try:
            healthy = proc_memory(proc.pid)
            path = f"/api/v1/rounds/{ids['round_id']}/ranking?kind={KIND}&limit=50000"
            with httpx.Client(base_url=base, timeout=120) as client:
                token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
                token.raise_for_status()
                headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
                timings: list[float] = []
                rows = 0
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    resp = client.get(path, headers=headers)
                    timings.append((time.perf_counter() - t0) * 1000)
                    resp.raise_for_status()
                    rows = len(resp.json()["rows"])
                after_api = proc_memory(proc.pid)
                page_login(client, username)
                page = client.get(f"/staff/rounds/{ids['round_id']}/ranking?kind={KIND}")
                assert page.status_code == 200, page.status_code
            after_page = proc_memory(proc.pid)
            server_cpu = cpu_ms(proc.pid)
            top: list[str] = []
            if args.tracemalloc:
                os.kill(proc.pid, signal.SIGUSR1)
                deadline = time.monotonic() + 60
                while not trace_file.exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.5)  # let the writer finish
                top = trace_file.read_text(encoding="utf-8").splitlines()
        finally:
            stop(proc)

    result: dict[str, Any] = {
        "workload": {
            "applications": args.applications,
            "experts": args.experts,
            "indicators": args.indicators,
            "sheets": args.applications * args.experts,
            "rows_returned": rows,
        },
        "database": url.split(":", 1)[0],
        "seed_seconds": round(seed_seconds, 1),
        "serve_to_healthz_ms": round(start_ms),
        "server_cpu_ms_to_healthy": round(start_cpu_ms),
        "ranking_requests": args.requests,
        "ranking_ms_first": round(timings[0], 1),
        "ranking_ms_median": round(statistics.median(timings), 1),
        "server_mib": {
            "healthy_rss": healthy["VmRSS"],
            f"after_{args.requests}_rankings_rss": after_api["VmRSS"],
            "after_ranking_page_rss": after_page["VmRSS"],
            "peak_rss_vmhwm": after_page["VmHWM"],
        },
        "server_cpu_ms_total": round(server_cpu),
        "traced": bool(args.tracemalloc),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if top:
        result["tracemalloc_top"] = top
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
