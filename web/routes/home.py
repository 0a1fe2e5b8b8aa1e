"""The landing page: the public entry for visitors, each role's work list once logged in."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from web.deps import PageDep
from web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep) -> Response:
    return templates.TemplateResponse(page.request, "home.html", page.context())
