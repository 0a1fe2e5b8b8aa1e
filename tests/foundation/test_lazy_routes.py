"""Routes are analysed when first served (api.edge.routing): an application starts without building
the validators of its ~260 routes, and a route's analysis, when it comes, is FastAPI's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.edge.routing import LazyRoute, include, lazy_router
from tests.conftest import Person


def _lazy(app: Any) -> dict[str, LazyRoute]:
    return {f"{min(r.methods or {'GET'})} {r.path}": r for r in app.routes if isinstance(r, LazyRoute)}


def test_the_application_starts_with_no_route_analysed_and_a_request_analyses_only_its_own(
    client: TestClient, login: Callable[[Person], dict[str, str]], make_person: Callable[..., Person]
) -> None:
    routes = _lazy(client.app)
    assert len(routes) > 200  # every router of the API and the pages is added as LazyRoutes
    headers = login(make_person("staff"))  # analyses the token route
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    analysed = {key for key, route in routes.items() if route.analysed}
    assert analysed == {"POST /api/v1/auth/token", "GET /api/v1/me"}


def test_every_route_analyses_as_fastapi_would(app: Any) -> None:
    """What a route declares wrongly surfaces here, not at its first request in production."""
    for key, route in _lazy(app).items():
        assert route.dependant is not None, key
        assert route.analysed, key
        assert route.unique_id, key


def test_a_route_that_cannot_be_analysed_fails_every_time_it_is_asked_and_breaks_no_other() -> None:
    router = lazy_router()

    @router.get("/fine")
    def fine() -> dict[str, int]:
        return {"ok": 1}

    @router.get("/broken/{item}")
    def broken(item: dict[str, int]) -> dict[str, int]:  # not a type FastAPI reads from a path
        return {"ok": 0}

    app = FastAPI()
    include(app, router, prefix="/p")
    with TestClient(app, raise_server_exceptions=True) as local:
        assert local.get("/p/fine").json() == {"ok": 1}
        for _ in range(2):  # not half-built after the first failure
            with pytest.raises(AssertionError, match="Path params"):  # FastAPI's own check
                local.get("/p/broken/1")
    broken_route = _lazy(app)["GET /p/broken/{item}"]
    assert not broken_route.analysed


def test_include_refuses_a_router_whose_routes_are_analysed_where_declared() -> None:
    from fastapi import APIRouter

    eager = APIRouter()

    @eager.get("/x")
    def x() -> None:
        return None

    with pytest.raises(TypeError, match="lazy_router"):
        include(FastAPI(), eager)
