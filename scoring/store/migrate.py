"""Run Alembic migrations from code (the CLI, `serve` at start-up, and the tests)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from scoring.store.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

ALEMBIC_DIR = Path(__file__).resolve().parents[2] / "alembic"
VERSION_TABLE = "alembic_version"  # Alembic's default, which alembic/env.py keeps
# The module-level `revision = "…"` and `down_revision = …` lines of a migration (annotated or not).
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    # Alembic (with Mako and Pygments, ~0.2 s) is loaded only when a migration command runs.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url:
        cfg.attributes["database_url"] = database_url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    if revision == "head" and is_at_head(database_url):
        return  # the everyday start: nothing to run, so Alembic is not even loaded
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def script_heads() -> frozenset[str]:
    """The head revisions of alembic/versions: those no migration names as its down_revision.

    Read from the files' `revision` and `down_revision` lines rather than through Alembic, whose
    import costs more than the whole check; tests pin it to what Alembic itself reads.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (ALEMBIC_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            literal = ast.literal_eval(value)
            if name == "revision":
                revisions.add(literal)
            elif isinstance(literal, str):
                parents.add(literal)
            elif literal is not None:
                parents.update(literal)
    return frozenset(revisions - parents)


def stored_revisions(conn: Connection) -> frozenset[str]:
    """The revisions the database says it is at (empty before the first migration)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def is_at_head(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return stored_revisions(conn) == script_heads()
    finally:
        engine.dispose()


@contextmanager
def foreign_keys_deferred(conn: Connection) -> Iterator[None]:
    """On SQLite, migrations run with foreign keys off, and the result is checked before they go on.

    Batch mode rebuilds a table by copy, drop and rename; with foreign keys on, dropping a table
    other rows refer to fails (or would cascade). The pragma only takes effect outside a transaction,
    so it is set on the driver connection before the migration's transaction begins.
    """
    if conn.dialect.name != "sqlite" or conn.in_transaction():
        yield
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = conn.execute(text("PRAGMA foreign_key_check")).all()
        conn.rollback()
        if broken:
            raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")
