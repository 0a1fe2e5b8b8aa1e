"""Keyed checkpoints of the audit chain: the head at a moment, signed with HMAC under AUDIT_KEY.

The key lives in the service's settings, never in the database, so someone who can rewrite the
tables (and recompute every hash of the chain) still cannot produce a checkpoint that verifies.
The process-wide key is set by the composition roots (create_app, the CLI) through configure();
until then it comes from the settings of the environment.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, insert, select
from sqlalchemy.orm import Session

from scoring.store.db import utcnow
from scoring.store.models import AuditCheckpoint, AuditEvent

REASONS = ("interval", "publication", "manual")


@dataclass
class _Config:
    key: bytes | None = None
    interval: int | None = None


_config = _Config()


def configure(*, key: str, interval: int) -> None:
    """Set the checkpoint key and interval for this process (from the settings at start-up)."""
    _config.key = key.encode()
    _config.interval = interval


def _settings_key_and_interval() -> tuple[bytes, int]:
    if _config.key is None or _config.interval is None:
        from scoring.settings import get_settings

        settings = get_settings()
        configure(key=settings.audit_key, interval=settings.audit_checkpoint_interval)
    assert _config.key is not None and _config.interval is not None
    return _config.key, _config.interval


def interval() -> int:
    return _settings_key_and_interval()[1]


def mac(
    *, seq: int, head_hash: str, event_count: int, at: datetime, reason: str, round_id: int | None
) -> str:
    key, _ = _settings_key_and_interval()
    message = f"{seq}|{head_hash}|{event_count}|{at.isoformat()}|{reason}|{round_id or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def mac_ok(row: AuditCheckpoint) -> bool:
    expected = mac(
        seq=row.seq,
        head_hash=row.head_hash,
        event_count=row.event_count,
        at=row.at,
        reason=row.reason,
        round_id=row.round_id,
    )
    return hmac.compare_digest(expected, row.mac)


def last_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc()).limit(1)
    )


def write(
    session: Session, *, seq: int, head_hash: str, event_count: int, reason: str, round_id: int | None = None
) -> AuditCheckpoint:
    """Append one checkpoint for the head (seq, head_hash). Call it under the chain's lock."""
    if reason not in REASONS:
        raise ValueError(f"unknown checkpoint reason {reason!r}")
    at = utcnow()
    row = AuditCheckpoint(
        seq=seq,
        head_hash=head_hash,
        event_count=event_count,
        at=at,
        reason=reason,
        round_id=round_id,
        mac=mac(
            seq=seq, head_hash=head_hash, event_count=event_count, at=at, reason=reason, round_id=round_id
        ),
    )
    cols = ("seq", "head_hash", "event_count", "at", "reason", "round_id", "mac")
    row.id = session.execute(
        insert(AuditCheckpoint).returning(AuditCheckpoint.id),
        {c: getattr(row, c) for c in cols},
    ).scalar_one()
    return row


@dataclass(frozen=True)
class LastCheckpoint:
    """Where the newest checkpoint stands: the event it pins and the events counted up to it."""

    seq: int
    event_count: int


def after_event(
    session: Session, *, seq: int, head_hash: str, action: str, entity_id: str, last: LastCheckpoint | None
) -> None:
    """Checkpoint the new head when N events have passed since the last one, or a round was published.

    `last` is the newest checkpoint, read under the chain's lock before the event was inserted
    (`LAST_SEQ` and `LAST_COUNT`, in the same statement as the chain's tail). After the first checkpoint,
    ids decide: they never number fewer events than they span (a rolled-back insert leaves a gap), so a
    checkpoint comes at least every N events; the exact count is taken only when one is written.
    """
    last_seq, last_count = (last.seq, last.event_count) if last else (0, 0)
    publication = action == "round.publish"
    since: int | None = None
    if last is None:  # the first checkpoint: ids may start anywhere, so count (fewer than N rows)
        since = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        due = since >= interval()
    else:
        due = seq - last_seq >= interval()
    if not (publication or due):
        return
    if since is None:
        since = (
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id > last_seq)) or 0
        )
    write(
        session,
        seq=seq,
        head_hash=head_hash,
        event_count=last_count + since,
        reason="publication" if publication else "interval",
        round_id=int(entity_id) if publication else None,
    )


def _newest(column: Any) -> ScalarSelect[Any]:
    return (
        select(column)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
        .scalar_subquery()
    )


# The newest checkpoint's seq and count, as scalar subqueries for the chain's one read before an append.
LAST_SEQ = _newest(AuditCheckpoint.seq)
LAST_COUNT = _newest(AuditCheckpoint.event_count)
