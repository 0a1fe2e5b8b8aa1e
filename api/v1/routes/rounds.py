"""API routes: designation rounds, their status changes, and the applicant's eligibility self-check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.edge.deps import CurrentActor, LocaleDep, SessionDep, StaffActor
from api.edge.params import DbId, parse_id
from scoring.core.errors import invalid
from scoring.core.i18n import msg
from scoring.services.designation import rounds
from scoring.services.designation.applications import gate_out

router = APIRouter(tags=["rounds"])


def parse_cursor(cursor: str | None) -> int | None:
    """Cursors are the last id of the previous page, as text."""
    if cursor is None or cursor == "":
        return None
    value = parse_id(cursor)
    if value is None:
        raise invalid("cursor", msg("is not valid"))
    return value


@router.post("/rounds", status_code=201)
def create_round(data: rounds.RoundIn, session: SessionDep, actor: StaffActor) -> dict[str, Any]:
    return rounds.round_out(rounds.create_round(session, actor=actor, data=data))


@router.get("/rounds")
def list_rounds(
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    rows, next_id = rounds.list_rounds(session, actor=actor, limit=limit, after_id=parse_cursor(cursor))
    return {
        "items": [rounds.round_out(r) for r in rows],
        "next_cursor": str(next_id) if next_id is not None else None,
    }


@router.get("/rounds/{round_id}")
def get_round(round_id: DbId, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return rounds.round_out(rounds.get_round(session, actor=actor, round_id=round_id))


@router.post("/rounds/{round_id}/transition")
def transition_round(
    round_id: DbId, data: rounds.RoundTransitionIn, session: SessionDep, actor: StaffActor
) -> dict[str, Any]:
    return rounds.round_out(rounds.transition_round(session, actor=actor, round_id=round_id, data=data))


@router.post("/rounds/{round_id}/eligibility-check")
def eligibility_check(
    round_id: DbId, data: rounds.EligibilityIn, session: SessionDep, actor: CurrentActor, locale: LocaleDep
) -> dict[str, Any]:
    gates = rounds.eligibility_check(session, actor=actor, round_id=round_id, data=data)
    return {"gates": [gate_out(g, locale) for g in gates]}
