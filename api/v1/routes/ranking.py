"""API routes: the ranking of a kind, staff decisions, applicants' results and staff exports."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import Depends, Query
from fastapi.responses import Response

from api.edge.deps import CurrentActor, SessionDep, require_roles
from api.edge.params import DbId, parse_id
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.core.errors import invalid
from scoring.core.i18n import current_locale, msg
from scoring.services.review import decisions, exports, results
from scoring.services.review import ranking as ranking_service
from scoring.services.review.ranking_view import ranking_out
from scoring.services.review.results_schemas import OwnResultOut
from scoring.services.review.schemas import ConsistentRankingOut, DecisionOut

router = lazy_router(tags=["ranking"])

# Staff only; to anyone else these resources do not exist (404).
HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]

PAGE_ROWS = 250
RENDERED_PAGES = 16  # pages kept per cached ranking (locale, cursor, size, consistency)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}


def _offset(cursor: str | None) -> int:
    """The ranking's cursor is the position of the next row, as text."""
    if cursor is None or cursor == "":
        return 0
    offset = parse_id(cursor)
    if offset is None:
        raise invalid("cursor", msg("is not valid"))
    return offset


@router.get(
    "/rounds/{round_id}/ranking",
    response_class=Response,
    responses={
        200: {
            "description": "The ranking of one kind (rows, proposed list, ties; consistency on request)",
            "model": ConsistentRankingOut,
        },
        **errors(*AUTH, 404),
    },
)
def get_ranking(
    round_id: DbId,
    session: SessionDep,
    actor: HiddenStaff,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50_000)] = PAGE_ROWS,
    cursor: str | None = None,
    consistency: bool = False,
) -> Response:
    """One page of the ranking (`limit` rows, 250 by default; `next_cursor` for the next), with the
    total count, the proposed list and the quota line; with consistency=true also Kendall's W and
    each expert's calibration. The whole list in one file: the round's CSV or workbook export."""
    ranking = ranking_service.get_ranking(session, actor=actor, round_id=round_id, kind=kind)
    offset = _offset(cursor)
    # A ranking is immutable and shared while its version holds (ranking_cache): so is its JSON.
    key = (current_locale.get(), offset, limit, consistency)
    content = ranking.rendered.get(key)
    if content is None:
        body = ranking_out(ranking, offset=offset, limit=limit, consistency=consistency)
        # Dataclasses serialised directly by orjson: the generic encoder (and even the standard
        # library's json, at 11 ms for 1,000 rows against orjson's 1.6 ms) costs a large share of a
        # large round's request.
        content = orjson.dumps(body)
        if len(ranking.rendered) >= RENDERED_PAGES:
            ranking.rendered.clear()
        ranking.rendered[key] = content
    return Response(content, media_type="application/json")


@router.post(
    "/rounds/{round_id}/decisions", response_model=DecisionOut, responses=errors(*AUTH, 404, 409, 413)
)
def decide(
    round_id: DbId, data: decisions.DecisionIn, session: SessionDep, actor: HiddenStaff
) -> DecisionOut:
    return decisions.decide(session, actor=actor, round_id=round_id, data=data)


@router.get(
    "/applications/{application_id}/result", response_model=OwnResultOut, responses=errors(*AUTH, 404)
)
def get_result(application_id: DbId, session: SessionDep, actor: CurrentActor) -> OwnResultOut:
    return results.application_result(session, actor=actor, application_id=application_id)


@router.get(
    "/rounds/{round_id}/export.xlsx",
    response_class=Response,
    responses={
        200: {"content": {XLSX_TYPE: {"schema": BINARY}}, "description": "The round's workbook"},
        **errors(*AUTH, 404),
    },
)
def export_xlsx(round_id: DbId, session: SessionDep, actor: HiddenStaff) -> Response:
    content = exports.export_xlsx(session, actor=actor, round_id=round_id)
    return Response(
        content,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}.xlsx"'},
    )


@router.get(
    "/rounds/{round_id}/export.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": TEXT}}, "description": "One table of one kind"},
        **errors(*AUTH, 404),
    },
)
def export_csv(
    round_id: DbId, session: SessionDep, actor: HiddenStaff, kind: str | None = None, table: str = "ranking"
) -> Response:
    """One table (ranking, gates or sheets) of one kind, its header on the first line."""
    content = exports.export_csv(session, actor=actor, round_id=round_id, kind=kind, table=table)
    return Response(
        content.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="round-{round_id}-{kind}-{table}.csv"'},
    )
