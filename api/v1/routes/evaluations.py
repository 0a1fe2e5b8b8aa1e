"""API routes: performance-evaluation campaigns and the evaluator's sheets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.edge.deps import CurrentActor, LocaleDep, SessionDep
from api.edge.params import DbId, QueryId
from scoring.services.management import evaluations

router = APIRouter(tags=["evaluations"])


@router.post("/campaigns", status_code=201)
def create_campaign(session: SessionDep, actor: CurrentActor, body: evaluations.CampaignIn) -> dict[str, Any]:
    return evaluations.campaign_out(evaluations.create_campaign(session, actor=actor, data=body))


@router.get("/campaigns")
def list_campaigns(session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return {"items": [evaluations.campaign_out(c) for c in evaluations.list_campaigns(session, actor=actor)]}


@router.post("/campaigns/{campaign_id}/close")
def close_campaign(session: SessionDep, actor: CurrentActor, campaign_id: DbId) -> dict[str, Any]:
    return evaluations.campaign_out(evaluations.close_campaign(session, actor=actor, campaign_id=campaign_id))


@router.get("/evaluations")
def list_evaluations(
    session: SessionDep, actor: CurrentActor, campaign: QueryId | None = None
) -> dict[str, Any]:
    """An evaluator gets its own assignments; staff get all."""
    return {"items": evaluations.list_evaluations(session, actor=actor, campaign_id=campaign)}


@router.get("/evaluations/{evaluation_id}")
def get_evaluation(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, evaluation_id: DbId
) -> dict[str, Any]:
    ev, _ = evaluations.get_evaluation(session, actor=actor, evaluation_id=evaluation_id)
    return evaluations.evaluation_out(session, ev, locale=locale)


@router.post("/evaluations/{evaluation_id}/declaration")
def declare(
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    evaluation_id: DbId,
    body: evaluations.DeclarationIn,
) -> dict[str, Any]:
    ev = evaluations.declare(session, actor=actor, evaluation_id=evaluation_id, data=body)
    return evaluations.evaluation_out(session, ev, locale=locale)


@router.put("/evaluations/{evaluation_id}")
def save(
    session: SessionDep,
    actor: CurrentActor,
    locale: LocaleDep,
    evaluation_id: DbId,
    body: evaluations.EvaluationUpdate,
) -> dict[str, Any]:
    ev = evaluations.save(session, actor=actor, evaluation_id=evaluation_id, data=body)
    return evaluations.evaluation_out(session, ev, locale=locale)


@router.post("/evaluations/{evaluation_id}/submit")
def submit(
    session: SessionDep, actor: CurrentActor, locale: LocaleDep, evaluation_id: DbId
) -> dict[str, Any]:
    ev = evaluations.submit(session, actor=actor, evaluation_id=evaluation_id)
    return evaluations.evaluation_out(session, ev, locale=locale)
