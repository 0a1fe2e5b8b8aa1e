"""Designated bases and their dynamic management: evaluations, rectification, revocation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring.core.lifecycle import (
    BaseStatus,
    CampaignStatus,
    EvaluationStatus,
    RectificationStatus,
    RevocationStatus,
)
from scoring.core.vocabulary import BaseKind, EvaluationPurpose, Grade
from scoring.store.db import Base, enum_check, utcnow
from scoring.store.models.accounts import Organisation


class DesignatedBase(Base):
    __tablename__ = "bases"
    __table_args__ = (enum_check("kind", BaseKind), enum_check("status", BaseStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | rectifying | revoked
    designated_on: Mapped[date]
    document_no: Mapped[str] = mapped_column(String(100))
    final_score: Mapped[Decimal | None]
    promotion_marked: Mapped[bool] = mapped_column(default=False)
    revoked_on: Mapped[date | None]
    revocation_document_no: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="raise")


class BaseEvent(Base):
    """A base's own history, in words a reader of the base page understands."""

    __tablename__ = "base_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BaseYearFigures(Base):
    __tablename__ = "base_year_figures"
    __table_args__ = (UniqueConstraint("base_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id"))
    year: Mapped[int]
    figures: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class BaseFigureCorrection(Base):
    """A dated correction of a year's figures declared after an evaluation of that year was submitted:
    it stands beside the figures the evaluation read, never changing them."""

    __tablename__ = "base_figure_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id"), index=True)
    year: Mapped[int]
    figures: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Campaign(Base):
    """A performance-evaluation campaign (绩效评估) for one year."""

    __tablename__ = "campaigns"
    __table_args__ = (enum_check("status", CampaignStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    # {"excellent": "85", "pass": "60"}: 优秀 ≥ excellent, 合格 ≥ pass, else 不合格
    bands: Mapped[dict[str, str]] = mapped_column(JSON)
    rubric_versions: Mapped[dict[str, str]] = mapped_column(JSON)  # kind -> performance rubric version
    deadline: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # That year's reference values, each with its source: {"city_rd_intensity": "2.52",
    # "city_rd_intensity_source": "…"}; an indicator comparing with an absent one is not computed.
    references: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        Index("ix_evaluations_base_status", "base_id", "status"),
        enum_check("purpose", EvaluationPurpose),
        enum_check("status", EvaluationStatus),
        enum_check("grade", Grade),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id"))
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="regular")  # regular | re_evaluation
    rubric_version: Mapped[str] = mapped_column(String(64))
    year: Mapped[int]
    # assigned (awaiting declaration) | declined | draft | submitted
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    declared_at: Mapped[datetime | None]
    figures: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # declared by the base
    scores: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    comments: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[Decimal | None]
    grade: Mapped[str | None] = mapped_column(String(16))  # excellent | pass | fail
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class Rectification(Base):
    """A rectification order (限期整改) issued after a failed evaluation."""

    __tablename__ = "rectifications"
    __table_args__ = (enum_check("status", RectificationStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id"), index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    reasons: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | passed | failed
    re_evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluations.id"))
    brought_forward_reason: Mapped[str | None] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Revocation(Base):
    """Revocation of a title (取消称号): proposed by one staff member, confirmed by another."""

    __tablename__ = "revocations"
    __table_args__ = (enum_check("status", RevocationStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("bases.id"), index=True)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed | confirmed
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    document_no: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[date | None]
