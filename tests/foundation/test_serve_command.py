"""The real `shuangchuang serve` command, as a newcomer runs it: it becomes the server process.

`serve` hands over to scoring.cli.server_process by exec (same process id), so what it printed before
must reach the terminal, and the server must serve the database the command prepared.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="serve execs into the server on POSIX only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, proc: subprocess.Popen[str], base: str) -> None:
        self.proc = proc
        self.base = base
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve exited: {self.lines}"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"no healthy /healthz within {timeout} s: {self.lines}")

    def output(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def serving(tmp_path: Path, *args: str, database_url: str | None) -> Iterator[Served]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGCHUANG_")}
    env |= {"SHUANGCHUANG_VAR_DIR": str(tmp_path), "SHUANGCHUANG_ENVIRONMENT": "development"}
    if database_url:
        env["SHUANGCHUANG_DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "scoring.cli", "serve", "--port", str(port), *args],
        cwd=tmp_path,  # not the checkout: the server process must find the package by itself
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    served = Served(proc, f"http://127.0.0.1:{port}")
    try:
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def test_serve_on_an_empty_database_says_how_to_begin_and_is_the_server_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'empty.sqlite3').as_posix()}"
    with serving(tmp_path, database_url=url) as served:
        served.wait_healthy(timeout=60)
        # The process the command started now runs the server module, not the command line.
        if Path("/proc").is_dir():
            assert "scoring.cli.server_process" in _command_line(served.proc.pid)
        # The migrated, empty install: the login page answers, and the hint to create the first admin
        # was printed before the server took over.
        assert httpx.get(f"{served.base}/login", timeout=10).status_code == 200
        deadline = time.monotonic() + 10
        while "shuangchuang user create --role admin" not in served.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "shuangchuang user create --role admin --username admin" in served.output()
        # SIGTERM reaches the server (same process): uvicorn shuts down, then re-raises the signal.
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=30) in (0, -signal.SIGTERM)


def test_serve_demo_prints_accounts_that_log_in_to_the_server_it_becomes(tmp_path: Path) -> None:
    with serving(tmp_path, "--demo", database_url=None) as served:
        served.wait_healthy(timeout=180)
        # "  staff      <username>   <password>": the accounts were flushed before the exec.
        found = re.search(r"^\s+staff\s+(\S+)\s+(\S+)\s*$", served.output(), re.MULTILINE)
        assert found, served.output()
        token = httpx.post(
            f"{served.base}/api/v1/auth/token",
            json={"username": found[1], "password": found[2]},
            timeout=30,
        )
        assert token.status_code == 200, token.text
        rounds = httpx.get(
            f"{served.base}/api/v1/rounds",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=30,
        )
        assert rounds.status_code == 200 and rounds.json(), rounds.text
        assert (tmp_path / "demo.sqlite3").exists()  # the demo's own file, served by the new process
