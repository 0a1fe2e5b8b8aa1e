"""The last ranking built per round and kind, reused while the database's ranking version is unchanged.

The version is the id of the latest audit event whose action can change a ranking. Every state change
writes one audit event, under the chain's lock (an advisory lock held to commit on PostgreSQL, the write
lock on SQLite), so committed ids grow in commit order and every worker reads the same version from the
database: a cached ranking is served only while no such change has been committed since it was built.
Only read-only sessions (see scoring.store.db.read_only) use the cache: they see committed state only,
so a ranking built from a transaction's own uncommitted writes is never shared.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from scoring.store.db import is_read_only
from scoring.store.models import AuditEvent

T = TypeVar("T")

# Audited actions that never change a ranking: drafts (only submitted sheets count, and a save never
# changes a sheet's status), base evaluations (another phase) and logins. Anything else, known or
# added later, invalidates: the list can only make the cache miss, never serve a stale ranking.
IRRELEVANT_ACTIONS: frozenset[str] = frozenset(
    {
        "sheet.save",
        "evaluation.save",
        "session.open_api",
        "session.open_web",
        "session.close_api",
        "session.close_web",
    }
)

_lock = threading.Lock()
# Per database (its connection pool), (round id, kind) -> (version, ranking): the latest only.
_cache: weakref.WeakKeyDictionary[Pool, dict[tuple[int, str], tuple[int, object]]] = (
    weakref.WeakKeyDictionary()
)


def ranking_version(session: Session) -> int:
    """The id of the latest committed (or own) audit event that can change a ranking; 0 when none."""
    found = session.execute(
        select(AuditEvent.id)
        .where(AuditEvent.action.not_in(IRRELEVANT_ACTIONS))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return int(found or 0)


def cached(session: Session, round_id: int, kind: str, build: Callable[[], T]) -> T:
    """`build()`'s ranking, or the one built at the same ranking version by any read-only session."""
    if not is_read_only(session):
        return build()
    pool = session.get_bind().engine.pool
    version = ranking_version(session)  # read first: what build() sees is at least this recent
    key = (round_id, kind)
    with _lock:
        entry = _cache.get(pool, {}).get(key)
    if entry is not None and entry[0] == version:
        return entry[1]  # type: ignore[return-value]
    result = build()
    with _lock:
        per_db = _cache.setdefault(pool, {})
        held = per_db.get(key)
        if held is None or held[0] <= version:
            per_db[key] = (version, result)
    return result


def clear() -> None:
    """Forget every cached ranking (tests and benchmarks measuring a cold build)."""
    with _lock:
        _cache.clear()
