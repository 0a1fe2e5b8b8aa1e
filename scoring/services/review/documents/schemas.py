"""Inputs and read models of official documents: the draft to preview, the document to issue, the record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from scoring.core.schema import Schema
from scoring.core.vocabulary import DocumentKind
from scoring.services.review.schemas import ReadModel

DOCUMENT_NO_MAX = 100
# A record id: a JSON integer from 1; strict, so `false` is not silently read as 0.
RecordId = Annotated[int, Field(strict=True, ge=1)]


class DocumentIn(Schema):
    """Which document (kind; its round or subject), edited free-text blocks, and on issue its 发文字号."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: DocumentKind
    round_id: RecordId | None = None
    subject_id: RecordId | None = None  # the sheet, rectification or revocation
    blocks: dict[str, str] = Field(default_factory=dict)
    document_no: Annotated[str, Field(max_length=DOCUMENT_NO_MAX)] | None = None


class BlockOut(ReadModel):
    key: str
    text: str
    max_length: int


class TableOut(ReadModel):
    caption: str
    header: list[str]
    rows: list[list[str]]


class DraftOut(ReadModel):
    """A preview: what the document will say, its editable blocks first."""

    kind: str
    round_id: int | None
    subject_id: int | None
    title: str
    addressee: str
    date: str
    blocks: list[BlockOut]
    sections: list[tuple[str, list[str]]]
    tables: list[TableOut]
    attachments: list[str]


class IssuedDocumentOut(ReadModel):
    id: int
    kind: str
    round_id: int | None
    subject_id: int | None
    document_no: str
    title: str
    sha256: str
    size: int
    issued_by: str | None
    issued_at: datetime
    issued_at_beijing: str  # "YYYY-MM-DD HH:MM"
    download: str
    download_pdf: str | None = None  # only where a PDF renderer (LibreOffice) is installed
