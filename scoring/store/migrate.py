"""Run Alembic migrations from code (the CLI, `serve` at start-up, and the tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from alembic import command

ALEMBIC_DIR = Path(__file__).resolve().parents[2] / "alembic"


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    if database_url:
        cfg.attributes["database_url"] = database_url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


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
