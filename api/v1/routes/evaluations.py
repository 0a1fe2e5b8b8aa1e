"""API routes: performance-evaluation campaigns and the evaluator's sheets."""

from __future__ import annotations

from api.edge.deps import CurrentActor, SessionDep
from api.edge.params import DbId, QueryId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.services.management import evaluations
from scoring.services.management.schemas import (
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignReferencesIn,
    DeclarationIn,
    EvaluationList,
    EvaluationUpdate,
    SheetOut,
)

router = lazy_router(tags=["evaluations"])

ACT = errors(*AUTH, 404, 409)


@router.post("/campaigns", status_code=201, response_model=CampaignOut, responses=errors(*AUTH, 404))
def create_campaign(session: SessionDep, actor: CurrentActor, body: CampaignIn) -> CampaignOut:
    return evaluations.create_campaign(session, actor=actor, data=body)


@router.get("/campaigns", response_model=CampaignList, responses=errors(401, 404))
def list_campaigns(session: SessionDep, actor: CurrentActor) -> CampaignList:
    return CampaignList(items=evaluations.list_campaigns(session, actor=actor))


@router.post("/campaigns/{campaign_id}/close", response_model=CampaignOut, responses=errors(*AUTH, 404))
def close_campaign(session: SessionDep, actor: CurrentActor, campaign_id: DbId) -> CampaignOut:
    return evaluations.close_campaign(session, actor=actor, campaign_id=campaign_id)


@router.put("/campaigns/{campaign_id}/references", response_model=CampaignOut, responses=ACT)
def record_references(
    session: SessionDep, actor: CurrentActor, campaign_id: DbId, body: CampaignReferencesIn
) -> CampaignOut:
    """Record a campaign's reference values (each with its source); a value a submitted evaluation has
    read is not changed (409). An evaluation whose indicators compare with a value its campaign lacks
    cannot be submitted until it is recorded."""
    return evaluations.record_references(session, actor=actor, campaign_id=campaign_id, data=body)


@router.get("/evaluations", response_model=EvaluationList, responses=errors(*AUTH, 404))
def list_evaluations(
    session: SessionDep, actor: CurrentActor, campaign: QueryId | None = None
) -> EvaluationList:
    """An evaluator gets its own assignments; staff get all."""
    return EvaluationList(items=evaluations.list_evaluations(session, actor=actor, campaign_id=campaign))


@router.get("/evaluations/{evaluation_id}", response_model=SheetOut, responses=errors(*AUTH, 404))
def get_evaluation(session: SessionDep, actor: CurrentActor, evaluation_id: DbId) -> SheetOut:
    return evaluations.sheet(session, actor=actor, evaluation_id=evaluation_id)


@router.post("/evaluations/{evaluation_id}/declaration", response_model=SheetOut, responses=ACT)
def declare(session: SessionDep, actor: CurrentActor, evaluation_id: DbId, body: DeclarationIn) -> SheetOut:
    return evaluations.declare(session, actor=actor, evaluation_id=evaluation_id, data=body)


@router.put("/evaluations/{evaluation_id}", response_model=SheetOut, responses=ACT)
def save(session: SessionDep, actor: CurrentActor, evaluation_id: DbId, body: EvaluationUpdate) -> SheetOut:
    """409 `stale_version` when the sheet changed since `version`."""
    return evaluations.save(session, actor=actor, evaluation_id=evaluation_id, data=body)


@router.post("/evaluations/{evaluation_id}/submit", response_model=SheetOut, responses=ACT)
def submit(session: SessionDep, actor: CurrentActor, evaluation_id: DbId) -> SheetOut:
    return evaluations.submit(session, actor=actor, evaluation_id=evaluation_id)
