"""The Allow header of a 405: every method some route accepts on the requested path.

The application's routers are included through `include` below, which records each with its prefix:
the route table is then read from the routers themselves. Walking FastAPI's included-router
wrappers instead would make FastAPI build every route's request model at once (about a second, on
the first error answer of each application instance).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.routing import Route, compile_path

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def include(app: FastAPI, router: APIRouter, *, prefix: str = "") -> None:
    """`app.include_router`, remembering the router and prefix for the route table."""
    app.include_router(router, prefix=prefix)
    sources: list[tuple[str, APIRouter]] = getattr(app.state, "route_sources", [])
    sources.append((prefix, router))
    app.state.route_sources = sources
    app.state.route_table = None  # built again when next asked for


def route_table(app: Any) -> tuple[tuple[str, frozenset[str]], ...]:
    """(path, methods) of every route: the app's own, and those of the routers it included."""
    cached: tuple[tuple[str, frozenset[str]], ...] | None = getattr(app.state, "route_table", None)
    if cached is not None:
        return cached
    entries: list[tuple[str, frozenset[str]]] = []

    def add(routes: Iterable[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Route) and route.methods:  # APIRoute is a Route; mounts have no methods
                entries.append((prefix + route.path, frozenset(route.methods)))

    add(app.routes, "")
    for prefix, router in getattr(app.state, "route_sources", []):
        add(router.routes, prefix)
    table = tuple(entries)
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
