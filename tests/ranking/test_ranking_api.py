"""GET /rounds/{id}/ranking: the API shape, staff only, and a number of SQL statements constant in N."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tests.ranking.conftest import World


@pytest.fixture
def staff(make_person: Callable[..., Any], login: Callable[..., dict[str, str]]) -> dict[str, str]:
    return login(make_person("staff"))


def test_ranking_rows_in_the_api_shape(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: dict[str, str]
) -> None:
    w = make_world()
    a = w.application(["80", "70", "90", "60", "85"], name="甲公司")
    b = w.application(["90", "90"], name="乙公司")
    resp = client.get(
        f"/api/v1/rounds/{w.round.id}/ranking",
        params={"kind": "enterprise"},
        headers=staff | {"Accept-Language": "en"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["quota"] == 2 and body["pass_line"] == "60.00" and body["method"] == "trimmed_mean"
    assert body["proposed"] == [a.id]
    first, second = body["rows"]
    sheets = sorted(first["explanation"]["used_sheet_ids"] + first["explanation"]["dropped_sheet_ids"])
    assert first == {
        "application_id": a.id,
        "applicant": "甲公司",
        "organisation_id": a.organisation_id,
        "district": "长安区",
        "kind": "enterprise",
        "status": "scored",
        "panel_score": "78.33",
        "data_points": "10.00",
        "final_score": "88.33",
        "sheets_submitted": 5,
        "sheets_expected": 5,
        "gates": [
            {
                "code": "platform",
                "result": "pass",
                "detail": "1 ≥ 1",
                "reason": None,
                "text": "At least one R&D platform",
            }
        ],
        "eligible": True,
        "rank": 1,
        "proposed": True,
        "decision": "within_quota",
        "flags": [],
        "explanation": {
            "method": "trimmed_mean",
            "used_sheet_ids": [sheets[0], sheets[1], sheets[4]],
            "dropped_sheet_ids": [sheets[2], sheets[3]],
            "reasons": [{"code": "within_quota", "text": "Rank 1 is within the quota of 2."}],
            "data_indicators": [
                {"code": "p", "points": "10.00", "max_points": "10.00", "result": "pass", "detail": "1 ≥ 1"}
            ],
            "outliers": [],
            "spread": "30.00",
        },
    }
    assert second["application_id"] == b.id
    assert (second["panel_score"], second["final_score"], second["rank"]) == (None, None, None)
    assert second["flags"] == ["not_scoreable"]
    assert second["explanation"]["reasons"] == [
        {
            "code": "not_scoreable",
            "text": "Only 2 sheet(s) submitted; at least 3 are needed for a panel score.",
        }
    ]


def test_ranking_reasons_in_chinese_by_default(
    make_world: Callable[..., World], client: TestClient, staff: dict[str, str]
) -> None:
    w = make_world()
    w.application(["80", "80", "80"])
    body = client.get(f"/api/v1/rounds/{w.round.id}/ranking?kind=enterprise", headers=staff).json()
    assert body["rows"][0]["explanation"]["reasons"][0]["text"] == "排名第 1 位,在名额 2 个以内。"


def test_ranking_pages(make_world: Callable[..., World], client: TestClient, staff: dict[str, str]) -> None:
    w = make_world()
    ids = [w.application([s, s, s]).id for s in ("90", "80", "70")]
    url = f"/api/v1/rounds/{w.round.id}/ranking?kind=enterprise&limit=2"
    page1 = client.get(url, headers=staff).json()
    assert [r["application_id"] for r in page1["rows"]] == ids[:2]
    page2 = client.get(url + f"&cursor={page1['next_cursor']}", headers=staff).json()
    assert [r["application_id"] for r in page2["rows"]] == ids[2:]
    assert page2["next_cursor"] is None


@pytest.mark.parametrize("role", ["applicant", "expert", "county"])
def test_ranking_is_hidden_from_everyone_but_staff(
    make_world: Callable[..., World],
    client: TestClient,
    make_person: Callable[..., Any],
    make_org: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    role: str,
) -> None:
    w = make_world()
    person = make_person(role, org=make_org() if role == "applicant" else None, district="长安区")
    resp = client.get(f"/api/v1/rounds/{w.round.id}/ranking?kind=enterprise", headers=login(person))
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"


def test_ranking_needs_login(make_world: Callable[..., World], client: TestClient) -> None:
    w = make_world()
    assert client.get(f"/api/v1/rounds/{w.round.id}/ranking?kind=enterprise").status_code == 401


@pytest.mark.parametrize("kind", [None, "regional", "nonsense"])
def test_ranking_kind_must_be_one_of_the_round(
    make_world: Callable[..., World], client: TestClient, staff: dict[str, str], kind: str | None
) -> None:
    w = make_world()
    params = {"kind": kind} if kind else {}
    resp = client.get(f"/api/v1/rounds/{w.round.id}/ranking", params=params, headers=staff)
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == ["kind"]


def test_ranking_of_an_unknown_round_is_404(client: TestClient, staff: dict[str, str]) -> None:
    assert client.get("/api/v1/rounds/987654/ranking?kind=enterprise", headers=staff).status_code == 404


def _statements(connection: Connection, client: TestClient, url: str, headers: dict[str, str]) -> int:
    seen: list[str] = []

    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", _count)
    try:
        resp = client.get(url, headers=headers)
    finally:
        event.remove(connection, "before_cursor_execute", _count)
    assert resp.status_code == 200, resp.text
    return len(seen)


def test_sql_statements_per_ranking_request_do_not_grow_with_applications(
    make_world: Callable[..., World], connection: Connection, client: TestClient, staff: dict[str, str]
) -> None:
    small, large = make_world(), make_world()
    for i in range(3):
        small.application(["80", "70", str(60 + i), "85", "75"])
    for i in range(30):
        large.application(["80", "70", str(60 + i), "85", "75"], platforms=str(i % 2))
    url = "/api/v1/rounds/{}/ranking?kind=enterprise"
    _statements(connection, client, url.format(small.round.id), staff)  # warm the rubric cache
    n_small = _statements(connection, client, url.format(small.round.id), staff)
    n_large = _statements(connection, client, url.format(large.round.id), staff)
    assert n_small == n_large
    assert len(client.get(url.format(large.round.id), headers=staff).json()["rows"]) == 30
