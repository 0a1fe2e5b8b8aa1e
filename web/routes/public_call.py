"""The public call pages (no login): open and past rounds, and each round's call with its criteria."""

from __future__ import annotations

from fastapi.responses import FileResponse, HTMLResponse, Response

from api.edge.deps import SessionDep, SettingsDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.services.designation import call
from web.deps import PageDep
from web.forms import render

router = lazy_router(include_in_schema=False)


@router.get("/call", response_class=HTMLResponse)
def call_list(page: PageDep, session: SessionDep) -> Response:
    calls = call.list_calls(session)
    return render(
        page,
        "public/call_list.html",
        open_calls=[c for c in calls if c.accepting],
        past_calls=[c for c in calls if not c.accepting],
    )


@router.get("/call/{round_id}", response_class=HTMLResponse)
def call_page(page: PageDep, session: SessionDep, round_id: DbId) -> Response:
    return render(page, "public/call.html", call=call.get_call(session, round_id=round_id))


@router.get("/call/{round_id}/documents/{document_id}")
def call_document(session: SessionDep, settings: SettingsDep, round_id: DbId, document_id: DbId) -> Response:
    path, name = call.open_document(session, settings=settings, round_id=round_id, document_id=document_id)
    return FileResponse(path, media_type="application/pdf", filename=name)
