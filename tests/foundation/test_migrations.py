"""The schema comes only from migrations: round trip, and models agree with the migrated schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from scoring.store import migrate
from scoring.store.db import Base, make_engine


@pytest.fixture
def scratch_url(db_url: str, tmp_path) -> Iterator[str]:
    """A fresh, empty database of the same kind as the suite's."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{(tmp_path / 'scratch.sqlite3').as_posix()}"
        return
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(url: str) -> set[str]:
    eng = make_engine(url)
    try:
        return set(inspect(eng).get_table_names()) - {"alembic_version"}
    finally:
        eng.dispose()


def test_upgrade_downgrade_upgrade_round_trip(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    assert _tables(scratch_url) == set(Base.metadata.tables)
    migrate.downgrade(scratch_url, "base")
    assert _tables(scratch_url) == set()
    migrate.upgrade(scratch_url)
    assert _tables(scratch_url) == set(Base.metadata.tables)


def test_models_and_migrations_agree(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    eng = make_engine(scratch_url)
    try:
        with eng.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
    finally:
        eng.dispose()
    assert diff == []
