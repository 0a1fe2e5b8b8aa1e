"""API routes: verification of the audit trail (with anchors), reconciliation, checkpoints, draws."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.edge.deps import CurrentActor, SessionDep
from api.edge.params import Cursor, DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.services.admin import integrity
from scoring.services.review import draw_record

router = lazy_router(tags=["integrity"])


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


# ---- committed draws ------------------------------------------------------------------------------


@router.post(
    "/rounds/{round_id}/draw-commitments",
    status_code=201,
    response_model=draw_record.CommitmentOut,
    responses=errors(*AUTH, 404, 409),
)
def commit_draw(
    session: SessionDep, actor: CurrentActor, round_id: DbId, body: draw_record.CommitIn
) -> draw_record.CommitmentOut:
    """Staff member A: the SHA-256 of a secret A keeps, for one kind of a round (with strata, size)."""
    return draw_record.out(draw_record.commit(session, actor=actor, round_id=round_id, data=body))


@router.post(
    "/draw-commitments/{commitment_id}/contribution",
    response_model=draw_record.CommitmentOut,
    responses=errors(*AUTH, 404, 409),
)
def contribute_to_draw(
    session: SessionDep, actor: CurrentActor, commitment_id: DbId, body: draw_record.ContributionIn
) -> draw_record.CommitmentOut:
    """Staff member B (not A): a value fixed after the commitment."""
    row = draw_record.contribute(session, actor=actor, commitment_id=commitment_id, data=body)
    return draw_record.out(row)


@router.post(
    "/draw-commitments/{commitment_id}/reveal",
    response_model=draw_record.CommitmentOut,
    responses=errors(*AUTH, 404, 409),
)
def reveal_draw(
    session: SessionDep, actor: CurrentActor, commitment_id: DbId, body: draw_record.RevealIn
) -> draw_record.CommitmentOut:
    """Reveal the secret: checked against the commitment; the seed is derived and the panel drawn."""
    return draw_record.out(draw_record.reveal(session, actor=actor, commitment_id=commitment_id, data=body))


@router.get(
    "/rounds/{round_id}/draw-records",
    response_model=list[draw_record.CommitmentOut],
    responses=errors(*AUTH, 404),
)
def draw_records(session: SessionDep, actor: CurrentActor, round_id: DbId) -> list[draw_record.CommitmentOut]:
    """Every committed draw of the round with its full record (staff and auditors)."""
    return draw_record.draw_records(session, actor=actor, round_id=round_id)


@router.get(
    "/rounds/{round_id}/draw-records/replay",
    response_model=list[draw_record.ReplayOut],
    responses=errors(*AUTH, 404),
)
def replay_draws(session: SessionDep, actor: CurrentActor, round_id: DbId) -> list[draw_record.ReplayOut]:
    """Recompute every panel of the round from its record and say whether it matches."""
    return draw_record.replay(session, actor=actor, round_id=round_id)
