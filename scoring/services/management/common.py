"""What the management services share: the clock, a visible base, its events, its frozen performance
rubric, its current rectification order and its evidence files."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import SYSTEM, Actor
from scoring.core.base_rules import add_months as add_months
from scoring.core.errors import NotFound
from scoring.core.permissions import management as can
from scoring.core.vocabulary import RubricPurpose
from scoring.services.admin.rubrics import freeze_shipped, get_version
from scoring.services.management.schemas import EvidenceOut
from scoring.services.review.publication import china_today
from scoring.store import audit
from scoring.store.models import Attachment, BaseEvent, DesignatedBase, Rectification


def today() -> date:
    """Today in Shijiazhuang (tests set the clock here for every management service)."""
    return china_today()


def require_manager(actor: Actor) -> None:
    if not can.can_manage_bases(actor):
        raise NotFound()


def get_base(session: Session, *, actor: Actor, base_id: int, for_update: bool = False) -> DesignatedBase:
    """A base its caller may see (staff, or an applicant of its organisation); others get 404."""
    stmt = select(DesignatedBase).where(DesignatedBase.id == base_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    base = session.scalar(stmt)
    if base is None or not can.can_see_base(actor, organisation_id=base.organisation_id):
        raise NotFound()
    return base


def add_event(session: Session, base: DesignatedBase, event: str, actor: Actor, **detail: Any) -> None:
    session.add(
        BaseEvent(base_id=base.id, event=event, detail=audit.jsonable(detail), actor_id=actor.user_id)
    )


def rubric_version(session: Session, kind: str) -> str:
    """The version of a kind's performance rubric in force (the shipped one is frozen on first use)."""
    return freeze_shipped(session, actor=SYSTEM, kind=kind, purpose=RubricPurpose.PERFORMANCE).version


def performance_rubric(session: Session, kind: str, version: str | None = None) -> Rubric:
    """The frozen performance rubric of a kind (the shipped one is frozen on first use)."""
    if version is None:
        version = rubric_version(session, kind)
    return get_version(session, kind=kind, version=version, purpose=RubricPurpose.PERFORMANCE)


def _latest_rectification_id(base_id: int) -> ScalarSelect[int]:
    return (
        select(Rectification.id)
        .where(Rectification.base_id == base_id)
        .order_by(Rectification.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def current_rectification(session: Session, base_id: int) -> Rectification | None:
    return session.scalar(select(Rectification).where(Rectification.id == _latest_rectification_id(base_id)))


def base_evidence(session: Session, base_id: int, year: int | None = None) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.base_id == base_id)
    if year is not None:
        stmt = stmt.where(Attachment.figures_year == year)
    return list(
        session.scalars(stmt.order_by(Attachment.figures_year, Attachment.indicator_code, Attachment.id))
    )


def evidence_fields(att: Attachment) -> dict[str, Any]:
    return {
        "id": att.id,
        "indicator_code": att.indicator_code,
        "name": att.original_name,
        "content_type": att.content_type,
        "size": att.size_bytes,
        "sha256": att.sha256,
        "uploaded_at": att.uploaded_at,
        "figures_year": att.figures_year,
    }


def evidence_out(att: Attachment) -> EvidenceOut:
    return EvidenceOut(**evidence_fields(att))
