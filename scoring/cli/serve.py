"""`shuangchuang serve`: seed the demo when asked, then become the server (scoring.cli.server_process).

Kept apart from the other commands, whose modules load most of the domain: `shuangchuang serve` loads
only this (the entry point, scoring.cli's main, dispatches it first), so the command costs next to nothing
before it hands over to the server process, which loads what serving needs once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from scoring.settings import Settings

SERVER_MODULE = "scoring.cli.server_process"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="load a complete demo round first")] = False,
    workers: int = 1,
) -> None:
    """Upgrade the database, optionally load the demo round, and serve the API and pages."""
    if demo:
        os.environ["SHUANGCHUANG_DATABASE_URL"] = _seed_demo(host, port)
    args = ["--host", host, "--port", str(port), "--workers", str(workers)]
    if not demo:
        args.append("--first-run-hint")
    become_server(args)


def become_server(args: list[str]) -> None:
    """Replace this process with the server (same process id), or run it here where exec is unavailable."""
    if os.name != "posix" or not sys.executable:
        from scoring.cli.server_process import main

        main(args)
        return
    sys.stdout.flush()  # exec discards Python's buffers: the demo accounts must be out first
    sys.stderr.flush()
    env = dict(os.environ)
    root = Path(__file__).resolve().parents[2]
    if root.name not in ("site-packages", "dist-packages"):
        # A source checkout: the new interpreter finds this same code first, however this one did.
        # (Never an installed location: it would come before the standard library.)
        path = env.get("PYTHONPATH")
        env["PYTHONPATH"] = str(root) if not path else f"{root}{os.pathsep}{path}"
    os.execve(sys.executable, [sys.executable, "-m", SERVER_MODULE, *args], env)


def _seed_demo(host: str, port: int) -> str:
    """Migrate and fill the demo database, print its accounts; returns its URL."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from scoring.demo import seed_demo
    from scoring.settings import get_settings
    from scoring.store import migrate
    from scoring.store.db import make_engine, make_sessionmaker

    settings = _demo_settings(get_settings())
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    columns = (
        TextColumn("正在生成演示数据 / building the demo"),
        BarColumn(),
        TextColumn("{task.description}"),
    )
    try:
        with Progress(*columns, TimeElapsedColumn(), transient=False) as bar:
            task = bar.add_task("", total=None)

            def _step(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=name)

            credentials = seed_demo(make_sessionmaker(engine), settings=settings, progress=_step)
    finally:
        engine.dispose()
    _print_credentials(credentials, host, port)
    return settings.database_url


def _demo_settings(settings: Settings) -> Settings:
    """--demo uses its own SQLite file, rebuilt at every start, unless a database URL is configured."""
    if os.environ.get("SHUANGCHUANG_DATABASE_URL"):
        return settings
    demo_db = settings.var_dir / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo_db}{suffix}").unlink(missing_ok=True)
    return settings.model_copy(update={"database_url": f"sqlite:///{demo_db.as_posix()}"})


def _print_credentials(credentials: list[tuple[str, str, str]], host: str, port: int) -> None:
    typer.secho("\n演示账号 / demo accounts (passwords shown once):", bold=True)
    for role, username, password in credentials:
        typer.echo(f"  {role:<10} {username:<22} {password}")
    typer.secho(f"\n打开 / open http://{host}:{port}/\n", bold=True)


# `shuangchuang serve …` runs this one-command app (the entry point, scoring.cli's main); the full
# command (scoring.cli.main) registers the same function, so `shuangchuang --help` lists it.
serve_app = typer.Typer(add_completion=False)
serve_app.command()(serve)
