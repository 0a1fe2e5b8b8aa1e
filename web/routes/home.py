"""The landing page: the public entry for visitors, each role's work list once logged in."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.routing import lazy_router
from scoring.core.actors import Role
from scoring.services.admin.account_admin import FIRST_ADMIN_COMMAND, needs_first_admin
from scoring.services.designation.call import applicant_next_steps
from web.deps import PageDep
from web.templating import templates

router = lazy_router(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep, session: SessionDep) -> Response:
    first_run = FIRST_ADMIN_COMMAND if page.actor is None and needs_first_admin(session) else None
    next_steps = None
    if (
        page.actor is not None
        and page.actor.role is Role.APPLICANT
        and page.actor.organisation_id is not None
    ):
        next_steps = applicant_next_steps(session, actor=page.actor)
    return templates.TemplateResponse(
        page.request, "home.html", page.context(first_run=first_run, next_steps=next_steps)
    )
