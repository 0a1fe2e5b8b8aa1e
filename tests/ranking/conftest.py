"""Fixtures for ranking, decisions and publication: a small hand-checkable rubric, rounds, applications,
experts and submitted sheets written straight through the ORM models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from itertools import count as counter
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from criteria.schema import Figure, Gate, Indicator, Rubric, Section
from scoring.core.actors import SYSTEM
from scoring.core.aggregate import EXACT
from scoring.services.admin.rubrics import freeze
from scoring.store.models import Application, Expert, Organisation, Panel, Round, Sheet

_seq = counter(1)

# Section s1 (90 points): two expert indicators of 45; section s2 (10 points): one data indicator that
# awards its 10 points when the platform gate passes. So final = panel score + (10 if platforms ≥ 1).
SMALL_RUBRIC = Rubric(
    kind="enterprise",
    purpose="designation",
    title_zh="测试用企业评价标准",
    title_en="Test rubric",
    figures=(Figure(code="platforms", name_zh="研发平台数", name_en="R&D platforms", type="count"),),
    gates=(
        Gate(
            code="platform",
            text_zh="建设1家以上研发平台",
            text_en="At least one R&D platform",
            op="at_least",
            figures=("platforms",),
            threshold=Decimal(1),
        ),
    ),
    sections=(
        Section(
            code="s1",
            title_zh="制度创新",
            title_en="Institutions",
            weight=Decimal(90),
            indicators=(
                Indicator(code="a", text_zh="指标甲", text_en="A", kind="expert", max_points=Decimal(45)),
                Indicator(code="b", text_zh="指标乙", text_en="B", kind="expert", max_points=Decimal(45)),
            ),
        ),
        Section(
            code="s2",
            title_zh="支撑平台",
            title_en="Platforms",
            weight=Decimal(10),
            indicators=(
                Indicator(
                    code="p",
                    text_zh="是否建设研发平台",
                    text_en="Platform",
                    kind="data",
                    max_points=Decimal(10),
                    gate="platform",
                ),
            ),
        ),
    ),
)


def div(numerator: int, denominator: int, plus: int = 0) -> Decimal:
    """numerator / denominator + plus at the precision the aggregation uses (50 significant digits)."""
    with localcontext(EXACT):
        return Decimal(numerator) / denominator + plus


def split_total(total: Decimal) -> dict[str, str]:
    """Scores for indicators a and b adding up to `total` (a takes up to 45)."""
    a = min(total, Decimal(45))
    return {"a": str(a), "b": str(total - a)}


@dataclass
class World:
    """A round under construction, with helpers to add applications and sheets."""

    session: Session
    round: Round
    panels: dict[str, Panel] = field(default_factory=dict)
    experts: list[Expert] = field(default_factory=list)

    def panel(self, kind: str = "enterprise") -> Panel:
        if kind not in self.panels:
            panel = Panel(round_id=self.round.id, kind=kind, size=7, reserves=0, seed=1, result={})
            self.session.add(panel)
            self.session.flush()
            self.panels[kind] = panel
        return self.panels[kind]

    def expert(self, i: int) -> Expert:
        while len(self.experts) <= i:
            n = next(_seq)
            e = Expert(name=f"专家{n}", pool="expert", fields=[], declared_conflict_org_ids=[])
            self.session.add(e)
            self.experts.append(e)
        self.session.flush()
        return self.experts[i]

    def application(
        self,
        totals: Sequence[str | Decimal | None] = (),
        *,
        kind: str = "enterprise",
        platforms: str | None = "1",
        status: str = "scored",
        name: str | None = None,
        district: str = "长安区",
        statuses: Sequence[str] | None = None,
    ) -> Application:
        """An application with one sheet per total (None: a declined sheet; statuses override)."""
        from scoring.core.credit_code import make_credit_code

        n = next(_seq)
        org = Organisation(
            name=name or f"测试企业{n}",
            credit_code=make_credit_code("9", "1", "130102", f"{n + 50_000_000:08d}"),
            kind="enterprise",
            district=district,
        )
        self.session.add(org)
        self.session.flush()
        figures = {} if platforms is None else {"platforms": platforms}
        app = Application(
            round_id=self.round.id,
            kind=kind,
            organisation_id=org.id,
            title=f"{org.name}申报",
            figures=figures,
            verified_figures={},
            narratives={},
            status=status,
        )
        self.session.add(app)
        self.session.flush()
        for i, total in enumerate(totals):
            sheet_status = statuses[i] if statuses else ("declined" if total is None else "submitted")
            value = None if total is None else Decimal(str(total))
            self.session.add(
                Sheet(
                    panel_id=self.panel(kind).id,
                    application_id=app.id,
                    expert_id=self.expert(i).id,
                    status=sheet_status,
                    scores=split_total(value) if value is not None else {},
                    total=value if sheet_status == "submitted" else None,
                )
            )
        self.session.flush()
        return app


@pytest.fixture
def small_rubric_version(session: Session) -> str:
    return freeze(session, actor=SYSTEM, rubric=SMALL_RUBRIC, source="tests").version


def new_world(session: Session, rubric_version: str, **overrides: Any) -> World:
    """A round of the small enterprise rubric (deciding, quota 2, trimmed mean), values overridable."""
    values: dict[str, Any] = {
        "year": 2026,
        "title": "2026年度双创示范基地评选",
        "status": "deciding",
        "kinds": ["enterprise"],
        "rubric_versions": {"enterprise": rubric_version},
        "references": {},
        "method": "trimmed_mean",
        "panel_size": 5,
        "reserves": 0,
        "pass_line": Decimal(60),
        "quotas": {"enterprise": 2},
        "outlier_threshold": Decimal(20),
        "notice_days": 5,
    }
    values.update(overrides)
    rnd = Round(**values)
    session.add(rnd)
    session.flush()
    return World(session=session, round=rnd)


def small_world(session: Session, **overrides: Any) -> World:
    """new_world with the small rubric frozen first (for sessions outside the fixtures)."""
    version = freeze(session, actor=SYSTEM, rubric=SMALL_RUBRIC, source="tests").version
    return new_world(session, version, **overrides)


@pytest.fixture
def make_world(session: Session, small_rubric_version: str) -> Callable[..., World]:
    def _make(**overrides: Any) -> World:
        return new_world(session, small_rubric_version, **overrides)

    return _make


class Clock:
    """Today's date in Shijiazhuang as the publication services see it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, today: date) -> None:
        self._monkeypatch = monkeypatch
        self.set(today)

    def set(self, today: date) -> None:
        from scoring.services.review import decisions, list_revision, publication

        self.today = today
        self._monkeypatch.setattr(publication, "china_today", lambda: self.today)
        self._monkeypatch.setattr(list_revision, "china_today", lambda: self.today)
        self._monkeypatch.setattr(decisions, "china_today", lambda: self.today)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, date(2026, 3, 2))  # a Monday


@pytest.fixture
def audit_count(session: Session) -> Callable[[], int]:
    def _count() -> int:
        return int(session.execute(text("SELECT count(*) FROM audit_events")).scalar_one())

    return _count
