"""Issued official documents: the exact bytes issued, their hash, document number, who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from scoring.core.vocabulary import DocumentKind
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
