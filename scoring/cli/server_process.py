"""The process `shuangchuang serve` becomes: upgrade the database, say how to begin, serve.

`serve` (scoring.cli.serve) parses its options, seeds the demo when asked, and then replaces itself with
this module (os.execve: same process id, same signals, a fresh interpreter). The server so carries
neither the command-line framework (Typer with its own copy of Click), the other commands, nor what
seeding the demo left on the heap: about 2 MiB of every serving process, more after --demo.

    python -m scoring.cli.server_process --host 127.0.0.1 --port 8000 [--workers 1] [--first-run-hint]

The database is the configured one (SHUANGCHUANG_DATABASE_URL, which `serve --demo` sets).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.settings import Settings


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scoring.cli.server_process", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--first-run-hint", action="store_true", help="on an empty install, say how to create the first admin"
    )
    return parser.parse_args(list(argv))


def main(argv: Sequence[str]) -> None:
    # Importing and building the application leaves no garbage worth a collection: the collector is
    # off until api.app.create_served_app has set what it built aside (gc.freeze) and turned it on.
    gc.disable()
    import uvicorn

    from scoring.settings import get_settings
    from scoring.store import migrate

    args = _arguments(argv)
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)  # nothing to run (and no Alembic loaded) when at head
    if args.first_run_hint:
        print_first_run(settings, args.host, args.port)
    sys.stdout.flush()
    # With several workers, each builds its own application in a fresh process; this one supervises.
    if args.workers > 1:
        gc.enable()
    uvicorn.run(
        # By import string, so this domain package never imports the web edge.
        "api.app:create_served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
        # Header timeout and per-address connection cap (api.edge.connections), by import string.
        http="api.edge.connections:GuardedHttpToolsProtocol",
        timeout_keep_alive=5,
    )


def print_first_run(settings: Settings, host: str, port: int) -> None:
    """On an empty install, say how to create the first administrator (the pages cannot)."""
    from scoring.services.admin.account_admin import FIRST_ADMIN_COMMAND, needs_first_admin
    from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            empty = needs_first_admin(session)
    finally:
        engine.dispose()
    if empty:
        print("\n尚无系统管理员账号 / no administrator account yet. Create the first one:")
        print(f"  {FIRST_ADMIN_COMMAND}")
        print(f"then log in at http://{host}:{port}/login\n")


if __name__ == "__main__":
    main(sys.argv[1:])
