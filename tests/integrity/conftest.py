"""Fixtures for the integrity tests: a small checkpoint interval and a few audit events."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.store import audit, checkpoints
from scoring.store.models import AuditEvent

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
