"""The API documentation pages (Swagger UI, ReDoc) from vendored assets, started by a script file."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

# ReDoc injects its styles as <style> elements and builds a search worker from a blob: the only
# pages whose CSP allows either (see api.edge.headers).
DOCS_PATHS = ("/api/v1/docs", "/api/v1/redoc")


def _page(title: str, viewer: str, openapi_url: str, head: str, script: str) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">{head}</head>
<body><div id="apidocs" data-viewer="{viewer}" data-openapi="{escape(openapi_url)}"></div>
<script src="{script}"></script>
<script src="/static/js/apidocs.js"></script>
</body></html>"""
    )


def install_docs(app: FastAPI, *, openapi_url: str) -> None:
    swagger_path, redoc_path = DOCS_PATHS

    @app.get(swagger_path, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(
            f"{app.title} — Swagger UI",
            "swagger",
            openapi_url,
            '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">',
            "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        )

    @app.get(redoc_path, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(
            f"{app.title} — ReDoc", "redoc", openapi_url, "", "/static/vendor/redoc/redoc.standalone.js"
        )
