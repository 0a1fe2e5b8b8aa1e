"""Routes analysed when first served, and routers added to the application without FastAPI's wrapper.

FastAPI analyses a route where it is declared: the endpoint's signature, its dependencies, and a
pydantic validator for every parameter, body and response model (262 routes, some 970 validators:
most of a server's start-up time and a good part of its memory). An included router is then analysed
a second time, route by route, on its first request. Here a route keeps only what matching and
`url_for` need (path, name, methods) until something first asks for more, which is its first request
or the OpenAPI document; `include` adds a router's routes to the application itself, already under
their prefix, so nothing is analysed twice. A worker then holds the validators of the routes it serves.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute
from pydantic.warnings import UnsupportedFieldAttributeWarning
from starlette.routing import compile_path, get_name


class LazyRoute(APIRoute):
    """An APIRoute whose analysis (APIRoute.__init__) runs on first access to what it builds."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        # What the router's matching, the Allow header and url_for read; the rest is analysed later.
        self._pending: dict[str, Any] | None = options
        self.path = path
        self.endpoint = endpoint
        name = options.get("name")
        self.name = get_name(endpoint) if name is None else name
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self.methods = {method.upper() for method in (options.get("methods") or ["GET"])}
        self.include_in_schema = options.get("include_in_schema", True)

    @property
    def analysed(self) -> bool:
        return self._pending is None

    def __getattr__(self, name: str) -> Any:
        # Reached only for attributes not set yet, i.e. those the analysis sets.
        options = self.__dict__.get("_pending")
        if options is None or name.startswith("__"):
            raise AttributeError(name)
        self._pending = None  # a missing attribute read during the analysis is an AttributeError
        try:
            APIRoute.__init__(self, self.path, self.endpoint, **options)
            _build_validators(self)
        except BaseException:
            self._pending = options  # the next request fails the same way, rather than half-built
            raise
        return getattr(self, name)

    def under(self, prefix: str, dependency_overrides_provider: Any) -> LazyRoute:
        """The same route served under `prefix`; nothing analysed yet."""
        if self._pending is None:
            raise RuntimeError(f"{self.path} was analysed before it was included")
        options = self._pending | {"dependency_overrides_provider": dependency_overrides_provider}
        return LazyRoute(prefix + self.path, self.endpoint, **options)


def _build_validators(route: APIRoute) -> None:
    """Build the route's validators now, as FastAPI would where it declares a route.

    A model deferred by scoring.core.schema defers the TypeAdapter FastAPI makes of it, which would then
    be built on first validation, outside the filter under which FastAPI hides pydantic's warning about
    parameter metadata such as Body's alias.
    """
    fields = [route.body_field, route.response_field, *route.response_fields.values()]
    fields += get_flat_params(route.dependant)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedFieldAttributeWarning)
        for field in fields:
            adapter = getattr(field, "_type_adapter", None)
            if adapter is not None and not adapter.pydantic_complete:
                adapter.rebuild(_types_namespace={})


def lazy_router(**options: Any) -> APIRouter:
    """An APIRouter whose routes are LazyRoutes (options: APIRouter's, such as tags and dependencies)."""
    return APIRouter(route_class=LazyRoute, **options)


def include(app: FastAPI, router: APIRouter, *, prefix: str = "") -> None:
    """Add the router's routes to the application under `prefix`, in order, without analysing them.

    Tags and dependencies given to the router are already in each route's options (APIRouter merges
    them when a route is declared), so nothing of `include_router`'s is lost for these routers.
    """
    for route in router.routes:
        if not isinstance(route, LazyRoute):
            raise TypeError(f"{route!r}: declare the router with lazy_router()")
        app.router.routes.append(route.under(prefix, app))
    app.state.route_table = None  # api.edge.methods builds it again when next asked for
