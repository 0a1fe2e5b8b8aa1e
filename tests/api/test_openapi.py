"""The OpenAPI is the contract: every 2xx response has a schema, and every route documents the error
statuses it can answer (401 when it needs a login, 422 when it takes parameters or a body) with the
one error schema the API really returns."""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from api.edge.deps import current_actor

ERROR_SCHEMA = "#/components/schemas/ErrorOut"
JSON = "application/json"


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def authenticated_operations(app: Any) -> set[tuple[str, str]]:
    """(path, method) of every API operation whose dependencies resolve the logged-in actor."""
    # FastAPI >= 0.16x includes routers lazily: app.routes holds the routers, the contexts the routes.
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute) and current_actor in _calls(route.dependant):
            found.update((context.path, method.lower()) for method in context.methods or ())
    return found


def untyped(schema: dict[str, Any] | None) -> bool:
    """No schema, an empty one, or a free-form object/array: a shape the client cannot rely on."""
    if not schema:
        return True
    if "$ref" in schema:
        return False
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return any(untyped(part) for part in schema[combinator] if part.get("type") != "null")
    kind = schema.get("type")
    if kind == "object":
        if schema.get("properties"):
            return False
        extra = schema.get("additionalProperties")
        return not isinstance(extra, dict) or untyped(extra)
    if kind == "array":
        return untyped(schema.get("items"))
    return kind is None


def contract_problems(spec: dict[str, Any], authenticated: set[tuple[str, str]]) -> list[str]:
    problems: list[str] = []
    for path, operations in sorted(spec["paths"].items()):
        for method, op in sorted(operations.items()):
            where = f"{method.upper()} {path}"
            responses: dict[str, Any] = op.get("responses", {})
            for status, response in sorted(responses.items()):
                if not status.startswith("2") or status == "204":
                    continue
                content: dict[str, Any] = response.get("content", {})
                if any(media != JSON for media in content):
                    continue  # a documented file download (xlsx, csv, pdf, ...)
                if untyped(content.get(JSON, {}).get("schema")):
                    problems.append(f"{where}: {status} response has no schema")
            required: list[str] = []
            if (path, method) in authenticated:
                required.append("401")
            if op.get("parameters") or op.get("requestBody"):
                required.append("422")
            for status in required:
                schema = responses.get(status, {}).get("content", {}).get(JSON, {}).get("schema", {})
                if status not in responses:
                    problems.append(f"{where}: {status} not documented")
                elif schema.get("$ref") != ERROR_SCHEMA:
                    problems.append(f"{where}: {status} documented without the ErrorOut schema")
    return problems


def test_every_operation_is_typed_and_documents_its_error_statuses(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    authenticated = authenticated_operations(client.app)
    assert len(authenticated) >= 50, "the actor dependency is no longer found: the 401 rule would be vacuous"
    problems = contract_problems(spec, authenticated)
    assert problems == [], f"{len(problems)} contract problems:\n" + "\n".join(problems)


def test_the_checker_flags_untyped_responses_and_missing_errors() -> None:
    error = {"content": {JSON: {"schema": {"$ref": ERROR_SCHEMA}}}}
    spec = {
        "paths": {
            "/a/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path"}],
                    "responses": {
                        "200": {"content": {JSON: {"schema": {"type": "object"}}}},
                        "422": {"content": {JSON: {"schema": {"$ref": "#/components/schemas/Other"}}}},
                    },
                },
                "delete": {
                    "parameters": [{"name": "id"}],
                    "responses": {"204": {}, "401": error, "422": error},
                },
            },
            "/b": {
                "post": {
                    "requestBody": {},
                    "responses": {"201": {"content": {JSON: {"schema": {"$ref": "#/x"}}}}, "422": error},
                },
                "get": {
                    "responses": {
                        "200": {"content": {"application/vnd.ms-excel": {"schema": {"type": "string"}}}},
                    }
                },
            },
            "/c": {"get": {"responses": {"200": {"content": {JSON: {"schema": {"type": "array"}}}}}}},
        }
    }
    authenticated = {("/a/{id}", "get"), ("/a/{id}", "delete"), ("/b", "post")}
    assert contract_problems(spec, authenticated) == [
        "GET /a/{id}: 200 response has no schema",
        "GET /a/{id}: 401 not documented",
        "GET /a/{id}: 422 documented without the ErrorOut schema",
        "POST /b: 401 not documented",
        "GET /c: 200 response has no schema",
    ]
