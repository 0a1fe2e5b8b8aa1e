"""Every figure a gate or a data indicator reads is required at submit: a declared 0 is a value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.core.figure_needs import scored_figure_codes
from scoring.services.designation.rounds import round_rubric
from scoring.store.models import Application
from tests.conftest import Person
from tests.rounds.rounds_world import World, fill_completely, make_world, new_application

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


def test_the_university_rubric_reads_three_declared_figures(session: Session, world: World) -> None:
    rubric = round_rubric(session, world.round, "university")
    assert scored_figure_codes(rubric) == ["innovation_platforms", "transfer_bases", "maker_spaces"]


def test_a_university_cannot_submit_without_the_figures_its_data_indicators_read(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a, kind="university")
    fill_completely(session, world, app)
    app.figures = {"innovation_platforms": "2"}
    session.flush()
    headers = login(world.applicant_a) | ZH
    resp = client.post(f"/api/v1/applications/{app.id}/submit", json={}, headers=headers)
    assert resp.status_code == 422
    fields = resp.json()["error"]["fields"]
    assert {k: v for k, v in fields.items() if k.startswith("figures.")} == {
        "figures.transfer_bases": "为必填项",
        "figures.maker_spaces": "为必填项",
    }
    session.expire_all()
    assert session.get(Application, app.id).status == "draft"  # type: ignore[union-attr]
    # A declared 0 is a value: the application goes in.
    stored = session.get(Application, app.id)
    assert stored is not None
    stored.figures = {"innovation_platforms": "2", "transfer_bases": "0", "maker_spaces": "0"}
    session.flush()
    ok = client.post(f"/api/v1/applications/{app.id}/submit", json={}, headers=headers)
    assert ok.status_code == 200, ok.text
