"""The declarative base (with a naming convention), engine factory and session helpers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    MetaData,
    Numeric,
    create_engine,
    event,
    exc,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """Exact decimals with 4 places on both databases.

    PostgreSQL stores NUMERIC(14, 4). SQLite has no decimal type (NUMERIC there means binary REAL), so
    it stores the value scaled by 10^4 as an INTEGER: exact, and still ordered and summed by SQL.
    """

    impl = Numeric(14, 4, asdecimal=True)
    cache_ok = True
    _SCALE = Decimal(10000)

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 4, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        dec = value if isinstance(value, Decimal) else Decimal(str(value))
        if dec != dec.quantize(Decimal("0.0001")):
            raise ValueError(f"{dec} has more than 4 decimal places")
        if dialect.name == "sqlite":
            return int(dec * self._SCALE)
        return dec

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self._SCALE).quantize(Decimal("0.0001"))
        return Decimal(value)


def enum_values_sql(enum: type[StrEnum]) -> str:
    """The enum's values as an SQL list literal, in declaration order: `'a', 'b'`."""
    return ", ".join("'" + member.value.replace("'", "''") + "'" for member in enum)


def enum_check(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """A CHECK that `column` holds one of the enum's values, named `ck_<table>_<column>`.

    NULL passes (SQL's CHECK accepts unknown), so nullable columns such as a grade need nothing more.
    Migration 0003 writes the same text; the migration tests compare the two.
    """
    return CheckConstraint(f"{column} IN ({enum_values_sql(enum)})", name=column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money(), dict[str, Any]: JSON()}  # noqa: RUF012


def utcnow() -> datetime:
    return datetime.now(UTC)


# Connections per process; the web application admits fewer requests at once (api.edge.backpressure).
# Most are kept (pool size): an overflow connection is closed when returned, and opening a new one
# under load costs a PostgreSQL backend start and loses its prepared statements.
DB_POOL_SIZE, DB_POOL_OVERFLOW = 24, 6
DB_POOL_CAPACITY = DB_POOL_SIZE + DB_POOL_OVERFLOW


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=DB_POOL_SIZE,
            max_overflow=DB_POOL_OVERFLOW,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_size=DB_POOL_SIZE, max_overflow=DB_POOL_OVERFLOW)
    _ping_when_idle(engine)
    return engine


# A pooled connection used within the last few seconds is taken as alive; one idle for longer is pinged
# when checked out, and replaced if the ping fails. (SQLAlchemy's pool_pre_ping pings at every checkout:
# one more round trip for every request.) A connection that dies within the window fails its statement,
# and SQLAlchemy then invalidates every pooled connection older than that failure, so only requests in
# flight when the server went away see an error, as they would with a ping.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        # record.info lives as long as the DBAPI connection: a new connection has no mark and needs no ping.
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another (up to three attempts).
            raise exc.DisconnectionError(
                f"pooled connection idle for {time.monotonic() - returned:.0f} s did not answer a ping"
            ) from error


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions itself (pysqlite's implicit BEGIN breaks savepoints).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A read (see `read_only`) begins DEFERRED: under WAL it takes no lock and never waits for a
        # writer, nor makes one wait. Anything else begins IMMEDIATE, taking the write lock up front:
        # two writers queue on the busy timeout instead of failing with SQLITE_BUSY_SNAPSHOT halfway,
        # and the audit chain is read under the lock.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY_OPTION = "shuangchuang_read_only"


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read: on SQLite they begin DEFERRED.

    A deferred transaction that then writes fails with SQLITE_BUSY if another writer got there first,
    so only work known to be read-only (safe HTTP methods) binds here."""
    cached = vars(engine)  # kept on the engine itself: it goes when the engine goes
    bound = cached.get("_shuangchuang_read_only")
    if bound is None:
        bound = cached["_shuangchuang_read_only"] = engine.execution_options(**{READ_ONLY_OPTION: True})
    return cast(Engine, bound)


def is_read_only(session: Session) -> bool:
    """Whether the session only reads: bound to `read_only(engine)`, or so marked in its info (a
    session inside an outer transaction, as tests use)."""
    if session.info.get(READ_ONLY_OPTION):
        return True
    bind = session.get_bind()
    return isinstance(bind, Engine) and bool(bind.get_execution_options().get(READ_ONLY_OPTION))


def commit_before_disk_flush(conn: Connection) -> None:
    """PostgreSQL: this transaction's COMMIT returns without waiting for its WAL to reach the disk.

    For draft autosaves only. Every audited write appends to one hash chain under a lock held until
    COMMIT, so one COMMIT that waits on a slow disk flush (a checkpoint, a busy volume: 0.1-0.9 s
    measured) holds up every other expert's save behind it. Without the wait a database crash can lose
    the last fraction of a second of drafts (the WAL writer flushes within 3 x wal_writer_delay,
    0.6 s by default), whole transactions and in order, so the audit chain stays intact; a killed
    application server loses nothing. Submissions and every other decision still wait for the disk.
    SQLite: nothing (its durability is the connection's synchronous pragma).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def upsert_insert(session: Session) -> Any:
    """`insert` of the session's database, the one with ON CONFLICT (PostgreSQL's or SQLite's).

    Imported here, when asked for: the dialect not in use is never loaded (PostgreSQL's costs an
    SQLite server about 3 MiB and a few hundredths of a second at start-up)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The edge's transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
