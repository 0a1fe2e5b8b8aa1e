"""Keyed checkpoints of the audit chain (append-only, like the trail they vouch for)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from scoring.store.db import Base


class AuditCheckpoint(Base):
    """The chain head at one moment, with an HMAC under AUDIT_KEY (a key the database never holds).

    reason: "interval" (every N events), "publication" (a round published: a public anchor) or "manual".
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(index=True)  # id of the audit event that was the head
    head_hash: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int]  # events with id <= seq
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(16))
    round_id: Mapped[int | None]  # no FK: the checkpoint must outlive anything it mentions
    mac: Mapped[str] = mapped_column(String(64))
