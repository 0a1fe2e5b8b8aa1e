"""API routes: designation rounds, their status changes, and the applicant's eligibility self-check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.edge.deps import CurrentActor, SessionDep, StaffActor
from api.edge.params import DbId, parse_id
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.errors import invalid
from scoring.core.i18n import msg
from scoring.services.designation import rounds
from scoring.services.designation.schemas import (
    EligibilityIn,
    EligibilityOut,
    RoundIn,
    RoundOut,
    RoundPage,
    RoundTransitionIn,
)

router = lazy_router(tags=["rounds"])


def parse_cursor(cursor: str | None) -> int | None:
    """Cursors are the last id of the previous page, as text."""
    if cursor is None or cursor == "":
        return None
    value = parse_id(cursor)
    if value is None:
        raise invalid("cursor", msg("is not valid"))
    return value


@router.post("/rounds", status_code=201, response_model=RoundOut, responses=errors(*AUTH, 403, 413))
def create_round(data: RoundIn, session: SessionDep, actor: StaffActor) -> RoundOut:
    return rounds.round_out(rounds.create_round(session, actor=actor, data=data))


@router.get("/rounds", response_model=RoundPage, responses=errors(*AUTH))
def list_rounds(
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> RoundPage:
    return rounds.rounds_page(session, actor=actor, limit=limit, after_id=parse_cursor(cursor))


@router.get("/rounds/{round_id}", response_model=RoundOut, responses=errors(*AUTH, 404))
def get_round(round_id: DbId, session: SessionDep, actor: CurrentActor) -> RoundOut:
    return rounds.round_out(rounds.get_round(session, actor=actor, round_id=round_id))


@router.post(
    "/rounds/{round_id}/transition",
    response_model=RoundOut,
    responses=errors(*AUTH, 403, 404, 409, 413),
)
def transition_round(
    round_id: DbId, data: RoundTransitionIn, session: SessionDep, actor: StaffActor
) -> RoundOut:
    return rounds.round_out(rounds.transition_round(session, actor=actor, round_id=round_id, data=data))


@router.post(
    "/rounds/{round_id}/eligibility-check",
    response_model=EligibilityOut,
    responses=errors(*AUTH, 404, 413),
)
def eligibility_check(
    round_id: DbId, data: EligibilityIn, session: SessionDep, actor: CurrentActor
) -> EligibilityOut:
    return rounds.eligibility(session, actor=actor, round_id=round_id, data=data)
