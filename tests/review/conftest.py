"""Fixtures for the review tests: a round in review with accepted applications, and an expert pool.

Rounds and applications are made directly with the ORM (the rounds and applications services are
another area's); experts go through the expert-pool service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.services.admin.experts import ExpertIn, create_expert
from scoring.services.admin.rubrics import freeze_shipped
from scoring.services.review.panels import DrawIn, draw
from scoring.services.review.sheets import DeclarationIn, declare, sheet_rubric
from scoring.store.models import Application, Expert, Organisation, Panel, Round, Sheet
from tests.conftest import Person

KINDS = ("regional", "university", "enterprise")


@pytest.fixture
def rubric_versions(session: Session) -> dict[str, str]:
    return {kind: freeze_shipped(session, actor=SYSTEM, kind=kind).version for kind in KINDS}


@pytest.fixture
def make_round(session: Session, rubric_versions: dict[str, str]) -> Callable[..., Round]:
    def _make(status: str = "reviewing", **overrides: Any) -> Round:
        values: dict[str, Any] = {
            "year": 2023,
            "title": "2023年度石家庄市“双创”示范基地评选",
            "status": status,
            "kinds": list(KINDS),
            "rubric_versions": dict(rubric_versions),
            "references": {"provincial_rd_intensity": "2.00", "rd_reference": "provincial"},
            "quotas": {"regional": 4, "university": 3, "enterprise": 3},
            "panel_size": 5,
            "reserves": 2,
        }
        values.update(overrides)
        row = Round(**values)
        session.add(row)
        session.flush()
        return row

    return _make


@pytest.fixture
def make_application(session: Session) -> Callable[..., Application]:
    def _make(
        rnd: Round, org: Organisation, kind: str = "enterprise", status: str = "accepted"
    ) -> Application:
        app = Application(
            round_id=rnd.id,
            kind=kind,
            organisation_id=org.id,
            title=f"{org.name}“双创”示范基地建设方案",
            plan="建设方案全文",
            narratives={"e1_1": "已建立技术服务平台"},
            figures={"rd_platforms": "2"},
            status=status,
        )
        session.add(app)
        session.flush()
        return app

    return _make


@dataclass
class PoolExpert:
    expert: Expert
    person: Person


@pytest.fixture
def make_expert(session: Session, make_person: Callable[..., Person]) -> Callable[..., PoolExpert]:
    def _make(
        org: Organisation | None = None,
        district: str | None = None,
        conflicts: tuple[Organisation, ...] = (),
        pool: str = "expert",
        name: str | None = None,
    ) -> PoolExpert:
        person = make_person(pool)
        expert = create_expert(
            session,
            actor=SYSTEM,
            data=ExpertIn(
                name=name or f"专家{person.user.id}",
                title="教授",
                fields=["产业经济"],
                organisation_id=org.id if org else None,
                district=district,
                user_id=person.user.id,
                declared_conflict_org_ids=[c.id for c in conflicts],
                pool=pool,
            ),
        )
        return PoolExpert(expert=expert, person=person)

    return _make


@dataclass
class Scenario:
    """A round in review, its accepted enterprise applications, a pool of experts and a staff member."""

    round: Round
    applicants: list[Organisation]
    applications: list[Application]
    pool: list[PoolExpert]
    staff: Person
    by_user: dict[int, PoolExpert] = field(default_factory=dict)

    def pool_expert(self, expert_id: int) -> PoolExpert:
        return next(p for p in self.pool if p.expert.id == expert_id)


@pytest.fixture
def scenario(
    make_round: Callable[..., Round],
    make_org: Callable[..., Organisation],
    make_application: Callable[..., Application],
    make_expert: Callable[..., PoolExpert],
    make_person: Callable[..., Person],
) -> Scenario:
    rnd = make_round()
    applicants = [make_org("enterprise", "长安区") for _ in range(2)]
    applications = [make_application(rnd, org) for org in applicants]
    pool = [make_expert(make_org("university", None)) for _ in range(8)]
    return Scenario(
        round=rnd,
        applicants=applicants,
        applications=applications,
        pool=pool,
        staff=make_person("staff"),
    )


@dataclass
class Drawn:
    """The scenario with its enterprise panel drawn (seed 1): five members score both applications."""

    scenario: Scenario
    panel: Panel
    members: list[PoolExpert]
    reserves: list[PoolExpert]

    def sheet(self, session: Session, who: PoolExpert, app: Application) -> Sheet:
        found = session.scalar(
            select(Sheet).where(Sheet.expert_id == who.expert.id, Sheet.application_id == app.id)
        )
        assert found is not None
        return found


@pytest.fixture
def drawn(session: Session, scenario: Scenario) -> Drawn:
    panel = draw(
        session,
        actor=scenario.staff.actor,
        round_id=scenario.round.id,
        data=DrawIn(kind="enterprise", seed=1),
    )
    return Drawn(
        scenario=scenario,
        panel=panel,
        members=[scenario.pool_expert(i) for i in panel.result["members"]],
        reserves=[scenario.pool_expert(i) for i in panel.result["reserves"]],
    )


def full_scores(session: Session, sheet: Sheet) -> dict[str, str]:
    """Every expert indicator of an enterprise sheet at half its maximum, rounded down to the step."""
    app = session.get(Application, sheet.application_id)
    assert app is not None
    rnd = session.get(Round, app.round_id)
    assert rnd is not None
    info = sheet_rubric(session, kind="enterprise", version=rnd.rubric_versions["enterprise"])
    return {code: str((ind.max_points / 2 // ind.step) * ind.step) for code, ind in info.expert.items()}


@pytest.fixture
def draft(session: Session, drawn: Drawn) -> tuple[PoolExpert, Sheet]:
    """The first member's sheet for the first application, declared free of conflict: a draft."""
    who = drawn.members[0]
    sheet = drawn.sheet(session, who, drawn.scenario.applications[0])
    declare(session, actor=who.person.actor, sheet_id=sheet.id, data=DeclarationIn(no_conflict=True))
    session.refresh(sheet)
    return who, sheet
