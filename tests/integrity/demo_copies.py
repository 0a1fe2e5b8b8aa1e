"""A demo installation seeded once through the real services, copied afresh for every tampering test.

SQLite: a file copied per test. PostgreSQL (SHUANGCHUANG_TEST_DATABASE_URL set): a template database
seeded once, then CREATE DATABASE … TEMPLATE per test. Tampering is committed on the copy, so the CLI
and the API read it through their own connections, as they would in production.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from scoring.demo import seed_demo
from scoring.settings import Settings, normalise_database_url
from scoring.store import checkpoints, migrate
from scoring.store.db import make_engine, make_sessionmaker

KEY = "integrity-tests-audit-key-0123456789abcdef"
INTERVAL = 100


@dataclass
class Template:
    url: str
    var: Path
    passwords: dict[str, str]
    is_postgres: bool


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@contextmanager
def _autocommit(url: str) -> Iterator[object]:
    engine = make_engine(_admin_url(url))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn
    finally:
        engine.dispose()


def settings_for(url: str, var: Path) -> Settings:
    return Settings(
        environment="test", var_dir=var, database_url=url, secret_key=secrets.token_urlsafe(40), audit_key=KEY
    )


def seed_template(var: Path) -> Template:
    checkpoints.configure(key=KEY, interval=INTERVAL)
    base = os.environ.get("SHUANGCHUANG_TEST_DATABASE_URL")
    if base:
        base = normalise_database_url(base)
        name = f"{make_url(base).database}_demo"
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        with _autocommit(base) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # type: ignore[attr-defined]
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # type: ignore[attr-defined]
    else:
        url = f"sqlite:///{(var / 'demo.sqlite3').as_posix()}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed_demo(make_sessionmaker(engine), settings=settings_for(url, var))
    finally:
        engine.dispose()
    passwords = {}
    for line in (var / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()[1:]:
        _, username, password = line.split("\t")
        passwords[username] = password
    return Template(url=url, var=var, passwords=passwords, is_postgres=bool(base))


def copy_of(template: Template, tmp: Path, n: int) -> str:
    if not template.is_postgres:
        target = tmp / f"copy{n}.sqlite3"
        shutil.copyfile(make_url(template.url).database or "", target)
        return f"sqlite:///{target.as_posix()}"
    source = make_url(template.url).database
    name = f"{source}_{n}"
    with _autocommit(template.url) as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # type: ignore[attr-defined]
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))  # type: ignore[attr-defined]
    return make_url(template.url).set(database=name).render_as_string(hide_password=False)


def drop_copy(template: Template, url: str) -> None:
    if template.is_postgres:
        name = make_url(url).database
        with _autocommit(template.url) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # type: ignore[attr-defined]


def drop_template(template: Template) -> None:
    drop_copy(template, template.url)
