"""Benchmark: `shuangchuang serve` (no demo) on a fresh database until /healthz answers 200, and on a
database already migrated; prints one JSON line with the medians.

    python bench/serve.py [--repeat 3] [--db URL]

--db is upgraded (never reset) by serve itself; the default is a fresh temporary SQLite file per run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.sheets import free_port

ROOT = Path(__file__).resolve().parents[1]


def time_to_healthy(url: str, var_dir: Path) -> float:
    port = free_port()
    env = os.environ | {
        "SHUANGCHUANG_DATABASE_URL": url,
        "SHUANGCHUANG_ENVIRONMENT": "development",
        "SHUANGCHUANG_VAR_DIR": str(var_dir),
        "SHUANGCHUANG_SECRET_KEY": secrets.token_urlsafe(40),
    }
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scoring.cli.main", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return (time.perf_counter() - t0) * 1000
            except httpx.HTTPError:
                time.sleep(0.02)
        raise SystemExit("serve did not become healthy in 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    fresh: list[float] = []
    again: list[float] = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
            url = args.db or f"sqlite:///{(Path(tmp) / 'serve.sqlite3').as_posix()}"
            fresh.append(time_to_healthy(url, Path(tmp)))
            again.append(time_to_healthy(url, Path(tmp)))  # migrated already: the everyday start
    print(
        json.dumps(
            {
                "serve_to_healthz_ms_fresh_database": round(statistics.median(fresh)),
                "serve_to_healthz_ms_migrated_database": round(statistics.median(again)),
                "runs_fresh": [round(t) for t in fresh],
                "runs_migrated": [round(t) for t in again],
            }
        )
    )


if __name__ == "__main__":
    main()
