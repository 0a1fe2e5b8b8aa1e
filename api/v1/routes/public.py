"""API routes for anyone, without login: the list under public notice, objections, published bases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.edge.deps import SessionDep
from api.edge.params import parse_id
from api.edge.responses import errors
from api.edge.routing import lazy_router
from scoring.core.errors import invalid
from scoring.core.i18n import msg
from scoring.services.review import publication
from scoring.services.review.schemas import NoticeList, ObjectionReceipt, PublicBasePage

router = lazy_router(tags=["public"])


@router.get("/public/notice", response_model=NoticeList)
def public_notice(session: SessionDep) -> NoticeList:
    return NoticeList(items=publication.public_notice(session))


@router.post(
    "/public/objections",
    status_code=201,
    response_model=ObjectionReceipt,
    responses=errors(404, 409, 413, 422),
)
def file_objection(data: publication.ObjectionIn, session: SessionDep) -> ObjectionReceipt:
    return publication.public_objection_out(publication.file_objection(session, data=data))


@router.get("/public/bases", response_model=PublicBasePage, responses=errors(422))
def public_bases(
    session: SessionDep,
    status: str | None = None,
    kind: str | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> PublicBasePage:
    after = 0
    if cursor:
        parsed = parse_id(cursor)
        if parsed is None:
            raise invalid("cursor", msg("is not valid"))
        after = parsed
    items, next_id = publication.public_bases(
        session, status=status, kind=kind, year=year, after_id=after, limit=limit
    )
    return PublicBasePage(items=items, next_cursor=str(next_id) if next_id is not None else None)
