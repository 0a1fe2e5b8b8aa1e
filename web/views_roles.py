"""Form plumbing and page-specific read helpers for the applicant, county and expert pages.

Nothing here decides a rule: forms are parsed into the services' own pydantic inputs, service
calls run in a savepoint so a refused call leaves nothing behind while earlier work of the same
request stays, and errors become {field path: translated rule} for the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.edge.errors import validation_failed_from
from criteria.load import dec_str
from scoring.core.errors import DomainError
from web.deps import Page

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


async def posted_form(request: Request) -> FormData:
    """The submitted form (urlencoded or multipart), read once; handlers stay synchronous."""
    return await request.form()


FormDep = Annotated[FormData, Depends(posted_form)]


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
    from web.mount import templates

    return templates.TemplateResponse(page.request, template, page.context(**values), status_code=status)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# ---- expert sheets: the level anchors of an indicator -------------------------------------------


def anchors(indicator: Any, locale: str) -> list[dict[str, Any]]:
    """Each level of an indicator with the scores an expert can give in it, highest first.

    A level runs from min_share × max (inclusive) up to the next level's lower bound (exclusive);
    the top level includes the maximum. Shown as the on-step scores inside that range, e.g. for a
    maximum of 6.5 in steps of 0.5: 优 6–6.5, 良 5–5.5, 中 4–4.5, 差 0–3.5 (the exact bounds
    5.85 / 4.875 / 3.9 are kept for the tooltip).
    """
    step: Decimal = indicator.step
    out: list[dict[str, Any]] = []
    upper: Decimal | None = None
    for anchor in indicator.anchors:
        low = anchor.min_share * indicator.max_points
        first = (low / step).to_integral_value(ROUND_CEILING) * step
        if upper is None:
            last = indicator.max_points
        else:
            below = (upper / step).to_integral_value(ROUND_FLOOR) * step
            last = below - step if below == upper else below
        out.append(
            {
                "level": anchor.level_en if locale == "en" else anchor.level,
                "description": anchor.description_en if locale == "en" else anchor.description_zh,
                "low": dec_str(first),
                "high": dec_str(last),
                "empty": first > last,
                "exact_low": dec_str(low),
                "exact_high": dec_str(indicator.max_points if upper is None else upper),
                "top": upper is None,
            }
        )
        upper = low
    return out
