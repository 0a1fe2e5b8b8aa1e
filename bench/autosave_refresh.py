"""Benchmark: experts' autosave p99 over HTTP alone, then while staff refresh a 1,000-application ranking.

    python bench/autosave_refresh.py [--db URL] [--experts 50] [--http-requests 30] [--think-ms 800]
                                     [--ranking-applications 1000] [--workers 1] [--rounds 2]

The autosave workload is bench/sheets.py's (50 experts, one save in flight each, seeded pauses); the
same database also holds bench/ranking.py's synthetic round, whose full ranking one staff client GETs
in a loop, back to back, during the "with refresher" phases. Phases alternate (without, with, without,
with, …) so the machine's noise falls on both alike; prints one JSON line with each phase's p99 and the
ratio of the medians of the p99s. The database is reset first: point --db only at a benchmark database.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench import ranking as ranking_bench
from bench import sheets as sheets_bench
from scoring.core.actors import SYSTEM
from scoring.services.admin.accounts import open_session
from scoring.settings import Settings, normalise_database_url
from scoring.store import audit
from scoring.store.db import unit_of_work
from scoring.store.models import User


def refresher(
    base: str, token: str, path: str, stop: threading.Event, out: list[float], invalidate: Any
) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while not stop.is_set():
            if invalidate is not None:
                invalidate()
            t0 = time.perf_counter()
            resp = client.get(path)
            out.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                raise SystemExit(f"ranking: {resp.status_code} {resp.text[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--applications", type=int, default=10, help="applications each expert scores")
    parser.add_argument("--http-requests", type=int, default=30, help="saves per expert and phase")
    parser.add_argument("--think-ms", type=float, default=800)
    parser.add_argument("--ranking-applications", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of phases (without, with)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="before every refresh commit an audit event that invalidates the cached ranking, so each "
        "refresh builds the ranking from the database (a long read transaction)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-autosave-refresh-"))
    url = normalise_database_url(args.db or f"sqlite:///{(tmp / 'bench.sqlite3').as_posix()}")
    data = sheets_bench.build(url, experts=args.experts, applications=args.applications)
    ids = ranking_bench.seed(
        data["engine"], applications=args.ranking_applications, experts=7, indicators=18,
        rng=random.Random(20260301),
    )  # fmt: skip
    settings = Settings(
        environment="test", var_dir=tmp, database_url=url, secret_key=secrets.token_urlsafe(40)
    )
    with unit_of_work(data["factory"]) as session:
        staff = session.get(User, ids["staff_id"])
        assert staff is not None
        token = open_session(session, settings=settings, user=staff, kind="api").token
    path = f"/api/v1/rounds/{ids['round_id']}/ranking?kind={ranking_bench.KIND}"

    def invalidate() -> None:
        with unit_of_work(data["factory"]) as session:
            audit.record(session, actor=SYSTEM, action="bench.invalidate", entity="bench", entity_id=0)

    port = sheets_bench.free_port()
    base = f"http://127.0.0.1:{port}"
    server = sheets_bench.start_server(url, port, args.workers, tmp)
    alone: list[float] = []
    refreshed: list[float] = []
    refresh_ms: list[float] = []
    errors = 0
    try:
        for _ in range(args.rounds):
            for with_refresher in (False, True):
                stop = threading.Event()
                worker = None
                if with_refresher:
                    worker = threading.Thread(
                        target=refresher,
                        args=(base, token, path, stop, refresh_ms, invalidate if args.cold else None),
                    )
                    worker.start()
                phase: dict[str, Any] = sheets_bench.bench_http(
                    data, base=base, requests_per_expert=args.http_requests, seconds=120,
                    think_ms=args.think_ms,
                )  # fmt: skip
                stop.set()
                if worker is not None:
                    worker.join()
                errors += phase["http_errors"] + phase["lost"]
                (refreshed if with_refresher else alone).append(phase["http_p99_ms"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    database = data["engine"].dialect.name
    data["engine"].dispose()
    print(
        json.dumps(
            {
                "database": database,
                "http_workers": args.workers,
                "experts": args.experts,
                "ranking_applications": args.ranking_applications,
                "cold_refreshes": args.cold,
                "autosave_p99_ms_alone": alone,
                "autosave_p99_ms_with_refresher": refreshed,
                "ratio_p99_with_to_alone": round(statistics.median(refreshed) / statistics.median(alone), 2),
                "rankings_refreshed": len(refresh_ms),
                "ranking_refresh_ms_median": round(statistics.median(refresh_ms), 1) if refresh_ms else None,
                "errors_or_lost": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
