"""Issued official documents (the exact bytes, their hash, number, who and when) and panel discussions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scoring.core.vocabulary import DiscussionOutcome, DocumentKind
from scoring.store.db import Base, enum_check, utcnow


class IssuedDocument(Base):
    """A document once issued never changes: later downloads return `content` as it was hashed."""

    __tablename__ = "issued_documents"
    __table_args__ = (enum_check("kind", DocumentKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    subject_id: Mapped[int | None]  # the sheet, rectification or revocation the document is about
    document_no: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    blocks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the free-text blocks as issued
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class PanelDiscussion(Base):
    """The panel's recorded outcome for an outlier sheet or an application with a large spread."""

    __tablename__ = "panel_discussions"
    __table_args__ = (enum_check("outcome", DiscussionOutcome),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    sheet_id: Mapped[int | None] = mapped_column(ForeignKey("sheets.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
