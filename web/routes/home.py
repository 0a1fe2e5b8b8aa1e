"""The landing page: the public entry for visitors, each role's work list once logged in."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from scoring.services.admin.account_admin import FIRST_ADMIN_COMMAND, needs_first_admin
from web.deps import PageDep
from web.mount import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep, session: SessionDep) -> Response:
    first_run = FIRST_ADMIN_COMMAND if page.actor is None and needs_first_admin(session) else None
    return templates.TemplateResponse(page.request, "home.html", page.context(first_run=first_run))
