"""The expert pool, panels drawn at random, and each expert's score sheets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring.core.lifecycle import SheetStatus
from scoring.core.vocabulary import BaseKind, ExpertPool
from scoring.store.db import Base, enum_check, utcnow
from scoring.store.models.accounts import Organisation


class Expert(Base):
    """A member of the expert pool (pool="expert") or a third-party evaluator (pool="evaluator")."""

    __tablename__ = "experts"
    __table_args__ = (enum_check("pool", ExpertPool),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    pool: Mapped[str] = mapped_column(String(16), default="expert")
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    district: Mapped[str | None] = mapped_column(String(32))
    declared_conflict_org_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class Panel(Base):
    __tablename__ = "panels"
    __table_args__ = (UniqueConstraint("round_id", "kind"), enum_check("kind", BaseKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[int]
    reserves: Mapped[int]
    seed: Mapped[int] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # the draw as computed, for audit and replay
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)


class PanelMember(Base):
    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    position: Mapped[int]
    is_reserve: Mapped[bool] = mapped_column(default=False)


class PanelExclusion(Base):
    __tablename__ = "panel_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    reason: Mapped[str] = mapped_column(String(32))


class Sheet(Base):
    """One expert's scores for one application; total is the sum of its expert-indicator points."""

    __tablename__ = "sheets"
    __table_args__ = (
        UniqueConstraint("application_id", "expert_id"),
        Index("ix_sheets_application_status", "application_id", "status"),
        enum_check("status", SheetStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    # assigned (awaiting declaration) | declined | draft | submitted
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    declared_at: Mapped[datetime | None]
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    scores: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # indicator code -> decimal string
    comments: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[Decimal | None]
    saved_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    reopened_reason: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[datetime | None]  # this sheet's own; the later of it and the round's applies
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
