"""A designated enterprise base with its organisation's applicant, two staff members, and a pool of
third-party evaluators (one of them from the base's own organisation), plus a settable clock."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from criteria.load import shipped_rubric
from scoring.core.actors import SYSTEM
from scoring.services.admin.accounts import actor_for
from scoring.services.admin.experts import ExpertIn, create_expert
from scoring.store.models import DesignatedBase, Expert, Organisation, User
from tests.conftest import PASSWORD, Person
from tests.ranking.conftest import make_world, small_rubric_version  # noqa: F401  (fixtures)

_ids = itertools.count(1)
PERFORMANCE = shipped_rubric("enterprise", "performance")


def scores_for(expert_total: str) -> dict[str, str]:
    """Expert-indicator scores adding up to `expert_total`: indicators filled to their maximum in
    rubric order, the remainder on the next one (totals are multiples of the 0.5 step)."""
    left = Decimal(expert_total)
    out: dict[str, str] = {}
    for ind in PERFORMANCE.indicators():
        if ind.kind != "expert":
            continue
        take = min(ind.max_points, left)
        out[ind.code] = str(take)
        left -= take
    assert left == 0
    return out


class Today:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.set(date(2026, 3, 2))

    def set(self, today: date) -> None:
        from scoring.services.management import common
        from scoring.services.review import publication

        self.today = today
        for module in (common, publication):
            self._monkeypatch.setattr(module, "china_today", lambda: self.today)


@dataclass
class BaseWorld:
    base: DesignatedBase
    owner: dict[str, str]
    stranger: dict[str, str]
    alice: dict[str, str]
    bob: dict[str, str]
    evaluators: list[tuple[Expert, dict[str, str]]]
    conflicted: Expert
    today: Today

    @property
    def url(self) -> str:
        return f"/api/v1/bases/{self.base.id}"


def designated_base(session: Session, world: Any, name: str) -> DesignatedBase:
    """An enterprise base designated on 30 October 2025 from a published round's application."""
    app = world.application(["90", "90", "90"], name=name, status="designated")
    base = DesignatedBase(
        application_id=app.id,
        round_id=world.round.id,
        organisation_id=app.organisation_id,
        kind="enterprise",
        name=name,
        district="长安区",
        designated_on=date(2025, 10, 30),
        document_no="石政字〔2025〕58号",
        final_score=Decimal(90),
    )
    session.add(base)
    session.flush()
    return base


@pytest.fixture
def bw(
    session: Session,
    make_world: Callable[..., Any],  # noqa: F811
    make_org: Callable[..., Any],
    make_person: Callable[..., Person],
    login: Callable[[Person], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> BaseWorld:
    base = designated_base(session, make_world(status="published"), "石家庄康拓生物医药股份有限公司")
    owner_org = session.get(Organisation, base.organisation_id)

    def evaluator(name: str, org_id: int, district: str) -> tuple[Expert, dict[str, str]]:
        username = f"eval{next(_ids)}"
        expert = create_expert(
            session,
            actor=SYSTEM,
            data=ExpertIn(
                name=name, organisation_id=org_id, district=district, pool="evaluator",
                username=username, password=PASSWORD,
            ),
        )  # fmt: skip
        user = session.get(User, expert.user_id)
        assert user is not None
        return expert, login(Person(user=user, actor=actor_for(user)))

    evaluators = [evaluator(f"评估员{i}", make_org(name=f"第三方评估机构{i}").id, "桥西区") for i in range(3)]
    conflicted, _ = evaluator("本单位评估员", owner_org.id, "长安区")
    return BaseWorld(
        base=base,
        owner=login(make_person("applicant", org=owner_org)),
        stranger=login(make_person("applicant", org=make_org())),
        alice=login(make_person("staff")),
        bob=login(make_person("staff")),
        evaluators=evaluators,
        conflicted=conflicted,
        today=Today(monkeypatch),
    )
