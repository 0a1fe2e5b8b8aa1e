"""Applications through the API: drafting, bad input, submission, county recommendation, formal check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.load import shipped_rubric
from scoring.store.models import Application, AuditEvent
from tests.conftest import Person, count
from tests.rounds.rounds_world import (
    PASSING_FIGURES,
    PDF,
    World,
    fill_completely,
    give_sheet,
    make_world,
    new_application,
)

EN = {"Accept-Language": "en"}
PAST = datetime(2025, 5, 31, 9, 0, tzinfo=UTC)  # 2025-05-31 17:00 in Beijing
ROUND = object()  # stands for the world's round id in parametrised bodies


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


@pytest.fixture
def auth(login: Callable[[Person], dict[str, str]]) -> Callable[[Person], dict[str, str]]:
    cache: dict[int, dict[str, str]] = {}

    def _auth(person: Person) -> dict[str, str]:
        if person.user.id not in cache:
            cache[person.user.id] = login(person) | EN
        return cache[person.user.id]

    return _auth


def _fresh(session: Session, app_id: int) -> Application:
    session.expire_all()
    app = session.get(Application, app_id)
    assert app is not None
    return app


def _events(session: Session, app_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "application", AuditEvent.entity_id == str(app_id))
            .order_by(AuditEvent.id)
        )
    )


def _submitted(
    session: Session, world: World, person: Person | None = None, kind: str = "enterprise"
) -> Application:
    app = new_application(session, world, person or world.applicant_a, kind=kind)
    fill_completely(session, world, app)
    app.status = "submitted"
    session.flush()
    return app


# ---- creating a draft ----------------------------------------------------------------------------


def test_applicant_creates_a_draft_for_its_own_organisation(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    resp = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "某科技公司企业双创示范基地"},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["organisation"] == {"id": world.org_a.id, "name": world.org_a.name, "district": "长安区"}
    assert (body["round_id"], body["kind"], body["status"], body["version"]) == (
        world.round.id,
        "enterprise",
        "draft",
        1,
    )
    assert body["plan"] == "" and body["narratives"] == {} and body["figures"] == {}
    assert body["attachments"] == []
    assert [(g["code"], g["result"]) for g in body["gates"]] == [("rd_platform", "missing")]
    assert [e.action for e in _events(session, body["id"])] == ["application.create"]


def test_second_application_of_the_same_kind_is_409(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    first = new_application(session, world, world.applicant_a)
    before = count(session, "applications")
    resp = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "再次申报"},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "duplicate_application"
    assert f"no. {first.id}" in resp.json()["error"]["message"]
    assert count(session, "applications") == before
    # Another kind is refused for its own reason: an enterprise applies for enterprise bases only (issue 18).
    other = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "university", "title": "另一类型"},
        headers=auth(world.applicant_a),
    )
    assert other.status_code == 422 and list(other.json()["error"]["fields"]) == ["kind"]


def test_application_after_the_deadline_names_the_deadline_in_beijing_time(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    world.round.application_deadline = PAST
    session.flush()
    resp = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "迟到的申报"},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 409
    assert resp.json()["error"] == {
        "code": "deadline_passed",
        "message": "The deadline, 31 May 2025 17:00 (Beijing time), has passed.",
        "fields": {},
    }
    zh = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "迟到的申报"},
        headers=auth(world.applicant_a) | {"Accept-Language": "zh-CN"},
    )
    assert zh.json()["error"]["message"] == "截止时间2025年5月31日 17:00 （北京时间）已过。"
    assert count(session, "applications") == 0


def test_application_to_a_round_that_is_not_open_is_refused(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    world.round.status = "recommending"
    session.flush()
    resp = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "某申报"},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "round_not_open"
    assert count(session, "applications") == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "enterprise", "title": "某申报"}, {"round_id": "is required"}),
        ({"round_id": 999999, "kind": "enterprise", "title": "某申报"}, {"round_id": "no such round"}),
        (
            {"round_id": ROUND, "kind": "castle", "title": "某申报"},
            {"kind": "must be one of: 'regional', 'university' or 'enterprise'"},
        ),
        (
            {"round_id": ROUND, "kind": "enterprise", "title": "x"},
            {"title": "must be at least 2 characters long"},
        ),
        (
            {"round_id": ROUND, "kind": "enterprise", "title": "某" * 201},
            {"title": "must be at most 200 characters long"},
        ),
        (
            {"round_id": ROUND, "kind": "enterprise", "title": "某申报", "status": "designated"},
            {"status": "is not an allowed field"},
        ),
    ],
)
def test_bad_create_input_names_the_field(
    client: TestClient,
    session: Session,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    body: dict[str, Any],
    fields: dict[str, str],
) -> None:
    payload = {k: (world.round.id if v is ROUND else v) for k, v in body.items()}
    resp = client.post("/api/v1/applications", json=payload, headers=auth(world.applicant_a))
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["fields"] == fields
    assert count(session, "applications") == 0


def test_kind_not_opened_by_the_round_is_refused(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    world.round.kinds = ["enterprise"]
    session.flush()
    resp = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "regional", "title": "某申报"},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"kind": "is not a kind this round opens"}


@pytest.mark.parametrize("role", ["staff", "county", "expert", "evaluator"])
def test_only_applicants_create_applications(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]], role: str
) -> None:
    person = {
        "staff": world.staff,
        "county": world.county_a,
        "expert": world.expert,
        "evaluator": world.evaluator,
    }[role]
    resp = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "某申报"},
        headers=auth(person),
    )
    assert resp.status_code == 403
    assert count(session, "applications") == 0


# ---- editing a draft -----------------------------------------------------------------------------


def test_update_stores_canonical_values_and_bumps_the_version(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a, kind="regional")
    resp = client.put(
        f"/api/v1/applications/{app.id}",
        json={
            "title": "长安区区域双创示范基地",
            "plan": "建设方案",
            "narratives": {"r1_1": "已搭建政企共建平台"},
            "figures": {"key_projects_total": 10, "key_projects_hightech": "6", "rd_intensity": 2.52},
            "version": 1,
        },
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["version"] == 2
    assert body["figures"] == {
        "key_projects_total": "10",
        "key_projects_hightech": "6",
        "rd_intensity": "2.52",
    }
    assert body["narratives"] == {"r1_1": "已搭建政企共建平台"}
    assert {g["code"]: g["result"] for g in body["gates"]} == {
        "key_project_share": "pass",
        "rd_intensity": "pass",
        "hightech_share_rise": "missing",
    }
    update = _events(session, app.id)[-1]
    assert update.action == "application.update"
    assert update.before["figures"] == {}
    assert update.after["figures"]["rd_intensity"] == "2.52"
    assert update.after["version"] == 2

    # Later saves merge; null removes one entry and leaves the others.
    again = client.put(
        f"/api/v1/applications/{app.id}",
        json={"figures": {"rd_intensity": None, "hightech_share": "36.6"}, "version": 2},
        headers=auth(world.applicant_a),
    )
    assert again.status_code == 200, again.text
    assert again.json()["figures"] == {
        "key_projects_total": "10",
        "key_projects_hightech": "6",
        "hightech_share": "36.60",
    }
    assert again.json()["title"] == "长安区区域双创示范基地"


def test_an_update_that_changes_nothing_keeps_the_version(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    events = count(session, "audit_events")
    resp = client.put(
        f"/api/v1/applications/{app.id}", json={"title": app.title, "version": 1}, headers=headers
    )
    assert resp.status_code == 200
    assert resp.json()["version"] == 1
    assert count(session, "audit_events") == events


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"figures": {"rd_intensity": "abc"}}, {"figures.rd_intensity"}),
        ({"figures": {"rd_intensity": "-0.5"}}, {"figures.rd_intensity"}),
        ({"figures": {"rd_intensity": "NaN"}}, {"figures.rd_intensity"}),
        ({"figures": {"rd_intensity": "Infinity"}}, {"figures.rd_intensity"}),
        ({"figures": {"rd_intensity": "2.123456789"}}, {"figures.rd_intensity"}),
        ({"figures": {"key_projects_total": "10.5"}}, {"figures.key_projects_total"}),
        ({"figures": {"key_projects_total": True}}, {"figures.key_projects_total"}),
        ({"figures": {"key_projects_total": [1]}}, {"figures.key_projects_total"}),
        ({"figures": {"gdp": "100"}}, {"figures.gdp"}),
        ({"figures": {"rd_intensity": "2.6", "key_projects_total": "x"}}, {"figures.key_projects_total"}),
        ({"narratives": {"zz_9": "文字"}}, {"narratives.zz_9"}),
        ({"narratives": {"r1_1": "字" * 5001}}, {"narratives.r1_1"}),
        ({"plan": "字" * 20001}, {"plan"}),
        ({"title": ""}, {"title"}),
        ({"figures": "many"}, {"figures"}),
        ({"owner": "me"}, {"owner"}),
    ],
)
def test_bad_update_names_the_field_and_keeps_what_was_saved(
    client: TestClient,
    session: Session,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    changes: dict[str, Any],
    fields: set[str],
) -> None:
    app = new_application(session, world, world.applicant_a, kind="regional")
    saved = client.put(
        f"/api/v1/applications/{app.id}",
        json={"plan": "原方案", "figures": {"rd_intensity": "2.40", "key_projects_total": "8"}, "version": 1},
        headers=auth(world.applicant_a),
    )
    assert saved.status_code == 200
    events = count(session, "audit_events")
    resp = client.put(
        f"/api/v1/applications/{app.id}", json=changes | {"version": 2}, headers=auth(world.applicant_a)
    )
    assert resp.status_code == 422, resp.text
    assert set(resp.json()["error"]["fields"]) == fields
    kept = _fresh(session, app.id)
    assert kept.figures == {"rd_intensity": "2.40", "key_projects_total": "8"}
    assert kept.plan == "原方案"
    assert kept.version == 2
    assert count(session, "audit_events") == events


def test_figure_rules_are_stated(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a, kind="regional")
    resp = client.put(
        f"/api/v1/applications/{app.id}",
        json={"figures": {"gdp": "1"}, "narratives": {"zz_9": "x"}, "plan": "字" * 20001, "version": 1},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 422
    # pydantic reports the length first; the rubric codes once the shape is right
    assert resp.json()["error"]["fields"] == {"plan": "must be at most 20000 characters long"}
    resp = client.put(
        f"/api/v1/applications/{app.id}",
        json={"figures": {"gdp": "1"}, "narratives": {"zz_9": "x"}, "version": 1},
        headers=auth(world.applicant_a),
    )
    assert resp.json()["error"]["fields"] == {
        "figures.gdp": "is not a figure of this rubric",
        "narratives.zz_9": "is not an indicator of this rubric",
    }


def test_stale_update_is_409_and_changes_nothing(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    assert (
        client.put(
            f"/api/v1/applications/{app.id}", json={"plan": "甲", "version": 1}, headers=headers
        ).status_code
        == 200
    )
    resp = client.put(f"/api/v1/applications/{app.id}", json={"plan": "乙", "version": 1}, headers=headers)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "stale_version"
    assert resp.json()["error"]["message"] == (
        "Someone else changed this record since you read it (version 1, now 2). "
        "Reload and apply your changes again."
    )
    assert _fresh(session, app.id).plan == "甲"


def test_update_after_the_deadline_or_after_submission_is_refused(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    draft = new_application(session, world, world.applicant_a)
    submitted = _submitted(session, world, world.applicant_a, kind="university")
    headers = auth(world.applicant_a)
    resp = client.put(
        f"/api/v1/applications/{submitted.id}", json={"plan": "改", "version": 1}, headers=headers
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "invalid_transition"
    assert resp.json()["error"]["message"] == "Cannot edit: the record is in state “submitted”."
    world.round.application_deadline = PAST
    session.flush()
    resp = client.put(f"/api/v1/applications/{draft.id}", json={"plan": "改", "version": 1}, headers=headers)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "deadline_passed"
    assert _fresh(session, draft.id).plan == ""
    assert submitted.status == "submitted"


def test_other_organisations_cannot_touch_an_application(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    resp = client.put(
        f"/api/v1/applications/{app.id}", json={"plan": "x", "version": 1}, headers=auth(world.applicant_b)
    )
    assert resp.status_code == 404
    resp = client.post(f"/api/v1/applications/{app.id}/submit", headers=auth(world.applicant_b))
    assert resp.status_code == 404
    assert (
        client.put(
            f"/api/v1/applications/{app.id}", json={"plan": "x", "version": 1}, headers=auth(world.county_a)
        ).status_code
        == 403
    )
    assert _fresh(session, app.id).plan == ""


# ---- submission ----------------------------------------------------------------------------------


def test_submitting_an_empty_draft_lists_every_missing_item(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    resp = client.post(f"/api/v1/applications/{app.id}/submit", headers=auth(world.applicant_a))
    assert resp.status_code == 422
    rubric = shipped_rubric("enterprise")
    expected = {"plan": "is required", "figures.rd_platforms": "is required"}
    expected |= {f"narratives.{i.code}": "is required" for i in rubric.indicators() if i.kind == "expert"}
    expected |= {f"attachments.{i.code}": "an evidence file is required" for i in rubric.indicators()}
    error = resp.json()["error"]
    assert error["code"] == "incomplete"
    assert error["fields"] == expected
    assert error["message"] == f"The application is not complete: {len(expected)} items are missing."
    assert _fresh(session, app.id).status == "draft"


def test_submitting_a_complete_draft_locks_it(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    fill_completely(session, world, app)
    resp = client.post(
        f"/api/v1/applications/{app.id}/submit", json={"version": 1}, headers=auth(world.applicant_a)
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "submitted"
    assert resp.json()["submitted_at"] is not None
    event = _events(session, app.id)[-1]
    assert (event.action, event.before, event.after) == (
        "application.submit",
        {"status": "draft"},
        {"status": "submitted", "version": 2},
    )
    again = client.post(f"/api/v1/applications/{app.id}/submit", headers=auth(world.applicant_a))
    assert again.status_code == 409


def test_submission_after_the_deadline_is_refused(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    fill_completely(session, world, app)
    world.round.application_deadline = PAST
    session.flush()
    resp = client.post(f"/api/v1/applications/{app.id}/submit", headers=auth(world.applicant_a))
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "deadline_passed"
    assert _fresh(session, app.id).status == "draft"


# ---- county recommendation -----------------------------------------------------------------------


def test_county_recommends_an_application_of_its_district(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _submitted(session, world)
    resp = client.post(
        f"/api/v1/applications/{app.id}/recommendation",
        json={"decision": "recommend", "reason": "材料齐全,同意推荐"},
        headers=auth(world.county_a),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "recommended"
    assert resp.json()["status_reason"] == "材料齐全,同意推荐"
    event = _events(session, app.id)[-1]
    assert event.action == "application.recommendation"
    assert event.before == {"status": "submitted"}
    assert event.after["status"] == "recommended"
    assert event.reason == "材料齐全,同意推荐"
    fresh = _fresh(session, app.id)
    assert fresh.recommended_by_id == world.county_a.user.id


@pytest.mark.parametrize("who", ["county_b", "staff", "applicant_a", "expert", "evaluator"])
def test_nobody_but_the_districts_county_may_recommend(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]], who: str
) -> None:
    app = _submitted(session, world)
    resp = client.post(
        f"/api/v1/applications/{app.id}/recommendation",
        json={"decision": "recommend", "reason": ""},
        headers=auth(getattr(world, who)),
    )
    assert resp.status_code == 404
    assert _fresh(session, app.id).status == "submitted"


@pytest.mark.parametrize(("decision", "status"), [("decline", "not_recommended"), ("return", "returned")])
def test_decline_and_return_need_a_reason(
    client: TestClient,
    session: Session,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    decision: str,
    status: str,
) -> None:
    app = _submitted(session, world)
    url = f"/api/v1/applications/{app.id}/recommendation"
    for blank in ("", "   "):
        resp = client.post(url, json={"decision": decision, "reason": blank}, headers=auth(world.county_a))
        assert resp.status_code == 422
        assert resp.json()["error"]["fields"] == {
            "reason": "is required when declining or returning an application"
        }
    assert _fresh(session, app.id).status == "submitted"
    resp = client.post(
        url, json={"decision": decision, "reason": "重点项目占比不足"}, headers=auth(world.county_a)
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == status
    assert resp.json()["status_reason"] == "重点项目占比不足"


def test_bad_decision_and_late_recommendation_are_refused(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _submitted(session, world)
    url = f"/api/v1/applications/{app.id}/recommendation"
    resp = client.post(url, json={"decision": "maybe", "reason": "x"}, headers=auth(world.county_a))
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "decision": "must be one of: 'recommend', 'decline' or 'return'"
    }
    world.round.recommendation_deadline = PAST
    session.flush()
    resp = client.post(url, json={"decision": "recommend"}, headers=auth(world.county_a))
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "deadline_passed"
    assert _fresh(session, app.id).status == "submitted"


def test_a_returned_application_is_corrected_and_submitted_again(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _submitted(session, world)
    client.post(
        f"/api/v1/applications/{app.id}/recommendation",
        json={"decision": "return", "reason": "请补充研发平台证明"},
        headers=auth(world.county_a),
    )
    # The application deadline has passed, but a returned application is corrected until the
    # recommendation deadline.
    world.round.application_deadline = PAST
    session.flush()
    fresh = _fresh(session, app.id)
    headers = auth(world.applicant_a)
    resp = client.put(
        f"/api/v1/applications/{app.id}",
        json={"figures": {"rd_platforms": "4"}, "version": fresh.version},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    resp = client.post(f"/api/v1/applications/{app.id}/submit", headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "submitted"
    assert resp.json()["status_reason"] is None


# ---- formal check --------------------------------------------------------------------------------


def _recommended(session: Session, world: World) -> Application:
    app = _submitted(session, world)
    app.status = "recommended"
    session.flush()
    return app


def test_staff_accept_an_application_whose_gates_are_evaluable(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _recommended(session, world)
    resp = client.post(
        f"/api/v1/applications/{app.id}/formal-check",
        json={"decision": "accept", "reason": ""},
        headers=auth(world.staff),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "accepted"
    assert resp.json()["checked_at"] is not None
    event = _events(session, app.id)[-1]
    assert (event.action, event.before, event.after["status"]) == (
        "application.formal_check",
        {"status": "recommended"},
        "accepted",
    )


def test_acceptance_with_a_missing_gate_figure_names_it(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _recommended(session, world)
    app.figures = {}
    session.flush()
    resp = client.post(
        f"/api/v1/applications/{app.id}/formal-check", json={"decision": "accept"}, headers=auth(world.staff)
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "gates_not_evaluable"
    assert resp.json()["error"]["fields"] == {"figures.rd_platforms": "is required to evaluate the gates"}
    assert _fresh(session, app.id).status == "recommended"
    # A staff correction makes the gate evaluable.
    resp = client.post(
        f"/api/v1/applications/{app.id}/formal-check",
        json={
            "decision": "accept",
            "verified_figures": {"rd_platforms": {"value": 1, "reason": "核实省级平台证书"}},
        },
        headers=auth(world.staff),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["verified_figures"] == {
        "rd_platforms": {"value": "1", "declared": None, "reason": "核实省级平台证书"}
    }


def test_corrections_keep_the_declared_value_and_change_the_gates(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _recommended(session, world)
    resp = client.post(
        f"/api/v1/applications/{app.id}/formal-check",
        json={
            "decision": "accept",
            "reason": "经核实无省级以上平台",
            "verified_figures": {"rd_platforms": {"value": "0", "reason": "证书已过期"}},
        },
        headers=auth(world.staff),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["figures"] == {"rd_platforms": "3"}
    assert body["verified_figures"] == {
        "rd_platforms": {"value": "0", "declared": "3", "reason": "证书已过期"}
    }
    assert [(g["code"], g["result"]) for g in body["gates"]] == [("rd_platform", "fail")]
    event = _events(session, app.id)[-1]
    assert event.before == {"status": "recommended", "verified_figures": {}}
    assert event.after["verified_figures"] == body["verified_figures"]
    assert event.reason == "经核实无省级以上平台"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"decision": "return", "reason": ""}, {"reason": "is required when returning an application"}),
        ({"decision": "approve"}, {"decision": "must be one of: 'accept' or 'return'"}),
        (
            {"decision": "accept", "verified_figures": {"rd_platforms": {"value": "2", "reason": ""}}},
            {"verified_figures.rd_platforms.reason": "is required"},
        ),
        (
            {"decision": "accept", "verified_figures": {"rd_platforms": {"value": "x", "reason": "核实"}}},
            {"verified_figures.rd_platforms.value"},
        ),
        (
            {"decision": "accept", "verified_figures": {"gdp": {"value": "1", "reason": "核实"}}},
            {"verified_figures.gdp": "is not a figure of this rubric"},
        ),
        (
            {"decision": "accept", "verified_figures": {"rd_platforms": {"value": "1"}, "x": 1}},
            {"verified_figures.x"},
        ),
    ],
)
def test_bad_formal_check_input_changes_nothing(
    client: TestClient,
    session: Session,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    body: dict[str, Any],
    fields: dict[str, str] | set[str],
) -> None:
    app = _recommended(session, world)
    headers = auth(world.staff)
    events = count(session, "audit_events")
    resp = client.post(f"/api/v1/applications/{app.id}/formal-check", json=body, headers=headers)
    assert resp.status_code == 422, resp.text
    got = resp.json()["error"]["fields"]
    assert (set(got) if isinstance(fields, set) else got) == fields
    fresh = _fresh(session, app.id)
    assert (fresh.status, fresh.verified_figures, fresh.version) == ("recommended", {}, 1)
    assert count(session, "audit_events") == events


def test_formal_check_return_sends_it_back_to_the_applicant(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = _recommended(session, world)
    resp = client.post(
        f"/api/v1/applications/{app.id}/formal-check",
        json={"decision": "return", "reason": "缺少研发平台证书"},
        headers=auth(world.staff),
    )
    assert resp.status_code == 200
    assert (resp.json()["status"], resp.json()["status_reason"]) == ("returned", "缺少研发平台证书")


@pytest.mark.parametrize("who", ["applicant_a", "county_a", "expert"])
def test_only_staff_do_the_formal_check(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]], who: str
) -> None:
    app = _recommended(session, world)
    resp = client.post(
        f"/api/v1/applications/{app.id}/formal-check",
        json={"decision": "accept"},
        headers=auth(getattr(world, who)),
    )
    assert resp.status_code == 403
    assert _fresh(session, app.id).status == "recommended"


# ---- the whole flow ------------------------------------------------------------------------------


def test_draft_to_accepted_through_the_api(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    applicant = auth(world.applicant_a)
    created = client.post(
        "/api/v1/applications",
        json={"round_id": world.round.id, "kind": "enterprise", "title": "某科技公司企业双创示范基地"},
        headers=applicant,
    )
    app_id = created.json()["id"]
    rubric = shipped_rubric("enterprise")
    narratives = {i.code: f"{i.text_zh}:已落实" for i in rubric.indicators() if i.kind == "expert"}
    saved = client.put(
        f"/api/v1/applications/{app_id}",
        json={
            "plan": "三年建设方案",
            "narratives": narratives,
            "figures": PASSING_FIGURES["enterprise"],
            "version": 1,
        },
        headers=applicant,
    )
    assert saved.status_code == 200, saved.text
    for ind in rubric.indicators():
        up = client.post(
            f"/api/v1/applications/{app_id}/attachments",
            data={"indicator_code": ind.code},
            files={"file": (f"{ind.code}.pdf", PDF, "application/pdf")},
            headers=applicant,
        )
        assert up.status_code == 201, up.text
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", json={"version": 2}, headers=applicant)
    assert submitted.status_code == 200, submitted.text
    recommended = client.post(
        f"/api/v1/applications/{app_id}/recommendation",
        json={"decision": "recommend", "reason": "同意推荐"},
        headers=auth(world.county_a),
    )
    assert recommended.status_code == 200, recommended.text
    accepted = client.post(
        f"/api/v1/applications/{app_id}/formal-check",
        json={"decision": "accept", "reason": "形式审查通过", "version": 4},
        headers=auth(world.staff),
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted"
    assert body["version"] == 5
    assert len(body["attachments"]) == len(rubric.indicators())
    assert body["files_bytes"] == len(PDF) * len(rubric.indicators())
    assert [(g["code"], g["result"]) for g in body["gates"]] == [("rd_platform", "pass")]
    assert [e.action for e in _events(session, app_id)] == [
        "application.create",
        "application.update",
        "application.submit",
        "application.recommendation",
        "application.formal_check",
    ]
    assert [e.after["status"] for e in _events(session, app_id)[2:]] == [
        "submitted",
        "recommended",
        "accepted",
    ]
    # Staff see it in the list for the round, kind and status.
    listing = client.get(
        "/api/v1/applications",
        params={"round": world.round.id, "kind": "enterprise", "status": "accepted"},
        headers=auth(world.staff),
    ).json()
    assert [a["id"] for a in listing["items"]] == [app_id]


# ---- who sees what -------------------------------------------------------------------------------


def test_detail_visibility_per_role(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    draft = new_application(session, world, world.applicant_a)
    sent = _submitted(session, world, world.applicant_a, kind="university")

    def status_of(person: Person | None, app: Application) -> int:
        headers = auth(person) if person else {}
        return client.get(f"/api/v1/applications/{app.id}", headers=headers).status_code

    assert status_of(world.applicant_a, draft) == 200
    assert status_of(world.staff, draft) == 200
    assert status_of(world.applicant_b, draft) == 404
    assert status_of(world.county_a, draft) == 404  # drafts stay with the applicant
    assert status_of(world.county_a, sent) == 200
    assert status_of(world.county_b, sent) == 404
    assert status_of(world.evaluator, sent) == 404
    assert status_of(None, sent) == 401
    assert status_of(world.expert, sent) == 404  # no sheet
    sheet = give_sheet(session, world, sent, declared=False)
    assert status_of(world.expert, sent) == 404  # a sheet, but no declaration yet
    sheet.declared_at = datetime.now(UTC)
    sheet.status = "draft"
    session.flush()
    assert status_of(world.expert, sent) == 200
    assert status_of(world.expert, draft) == 404
    assert client.get("/api/v1/applications/999999", headers=auth(world.staff)).status_code == 404


def test_lists_show_only_what_each_role_may_see(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    a_draft = new_application(session, world, world.applicant_a, kind="enterprise")
    a_sent = new_application(session, world, world.applicant_a, kind="university")
    a_sent.status = "submitted"
    b_sent = new_application(session, world, world.applicant_b, kind="enterprise")
    b_sent.status = "submitted"
    session.flush()
    give_sheet(session, world, b_sent, declared=False)

    def ids(person: Person, **params: Any) -> list[int]:
        resp = client.get("/api/v1/applications", params=params, headers=auth(person))
        assert resp.status_code == 200, resp.text
        return [a["id"] for a in resp.json()["items"]]

    assert ids(world.staff) == [a_draft.id, a_sent.id, b_sent.id]
    assert ids(world.applicant_a) == [a_draft.id, a_sent.id]
    assert ids(world.applicant_b) == [b_sent.id]
    assert ids(world.county_a) == [a_sent.id]
    assert ids(world.county_b) == [b_sent.id]
    assert ids(world.expert) == [b_sent.id]
    assert ids(world.evaluator) == []
    assert ids(world.staff, kind="university") == [a_sent.id]
    assert ids(world.staff, status="draft") == [a_draft.id]
    assert ids(world.applicant_b, round=world.round.id) == [b_sent.id]
    assert client.get("/api/v1/applications").status_code == 401
    bad = client.get("/api/v1/applications", params={"status": "lost"}, headers=auth(world.staff))
    assert bad.status_code == 422
    assert list(bad.json()["error"]["fields"]) == ["status"]


def test_list_pages_are_stable_and_complete(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    made = [
        new_application(session, world, world.applicant_a, kind=k).id
        for k in ("enterprise", "university", "regional")
    ]
    made.append(new_application(session, world, world.applicant_b).id)
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/applications", params=params, headers=auth(world.staff)).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made)
    page = client.get("/api/v1/applications", params={"limit": 0}, headers=auth(world.staff))
    assert page.status_code == 422
    assert page.json()["error"]["fields"] == {"limit": "must be at least 1"}


def test_a_draft_whose_part_exceeds_its_total_is_refused_naming_both_and_saves_nothing(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a, kind="regional")
    saved = client.put(
        f"/api/v1/applications/{app.id}",
        json={"figures": {"key_projects_total": "80", "key_projects_hightech": "62"}, "version": 1},
        headers=auth(world.applicant_a),
    )
    assert saved.status_code == 200
    events = count(session, "audit_events")
    # only the total changes, to below the part already saved: the pair is checked as it would be saved
    resp = client.put(
        f"/api/v1/applications/{app.id}",
        json={"figures": {"key_projects_total": "50"}, "version": 2},
        headers=auth(world.applicant_a),
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["fields"] == {
        "figures.key_projects_hightech": "“Of which high-tech and strategic emerging industry projects” (62) "
        "is larger than “Key construction projects” (50), of which it is a part: the two figures "
        "contradict each other; correct one of them"
    }
    kept = _fresh(session, app.id)
    assert (kept.figures, kept.version) == ({"key_projects_total": "80", "key_projects_hightech": "62"}, 2)
    assert count(session, "audit_events") == events
