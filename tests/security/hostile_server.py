"""A real uvicorn server in a child process, with the guarded protocol, for the hostile-traffic tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from scoring.store import migrate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(tmp: Path, *, prepared: str | None = None, **env: str) -> Iterator[str]:
    """Serve the app on a free port over a fresh SQLite file (or `prepared`); yields the base URL."""
    db = prepared or f"sqlite:///{(tmp / 'srv.sqlite3').as_posix()}"
    migrate.upgrade(db)
    port = free_port()
    child_env = dict(os.environ)
    child_env.update(
        SHUANGCHUANG_DATABASE_URL=db,
        SHUANGCHUANG_VAR_DIR=str(tmp),
        SHUANGCHUANG_ENVIRONMENT="test",
        **{f"SHUANGCHUANG_{k.upper()}": v for k, v in env.items()},
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--http",
            "api.edge.connections:GuardedHttpToolsProtocol",
            "--log-level",
            "warning",
        ],
        env=child_env,
        cwd=Path(__file__).resolve().parents[2],
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError("the server exited")
            time.sleep(0.05)
        else:
            raise RuntimeError("the server did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def connect(url: str, source: str = "127.0.0.1") -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    s = socket.socket()
    s.bind((source, 0))
    s.connect((host, int(port)))
    return s


def read_all(s: socket.socket, timeout: float) -> bytes:
    s.settimeout(timeout)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data
