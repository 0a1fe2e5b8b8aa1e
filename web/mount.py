"""Attach the pages, static assets and page error handling to the application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from web.templating import templates as templates  # re-exported: page modules import it from here

STATIC_DIR = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    from web.deps import LoginRequired, login_redirect
    from web.routes import (
        applicant,
        applicant_base,
        auth,
        county,
        evaluator,
        expert,
        home,
        public,
        staff_audit,
        staff_bases,
        staff_decision,
        staff_round,
        staff_round_end,
    )

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (
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
        public,
    ):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return login_redirect(request)
