"""Benchmark: `shuangchuang serve` (no demo) on a fresh database until /healthz answers 200, and on a
database already migrated; prints one JSON line with the medians.

    python bench/serve.py [--repeat 3] [--db URL] [--no-bytecode-cache]

--db is upgraded (never reset) by serve itself; the default is a fresh temporary SQLite file per run.

The server runs as a deployment runs it: with its modules' bytecode cached (an installed package is
compiled at install time). The cache lives in a temporary PYTHONPYCACHEPREFIX, filled by one untimed
start first, so the bench writes nothing into the source tree even where PYTHONDONTWRITEBYTECODE is
set. --no-bytecode-cache times the other case: every module compiled from source at every start.
Besides the wall time, each start reports the CPU time the server process used until it was healthy,
which swings far less with the machine's load.
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


from bench.sheets import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def serve_env(url: str, var_dir: Path, pycache: Path | None) -> dict[str, str]:
    """The environment of a `serve` subprocess; pycache=None: no bytecode cache at all."""
    env = os.environ | {
        "SHUANGCHUANG_DATABASE_URL": url,
        "SHUANGCHUANG_ENVIRONMENT": "development",
        "SHUANGCHUANG_VAR_DIR": str(var_dir),
        "SHUANGCHUANG_SECRET_KEY": secrets.token_urlsafe(40),
    }
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def cpu_ms(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def start_serve(
    url: str, var_dir: Path, pycache: Path | None, *, traced: bool = False, timeout: float = 60
) -> tuple[subprocess.Popen[bytes], str, float, float]:
    """Start `python -m scoring.cli serve` (the `shuangchuang` command) and wait for a healthy /healthz.

    Returns the process, its base URL, the wall time to healthy and the server's CPU time by then (ms).
    traced: the same command under bench/traced_serve.py (tracemalloc on; see bench/serve_memory.py).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(ROOT / "bench" / "traced_serve.py")] if traced else ["-m", "scoring.cli"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *command, "serve", "--port", str(port)],
        env=serve_env(url, var_dir, pycache),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if wait_healthy(base, timeout=timeout):
        return proc, base, (time.perf_counter() - t0) * 1000, cpu_ms(proc.pid)
    stop(proc)
    raise SystemExit(f"serve did not become healthy in {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def time_to_healthy(url: str, var_dir: Path, pycache: Path | None) -> tuple[float, float]:
    proc, _, wall, cpu = start_serve(url, var_dir, pycache)
    stop(proc)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default=None)
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="compile every module from source at every start"
    )
    args = parser.parse_args()
    fresh: list[tuple[float, float]] = []
    again: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-pycache-") as cache_dir:
        pycache = None if args.no_bytecode_cache else Path(cache_dir)
        if pycache is not None:
            with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:  # untimed: fills the cache
                time_to_healthy(f"sqlite:///{(Path(tmp) / 'warm.sqlite3').as_posix()}", Path(tmp), pycache)
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
                url = args.db or f"sqlite:///{(Path(tmp) / 'serve.sqlite3').as_posix()}"
                fresh.append(time_to_healthy(url, Path(tmp), pycache))
                again.append(time_to_healthy(url, Path(tmp), pycache))  # migrated already: the everyday start
    print(
        json.dumps(
            {
                "bytecode": "compiled at every start" if args.no_bytecode_cache else "cached",
                "serve_to_healthz_ms_fresh_database": round(statistics.median(w for w, _ in fresh)),
                "serve_to_healthz_ms_migrated_database": round(statistics.median(w for w, _ in again)),
                "server_cpu_ms_fresh_database": round(statistics.median(c for _, c in fresh)),
                "server_cpu_ms_migrated_database": round(statistics.median(c for _, c in again)),
                "runs_fresh": [round(w) for w, _ in fresh],
                "runs_migrated": [round(w) for w, _ in again],
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
