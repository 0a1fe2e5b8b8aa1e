"""Staff page of a round's reasons and documents: every decision with its reason, who and when; the
robustness of each kind's list; official documents to preview, edit and issue; issued documents."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError, NotFound
from scoring.services.designation import rounds
from scoring.services.review.documents import service
from scoring.services.review.documents.schemas import DocumentIn
from scoring.services.review.results_discussions import list_discussions
from scoring.services.review.results_reasons import round_decisions
from scoring.services.review.results_robustness import robustness_out
from web.deps import StaffPage, UserPage
from web.forms import CheckedForm, field_errors, form_action, render, text

router = lazy_router(include_in_schema=False)

ROUND_DOCUMENTS = ("notice", "designation", "review_report")


@router.get("/staff/rounds/{round_id}/documents", response_class=HTMLResponse)
def documents_page(
    round_id: DbId, page: StaffPage, session: SessionDep, kind: str | None = None, done: str | None = None
) -> Response:
    return _page(page, session, round_id, kind=kind, done=done)


def _page(
    page: UserPage,
    session: Session,
    round_id: int,
    *,
    kind: str | None = None,
    done: str | None = None,
    error: DomainError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    rnd = rounds.get_round(session, actor=page.actor, round_id=round_id)
    kinds = []
    for base_kind in rnd.kinds:
        kinds.append(
            {
                "kind": base_kind,
                "decisions": round_decisions(session, actor=page.actor, round_id=rnd.id, kind=base_kind),
                "robustness": robustness_out(session, actor=page.actor, round_id=rnd.id, kind=base_kind),
            }
        )
    draft = None
    draft_error = None
    if kind in ROUND_DOCUMENTS:
        try:
            # The defaults; what staff typed (values) is put back into the form by the template.
            data = DocumentIn.model_validate({"kind": kind, "round_id": rnd.id})
            draft = service.preview(session, actor=page.actor, data=data)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            draft_error = exc.message.render(page.locale)
    return render(
        page,
        "staff/documents.html",
        status=error.status if error else 200,
        round=rounds.round_out(rnd),
        kinds=kinds,
        issued=service.list_documents(session, actor=page.actor, round_id=rnd.id),
        discussions=list_discussions(session, actor=page.actor, round_id=rnd.id, locale=page.locale),
        kind=kind,
        draft=draft,
        draft_error=draft_error,
        document_kinds=ROUND_DOCUMENTS,
        done=done,
        values=values or {},
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
    )


@router.post("/staff/rounds/{round_id}/documents")
def issue(round_id: DbId, page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    kind = text(form, "kind")
    blocks = {key[len("blocks.") :]: str(v) for key, v in form.multi_items() if key.startswith("blocks.")}
    values = {
        "kind": kind,
        "round_id": round_id,
        "blocks": blocks,
        "document_no": text(form, "document_no") or None,
    }

    def call(data: DocumentIn) -> Any:
        return service.issue(session, actor=page.actor, data=data)

    return form_action(
        session,
        DocumentIn,
        values,
        call,
        done=f"/staff/rounds/{round_id}/documents?done=issued",
        on_error=lambda exc: _page(page, session, round_id, kind=kind, error=exc, values=values),
    )


@router.get("/staff/documents/{document_id}.docx")
def download(document_id: DbId, page: StaffPage, session: SessionDep) -> Response:
    doc, content = service.download(session, actor=page.actor, document_id=document_id)
    disposition = f"attachment; filename=\"document.docx\"; filename*=UTF-8''{quote(doc.document_no)}.docx"
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": disposition},
    )


@router.get("/staff/documents/{document_id}.pdf")
def download_pdf(document_id: DbId, page: StaffPage, session: SessionDep) -> Response:
    doc, content = service.download_pdf(session, actor=page.actor, document_id=document_id)
    disposition = f"attachment; filename=\"document.pdf\"; filename*=UTF-8''{quote(doc.document_no)}.pdf"
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": disposition})
