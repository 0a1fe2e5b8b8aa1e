"""The staff audit-trail page: events newest first, filtered by entity, action and actor, paged,
with the verification of the hash chain on request."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.params import parse_id
from api.edge.routing import lazy_router
from scoring.services.admin import audit_trail, integrity
from web.deps import StaffPage
from web.forms import render

router = lazy_router(include_in_schema=False)
AUDIT_PAGE = 50


def _positive(value: str | None) -> int | None:
    """A cursor from the query string; anything that is not a small positive integer is ignored."""
    return parse_id(value)


@router.get("/staff/audit", response_class=HTMLResponse)
def audit_page(
    page: StaffPage,
    session: SessionDep,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    before: str | None = None,
    verify: str | None = None,
) -> Response:
    filters = {
        "entity": (entity or "").strip()[:32],
        "entity_id": (entity_id or "").strip()[:64],
        "action": (action or "").strip()[:64],
        "actor": (actor or "").strip()[:64],
    }
    result = audit_trail.audit_trail(
        session,
        actor=page.actor,
        entity=filters["entity"],
        entity_id=filters["entity_id"],
        action=filters["action"],
        by=filters["actor"],
        before_id=_positive(before),
        limit=AUDIT_PAGE,
    )
    report = audit_trail.verify(session, actor=page.actor) if verify in ("1", "true", "yes") else None
    return render(
        page,
        "staff/audit.html",
        events=result.items,
        filters=filters,
        paged=_positive(before) is not None,
        next_before=result.next_before,
        report=report,
        problem_text=integrity.PROBLEM_TEXT.get(report.problem or "") if report else None,
    )
