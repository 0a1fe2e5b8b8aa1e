"""The JSON error shape, in the caller's language, for bodies that are too big, not JSON, or wrong."""

from __future__ import annotations

from fastapi.testclient import TestClient


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
