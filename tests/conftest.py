"""Test fixtures: schema from migrations, one rolled-back transaction per test, API clients per role.

SQLite by default; PostgreSQL when SHUANGCHUANG_TEST_DATABASE_URL is set (as .ci/run does).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM, Actor
from scoring.services.admin import passwords
from scoring.services.admin.accounts import (
    OrganisationIn,
    UserIn,
    actor_for,
    create_organisation,
    create_user,
)
from scoring.settings import Settings, normalise_database_url
from scoring.store import migrate
from scoring.store.db import make_engine
from scoring.store.models import Organisation, User

passwords.use_fast_hashing()

PASSWORD = "Test-Passw0rd!"


def _test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("SHUANGCHUANG_TEST_DATABASE_URL")
    return normalise_database_url(url) if url else f"sqlite:///{(tmp_dir / 'test.sqlite3').as_posix()}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _test_database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        migrate.downgrade(url, "base")  # a clean slate even after an interrupted run
    migrate.upgrade(url)
    if SERVICE_ROLE and url.startswith("postgresql"):
        from scoring.store.roles import grant_service

        owner = make_engine(url)
        with owner.begin() as conn:
            grant_service(conn, SERVICE_ROLE)
        owner.dispose()
    return url


# SHUANGCHUANG_TEST_SERVICE_ROLE (PostgreSQL, set by .ci/run): the tests' connections act as that restricted
# role (SET ROLE), as the deployed service does; the login role owns the schema and runs the migrations.
SERVICE_ROLE = os.environ.get("SHUANGCHUANG_TEST_SERVICE_ROLE", "")


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    if SERVICE_ROLE and db_url.startswith("postgresql"):
        from sqlalchemy import event

        @event.listens_for(eng, "connect")
        def _as_service(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cur:
                cur.execute(f"SET ROLE {SERVICE_ROLE}")
            dbapi_connection.commit()

    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def settings(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(
        environment="test", var_dir=var, database_url=db_url, secret_key=secrets.token_urlsafe(40)
    )


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


def _session_on(conn: Connection) -> Session:
    return Session(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False, autoflush=False
    )


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    s = _session_on(connection)
    yield s
    s.close()


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Connection) -> Any:
    from api.app import create_app

    application = create_app(settings, engine=engine)
    application.state.sessionmaker = lambda: _session_on(connection)
    return application


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def small_client(settings: Settings, engine: Engine, connection: Connection) -> Iterator[TestClient]:
    """The API with tiny file limits: 1000 bytes a file, 1500 bytes an application (or a base's year)."""
    from api.app import create_app

    small = settings.model_copy(update={"max_file_bytes": 1000, "max_application_bytes": 1500})
    application = create_app(small, engine=engine)
    application.state.sessionmaker = lambda: _session_on(connection)
    with TestClient(application, raise_server_exceptions=False) as c:
        yield c


@dataclass
class Person:
    user: User
    actor: Actor
    password: str = PASSWORD

    @property
    def username(self) -> str:
        return self.user.username


_counter = iter(range(1, 10**9))


@pytest.fixture
def make_org(session: Session) -> Callable[..., Organisation]:
    from scoring.core.credit_code import make_credit_code

    def _make(
        kind: str = "enterprise", district: str | None = "长安区", name: str | None = None
    ) -> Organisation:
        n = next(_counter)
        code = make_credit_code("9", "1", "130102", f"{n:08d}")
        data = OrganisationIn(name=name or f"测试单位{n}", credit_code=code, kind=kind, district=district)
        return create_organisation(session, actor=SYSTEM, data=data)

    return _make


@pytest.fixture
def make_person(session: Session) -> Callable[..., Person]:
    def _make(
        role: str,
        *,
        org: Organisation | None = None,
        district: str | None = None,
        username: str | None = None,
    ) -> Person:
        name = username or f"{role}{next(_counter)}"
        data = UserIn(
            username=name,
            password=PASSWORD,
            role=role,
            organisation_id=org.id if org else None,
            district=district,
        )
        user = create_user(session, actor=SYSTEM, data=data)
        session.flush()
        return Person(user=user, actor=actor_for(user))

    return _make


@pytest.fixture
def login(client: TestClient) -> Callable[[Person], dict[str, str]]:
    def _login(person: Person) -> dict[str, str]:
        resp = client.post(
            "/api/v1/auth/token", json={"username": person.username, "password": person.password}
        )
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    return _login


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def count(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture(autouse=True)
def _default_locale() -> Iterator[None]:
    """Each test starts in the default locale: a CLI command run in-process sets English for its output."""
    from scoring.core.i18n import DEFAULT_LOCALE, current_locale

    token = current_locale.set(DEFAULT_LOCALE)
    yield
    current_locale.reset(token)


# Tests that reach PostgreSQL only through the environment, not through the `db_url` fixture.
_READS_THE_DATABASE_URL_ITSELF = ("tests/integrity/", "tests/security/test_crash_recovery.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL (SHUANGCHUANG_TEST_DATABASE_URL), run only the tests that reach the database.

    A test whose fixtures never include `db_url` cannot touch PostgreSQL: pure functions, and the
    real-browser tests, whose live server and demo always run on their own SQLite file. The SQLite
    pass (the README's test command, which .ci/run runs first) runs them all; running them again here
    would test nothing new. Set SHUANGCHUANG_TEST_EVERYTHING=1 to run them anyway.
    """
    if not os.environ.get("SHUANGCHUANG_TEST_DATABASE_URL") or os.environ.get("SHUANGCHUANG_TEST_EVERYTHING"):
        return
    root = Path(str(config.rootpath))
    keep: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        relative = Path(str(item.path)).relative_to(root).as_posix()
        reaches = "db_url" in getattr(item, "fixturenames", ()) or relative.startswith(
            _READS_THE_DATABASE_URL_ITSELF
        )
        (keep if reaches else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = keep
