"""The JSON error shape, in the caller's language, for bodies that are too big, not JSON, or wrong."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from api.edge.deps import SessionDep
from api.edge.params import parse_id
from scoring.settings import Settings
from tests.conftest import _session_on


def test_non_json_body_is_a_clear_422(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_json"
    assert resp.json()["error"]["message"] == "请求正文不是有效的 JSON。"


def test_missing_field_is_named_in_english_on_request(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/auth/token", json={"username": "x"}, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert resp.status_code == 422
    assert resp.json() == {
        "error": {
            "code": "validation_failed",
            "message": "Some fields are not valid.",
            "fields": {"password": "is required"},
        }
    }


def test_oversized_body_is_413_with_the_limit(client: TestClient, settings) -> None:
    big = b'{"username": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    resp = client.post("/api/v1/auth/token", content=big, headers={"Content-Type": "application/json"})
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"
    assert str(settings.max_body_bytes) in resp.json()["error"]["message"]


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    resp = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert resp.status_code == 404
    assert resp.json()["error"] == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_ids_in_a_body_beyond_any_row_are_refused_naming_the_field(
    client: TestClient, make_person: Any, login: Any
) -> None:
    staff = login(make_person("staff"))
    body = {"name": "王专家", "pool": "expert", "declared_conflict_org_ids": [1, 87700091283278282752]}
    resp = client.post("/api/v1/experts", json=body, headers=staff | {"Accept-Language": "en"})
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"declared_conflict_org_ids.1": "must be at most 2147483647"}
    expert = login(make_person("expert"))
    resp = client.put("/api/v1/sheets/1", json={"scores": {}, "version": 2**63}, headers=expert)
    assert resp.status_code == 422 and "version" in resp.json()["error"]["fields"]


def test_a_value_the_database_cannot_hold_is_a_422_not_a_500(
    settings: Settings, engine: Engine, connection: Connection
) -> None:
    """The safety net behind the input types: whatever number still reaches the database out of range
    (an OverflowError from SQLite, a DataError from PostgreSQL) is the caller's input."""
    from api.app import create_app

    app = create_app(settings, engine=engine)
    app.state.sessionmaker = lambda: _session_on(connection)

    @app.get("/api/v1/test-out-of-range")
    def out_of_range(session: SessionDep) -> dict[str, Any]:
        return {"v": session.execute(text("SELECT CAST(:x AS INTEGER)"), {"x": 2**70}).scalar()}

    with TestClient(app, raise_server_exceptions=False) as c:
        resp = c.get("/api/v1/test-out-of-range")
    assert resp.status_code == 422
    assert resp.json()["error"] == {
        "code": "out_of_range",
        "message": "请求中的数字或文字超出了系统可存储的范围。",
        "fields": {},
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rounds?cursor=²",
        "/api/v1/rounds?cursor=2147483648",
        "/api/v1/applications?cursor=١٢",
        "/api/v1/applications?round=99999999999",
        "/api/v1/public/bases?cursor=99999999999",
        "/api/v1/sheets?cursor=2147483648",
        "/api/v1/sheets?application=99999999999999999999",
        "/api/v1/experts?cursor=2147483648",
        "/api/v1/audit?cursor=99999999999",
        "/api/v1/evaluations?campaign=2147483648",
    ],
)
def test_query_ids_and_cursors_beyond_any_row_are_a_422(
    url: str, client: TestClient, make_person: Any, login: Any
) -> None:
    """Filters and keyset cursors are ids too: an id no row can have, or digits int() refuses ("²") or
    reads as another number ("١٢"), is refused naming the parameter."""
    resp = client.get(url, headers=login(make_person("staff")) | {"Accept-Language": "en"})
    assert resp.status_code == 422, resp.text
    name = url.split("?")[1].split("=")[0]
    assert resp.json()["error"]["fields"].keys() == {name}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), (" 7 ", 7), ("2147483647", 2147483647), ("2147483648", None), ("0", 0), ("²", None),
     ("١٢", None), ("-1", None), ("", None), (None, None), ("9" * 40, None)],
)  # fmt: skip
def test_parse_id_takes_ascii_digits_within_the_key_range(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected
