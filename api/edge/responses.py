"""The documented error responses of the API: one error schema, and `errors(...)` for `responses=`.

Every route lists the statuses it can answer besides its 2xx, so the OpenAPI is a complete contract
(tests/api/test_openapi.py walks it).
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel, Field

from scoring.core.schema import Schema


class ErrorBody(Schema):
    """The one error shape of the API (API.md): a code, a translated message and per-field messages."""

    code: str = Field(description="Stable machine-readable error code, e.g. `validation_failed`.")
    message: str = Field(description="The message in the caller's language.")
    fields: dict[str, str] = Field(default_factory=dict, description="Field path -> message.")


class ErrorOut(Schema):
    error: ErrorBody


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not logged in, or the token has expired",
    403: "Not allowed (e.g. a four-eyes rule or a CSRF failure)",
    404: "Not found, or not visible to the caller",
    409: "Conflict: the record changed meanwhile, or the action is not allowed in its current state",
    413: "The request body is too large",
    415: "Unsupported media type",
    422: "Invalid input: each field is named with the rule it breaks",
    429: "Too many requests",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: 401 and 422 are implied for every authenticated route by the caller."""
    return {s: {"model": ErrorOut, "description": _DESCRIPTIONS[s]} for s in sorted(set(statuses))}


# The statuses every authenticated route can answer (no token; a malformed id, body or query).
AUTH = (401, 422)


def model_json(model: BaseModel) -> Response:
    """`model` as a 200 JSON response, serialised in the handler's own thread.

    FastAPI validates a synchronous handler's return value against its response_model in another
    thread hop (a hop, and a wait for the interpreter lock, on every request). A handler that builds its
    response model itself needs no validation; keep `response_model=` on the route for the OpenAPI.
    """
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")
