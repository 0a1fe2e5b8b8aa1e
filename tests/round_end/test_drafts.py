"""The applicant deletes its own draft, audited; a submitted application is never deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Application, AuditEvent
from tests.conftest import Person, count
from tests.rounds.rounds_world import World, make_world, new_application

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


def test_the_applicant_deletes_its_own_draft_and_the_deletion_is_audited(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    app_id = app.id
    resp = client.delete(f"/api/v1/applications/{app_id}", headers=login(world.applicant_a))
    assert resp.status_code == 204
    session.expire_all()
    assert session.get(Application, app_id) is None
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "application.delete", AuditEvent.entity_id == str(app_id)
        )
    ).one()
    assert event.before["title"] == "enterprise 示范基地申报" and event.before["status"] == "draft"
    # The slot is free again: a new draft of the kind can be made.
    again = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "重新申报"},
        headers=login(world.applicant_a),
    )
    assert again.status_code == 201, again.text


@pytest.mark.parametrize("status", ["submitted", "returned", "recommended", "accepted"])
def test_an_application_once_submitted_is_never_deleted(
    client: TestClient,
    session: Session,
    world: World,
    login: Callable[[Person], dict[str, str]],
    status: str,
) -> None:
    app = new_application(session, world, world.applicant_a)
    app.status = status
    session.flush()
    headers = login(world.applicant_a) | ZH
    before = count(session, "audit_events")
    resp = client.delete(f"/api/v1/applications/{app.id}", headers=headers)
    assert resp.status_code == 409
    if status == "returned":
        assert resp.json()["error"]["code"] == "not_a_draft"
        assert resp.json()["error"]["message"] == "只能删除草稿：该申报已提交，其记录将予保留。"
    session.expire_all()
    assert session.get(Application, app.id) is not None
    assert count(session, "audit_events") == before


def test_nobody_else_deletes_a_draft(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    for who in (world.applicant_b, world.county_a):
        resp = client.delete(f"/api/v1/applications/{app.id}", headers=login(who))
        assert resp.status_code in (403, 404)
    session.expire_all()
    assert session.get(Application, app.id) is not None
