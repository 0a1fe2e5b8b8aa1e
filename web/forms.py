"""Form plumbing for every page: the CSRF-checked form, the one form -> input-model adapter, rendering.

Nothing here decides a rule: forms are parsed into the services' own pydantic inputs, service
calls run in a savepoint so a refused call leaves nothing behind while earlier work of the same
request stays, and errors become {field path: translated rule} for the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.edge.errors import validation_failed_from
from scoring.core.errors import DomainError
from web.csrf import check
from web.deps import Page, page_context
from web.templating import templates

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


async def posted_form(request: Request) -> FormData:
    """The submitted form (urlencoded or multipart), read once; handlers stay synchronous."""
    return await request.form()


FormDep = Annotated[FormData, Depends(posted_form)]


async def checked_form(form: FormDep, page: Annotated[Page, Depends(page_context)]) -> FormData:
    """The posted form once its CSRF token matched the session's (or the pre-login cookie's)."""
    check(page.csrf_token, text(form, "csrf_token"))
    return form


# Every POST handler of a logged-in page takes its form through this dependency.
CheckedForm = Annotated[FormData, Depends(checked_form)]


def text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default


def prefixed(form: FormData, prefix: str) -> dict[str, str]:
    """Fields named `prefix.code` as {code: value} (e.g. "narratives.A1")."""
    out: dict[str, str] = {}
    for key, value in form.multi_items():
        if key.startswith(prefix + ".") and isinstance(value, str):
            out[key[len(prefix) + 1 :]] = value
    return out


def parse_input(model: type[M], values: Mapping[str, Any]) -> M:
    """The service's input model from form values; pydantic errors become ValidationFailed."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        raise validation_failed_from(list(exc.errors())) from None


def attempt(session: Session, call: Callable[[], T]) -> T:
    """Run one service call in a savepoint: if it refuses, whatever it flushed is undone."""
    with session.begin_nested():
        return call()


def form_action(
    session: Session,
    model: type[M],
    values: Mapping[str, Any],
    call: Callable[[M], object],
    *,
    done: str,
    on_error: Callable[[DomainError], Response],
) -> Response:
    """Parse a form into the service's input and call the service in a savepoint, then redirect to
    `done`; a refusal re-renders the page through on_error, everything typed kept."""
    try:
        data = parse_input(model, values)
        attempt(session, lambda: call(data))
    except DomainError as exc:
        return on_error(exc)
    return redirect(done)


def field_errors(exc: DomainError, locale: str) -> dict[str, str]:
    return {path: rule.render(locale) for path, rule in exc.fields.items()}


def render(page: Page, template: str, status: int = 200, **values: Any) -> Response:
    return templates.TemplateResponse(page.request, template, page.context(**values), status_code=status)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
