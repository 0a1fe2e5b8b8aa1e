"""API routes: verification of the audit trail (with anchors), state reconciliation, checkpoints, anchors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.edge.deps import CurrentActor, SessionDep
from api.edge.params import Cursor
from api.edge.responses import AUTH, errors
from scoring.services.admin import integrity

router = APIRouter(tags=["integrity"])


@router.get("/integrity/verify", response_model=integrity.VerificationOut, responses=errors(*AUTH, 404))
def verify(
    session: SessionDep,
    actor: CurrentActor,
    anchor: Annotated[
        str | None, Query(max_length=200, description="SEQ:HASH saved from a publication")
    ] = None,
) -> integrity.VerificationOut:
    """The chain against every keyed checkpoint; with `anchor`, whether today's chain extends it.
    Auditors and staff; `ok` is false (status 200) when something does not hold."""
    return integrity.verify(session, actor=actor, anchor=anchor)


@router.get(
    "/integrity/reconciliation",
    response_model=integrity.ReconciliationOut,
    responses=errors(*AUTH, 404),
)
def reconciliation(session: SessionDep, actor: CurrentActor) -> integrity.ReconciliationOut:
    """Replay the audit trail and list every difference with the live tables (auditors and staff)."""
    return integrity.reconcile_state(session, actor=actor)


@router.get(
    "/integrity/checkpoints",
    response_model=list[integrity.CheckpointOut],
    responses=errors(*AUTH, 404),
)
def checkpoints(session: SessionDep, actor: CurrentActor) -> list[integrity.CheckpointOut]:
    return integrity.list_checkpoints(session, actor=actor)


@router.post(
    "/integrity/checkpoints",
    status_code=201,
    response_model=integrity.CheckpointOut | None,
    responses=errors(*AUTH, 404),
)
def write_checkpoint(session: SessionDep, actor: CurrentActor) -> integrity.CheckpointOut | None:
    """A manual checkpoint of the head now (staff)."""
    return integrity.write_checkpoint(session, actor=actor)


@router.get("/integrity/audit", response_model=integrity.TrailPage, responses=errors(*AUTH, 404))
def audit_trail(
    session: SessionDep,
    actor: CurrentActor,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> integrity.TrailPage:
    """The audit trail in chain order (auditors and staff)."""
    return integrity.trail(session, actor=actor, entity=entity, entity_id=id, cursor=cursor, limit=limit)


@router.get("/public/anchors", response_model=list[integrity.CheckpointOut])
def public_anchors(session: SessionDep) -> list[integrity.CheckpointOut]:
    """The chain head at every publication (anyone, no login): save one, check it later."""
    return integrity.public_anchors(session)
