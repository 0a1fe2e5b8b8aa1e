"""Independence and visibility per role on every sheet route: experts see only their own sheets, never
another expert's scores or identity; applicants, counties and evaluators learn nothing (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.services.review import sheet_views
from scoring.services.review import sheets as sheet_service
from scoring.services.review.sheets import DeclarationIn, SheetUpdate
from tests.conftest import Person
from tests.review.conftest import Drawn, PoolExpert

SECRET_COMMENT = "只有本人和工作人员可见的评语"


@pytest.fixture
def scored(session: Session, drawn: Drawn) -> tuple[PoolExpert, int]:
    """The first member has declared and saved scores and a comment on the first application."""
    who = drawn.members[0]
    sheet = drawn.sheet(session, who, drawn.scenario.applications[0])
    sheet_service.declare(
        session, actor=who.person.actor, sheet_id=sheet.id, data=DeclarationIn(no_conflict=True)
    )
    sheet_service.save_sheet(
        session,
        actor=who.person.actor,
        sheet_id=sheet.id,
        data=SheetUpdate(scores={"e1_1": "6.5", "e2_1": "23.5"}, comments=SECRET_COMMENT, version=2),
    )
    return who, sheet.id


def _routes(sheet_id: int, application_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", "/api/v1/sheets", None),
        ("GET", "/api/v1/sheets?mine=1", None),
        ("GET", f"/api/v1/sheets/{sheet_id}", None),
        ("POST", f"/api/v1/sheets/{sheet_id}/declaration", {"no_conflict": True}),
        ("PUT", f"/api/v1/sheets/{sheet_id}", {"scores": {"e1_1": "1"}, "version": 3}),
        ("POST", f"/api/v1/sheets/{sheet_id}/submit", None),
        ("POST", f"/api/v1/sheets/{sheet_id}/reopen", {"reason": "复核"}),
        ("GET", f"/api/v1/applications/{application_id}/sheets", None),
    ]


@pytest.mark.parametrize("role", ["applicant", "county", "evaluator"])
def test_applicants_counties_and_evaluators_get_404_on_every_sheet_route(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    scored: tuple[PoolExpert, int],
    make_person: Callable[..., Person],
    login: Callable[[Person], dict[str, str]],
    role: str,
) -> None:
    _, sheet_id = scored
    app = drawn.scenario.applications[0]
    org = drawn.scenario.applicants[0] if role == "applicant" else None
    person = make_person(role, org=org, district="长安区" if role == "county" else None)
    headers = login(person)
    for method, path, body in _routes(sheet_id, app.id):
        resp = client.request(method, path, headers=headers, json=body)
        assert resp.status_code == 404, (method, path, resp.text)
        assert SECRET_COMMENT not in resp.text


@pytest.mark.parametrize("who", ["unassigned", "fellow_member"])
def test_other_experts_get_404_on_a_sheet_that_is_not_theirs(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    scored: tuple[PoolExpert, int],
    login: Callable[[Person], dict[str, str]],
    who: str,
) -> None:
    owner, sheet_id = scored
    app = drawn.scenario.applications[0]
    on_panel = {p.expert.id for p in drawn.members + drawn.reserves}
    other = (
        next(p for p in drawn.scenario.pool if p.expert.id not in on_panel)
        if who == "unassigned"
        else drawn.members[1]
    )
    headers = login(other.person)
    before = sheet_views.get_sheet(session, actor=owner.person.actor, sheet_id=sheet_id)
    for method, path, body in _routes(sheet_id, app.id):
        resp = client.request(method, path, headers=headers, json=body)
        if path.startswith("/api/v1/sheets?") or path == "/api/v1/sheets":
            assert resp.status_code == 200
            assert sheet_id not in [item["id"] for item in resp.json()["items"]]
        else:
            assert resp.status_code == 404, (method, path, resp.text)
        assert SECRET_COMMENT not in resp.text and owner.expert.name not in resp.text
    session.expire_all()
    after = sheet_views.get_sheet(session, actor=owner.person.actor, sheet_id=sheet_id)
    assert (after.context.sheet.version, after.context.sheet.scores) == (
        before.context.sheet.version,
        before.context.sheet.scores,
    )


def test_an_expert_lists_only_its_own_sheets_without_anyone_elses_identity(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    scored: tuple[PoolExpert, int],
    login: Callable[[Person], dict[str, str]],
) -> None:
    owner, sheet_id = scored
    fellow = drawn.members[1]
    resp = client.get("/api/v1/sheets?mine=1", headers=login(fellow.person))
    items = resp.json()["items"]
    assert {item["application"]["id"] for item in items} == {a.id for a in drawn.scenario.applications}
    assert all(set(item) >= {"id", "application", "status", "progress"} for item in items)
    assert all("expert" not in item and "scores" not in item for item in items)
    assert owner.expert.name not in resp.text and SECRET_COMMENT not in resp.text
    own = client.get("/api/v1/sheets", headers=login(owner.person)).json()["items"]
    mine = next(item for item in own if item["id"] == sheet_id)
    assert (mine["status"], mine["progress"], mine["total"]) == ("draft", "2/10", "30")
    assert {item["status"] for item in own if item["id"] != sheet_id} == {"assigned"}


def test_a_fellow_experts_own_sheet_never_shows_the_others_scores(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    scored: tuple[PoolExpert, int],
    login: Callable[[Person], dict[str, str]],
) -> None:
    owner, _ = scored
    fellow = drawn.members[1]
    app = drawn.scenario.applications[0]
    sheet = drawn.sheet(session, fellow, app)
    headers = login(fellow.person)
    client.post(f"/api/v1/sheets/{sheet.id}/declaration", headers=headers, json={"no_conflict": True})
    body = client.get(f"/api/v1/sheets/{sheet.id}", headers=headers)
    assert body.json()["scores"] == {} and body.json()["total"] is None
    assert "expert" not in body.json()
    assert owner.expert.name not in body.text and SECRET_COMMENT not in body.text and "23.5" not in body.text


def test_staff_see_every_sheet_with_its_expert(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    scored: tuple[PoolExpert, int],
    login: Callable[[Person], dict[str, str]],
) -> None:
    owner, sheet_id = scored
    app = drawn.scenario.applications[0]
    headers = login(drawn.scenario.staff)
    listed = client.get(f"/api/v1/sheets?application={app.id}", headers=headers).json()["items"]
    assert len(listed) == 5
    assert {item["expert"]["id"] for item in listed} == {m.expert.id for m in drawn.members}
    assert client.get("/api/v1/sheets?mine=1", headers=headers).json()["items"] == []
    detail = client.get(f"/api/v1/sheets/{sheet_id}", headers=headers).json()
    assert detail["expert"] == {"id": owner.expert.id, "name": owner.expert.name}
    assert detail["scores"] == {"e1_1": "6.5", "e2_1": "23.5"} and detail["comments"] == SECRET_COMMENT
    rows = client.get(f"/api/v1/applications/{app.id}/sheets", headers=headers).json()
    mine = next(r for r in rows if r["id"] == sheet_id)
    assert {
        k: mine[k] for k in ("expert_id", "expert_name", "status", "total", "scores", "submitted_at")
    } == {
        "expert_id": owner.expert.id,
        "expert_name": owner.expert.name,
        "status": "draft",
        "total": "30",
        "scores": {"e1_1": "6.5", "e2_1": "23.5"},
        "submitted_at": None,
    }
    assert client.get("/api/v1/applications/999999/sheets", headers=headers).status_code == 404
    assert client.get("/api/v1/sheets/999999", headers=headers).status_code == 404


def test_staff_filter_sheets_by_status_and_page_through_them(
    client: TestClient,
    drawn: Drawn,
    scored: tuple[PoolExpert, int],
    login: Callable[[Person], dict[str, str]],
) -> None:
    _, sheet_id = scored
    headers = login(drawn.scenario.staff)
    drafts = client.get(
        f"/api/v1/sheets?status=draft&round={drawn.scenario.round.id}", headers=headers
    ).json()
    assert [item["id"] for item in drafts["items"]] == [sheet_id]
    seen: list[int] = []
    cursor = 0
    while True:
        page = client.get(
            f"/api/v1/sheets?panel={drawn.panel.id}&limit=3&cursor={cursor}", headers=headers
        ).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert len(seen) == 10 and seen == sorted(seen)
