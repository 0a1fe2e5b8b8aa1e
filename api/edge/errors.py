"""Every error leaves as {"error": {"code", "message", "fields"}} in the caller's language."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from scoring.core.errors import DomainError, ValidationFailed
from scoring.core.i18n import Msg, msg, negotiate

log = logging.getLogger("shuangchuang")

# Pydantic error types → rules a person can act on.
_PYDANTIC_RULES: dict[str, Msg] = {
    "missing": msg("is required"),
    "extra_forbidden": msg("is not an allowed field"),
    "string_type": msg("must be text"),
    "string_too_short": msg("must be at least %(min_length)s characters long"),
    "string_too_long": msg("must be at most %(max_length)s characters long"),
    "string_pattern_mismatch": msg("has the wrong format"),
    "int_type": msg("must be a whole number"),
    "int_parsing": msg("must be a whole number"),
    "int_from_float": msg("must be a whole number"),
    "bool_type": msg("must be true or false"),
    "bool_parsing": msg("must be true or false"),
    "decimal_type": msg("must be a number"),
    "decimal_parsing": msg("must be a number"),
    "decimal_max_places": msg("must have at most %(decimal_places)s decimal places"),
    "finite_number": msg("must be a finite number"),
    "greater_than": msg("must be greater than %(gt)s"),
    "greater_than_equal": msg("must be at least %(ge)s"),
    "less_than": msg("must be less than %(lt)s"),
    "less_than_equal": msg("must be at most %(le)s"),
    "literal_error": msg("must be one of: %(expected)s"),
    "enum": msg("must be one of: %(expected)s"),
    "date_parsing": msg("must be a date like 2026-05-31"),
    "date_from_datetime_parsing": msg("must be a date like 2026-05-31"),
    "date_type": msg("must be a date like 2026-05-31"),
    "datetime_parsing": msg("must be a date and time like 2026-05-31T17:00:00+08:00"),
    "datetime_from_date_parsing": msg("must be a date and time like 2026-05-31T17:00:00+08:00"),
    "datetime_type": msg("must be a date and time like 2026-05-31T17:00:00+08:00"),
    "list_type": msg("must be a list"),
    "dict_type": msg("must be an object"),
    "model_type": msg("must be an object"),
    "too_short": msg("must have at least %(min_length)s items"),
    "too_long": msg("must have at most %(max_length)s items"),
    "json_invalid": msg("is not valid JSON"),
    "json_type": msg("is not valid JSON"),
    "value_error": msg("is not valid"),
}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_failed_from(errors: list[Any]) -> ValidationFailed:
    fields: dict[str, Msg] = {}
    for err in errors:
        path = _field_path(tuple(err.get("loc", ())))
        kind = err.get("type", "value_error")
        if kind in ("json_invalid", "json_type") or (path == "body" and kind == "model_attributes_type"):
            return ValidationFailed(msg("The request body is not valid JSON."), code="invalid_json")
        ctx = {
            k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
            for k, v in (err.get("ctx") or {}).items()
        }
        rule = _PYDANTIC_RULES.get(kind)
        fields.setdefault(path, Msg(rule.msgid, ctx) if rule else msg("is not valid"))
    return ValidationFailed(fields=fields)


def locale_of(request: Request) -> str:
    cookie = request.cookies.get("lang")
    if cookie:
        return negotiate(cookie)
    return negotiate(request.headers.get("accept-language"))


def error_response(request: Request, exc: DomainError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers = {"Retry-After": str(retry_after)}
    return JSONResponse(exc.to_dict(locale_of(request)), status_code=exc.status, headers=headers)


_HTTP_CODES: dict[int, tuple[str, Msg]] = {
    404: ("not_found", msg("Not found.")),
    405: ("method_not_allowed", msg("This method is not allowed here.")),
    413: ("too_large", msg("The request body is too large.")),
    415: ("unsupported_media_type", msg("This content type is not accepted.")),
}


# Renders a DomainError as a page; the composition root (api.app) passes web's, so api never imports web.
ErrorPage = Callable[[Request, DomainError], Any]


def install_error_handlers(app: FastAPI, *, error_page: ErrorPage | None = None) -> None:
    async def _domain(request: Request, exc: DomainError) -> Any:
        if error_page is not None and not request.url.path.startswith("/api/"):
            return error_page(request, exc)
        return error_response(request, exc)

    def _wrong_method(request: Request) -> bool:
        # `PUT /organisations/import` reached `PUT /organisations/{organisation_id}` with the id
        # "import" (a 422, or the caller's 404 from its dependencies), but `/organisations/import` is a
        # resource of its own that does not serve PUT: 405.
        from api.edge.methods import literal_methods

        methods = literal_methods(request)
        return methods is not None and request.method not in methods

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Any:
        if _wrong_method(request):
            return await _http(request, StarletteHTTPException(405))
        return await _domain(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Any:
        if _wrong_method(request):
            return await _http(request, StarletteHTTPException(405))
        return await _domain(request, validation_failed_from(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 400:
            # FastAPI's and Starlette's answer to a body they cannot parse (JSON that is not UTF-8, a
            # multipart body without its parts): invalid input like any other, 422 as API.md says.
            if request.headers.get("content-type", "").startswith("application/json"):
                unreadable = ValidationFailed(msg("The request body is not valid JSON."), code="invalid_json")
            else:
                unreadable = ValidationFailed(msg("The request body could not be read."), code="invalid_body")
            return await _domain(request, unreadable)
        code, message = _HTTP_CODES.get(
            exc.status_code, ("http_error", msg("The request could not be processed."))
        )
        err = DomainError(message, code=code)
        err.status = exc.status_code
        response = await _domain(request, err)
        if exc.status_code == 405:
            from api.edge.methods import allowed_methods

            response.headers["Allow"] = allowed_methods(request)
        return response

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Any:
        # The safety net behind the input types (scoring.core.ids): a number or text the database cannot
        # hold is the caller's input, not a fault of the service. Logged so the missing bound gets one.
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        err = DomainError(
            msg("A number or text in the request is outside the range the system can store."),
            code="out_of_range",
        )
        err.status = 422
        return await _domain(request, err)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        err = DomainError(msg("An internal error occurred. It has been logged."), code="internal_error")
        err.status = 500
        return error_response(request, err)
