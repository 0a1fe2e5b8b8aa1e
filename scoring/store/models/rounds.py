"""Designation rounds, applications with their evidence files, and objections during the notice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring.core.lifecycle import ApplicationStatus, ListRevisionStatus, ObjectionStatus, RoundStatus
from scoring.core.vocabulary import BaseKind, Seat
from scoring.store.db import Base, enum_check, utcnow
from scoring.store.models.accounts import Organisation


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (enum_check("status", RoundStatus), enum_check("list_status", ListRevisionStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    kinds: Mapped[list[str]] = mapped_column(JSON)
    rubric_versions: Mapped[dict[str, str]] = mapped_column(JSON)  # kind -> version hash
    # e.g. {"provincial_rd_intensity": "2.00", "rd_reference": "provincial", "data_year": "2022"}
    references: Mapped[dict[str, str]] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(16), default="trimmed_mean")
    panel_size: Mapped[int] = mapped_column(default=5)
    reserves: Mapped[int] = mapped_column(default=2)
    pass_line: Mapped[Decimal] = mapped_column(default=Decimal(60))
    quotas: Mapped[dict[str, int]] = mapped_column(JSON)
    outlier_threshold: Mapped[Decimal] = mapped_column(default=Decimal(20))
    application_deadline: Mapped[datetime | None]
    recommendation_deadline: Mapped[datetime | None]
    scoring_deadline: Mapped[datetime | None]
    formal_check_deadline: Mapped[datetime | None]
    focus: Mapped[str] = mapped_column(Text, default="", server_default="")  # 建设重点
    requirements: Mapped[str] = mapped_column(Text, default="", server_default="")  # 申报要求
    notice_days: Mapped[int] = mapped_column(default=5)
    # years a revoked base's organisation waits before applying again for that kind
    cooling_off_years: Mapped[int] = mapped_column(default=2, server_default="2")
    # kind -> {expert field: members a panel of that kind needs}; the committed draw stratifies by it
    strata: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict, server_default="{}")
    # kind -> {rubric section code: minimum points as a decimal string}; a section scoring below its
    # minimum makes the application ineligible like a failed gate. Empty: no section thresholds.
    section_minimums: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    approval_document_no: Mapped[str | None] = mapped_column(String(100))
    approval_date: Mapped[date | None]
    approval_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    publication_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    publication_proposed_at: Mapped[datetime | None]
    publication_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_starts_on: Mapped[date | None]
    notice_ends_on: Mapped[date | None]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The list changed by upheld objections during the notice (ListRevisionStatus): the change's own
    # approval, and the four-eyes supplementary notice (补充公示) of the entries it added.
    list_status: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    list_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    list_changed_at: Mapped[datetime | None]
    revision_adds: Mapped[int] = mapped_column(default=0, server_default="0")  # added, not yet noticed
    revision_document_no: Mapped[str | None] = mapped_column(String(100))
    revision_approval_date: Mapped[date | None]
    revision_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revision_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revision_proposed_at: Mapped[datetime | None]
    revision_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revision_notice_starts_on: Mapped[date | None]
    revision_notice_ends_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("round_id", "kind", "organisation_id"),
        Index("ix_applications_round_kind_status", "round_id", "kind", "status"),
        enum_check("kind", BaseKind),
        enum_check("status", ApplicationStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text, default="")
    narratives: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # indicator code -> text
    figures: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # figure code -> decimal string
    # staff corrections at formal check: figure code -> {"value": "…", "declared": "…", "reason": "…"}
    verified_figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    status_reason: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    files_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    submitted_at: Mapped[datetime | None]
    recommended_at: Mapped[datetime | None]
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    round: Mapped[Round] = relationship(lazy="raise")


class Attachment(Base):
    """An evidence file for one indicator: of an application, or of a designated base's figures for
    a year (what its performance evaluators read with the declaration). Exactly one owner."""

    __tablename__ = "attachments"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  an id is never reused (audit trail)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("bases.id"), index=True)
    figures_year: Mapped[int | None]
    indicator_code: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Objection(Base):
    """An objection filed by anyone during the public notice period (公示期)."""

    __tablename__ = "objections"
    __table_args__ = (enum_check("status", ObjectionStatus), enum_check("seat", Seat))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    filed_by_name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | upheld | dismissed
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    # upheld against an entry on the list: its seat left vacant, or filled by the next eligible one
    seat: Mapped[str | None] = mapped_column(String(16))
    backfill_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
