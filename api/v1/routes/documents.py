"""API routes: official documents (preview, DOCX preview, issue, list, download as issued), the
decisions of a round with their reasons, and the robustness of a kind's list."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends
from fastapi.responses import Response

from api.edge.deps import SessionDep, require_roles
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.core.i18n import current_locale
from scoring.services.review.documents import service
from scoring.services.review.documents.schemas import DocumentIn, DraftOut, IssuedDocumentOut
from scoring.services.review.results_discussions import (
    DiscussionIn,
    DiscussionOut,
    list_discussions,
    record_discussion,
)
from scoring.services.review.results_reasons import round_decisions
from scoring.services.review.results_robustness import robustness_out
from scoring.services.review.results_schemas import DecisionRecordOut, RobustnessOut

router = lazy_router(tags=["documents"])

HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX: dict[int | str, dict[str, Any]] = {
    200: {"content": {DOCX_TYPE: {}}, "description": "The document as DOCX"}
}


PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The document as PDF"}
}


def pdf_response(content: bytes, name: str) -> Response:
    disposition = f"attachment; filename=\"document.pdf\"; filename*=UTF-8''{quote(name)}.pdf"
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": disposition})


def _docx(content: bytes, name: str) -> Response:
    disposition = f"attachment; filename=\"document.docx\"; filename*=UTF-8''{quote(name)}.docx"
    return Response(content, media_type=DOCX_TYPE, headers={"Content-Disposition": disposition})


@router.post("/documents/preview", response_model=DraftOut, responses=errors(*AUTH, 404, 409))
def preview(data: DocumentIn, session: SessionDep, actor: HiddenStaff) -> DraftOut:
    """What the document will say, with the default or edited free-text blocks; nothing is recorded."""
    return service.preview(session, actor=actor, data=data)


@router.post(
    "/documents/preview.docx", response_class=Response, responses={**DOCX, **errors(*AUTH, 404, 409)}
)
def preview_docx(data: DocumentIn, session: SessionDep, actor: HiddenStaff) -> Response:
    return _docx(service.preview_docx(session, actor=actor, data=data), "preview")


@router.post(
    "/documents", response_model=IssuedDocumentOut, status_code=201, responses=errors(*AUTH, 404, 409)
)
def issue(data: DocumentIn, session: SessionDep, actor: HiddenStaff) -> IssuedDocumentOut:
    """Issue the document: its bytes are recorded with their hash, who and when."""
    return service.issue(session, actor=actor, data=data)


@router.get("/documents", response_model=list[IssuedDocumentOut], responses=errors(*AUTH, 404))
def list_documents(
    session: SessionDep, actor: HiddenStaff, round_id: int | None = None
) -> list[IssuedDocumentOut]:
    return service.list_documents(session, actor=actor, round_id=round_id)


@router.get(
    "/documents/{document_id}.docx", response_class=Response, responses={**DOCX, **errors(*AUTH, 404, 409)}
)
def download(document_id: DbId, session: SessionDep, actor: HiddenStaff) -> Response:
    """The issued document, byte for byte as issued."""
    doc, content = service.download(session, actor=actor, document_id=document_id)
    return _docx(content, doc.document_no)


@router.get(
    "/documents/{document_id}.pdf", response_class=Response, responses={**PDF, **errors(*AUTH, 404, 409)}
)
def download_pdf(document_id: DbId, session: SessionDep, actor: HiddenStaff) -> Response:
    """The issued document as PDF, converted from its recorded DOCX; 404 where no renderer is installed."""
    doc, content = service.download_pdf(session, actor=actor, document_id=document_id)
    return pdf_response(content, doc.document_no)


@router.get(
    "/rounds/{round_id}/decision-records",
    response_model=list[DecisionRecordOut],
    responses=errors(*AUTH, 404),
)
def decisions(
    round_id: DbId, session: SessionDep, actor: HiddenStaff, kind: str | None = None
) -> list[DecisionRecordOut]:
    """Every decision on one kind's applications with its reason, who took it and when."""
    return round_decisions(session, actor=actor, round_id=round_id, kind=kind)


@router.get("/rounds/{round_id}/robustness", response_model=list[RobustnessOut], responses=errors(*AUTH, 404))
def robustness(
    round_id: DbId, session: SessionDep, actor: HiddenStaff, kind: str | None = None
) -> list[RobustnessOut]:
    """For each application near the quota or pass line: 稳健, or 敏感 with the scenarios that move it."""
    return robustness_out(session, actor=actor, round_id=round_id, kind=kind)


@router.post(
    "/applications/{application_id}/discussions",
    response_model=DiscussionOut,
    status_code=201,
    responses=errors(*AUTH, 404, 409),
)
def discuss(
    application_id: DbId, data: DiscussionIn, session: SessionDep, actor: HiddenStaff
) -> DiscussionOut:
    """The panel's outcome for an outlier sheet or a large spread (kept or reopened), with a reason."""
    return record_discussion(
        session, actor=actor, application_id=application_id, data=data, locale=current_locale.get()
    )


@router.get(
    "/rounds/{round_id}/discussions", response_model=list[DiscussionOut], responses=errors(*AUTH, 404)
)
def discussions(round_id: DbId, session: SessionDep, actor: HiddenStaff) -> list[DiscussionOut]:
    return list_discussions(session, actor=actor, round_id=round_id, locale=current_locale.get())
