"""create_app(settings): the composition root of the API and the pages."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.edge.backpressure import Backpressure
from api.edge.docs import install_docs
from api.edge.errors import install_error_handlers
from api.edge.head import HeadAsGet
from api.edge.headers import SecurityHeaders
from api.edge.limits import BodyLimit
from api.edge.locale import LocaleMiddleware
from api.edge.routing import include
from api.v1.routes import (
    accounts,
    applications,
    audit,
    auth,
    bases,
    call,
    documents,
    evaluations,
    experts,
    inbox,
    integrity,
    organisations,
    panels,
    public,
    publication,
    ranking,
    registration,
    round_end,
    rounds,
    rubrics,
    sheets,
)
from scoring.services.admin.notifications.scheduler import start_in_process
from scoring.settings import Settings, get_settings
from scoring.store import checkpoints
from scoring.store.db import DB_POOL_CAPACITY, make_engine, make_sessionmaker
from web.deps import error_page
from web.mount import mount_web

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    owns_engine = engine is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notifier = start_in_process(app.state.sessionmaker, settings)
        yield
        notifier.stop()
        if owns_engine:
            app.state.engine.dispose()

    app = FastAPI(
        title="shuangchuang — 石家庄市“双创”示范基地评审与管理",
        version="1.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served from vendored assets by api.edge.docs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    checkpoints.configure(key=settings.audit_key, interval=settings.audit_checkpoint_interval)
    app.state.engine = engine if engine is not None else make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    install_error_handlers(app, error_page=error_page)
    install_docs(app, openapi_url=f"{API_PREFIX}/openapi.json")

    include(app, auth.health_router)
    include(app, auth.router, prefix=API_PREFIX)
    _include_feature_routers(app)
    mount_web(app)

    app.add_middleware(HeadAsGet)
    # Fewer requests in flight than database connections (see api.edge.backpressure).
    app.add_middleware(
        Backpressure,
        limit=DB_POOL_CAPACITY - 2,
        body_idle_timeout=settings.body_idle_timeout_seconds,
        body_min_bytes_per_second=settings.body_min_bytes_per_second,
        send_timeout=settings.send_timeout_seconds,
        read_yield=settings.read_yield_ms / 1000,
    )
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(
        BodyLimit,
        default_limit=settings.max_body_bytes,
        upload_limit=settings.max_file_bytes + 64 * 1024,
    )
    app.add_middleware(SecurityHeaders, secure=settings.cookie_secure)
    return app


def create_served_app() -> FastAPI:
    """The application as `serve` runs it, once per worker process.

    Building it leaves some 140,000 long-lived objects (modules, routes, models) that Python's cyclic
    collector would walk again at every full collection, about 50–100 ms during which the worker
    answers nothing. They live as long as the process, so they are set aside (gc.freeze) and the
    collector then runs for what serving makes. No collection first: one found nothing to free and
    took 130–280 ms of start-up (`serve` turns the collector off while the app is imported and built;
    this turns it on again). Not for tests, which build many applications in one process.
    """
    app = create_app()
    gc.freeze()
    gc.enable()
    return app


def _include_feature_routers(app: FastAPI) -> None:
    for module in (
        rubrics,
        rounds,
        applications,
        experts,
        panels,
        sheets,
        ranking,
        publication,
        round_end,
        public,
        bases,
        evaluations,
        audit,
        inbox,
        organisations,
        accounts,
        registration,
        call,
        integrity,
        documents,
    ):
        include(app, module.router, prefix=API_PREFIX)
