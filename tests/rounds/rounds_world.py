"""Shared set-up for the round and application tests: the people, an open round, complete applications."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from scoring.core.vocabulary import APPLICANT_KIND_OF_BASE, BaseKind
from scoring.services.designation.applications import ApplicationCreate, create_application
from scoring.services.designation.rounds import (
    RoundIn,
    RoundTransitionIn,
    create_round,
    round_rubric,
    transition_round,
)
from scoring.store.db import utcnow
from scoring.store.models import Application, Attachment, Expert, Organisation, Panel, Round, Sheet
from tests.conftest import Person

# Figures that pass every gate of each kind (2022 data: provincial R&D intensity 2.00%).
PASSING_FIGURES: dict[str, dict[str, str]] = {
    "regional": {
        "key_projects_total": "10",
        "key_projects_hightech": "6",
        "rd_intensity": "2.52",
        "hightech_share_prev": "35.6",
        "hightech_share": "36.6",
    },
    "university": {"innovation_platforms": "2", "transfer_bases": "1", "maker_spaces": "3"},
    "enterprise": {"rd_platforms": "3"},
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def round_payload(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "year": 2026,
        "title": "2026年度石家庄市“双创”示范基地评选",
        "kinds": ["regional", "university", "enterprise"],
        "references": {
            "provincial_rd_intensity": "2.00",
            "city_rd_intensity": "2.52",
            "rd_reference": "provincial",
            "data_year": 2022,
        },
        "deadlines": {
            "application": (now + timedelta(days=30)).isoformat(),
            "recommendation": (now + timedelta(days=45)).isoformat(),
            "scoring": (now + timedelta(days=60)).isoformat(),
        },
        "quotas": {"regional": 3, "university": 2, "enterprise": 5},
    }
    payload.update(changes)
    return payload


@dataclass
class World:
    staff: Person
    org_a: Organisation
    org_b: Organisation
    applicant_a: Person
    applicant_b: Person
    county_a: Person  # 长安区, the district of org_a
    county_b: Person  # 桥西区, the district of org_b
    expert: Person
    expert_row: Expert
    evaluator: Person
    round: Round


def make_world(
    session: Session, make_org: Callable[..., Organisation], make_person: Callable[..., Person]
) -> World:
    staff = make_person("staff")
    org_a = make_org("enterprise", "长安区")
    org_b = make_org("enterprise", "桥西区")
    expert = make_person("expert")
    expert_row = Expert(user_id=expert.user.id, name="评审专家甲", fields=["管理"], district="裕华区")
    session.add(expert_row)
    rnd = create_round(session, actor=staff.actor, data=RoundIn.model_validate(round_payload()))
    transition_round(session, actor=staff.actor, round_id=rnd.id, data=RoundTransitionIn(action="open"))
    session.flush()
    return World(
        staff=staff,
        org_a=org_a,
        org_b=org_b,
        applicant_a=make_person("applicant", org=org_a),
        applicant_b=make_person("applicant", org=org_b),
        county_a=make_person("county", district="长安区"),
        county_b=make_person("county", district="桥西区"),
        expert=expert,
        expert_row=expert_row,
        evaluator=make_person("evaluator"),
        round=rnd,
    )


def new_application(session: Session, world: World, person: Person, kind: str = "enterprise") -> Application:
    # Only the organisation kind of the base kind may apply (issue 18): the applicant becomes one.
    org = session.get(Organisation, person.actor.organisation_id)
    assert org is not None
    org.kind = APPLICANT_KIND_OF_BASE[BaseKind(kind)]
    session.flush()
    return create_application(
        session,
        actor=person.actor,
        data=ApplicationCreate(round_id=world.round.id, kind=kind, title=f"{kind} 示范基地申报"),
    )


def fill_completely(session: Session, world: World, app: Application) -> None:
    """Everything submission asks for, written directly (evidence rows without stored files)."""
    rubric = round_rubric(session, world.round, app.kind)
    app.plan = "建设方案全文"
    app.narratives = {
        ind.code: f"{ind.code} 的建设情况" for ind in rubric.indicators() if ind.kind == "expert"
    }
    app.figures = dict(PASSING_FIGURES[app.kind])
    for ind in rubric.indicators():
        if ind.evidence_required:
            session.add(
                Attachment(
                    application_id=app.id,
                    indicator_code=ind.code,
                    original_name=f"{ind.code}.pdf",
                    content_type="application/pdf",
                    size_bytes=10,
                    sha256="0" * 64,
                    storage_name=uuid.uuid4().hex,
                )
            )
    session.flush()


def give_sheet(session: Session, world: World, app: Application, *, declared: bool) -> Sheet:
    """A panel for the application's kind with the world's expert holding a sheet for it."""
    panel = session.query(Panel).filter_by(round_id=world.round.id, kind=app.kind).one_or_none()
    if panel is None:
        panel = Panel(round_id=world.round.id, kind=app.kind, size=5, reserves=2, seed=7, result={})
        session.add(panel)
        session.flush()
    sheet = Sheet(
        panel_id=panel.id,
        application_id=app.id,
        expert_id=world.expert_row.id,
        status="draft" if declared else "assigned",
        declared_at=utcnow() if declared else None,
    )
    session.add(sheet)
    session.flush()
    return sheet
