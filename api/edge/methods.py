"""The Allow header of a 405: every method some route accepts on the requested path.

The application's routers are added route by route (api.edge.routing.include), so the route table is
the application's own route list; reading path and methods analyses no route.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.routing import Route, compile_path

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def route_table(app: Any) -> tuple[tuple[str, frozenset[str]], ...]:
    """(path, methods) of every route the application serves."""
    cached: tuple[tuple[str, frozenset[str]], ...] | None = getattr(app.state, "route_table", None)
    if cached is not None:
        return cached
    # APIRoute is a Route; mounts have no methods
    table = tuple(
        (route.path, frozenset(route.methods))
        for route in app.routes
        if isinstance(route, Route) and route.methods
    )
    app.state.route_table = table
    return table


@lru_cache(maxsize=1024)
def _regex(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


def allowed_methods(request: Request) -> str:
    """Starlette answers 405 from the first route whose path matches, naming only its methods;
    paths served by several routes (GET and DELETE of one resource) need the union."""
    path = request.url.path
    methods = literal_methods(request) or set()
    if not methods:
        for route_path, route_methods in route_table(request.app):
            if _regex(route_path).match(path):
                methods |= route_methods
    if "GET" in methods:  # api.edge.head answers HEAD wherever GET is served
        methods.add("HEAD")
    return ", ".join(sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m)))


def literal_methods(request: Request) -> set[str] | None:
    """The methods of the routes whose path is exactly the requested one (no parameters), or None.
    `/rounds/setup` is its own resource, not `/rounds/{round_id}` with a malformed id."""
    methods: set[str] = set()
    found = False
    for route_path, route_methods in route_table(request.app):
        if route_path == request.url.path:
            found = True
            methods |= route_methods
    return methods if found else None
