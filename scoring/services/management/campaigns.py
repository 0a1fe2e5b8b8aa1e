"""Performance-evaluation campaigns: opening one for a year (freezing each kind's performance rubric
and its grade bands), listing and closing them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core import grading
from scoring.core.actors import Actor
from scoring.core.errors import Conflict, NotFound, ValidationFailed, invalid
from scoring.core.grading import Band
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import CAMPAIGN_TRANSITIONS, CampaignStatus, EvaluationStatus, transition
from scoring.core.vocabulary import BASE_KINDS, Grade
from scoring.services.management import common
from scoring.services.management.common import performance_rubric, require_manager, rubric_version
from scoring.services.management.schemas import Bands, CampaignIn, CampaignOut, CampaignReferencesIn
from scoring.store import audit
from scoring.store.models import Campaign, Evaluation


def campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.id,
        year=c.year,
        title=c.title,
        status=CampaignStatus(c.status),
        bands=Bands.model_validate(c.bands) if c.bands else None,
        rubric_versions=c.rubric_versions,
        deadline=c.deadline,
        references=dict(c.references or {}),
    )


REFERENCE_KEYS = ("provincial_rd_intensity", "city_rd_intensity")


def campaign_references(data: CampaignReferencesIn | None) -> dict[str, str]:
    """The stored form: each value as plain decimal text with its source; a value needs its source."""
    if data is None:
        return {}
    out: dict[str, str] = {}
    problems: dict[str, Msg] = {}
    for key in REFERENCE_KEYS:
        value = getattr(data, key)
        source = getattr(data, f"{key}_source")
        if value is None:
            if source:
                problems[f"references.{key}"] = msg("is required when its source is given")
            continue
        if not source:
            problems[f"references.{key}_source"] = msg("is required: name the document it is taken from")
            continue
        out[key] = format(value, "f")  # as typed: "2.00" stays "2.00"
        out[f"{key}_source"] = source
    if problems:
        raise ValidationFailed(fields=problems)
    return out


def _rubric_bands(session: Session, versions: dict[str, str]) -> dict[str, str]:
    """The bands the frozen performance rubrics declare, when every kind declares the same; else {}
    (each evaluation is then graded by the bands of its own kind's rubric)."""
    found = {
        kind: grading.stored_bands(grading.rubric_bands(performance_rubric(session, kind, version)))
        for kind, version in versions.items()
    }
    first = next(iter(found.values()))
    return first if all(b == first for b in found.values()) else {}


def create_campaign(session: Session, *, actor: Actor, data: CampaignIn) -> CampaignOut:
    """Open a campaign for a year, freezing the performance rubric of every kind and the grade bands
    (the campaign's own, else the rubrics')."""
    require_manager(actor)
    if data.year > common.today().year:
        raise invalid("year", msg("must not be in the future"))
    existing = session.scalar(
        select(Campaign).where(Campaign.year == data.year, Campaign.title == data.title)
    )
    if existing is not None:
        return campaign_out(existing)  # replay
    versions = {kind.value: rubric_version(session, kind) for kind in BASE_KINDS}
    if data.bands is not None:
        own = (Band(Grade.EXCELLENT, data.bands.excellent), Band(Grade.PASS, data.bands.pass_))
        bands = grading.stored_bands(own)
    else:
        bands = _rubric_bands(session, versions)
    references = campaign_references(data.references)
    campaign = Campaign(
        references=references,
        year=data.year,
        title=data.title,
        bands=bands,
        rubric_versions=versions,
        deadline=data.deadline,
        created_by_id=actor.user_id,
    )
    session.add(campaign)
    session.flush()
    out = campaign_out(campaign)
    audit.record(
        session, actor=actor, action="campaign.create", entity="campaign", entity_id=campaign.id,
        after=out.model_dump(mode="json", by_alias=True),
    )  # fmt: skip
    return out


def record_references(
    session: Session, *, actor: Actor, campaign_id: int, data: CampaignReferencesIn
) -> CampaignOut:
    """Record reference values on a campaign (a value missing until now, or a new one while no
    submitted evaluation has read the campaign's values); the values not given stay as they are."""
    require_manager(actor)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    given = campaign_references(data)
    if not given:
        raise invalid("references", msg("must give at least one reference value with its source"))
    before = dict(campaign.references or {})
    after = {**before, **given}
    if after == before:
        return campaign_out(campaign)  # replay
    changed = [k for k in REFERENCE_KEYS if k in before and before[k] != after[k]]
    read = session.scalar(
        select(Evaluation.id)
        .where(Evaluation.campaign_id == campaign.id, Evaluation.status == EvaluationStatus.SUBMITTED)
        .limit(1)
    )
    if changed and read is not None:
        raise Conflict(
            msg(
                "A submitted evaluation of this campaign has read its reference values; a recorded value "
                "can no longer be changed."
            ),
            fields={f"references.{k}": msg("is already read by a submitted evaluation") for k in changed},
            code="references_locked",
        )
    campaign.references = after
    session.flush()
    audit.record(
        session, actor=actor, action="campaign.references", entity="campaign", entity_id=campaign.id,
        before={"references": before}, after={"references": after},
    )  # fmt: skip
    return campaign_out(campaign)


def list_campaigns(session: Session, *, actor: Actor) -> list[CampaignOut]:
    require_manager(actor)
    rows = session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()))
    return [campaign_out(c) for c in rows]


def close_campaign(session: Session, *, actor: Actor, campaign_id: int) -> CampaignOut:
    require_manager(actor)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    if campaign.status == CampaignStatus.CLOSED:
        return campaign_out(campaign)
    campaign.status = transition(CAMPAIGN_TRANSITIONS, campaign.status, "close")
    session.flush()
    audit.record(
        session, actor=actor, action="campaign.close", entity="campaign", entity_id=campaign.id,
        before={"status": CampaignStatus.OPEN}, after={"status": campaign.status},
    )  # fmt: skip
    return campaign_out(campaign)
