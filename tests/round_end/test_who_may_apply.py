"""Who may apply: the organisation's kind, a base it holds, and a revoked base's cooling-off period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.core.apply_rules import base_problem, cooling_off_ends, kind_problem
from scoring.core.clock import china_today
from scoring.store.models import Application, DesignatedBase, Organisation, Round
from tests.conftest import Person, count
from tests.rounds.rounds_world import World, make_world

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


def _apply(
    client: TestClient, login: Callable[[Person], dict[str, str]], world: World, who: Person, kind: str
) -> Any:
    return client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": kind, "title": "示范基地申报"},
        headers=login(who) | ZH,
    )


def _base(session: Session, org: Organisation, status: str, revoked_on: date | None = None) -> DesignatedBase:
    """A base of the organisation designated in an earlier round."""
    old = Round(year=2020, title="2020年度评选", status="published", kinds=["enterprise"], rubric_versions={},
                references={}, quotas={"enterprise": 3})  # fmt: skip
    session.add(old)
    session.flush()
    app = Application(round_id=old.id, kind="enterprise", organisation_id=org.id, title="往年申报",
                      status="designated")  # fmt: skip
    session.add(app)
    session.flush()
    base = DesignatedBase(application_id=app.id, round_id=old.id, organisation_id=org.id, kind="enterprise",
                          name=org.name, district=org.district, status=status, designated_on=date(2020, 5, 1),
                          document_no="石政字〔2020〕1号", revoked_on=revoked_on)  # fmt: skip
    session.add(base)
    session.flush()
    return base


@pytest.mark.parametrize(
    ("org_kind", "base_kind", "text"),
    [
        ("government", "enterprise", "与贵单位类型不符：此类基地只能由企业申报"),
        ("enterprise", "regional", "与贵单位类型不符：此类基地只能由县（市、区）政府和园区管委会申报"),
        ("enterprise", "university", "与贵单位类型不符：此类基地只能由高校和科研院所申报"),
    ],
)
def test_an_application_of_the_wrong_kind_is_refused_at_draft_creation(
    client: TestClient,
    session: Session,
    world: World,
    login: Callable[[Person], dict[str, str]],
    make_org: Callable[..., Organisation],
    make_person: Callable[..., Person],
    org_kind: str,
    base_kind: str,
    text: str,
) -> None:
    who = make_person("applicant", org=make_org(org_kind, "长安区"))
    before = count(session, "applications")
    resp = _apply(client, login, world, who, base_kind)
    assert resp.status_code == 422
    assert resp.json()["error"]["message"] == "贵单位不能申报此类示范基地。"
    assert resp.json()["error"]["fields"] == {"kind": text}
    assert count(session, "applications") == before


@pytest.mark.parametrize(("status", "shown"), [("active", "正常"), ("rectifying", "整改中")])
def test_an_organisation_holding_a_base_of_the_kind_cannot_apply_for_it(
    client: TestClient,
    session: Session,
    world: World,
    login: Callable[[Person], dict[str, str]],
    status: str,
    shown: str,
) -> None:
    _base(session, world.org_a, status)
    before = count(session, "applications")
    resp = _apply(client, login, world, world.applicant_a, "enterprise")
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"kind": f"贵单位已有此类示范基地（状态：{shown}）"}
    assert count(session, "applications") == before


def test_a_revoked_base_waits_out_the_cooling_off_period_of_the_round(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    today = china_today()
    revoked = today.replace(year=today.year - 1)
    base = _base(session, world.org_a, "revoked", revoked_on=revoked)
    assert world.round.cooling_off_years == 2  # the default, shown on the round
    assert (
        client.get(f"/api/v1/rounds/{world.round.id}", headers=login(world.staff)).json()["cooling_off_years"]
        == 2
    )
    resp = _apply(client, login, world, world.applicant_a, "enterprise")
    until = cooling_off_ends(revoked, 2)
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "kind": f"贵单位此类基地已于 {revoked.isoformat()} 被撤销：自 {until.isoformat()} 起方可重新申报"
    }
    base.revoked_on = today.replace(year=today.year - 2) if (today.month, today.day) != (2, 29) else revoked
    session.flush()
    ok = _apply(client, login, world, world.applicant_a, "enterprise")
    assert ok.status_code == 201, ok.text


def test_the_rules_of_who_may_apply() -> None:
    assert kind_problem("regional", "government") is None
    assert kind_problem("university", "university") is None
    assert kind_problem("enterprise", "university") is not None
    assert base_problem("revoked", date(2024, 6, 1), today=date(2026, 5, 31), years=2) is not None
    assert base_problem("revoked", date(2024, 6, 1), today=date(2026, 6, 1), years=2) is None
    assert base_problem("revoked", date(2024, 6, 1), today=date(2024, 6, 2), years=0) is None
    assert cooling_off_ends(date(2024, 2, 29), 2) == date(2026, 2, 28)
