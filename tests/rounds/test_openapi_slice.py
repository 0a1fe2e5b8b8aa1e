"""The OpenAPI of the admin and designation routes: every 2xx has a schema, every error is documented."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from scoring.settings import Settings

# path -> method -> (2xx status, error statuses the route can answer)
EXPECTED: dict[str, dict[str, tuple[str, set[str]]]] = {
    "/api/v1/auth/token": {"post": ("200", {"401", "413", "422", "429"})},  # 429: login throttling
    "/api/v1/auth/logout": {"post": ("204", {"401"})},
    "/api/v1/me": {"get": ("200", {"401"})},
    "/api/v1/rubrics": {"get": ("200", {"401"})},
    "/api/v1/rubrics/{kind}": {"get": ("200", {"401", "404", "422"})},
    "/api/v1/rounds": {
        "get": ("200", {"401", "422"}),
        "post": ("201", {"401", "403", "413", "422"}),
    },
    "/api/v1/rounds/{round_id}": {"get": ("200", {"401", "404", "422"})},
    "/api/v1/rounds/{round_id}/transition": {"post": ("200", {"401", "403", "404", "409", "413", "422"})},
    "/api/v1/rounds/{round_id}/eligibility-check": {"post": ("200", {"401", "404", "413", "422"})},
    "/api/v1/applications": {
        "get": ("200", {"401", "422"}),
        "post": ("201", {"401", "403", "409", "413", "422"}),
    },
    "/api/v1/applications/{application_id}": {
        "get": ("200", {"401", "404", "422"}),
        "put": ("200", {"401", "403", "404", "409", "413", "422"}),
    },
    "/api/v1/applications/{application_id}/submit": {
        "post": ("200", {"401", "403", "404", "409", "413", "422"})
    },
    "/api/v1/applications/{application_id}/recommendation": {
        "post": ("200", {"401", "404", "409", "413", "422"})
    },
    "/api/v1/applications/{application_id}/formal-check": {
        "post": ("200", {"401", "403", "404", "409", "413", "422"})
    },
    "/api/v1/applications/{application_id}/attachments": {
        "post": ("201", {"401", "403", "404", "409", "413", "415", "422"})
    },
    "/api/v1/attachments/{attachment_id}": {
        "get": ("200", {"401", "404", "422"}),
        "delete": ("204", {"401", "403", "404", "409", "422"}),
    },
    "/api/v1/experts": {
        "get": ("200", {"401", "404", "422"}),
        "post": ("201", {"401", "404", "409", "413", "422"}),
    },
    "/api/v1/experts/{expert_id}": {
        "get": ("200", {"401", "404", "422"}),
        "put": ("200", {"401", "404", "413", "422"}),
    },
    "/api/v1/audit": {"get": ("200", {"401", "403", "422"})},
    "/api/v1/audit/verify": {"get": ("200", {"401", "403"})},
}


@pytest.fixture(scope="module")
def spec(settings: Settings, engine: Engine) -> dict[str, Any]:
    """Served once for the module: the schema depends on no row, and building it takes seconds."""
    from api.app import create_app

    with TestClient(create_app(settings, engine=engine)) as client:
        resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return dict(resp.json())


def _cases() -> list[tuple[str, str]]:
    return [(path, method) for path, methods in EXPECTED.items() for method in methods]


@pytest.mark.parametrize(("path", "method"), _cases())
def test_the_route_is_typed_and_lists_its_errors(spec: dict[str, Any], path: str, method: str) -> None:
    operation = spec["paths"][path][method]
    success, failures = EXPECTED[path][method]
    responses = operation["responses"]
    assert {code for code in responses if not code.startswith("2")} == failures
    if success == "204":
        assert responses["204"].get("content") is None
    else:
        content = responses[success]["content"]
        assert content, f"{method} {path} has no response schema"
        for media in content.values():
            schema = media.get("schema")
            if schema is not None:
                assert schema != {}, f"{method} {path} answers an untyped body"
