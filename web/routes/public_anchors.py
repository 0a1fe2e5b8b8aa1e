"""Public page, without login: the audit chain's anchors (its head at each publication), by date."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.routing import lazy_router
from scoring.services.admin import integrity
from web.deps import PageDep
from web.forms import render

router = lazy_router(include_in_schema=False)


@router.get("/public/anchors", response_class=HTMLResponse)
def anchors(page: PageDep, session: SessionDep) -> Response:
    rows = sorted(integrity.public_anchors(session), key=lambda a: a.at, reverse=True)
    return render(page, "public/anchors.html", anchors=rows)
