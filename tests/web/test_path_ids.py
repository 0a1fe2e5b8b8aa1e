"""Every route that takes a database id in its path refuses ids no row can have (beyond PostgreSQL's
32-bit INTEGER, or beyond any integer) with a 4xx, for every role, in the API and in the pages:
bound as a query parameter such an id would be a database error, and a 500."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import Person
from tests.web.conftest import page_csrf

HUGE_IDS = ("2147483648", "99999999999999999999999", "0")
_PARAM = re.compile(r"\{(\w+)\}")
ROLES = ("staff", "expert", "applicant", "county", "evaluator")


def _routes(routes: list[Any], prefix: str = "") -> list[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers (FastAPI ≥ 0.16x keeps an
    included router as one entry of the app's routes)."""
    out: list[tuple[str, APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append((prefix + route.path, route))
        elif hasattr(route, "original_router"):
            out += _routes(route.original_router.routes, prefix + route.include_context.prefix)
    return out


def _id_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route with an `{…_id}` path parameter."""
    found = []
    for path, route in _routes(app.routes):
        if any(p.endswith("_id") for p in _PARAM.findall(path)):
            found += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return found


def _fill(template: str, huge: str) -> str:
    return _PARAM.sub(lambda m: huge if m.group(1).endswith("_id") else "x", template)


def _person(role: str, make_person: Callable[..., Person], make_org: Callable[..., Any]) -> Person:
    if role == "applicant":
        return make_person(role, org=make_org())
    if role == "county":
        return make_person(role, district="长安区")
    return make_person(role)


def test_the_sweep_covers_the_api_and_the_pages(app: Any) -> None:
    paths = [path for _, path in _id_routes(app)]
    assert sum(p.startswith("/api/v1/") for p in paths) >= 40
    assert sum(not p.startswith("/api/") for p in paths) >= 30


@pytest.mark.parametrize("role", ROLES)
def test_ids_beyond_any_row_are_refused_not_500(
    role: str,
    app: Any,
    client: TestClient,
    login: Callable[[Person], dict[str, str]],
    page_as: Callable[[Person], TestClient],
    make_person: Callable[..., Person],
    make_org: Callable[..., Any],
) -> None:
    person = _person(role, make_person, make_org)
    headers = login(person)
    pages = page_as(person)
    csrf = page_csrf(pages)
    failures = []
    for method, template in _id_routes(app):
        for huge in HUGE_IDS:
            url = _fill(template, huge)
            if template.startswith("/api/"):
                resp = client.request(method, url, headers=headers, json={})
            elif method == "GET":
                resp = pages.get(url, follow_redirects=False)
            else:
                resp = pages.request(method, url, data={"csrf_token": csrf}, follow_redirects=False)
            if resp.status_code >= 500:
                failures.append(f"{method} {url} -> {resp.status_code}")
            elif resp.status_code == 422 and template.startswith("/api/") and huge != "0":
                # The refusal names the field, as every validation error does.
                fields = resp.json()["error"].get("fields", {})
                assert any(name.endswith("_id") for name in fields), (method, url, resp.json())
    assert not failures, failures
