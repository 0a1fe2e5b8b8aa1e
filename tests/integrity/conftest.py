"""Fixtures for the integrity tests: a small checkpoint interval and a few audit events in the test
transaction; a demo installation copied per test, with its CLI and API, for tampering committed."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from scoring.cli.audit import audit_app
from scoring.core.actors import SYSTEM
from scoring.settings import get_settings
from scoring.store import audit, checkpoints
from scoring.store.db import make_engine
from scoring.store.models import AuditEvent
from tests.integrity import demo_copies
from tests.integrity.demo_copies import KEY, Template
from tests.review.conftest import (  # noqa: F401  (fixtures for the committed draws)
    make_application,
    make_expert,
    make_round,
    rubric_versions,
    scenario,
)
from tests.web.conftest import page_as  # noqa: F401  (fixture for the auditor pages)

INTERVAL = 3


@pytest.fixture
def small_interval() -> Iterator[int]:
    key, interval = checkpoints._settings_key_and_interval()
    checkpoints.configure(key=key.decode(), interval=INTERVAL)
    yield INTERVAL
    checkpoints.configure(key=key.decode(), interval=interval)


@pytest.fixture
def events(session: Session, small_interval: int) -> Callable[[int], list[AuditEvent]]:
    def _make(n: int) -> list[AuditEvent]:
        out = [
            audit.record(
                session, actor=SYSTEM, action="thing.touch", entity="thing", entity_id=i, after={"n": i}
            )
            for i in range(n)
        ]
        session.flush()
        return out

    return _make


_n = itertools.count(1)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    key, interval = checkpoints._settings_key_and_interval()
    tpl = demo_copies.seed_template(tmp_path_factory.mktemp("demo"))
    yield tpl
    demo_copies.drop_template(tpl)
    checkpoints.configure(key=key.decode(), interval=interval)


@dataclass
class Install:
    url: str
    var: Path
    template: Template
    monkeypatch: pytest.MonkeyPatch

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = make_engine(self.url)
        try:
            with Session(engine) as s:
                yield s
                s.commit()
        finally:
            engine.dispose()

    def cli(self, *args: str) -> Result:
        self.monkeypatch.setenv("SHUANGCHUANG_DATABASE_URL", self.url)
        self.monkeypatch.setenv("SHUANGCHUANG_AUDIT_KEY", KEY)
        self.monkeypatch.setenv("SHUANGCHUANG_VAR_DIR", str(self.var))
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(audit_app, list(args))
        finally:
            get_settings.cache_clear()

    def api(self, path: str, *, user: str = "auditor") -> httpx.Response:
        from api.app import create_app

        app = create_app(demo_copies.settings_for(self.url, self.var))
        with TestClient(app, raise_server_exceptions=False) as client:
            token = client.post(
                "/api/v1/auth/token", json={"username": user, "password": self.template.passwords[user]}
            )
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Accept-Language": "en"}
            return client.get(path, headers=headers)

    def events(self) -> int:
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def install(template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    url = demo_copies.copy_of(template, tmp_path, next(_n))
    yield Install(url=url, var=tmp_path, template=template, monkeypatch=monkeypatch)
    demo_copies.drop_copy(template, url)
