"""Attach the pages, static assets and page error handling to the application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.edge.routing import include
from web.assets import assets
from web.templating import templates as templates  # re-exported: page modules import it from here

STATIC_DIR = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    from web.deps import PASSWORD_PAGE, LoginRequired, PasswordChangeRequired, login_redirect
    from web.routes import (
        admin_accounts,
        admin_imports,
        admin_organisations,
        admin_rounds,
        applicant,
        applicant_base,
        auditor,
        auth,
        county,
        evaluator,
        expert,
        home,
        inbox,
        public,
        public_anchors,
        public_call,
        register,
        staff_audit,
        staff_bases,
        staff_decision,
        staff_documents,
        staff_round,
        staff_round_end,
    )

    app.mount("/static", assets, name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon(request: Request) -> Response:
        # browsers ask for /favicon.ico before reading the page's <link rel="icon">
        return assets.response("favicon.svg", request.headers)

    for module in (
        admin_rounds,  # before staff_round: /staff/rounds/new must not be read as a round id
        admin_imports,  # before admin_organisations: /admin/organisations/import is not an id
        auth,
        home,
        applicant,
        applicant_base,
        county,
        expert,
        evaluator,
        staff_round,
        staff_round_end,
        staff_audit,
        staff_decision,
        staff_bases,
        staff_documents,
        public,
        inbox,
        admin_organisations,
        admin_accounts,
        register,
        public_call,
        public_anchors,
        auditor,
    ):
        include(app, module.router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        if isinstance(exc, PasswordChangeRequired):
            return RedirectResponse(PASSWORD_PAGE, status_code=303)
        return login_redirect(request)
