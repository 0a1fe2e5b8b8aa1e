"""The Allow header of a 405: every method some route accepts on the requested path."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.routing import compile_path

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _routes(app: Any) -> Iterable[Any]:
    try:  # FastAPI keeps included routers wrapped; this walks into them
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: routes are flat
        return app.routes
    return iter_route_contexts(app.routes)


@lru_cache(maxsize=1024)
def _regex(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


def allowed_methods(request: Request) -> str:
    """Starlette answers 405 from the first route whose path matches, naming only its methods;
    paths served by several routes (GET and DELETE of one resource) need the union."""
    path = request.url.path
    methods = literal_methods(request) or set()
    if not methods:
        for route in _routes(request.app):
            route_path = getattr(route, "path", None)
            if route_path and getattr(route, "methods", None) and _regex(route_path).match(path):
                methods |= set(route.methods)
    if "GET" in methods:  # api.edge.head answers HEAD wherever GET is served
        methods.add("HEAD")
    return ", ".join(sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m)))


def literal_methods(request: Request) -> set[str] | None:
    """The methods of the routes whose path is exactly the requested one (no parameters), or None.
    `/rounds/setup` is its own resource, not `/rounds/{round_id}` with a malformed id."""
    methods: set[str] = set()
    found = False
    for route in _routes(request.app):
        if getattr(route, "path", None) == request.url.path and getattr(route, "methods", None):
            found = True
            methods |= set(route.methods)
    return methods if found else None
