"""Keyed checkpoints of the audit chain (append-only, like the trail they vouch for); committed draws."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
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


class DrawCommitment(Base):
    """A panel draw nobody can steer: commit (staff A), contribute (staff B), reveal and draw.

    status: committed -> contributed -> drawn. record: everything a replay needs (secret, contribution,
    audit head, seed, algorithm version, pool snapshot, applications, strata, the drawn panel).
    """

    __tablename__ = "draw_commitments"
    __table_args__ = (UniqueConstraint("round_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    kind: Mapped[str] = mapped_column(String(16))
    commitment: Mapped[str] = mapped_column(String(64))  # SHA-256 of the secret staff A keeps
    strata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> members needed
    size: Mapped[int | None]
    reserves: Mapped[int | None]
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committed_at: Mapped[datetime]
    contribution: Mapped[str | None] = mapped_column(String(200))
    contributed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contributed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="committed")
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"))
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
