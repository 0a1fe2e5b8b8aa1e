"""Rounds through the API: creation with frozen rubrics, bad input per field, status changes, self-check."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.load import rubric_version, shipped_rubric
from scoring.services.designation.rounds import round_references, round_rubric
from scoring.store.models import AuditEvent, Round
from tests.conftest import Person, count
from tests.rounds.rounds_world import PASSING_FIGURES, World, make_world, round_payload

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


def _auth(login: Callable[[Person], dict[str, str]], person: Person) -> dict[str, str]:
    return login(person) | EN


def test_staff_creates_a_round_that_freezes_each_kinds_rubric(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    payload = round_payload(kinds=["regional", "enterprise"], quotas={"regional": 2, "enterprise": 4})
    resp = client.post("/api/v1/rounds", json=payload, headers=_auth(login, world.staff))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["kinds"] == ["regional", "enterprise"]
    assert body["rubric_versions"] == {
        "regional": rubric_version(shipped_rubric("regional")),
        "enterprise": rubric_version(shipped_rubric("enterprise")),
    }
    assert body["references"] == {
        "provincial_rd_intensity": "2.00",
        "city_rd_intensity": "2.52",
        "rd_reference": "provincial",
        "data_year": "2022",
    }
    assert {k: body[k] for k in ("method", "panel_size", "reserves", "pass_line", "outlier_threshold")} == {
        "method": "trimmed_mean",
        "panel_size": 5,
        "reserves": 2,
        "pass_line": "60.00",
        "outlier_threshold": "20.00",
    }
    assert body["quotas"] == {"regional": 2, "enterprise": 4}
    assert body["notice_days"] == 5
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert set(body["deadlines"]) == {"application", "recommendation", "scoring"}
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.create", AuditEvent.entity_id == str(body["id"]))
    ).one()
    assert event.after["rubric_versions"] == body["rubric_versions"]
    # The same read back through GET, and the helpers other engineers use.
    assert client.get(f"/api/v1/rounds/{body['id']}", headers=_auth(login, world.applicant_a)).json() == body
    row = session.get(Round, body["id"])
    assert row is not None
    assert round_rubric(session, row, "regional") == shipped_rubric("regional")
    refs = round_references(row)
    assert refs["rd_intensity_reference"] == Decimal("2.00")


def test_city_reference_is_chosen_when_the_round_says_so(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    payload = round_payload()
    payload["references"]["rd_reference"] = "city"
    resp = client.post("/api/v1/rounds", json=payload, headers=_auth(login, world.staff))
    assert resp.status_code == 201, resp.text
    row = session.get(Round, resp.json()["id"])
    assert row is not None
    assert round_references(row)["rd_intensity_reference"] == Decimal("2.52")


def test_numbers_are_accepted_as_json_numbers_and_kept_exact(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    payload = round_payload(pass_line=65.5, outlier_threshold=15)
    payload["references"]["provincial_rd_intensity"] = 2.1
    resp = client.post("/api/v1/rounds", json=payload, headers=_auth(login, world.staff))
    assert resp.status_code == 201, resp.text
    assert resp.json()["pass_line"] == "65.50"
    assert resp.json()["outlier_threshold"] == "15.00"
    assert resp.json()["references"]["provincial_rd_intensity"] == "2.1"


def _with(path: str, value: Any) -> dict[str, Any]:
    payload = round_payload()
    target = payload
    *parents, last = path.split(".")
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return payload


_DELETE = object()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (_with("kinds", []), {"kinds": "must have at least 1 items"}),
        (
            round_payload(kinds=["enterprise", "enterprise"], quotas={"enterprise": 1}),
            {"kinds": "must not name a kind twice"},
        ),
        (
            round_payload(kinds=["castle"], quotas={}),
            {"kinds.0": "must be one of: 'regional', 'university' or 'enterprise'"},
        ),
        (
            _with("references.provincial_rd_intensity", _DELETE),
            {
                "references.provincial_rd_intensity": "is required when regional bases are opened "
                "(the R&D-intensity gate compares with it)",
                "references.rd_reference": "names the provincial average, "
                "but that reference value is not given",
            },
        ),
        (
            round_payload(
                kinds=["enterprise"], quotas={"enterprise": 1}, references={"rd_reference": "city"}
            ),
            {"references.rd_reference": "names the city average, but that reference value is not given"},
        ),
        (
            _with("references.provincial_rd_intensity", "abc"),
            {"references.provincial_rd_intensity": "must be a number"},
        ),
        (
            _with("references.provincial_rd_intensity", "-1"),
            {"references.provincial_rd_intensity": "must be at least 0"},
        ),
        (
            _with("references.provincial_rd_intensity", "NaN"),
            {"references.provincial_rd_intensity": "must be a finite number"},
        ),
        (
            _with("references.rd_reference", "national"),
            {"references.rd_reference": "must be one of: 'provincial' or 'city'"},
        ),
        (_with("references.data_year", 1800), {"references.data_year": "must be at least 2000"}),
        (
            _with("deadlines.application", "2026-05-31T17:00:00"),
            {"deadlines.application": "must include a time zone, like 2026-05-31T17:00:00+08:00"},
        ),
        (
            _with("deadlines.scoring", "next week"),
            {"deadlines.scoring": "must be a date and time like 2026-05-31T17:00:00+08:00"},
        ),
        (_with("deadlines.recommendation", _DELETE), {"deadlines.recommendation": "is required"}),
        (
            _with("deadlines.recommendation", "2020-01-01T00:00:00+08:00"),
            {"deadlines.recommendation": "must be after the application deadline"},
        ),
        (
            _with("quotas", {"regional": 3, "university": 2}),
            {"quotas.enterprise": "is required for every opened kind"},
        ),
        (
            _with("quotas", {"regional": 3, "university": 2, "enterprise": 0}),
            {"quotas.enterprise": "must be a whole number of at least 1"},
        ),
        (
            round_payload(kinds=["enterprise"], quotas={"enterprise": 1, "regional": 1}),
            {"quotas.regional": "is not a kind this round opens"},
        ),
        (_with("quotas", {"enterprise": "many"}), {"quotas.enterprise": "must be a whole number"}),
        (_with("method", "average"), {"method": "must be one of: 'trimmed_mean', 'mean' or 'median'"}),
        (_with("pass_line", "60.001"), {"pass_line": "must have at most 2 decimal places"}),
        (_with("pass_line", "101"), {"pass_line": "must be at most 100"}),
        (_with("reserves", -1), {"reserves": "must be at least 0"}),
        (_with("notice_days", 0), {"notice_days": "must be at least 1"}),
        (_with("year", "twenty"), {"year": "must be a whole number"}),
        (_with("title", ""), {"title": "must be at least 2 characters long"}),
        (_with("colour", "red"), {"colour": "is not an allowed field"}),
    ],
)
def test_bad_round_input_names_the_field_and_saves_nothing(
    client: TestClient,
    session: Session,
    world: World,
    login: Callable[[Person], dict[str, str]],
    payload: dict[str, Any],
    fields: dict[str, str],
) -> None:
    before = count(session, "rounds")
    resp = client.post("/api/v1/rounds", json=payload, headers=_auth(login, world.staff))
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_failed"
    assert resp.json()["error"]["fields"] == fields
    assert count(session, "rounds") == before


def test_panel_size_outside_the_rule_is_refused(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    for size in (4, 6, 9):
        resp = client.post(
            "/api/v1/rounds", json=round_payload(panel_size=size), headers=_auth(login, world.staff)
        )
        assert resp.status_code == 422, resp.text
        assert list(resp.json()["error"]["fields"]) == ["panel_size"]
    for size in (5, 7):
        resp = client.post(
            "/api/v1/rounds", json=round_payload(panel_size=size), headers=_auth(login, world.staff)
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["panel_size"] == size


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_only_staff_create_rounds(
    client: TestClient,
    session: Session,
    world: World,
    login: Callable[[Person], dict[str, str]],
    role: str,
) -> None:
    person = {
        "applicant": world.applicant_a,
        "county": world.county_a,
        "expert": world.expert,
        "evaluator": world.evaluator,
    }[role]
    before = count(session, "rounds")
    resp = client.post("/api/v1/rounds", json=round_payload(), headers=_auth(login, person))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden"
    assert count(session, "rounds") == before


def test_without_login_every_round_route_is_401(client: TestClient, world: World) -> None:
    rid = world.round.id
    calls = [
        ("post", "/api/v1/rounds", round_payload()),
        ("get", "/api/v1/rounds", None),
        ("get", f"/api/v1/rounds/{rid}", None),
        ("post", f"/api/v1/rounds/{rid}/transition", {"action": "close_applications"}),
        ("post", f"/api/v1/rounds/{rid}/eligibility-check", {"kind": "enterprise", "figures": {}}),
    ]
    for method, url, body in calls:
        resp = client.request(method, url, json=body)
        assert resp.status_code == 401, url
        assert resp.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ["staff", "applicant", "county", "expert", "evaluator"])
def test_every_logged_in_role_reads_rounds(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]], role: str
) -> None:
    person = {
        "staff": world.staff,
        "applicant": world.applicant_a,
        "county": world.county_a,
        "expert": world.expert,
        "evaluator": world.evaluator,
    }[role]
    headers = _auth(login, person)
    listing = client.get("/api/v1/rounds", headers=headers)
    assert listing.status_code == 200
    assert world.round.id in [r["id"] for r in listing.json()["items"]]
    one = client.get(f"/api/v1/rounds/{world.round.id}", headers=headers)
    assert one.status_code == 200
    assert one.json()["status"] == "open"
    assert client.get("/api/v1/rounds/999999", headers=headers).status_code == 404


def test_round_list_pages_by_cursor_in_id_order(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    headers = _auth(login, world.staff)
    for n in range(3):
        assert (
            client.post("/api/v1/rounds", json=round_payload(year=2030 + n), headers=headers).status_code
            == 201
        )
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/rounds", params=params, headers=headers).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) >= 4
    bad = client.get("/api/v1/rounds", params={"cursor": "x1"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {"cursor": "is not valid"}


def test_round_walks_its_status_table_and_audits_each_step(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    headers = _auth(login, world.staff)
    rid = world.round.id
    expected = [
        ("close_applications", "recommending"),
        ("start_review", "reviewing"),
        ("start_deciding", "deciding"),
    ]
    for action, status in expected:
        resp = client.post(f"/api/v1/rounds/{rid}/transition", json={"action": action}, headers=headers)
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == status
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "round", AuditEvent.entity_id == str(rid))
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).one()
        assert event.action == f"round.{action}"
        assert event.after == {"status": status}


@pytest.mark.parametrize(
    ("action", "status", "code", "fields"),
    [
        (
            "start_notice",
            422,
            "validation_failed",
            {"action": "is taken through the publication step (POST /api/v1/rounds/{rid}/publication)"},
        ),
        (
            "publish",
            422,
            "validation_failed",
            {"action": "is taken through the publication step (POST /api/v1/rounds/{rid}/publication)"},
        ),
        (
            "destroy",
            422,
            "validation_failed",
            {"action": "must be one of: open, close_applications, start_review, start_deciding"},
        ),
        ("open", 409, "invalid_transition", {}),
        ("start_review", 409, "invalid_transition", {}),
    ],
)
def test_refused_round_actions_change_nothing(
    client: TestClient,
    session: Session,
    world: World,
    login: Callable[[Person], dict[str, str]],
    action: str,
    status: int,
    code: str,
    fields: dict[str, str],
) -> None:
    rid = world.round.id
    headers = _auth(login, world.staff)
    events = count(session, "audit_events")
    resp = client.post(f"/api/v1/rounds/{rid}/transition", json={"action": action}, headers=headers)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert resp.json()["error"]["fields"] == {k: v.format(rid=rid) for k, v in fields.items()}
    session.expire_all()
    assert session.get(Round, rid).status == "open"  # type: ignore[union-attr]
    assert count(session, "audit_events") == events


def test_stale_round_version_is_409_and_changes_nothing(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    rid = world.round.id
    resp = client.post(
        f"/api/v1/rounds/{rid}/transition",
        json={"action": "close_applications", "version": 1},
        headers=_auth(login, world.staff),
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "stale_version"
    assert "version 1, now 2" in resp.json()["error"]["message"]
    session.expire_all()
    assert session.get(Round, rid).status == "open"  # type: ignore[union-attr]


def test_only_staff_move_a_round(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    resp = client.post(
        f"/api/v1/rounds/{world.round.id}/transition",
        json={"action": "close_applications"},
        headers=_auth(login, world.applicant_a),
    )
    assert resp.status_code == 403


# ---- the eligibility self-check ------------------------------------------------------------------


def _check(client: TestClient, headers: dict[str, str], rid: int, kind: str, figures: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/rounds/{rid}/eligibility-check", json={"kind": kind, "figures": figures}, headers=headers
    )


def test_self_check_passes_every_gate_with_good_figures(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    headers = _auth(login, world.applicant_a)
    events = count(session, "audit_events")
    resp = _check(client, headers, world.round.id, "regional", PASSING_FIGURES["regional"])
    assert resp.status_code == 200, resp.text
    gates = resp.json()["gates"]
    assert [(g["code"], g["result"]) for g in gates] == [
        ("key_project_share", "pass"),
        ("rd_intensity", "pass"),
        ("hightech_share_rise", "pass"),
    ]
    assert gates[0]["text"].startswith("High-tech and strategic emerging industry projects")
    assert count(session, "audit_events") == events
    assert count(session, "applications") == 0


def test_self_check_boundaries_follow_the_legal_reading(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    headers = _auth(login, world.applicant_a)
    figures = PASSING_FIGURES["regional"] | {
        "key_projects_hightech": "6",  # exactly 60%: 以上 includes the number
        "rd_intensity": "2.00",  # equal to the provincial average: 高于 is strict
        "hightech_share": "36.59",  # a rise of 0.99 points: below 1.0
    }
    results = {
        g["code"]: g["result"]
        for g in _check(client, headers, world.round.id, "regional", figures).json()["gates"]
    }
    assert results == {"key_project_share": "pass", "rd_intensity": "fail", "hightech_share_rise": "fail"}


def test_self_check_reports_missing_figures_and_chinese_text(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    resp = _check(client, login(world.county_a), world.round.id, "enterprise", {})
    assert resp.status_code == 200
    (gate,) = resp.json()["gates"]
    assert gate["code"] == "rd_platform"
    assert gate["result"] == "missing"
    assert gate["text"].startswith("建设1家以上")


@pytest.mark.parametrize(
    ("kind", "figures", "fields"),
    [
        ("regional", {"rd_intensity": "abc"}, "figures.rd_intensity"),
        ("regional", {"rd_intensity": "-1"}, "figures.rd_intensity"),
        ("regional", {"rd_intensity": "NaN"}, "figures.rd_intensity"),
        ("regional", {"key_projects_total": "2.5"}, "figures.key_projects_total"),
        ("enterprise", {"rd_platforms": True}, "figures.rd_platforms"),
        ("enterprise", {"gdp": "1"}, "figures.gdp"),
    ],
)
def test_self_check_bad_figure_is_422_naming_it(
    client: TestClient,
    world: World,
    login: Callable[[Person], dict[str, str]],
    kind: str,
    figures: dict[str, Any],
    fields: str,
) -> None:
    resp = _check(client, _auth(login, world.applicant_a), world.round.id, kind, figures)
    assert resp.status_code == 422, resp.text
    assert list(resp.json()["error"]["fields"]) == [fields]


def test_self_check_of_a_kind_the_round_does_not_open(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    staff = _auth(login, world.staff)
    only_enterprise = client.post(
        "/api/v1/rounds", json=round_payload(kinds=["enterprise"], quotas={"enterprise": 3}), headers=staff
    ).json()
    resp = _check(client, staff, only_enterprise["id"], "regional", {})
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"kind": "is not a kind this round opens"}
    assert _check(client, staff, 999999, "regional", {}).status_code == 404


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            "“Of which high-tech and strategic emerging industry projects” (60) is larger than "
            "“Key construction projects” (50), of which it is a part: the two figures contradict each "
            "other; correct one of them",
        ),
        (
            "zh-CN",
            "“其中高新技术及战略性新兴产业项目数”（60）大于“重点建设项目数”（50），"
            "而前者是后者的一部分，两项数据相互矛盾，请更正其中一项",
        ),
    ],
)
def test_self_check_says_a_part_above_its_total_contradicts_it(
    client: TestClient, world: World, login: Callable[[Person], dict[str, str]], locale: str, expected: str
) -> None:
    figures = PASSING_FIGURES["regional"] | {"key_projects_hightech": "60", "key_projects_total": "50"}
    headers = login(world.applicant_a) | {"Accept-Language": locale}
    resp = _check(client, headers, world.round.id, "regional", figures)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["fields"] == {"figures.key_projects_hightech": expected}
    same = figures | {"key_projects_total": "60"}  # equal is no contradiction (a share of 100%)
    assert _check(client, headers, world.round.id, "regional", same).status_code == 200
