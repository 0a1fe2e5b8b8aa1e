"""In Chromium, every page each demo role can reach runs under the CSP without a single violation."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from hostile_server import running_server

from scoring.demo import seed_demo
from scoring.settings import Settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker
from tests.web.conftest import browser  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser
SKIP = ("/logout", "/lang/", "/files/", "/static/")
DOWNLOADS = ("/documents/", ".docx", ".xlsx", ".csv", ".pdf")  # files, not pages


def _skipped(local: str) -> bool:
    return local.startswith(SKIP) or any(part in local for part in DOWNLOADS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    tmp = tmp_path_factory.mktemp("csp")
    db = f"sqlite:///{(tmp / 'demo.sqlite3').as_posix()}"
    migrate.upgrade(db)
    settings = Settings(
        environment="test", var_dir=tmp, database_url=db, secret_key=secrets.token_urlsafe(40)
    )
    engine = make_engine(db)
    try:
        credentials = seed_demo(make_sessionmaker(engine), settings=settings)
    finally:
        engine.dispose()
    with running_server(tmp, prepared=db, max_connections_per_address="0") as url:
        yield url, credentials


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:  # noqa: F811  (the fixture imported above)
    """The session's one Chromium (tests/web): a second sync Playwright in the same run fails."""
    return browser


def _crawl(page: Any, base: str, start: str, limit: int) -> list[str]:
    seen: list[str] = []
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        page.goto(base + path)
        page.wait_for_load_state("load")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(urljoin(base + path, href))
            local = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc == urlsplit(base).netloc and not _skipped(local) and local not in seen:
                queue.append(local)
    return seen


def _watch(page: Any, violations: list[str]) -> None:
    def on_console(m: Any) -> None:
        if m.type == "error" and ("Content Security Policy" in m.text or "Refused" in m.text):
            violations.append(f"{page.url}: {m.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: violations.append(f"{page.url}: {e}"))


def test_no_page_of_any_demo_role_violates_the_csp(chromium: Any, demo: tuple[str, list[Any]]) -> None:
    base, credentials = demo
    violations: list[str] = []
    visited = 0
    for account in [None, *credentials]:
        context = chromium.new_context(locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        _watch(page, violations)
        if account is not None:
            _role, username, password = account
            page.goto(f"{base}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("form.form button[type=submit]")
            page.wait_for_load_state("load")
        visited += len(_crawl(page, base, "/", limit=25))
        context.close()
    assert violations == []
    assert visited > 60


def test_swagger_ui_and_redoc_render_from_vendored_files(chromium: Any, demo: tuple[str, list[Any]]) -> None:
    base, _ = demo
    context = chromium.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "request",
        lambda r: (
            problems.append(f"off-site {r.url}") if not r.url.startswith((base, "data:", "blob:")) else None
        ),
    )
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    page.goto(f"{base}/api/v1/redoc")
    page.wait_for_selector("[data-section-id]", timeout=20_000)
    context.close()
    assert problems == [], problems
