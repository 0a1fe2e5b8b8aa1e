"""Official documents for staff: preview a draft, render it with edited free-text blocks, issue it (the
exact bytes recorded with their hash, who and when) and download an issued document unchanged."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import Conflict, NotFound, ValidationFailed, invalid
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.review import can_manage_review
from scoring.core.vocabulary import DocumentKind as K
from scoring.services.review import publication
from scoring.services.review.documents import ISSUER, pdf
from scoring.services.review.documents.drafts import BLOCK_MAX, BUILDERS, Draft
from scoring.services.review.documents.schemas import (
    BlockOut,
    DocumentIn,
    DraftOut,
    IssuedDocumentOut,
    TableOut,
)
from scoring.services.review.results_reasons import beijing
from scoring.services.review.results_schemas import PrintHeader
from scoring.store import audit
from scoring.store.models import IssuedDocument, Round, User

PREVIEW_NO = "〔　〕号"  # the 发文字号 of a preview, not yet assigned


def _draft(session: Session, actor: Actor, data: DocumentIn, today: date | None) -> Draft:
    if not can_manage_review(actor):
        raise NotFound()
    draft = BUILDERS[data.kind](session, data.round_id, data.subject_id, today or publication.china_today())
    problems: dict[str, Msg] = {}
    for key, text in data.blocks.items():
        if key not in draft.blocks:
            problems[f"blocks.{key}"] = msg("is not a free-text block of this document")
        elif not text.strip():
            problems[f"blocks.{key}"] = msg("must not be empty")
        elif len(text) > BLOCK_MAX:
            problems[f"blocks.{key}"] = msg("must be at most %(max)s characters", max=BLOCK_MAX)
    if problems:
        raise ValidationFailed(fields=problems)
    draft.blocks.update({k: v.strip() for k, v in data.blocks.items()})
    return draft


def preview(session: Session, *, actor: Actor, data: DocumentIn, today: date | None = None) -> DraftOut:
    """What the document will say, with the defaults (or the given edits) of its free-text blocks."""
    draft = _draft(session, actor, data, today)
    return DraftOut(
        kind=draft.kind,
        round_id=draft.round_id,
        subject_id=draft.subject_id,
        title=draft.title,
        addressee=draft.addressee,
        date=draft.day.isoformat(),
        blocks=[BlockOut(key=k, text=draft.blocks[k], max_length=BLOCK_MAX) for k in draft.block_order],
        sections=draft.sections,
        tables=[TableOut(caption=c, header=h, rows=r) for c, h, r in draft.tables],
        attachments=draft.attachments,
    )


def preview_docx(session: Session, *, actor: Actor, data: DocumentIn, today: date | None = None) -> bytes:
    """The DOCX as it would be issued (with the given 发文字号, or a blank one); nothing is recorded."""
    draft = _draft(session, actor, data, today)
    return draft.render(data.document_no or PREVIEW_NO)


def issue(
    session: Session, *, actor: Actor, data: DocumentIn, today: date | None = None
) -> IssuedDocumentOut:
    """Render and record the document: its bytes, sha256, 发文字号, who and when (one audit event)."""
    if not data.document_no:
        if not can_manage_review(actor):
            raise NotFound()
        raise invalid("document_no", msg("is required to issue a document"))
    draft = _draft(session, actor, data, today)
    taken = session.scalar(select(IssuedDocument.id).where(IssuedDocument.document_no == data.document_no))
    if taken is not None:
        raise Conflict(
            msg("Another document already carries this document number."), code="document_no_taken"
        )
    content = draft.render(data.document_no)
    doc = IssuedDocument(
        kind=draft.kind,
        round_id=draft.round_id,
        subject_id=draft.subject_id,
        document_no=data.document_no,
        title=draft.title[:200],
        blocks={k: draft.blocks[k] for k in draft.block_order},
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        issued_by_id=actor.user_id,
    )
    session.add(doc)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same number issued concurrently
        raise Conflict(
            msg("Another document already carries this document number."), code="document_no_taken"
        ) from exc
    audit.record(
        session,
        actor=actor,
        action="document.issue",
        entity="document",
        entity_id=doc.id,
        after={
            "kind": doc.kind,
            "round_id": doc.round_id,
            "subject_id": doc.subject_id,
            "document_no": doc.document_no,
            "sha256": doc.sha256,
        },
    )
    return document_out(session, doc)


def document_out(session: Session, doc: IssuedDocument) -> IssuedDocumentOut:
    by = session.get(User, doc.issued_by_id) if doc.issued_by_id is not None else None
    return IssuedDocumentOut(
        id=doc.id,
        kind=doc.kind,
        round_id=doc.round_id,
        subject_id=doc.subject_id,
        document_no=doc.document_no,
        title=doc.title,
        sha256=doc.sha256,
        size=doc.size,
        issued_by=by.display_name if by else None,
        issued_at=doc.issued_at,
        issued_at_beijing=beijing(doc.issued_at) or "",
        download=f"/api/v1/documents/{doc.id}.docx",
        download_pdf=f"/api/v1/documents/{doc.id}.pdf" if pdf.available() else None,
    )


def list_documents(session: Session, *, actor: Actor, round_id: int | None = None) -> list[IssuedDocumentOut]:
    if not can_manage_review(actor):
        raise NotFound()
    query = select(IssuedDocument).order_by(IssuedDocument.id)
    if round_id is not None:
        query = query.where(IssuedDocument.round_id == round_id)
    return [document_out(session, d) for d in session.scalars(query)]


def download(session: Session, *, actor: Actor, document_id: int) -> tuple[IssuedDocument, bytes]:
    """The document's bytes as issued; the stored hash is checked so a changed row is never served."""
    if not can_manage_review(actor):
        raise NotFound()
    doc = session.get(IssuedDocument, document_id)
    if doc is None:
        raise NotFound()
    if hashlib.sha256(doc.content).hexdigest() != doc.sha256:
        raise Conflict(msg("The stored document does not match its recorded hash."), code="document_altered")
    return doc, doc.content


def download_pdf(session: Session, *, actor: Actor, document_id: int) -> tuple[IssuedDocument, bytes]:
    """The issued document as a PDF converted from its recorded DOCX (checked against its hash first)."""
    doc, content = download(session, actor=actor, document_id=document_id)
    return doc, pdf.to_pdf(content, doc.sha256)


def print_headers(session: Session, round_ids: list[int]) -> dict[int, PrintHeader]:
    """Public: what a printed list carries per round — issuer, round, today's date and the number of the
    issued notice (or designation notice, once issued) as its document reference."""
    today = publication.china_today()
    rounds = {r.id: r for r in session.scalars(select(Round).where(Round.id.in_(round_ids)))}
    numbers: dict[int, str] = {}
    query = (
        select(IssuedDocument.round_id, IssuedDocument.document_no)
        .where(IssuedDocument.round_id.in_(round_ids), IssuedDocument.kind.in_([K.NOTICE, K.DESIGNATION]))
        .order_by(IssuedDocument.id)
    )
    for round_id, number in session.execute(query):
        if round_id is not None:
            numbers[round_id] = number  # the latest: the designation notice once there is one
    return {
        rid: PrintHeader(issuer=ISSUER, round_title=rnd.title, printed_on=today, document_no=numbers.get(rid))
        for rid, rnd in rounds.items()
    }
