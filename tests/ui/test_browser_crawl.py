"""Every page each role can reach, in Chinese, on a phone (390×844) and a desktop (1440×900): no
page-level sideways scroll, no internal identifier or English word in the visible text, 0 serious or
critical axe-core violations at either width; each role's main page in English too; a chart page is
light on first load and asks for no asset on the second.
Screenshots go to test-output/screenshots/crawl/."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest

from tests.web.conftest import SCREENSHOTS, LiveServer, browser_login

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
MAX_PAGES = 40  # per role; pages that differ only by their ids count once (ID_PATTERN)
ID_PATTERN = re.compile(r"(?<=[/=])\d+|(?<=/templates/)[a-z0-9_]+")  # ids; message template kinds
# Links that are not pages: the API (downloads), files, switching language, logging out.
SKIP = ("/api/", "/files/", "/lang/", "/logout", "/static/", "/login")
DOWNLOADS = ("/documents/", ".docx", ".xlsx", ".csv", ".pdf")  # files, not pages


def _download(path: str) -> bool:
    return any(part in path for part in DOWNLOADS)


IDENTIFIER = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\b[a-z]{1,3}\d+_\d+\b")
ENGLISH = re.compile(r"[A-Za-z]{2,}")
# English words a Chinese page may show: the language switch, file formats, units, acronyms.
ALLOWED_WORDS = {
    "English",
    "HTML",
    "SEQ",  # the anchor format SEQ:HASH, as the verify command takes it
    "HASH",
    "XLSX",
    "CSV",
    "PDF",
    "KB",
    "MB",
    "DRC",
    "ID",
    "SHA",
    "Excel",
    "PNG",
    "JPG",
    "JPEG",
    "ZIP",
}
# The rendered text, less what is marked translate="no": people's own data (login names, file names)
# and the indicator codes staff use beside the indicators' names.
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest('[translate="no"], script, style, noscript, template')) continue;
    if (parent.tagName !== "OPTION" && !parent.checkVisibility({visibilityProperty: true})) continue;
    out.push(walker.currentNode.textContent);
  }
  return out.join(" ");
}"""
ROLES = ("staff", "county", "applicant", "expert", "evaluator")


def visible_problems(text: str) -> list[str]:
    ids = set(IDENTIFIER.findall(text))
    words = {w for w in ENGLISH.findall(text) if w not in ALLOWED_WORDS}
    return sorted(ids | words)


def test_visible_text_rules_catch_identifiers_and_english() -> None:
    assert visible_problems("研发投入强度 rd_intensity 2.00%") == ["intensity", "rd", "rd_intensity"]
    assert visible_problems("指标 r1_1 与 pu1_1") == ["pu", "pu1_1", "r1_1"]
    assert visible_problems("下载 XLSX · English") == []
    assert visible_problems("提交 submit") == ["submit"]


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> dict[str, tuple[str, str]]:
    """The demo data set on the live server; the highlighted login of each role."""
    from scoring.demo import STAGE_NAMES, seed_demo

    steps: list[tuple[int, int, str]] = []
    credentials = seed_demo(
        live_server.sessionmaker,
        settings=live_server.settings,
        progress=lambda done, total, name: steps.append((done, total, name)),
    )
    # `serve --demo` shows these as a progress bar while the demo builds
    stages = len(STAGE_NAMES)  # the people, then each stage
    assert [(d, t) for d, t, _ in steps] == [(n, stages) for n in range(stages + 1)]
    assert steps[0][2] == "组织与账号" and steps[-1][2] == ""
    logins: dict[str, tuple[str, str]] = {}
    for role, username, password in credentials:
        logins.setdefault(role, (username, password))
    return logins


def crawl(page: Any, base: str, start: str) -> list[str]:
    """Same-origin pages reachable from `start` by links, breadth first, one per id pattern."""
    seen_patterns: set[str] = set()
    found: list[str] = []
    queue = deque([start])
    while queue and len(found) < MAX_PAGES:
        url = queue.popleft()
        pattern = ID_PATTERN.sub("N", urlparse(url).path + "?" + urlparse(url).query)
        if pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(url)
        if (
            response is None
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        found.append(url)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urldefrag(href)[0]
            path = urlparse(target).path
            if target.startswith(base) and not any(path.startswith(s) for s in SKIP) and not _download(path):
                queue.append(target)
    return found


def check_page(page: Any, url: str, label: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    problems: list[str] = []
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    if width > viewport:
        problems.append(f"{url}: the page is {width}px wide at {viewport}px")
    bad = visible_problems(page.evaluate(VISIBLE_TEXT))
    if bad:
        problems.append(f"{url}: visible identifiers or English: {bad}")
    shots = SCREENSHOTS / "crawl"
    shots.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", urlparse(url).path.lower()).strip("-") or "home"
    page.screenshot(path=str(shots / f"{label}-{name}.png"), full_page=True)
    return problems


def axe_violations(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ' (' + v.nodes.length + '): '"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return [f"{url}: {v}" for v in result]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_fits_a_phone_and_a_desktop_in_chinese(
    live_server: LiveServer, browser: Any, demo: dict[str, tuple[str, str]], role: str
) -> None:
    username, password = demo[role]
    problems: list[str] = []
    pages: list[str] = []
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)  # axe injected
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            browser_login(page, live_server.url, username, password)
            if not pages:
                pages = crawl(page, live_server.url, page.url)
                assert len(pages) >= 2, pages
            for url in pages:
                problems += check_page(page, url, f"{role}-{size}")
                problems += [f"{size}: {p}" for p in axe_violations(page, url)]
        finally:
            context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_the_main_page_of_a_role_in_english(
    live_server: LiveServer, browser: Any, demo: dict[str, tuple[str, str]], role: str
) -> None:
    """The smaller English pass: the page each role lands on, at both widths; no identifier, no sideways
    scroll, 0 serious or critical axe violations; the page says it is English."""
    username, password = demo[role]
    problems: list[str] = []
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(locale="en-US", viewport=viewport, bypass_csp=True)  # axe injected
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            browser_login(page, live_server.url, username, password)
            url = page.url
            assert page.evaluate("document.documentElement.lang") == "en", url
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                problems.append(f"{size} {url}: the page is {width}px wide")
            ids = sorted(set(IDENTIFIER.findall(page.evaluate(VISIBLE_TEXT))))
            if ids:
                problems.append(f"{size} {url}: visible identifiers: {ids}")
            shots = SCREENSHOTS / "crawl"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"en-{role}-{size}.png"), full_page=True)
            problems += [f"{size}: {p}" for p in axe_violations(page, url)]
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_the_public_pages_fit_a_phone_without_login(live_server: LiveServer, browser: Any, demo: Any) -> None:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True)  # axe injected
    try:
        page = context.new_page()
        pages = crawl(page, live_server.url, f"{live_server.url}/public/bases")
        problems = [p for url in pages for p in check_page(page, url, "public-phone")]
        problems += [p for url in pages for p in axe_violations(page, url)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/staff/bases/1", "/staff/rounds/1/ranking"])
def test_a_chart_page_is_light_on_first_load_and_asks_for_no_asset_on_the_second(
    live_server: LiveServer, browser: Any, demo: dict[str, tuple[str, str]], path: str, monkeypatch: Any
) -> None:
    from web.assets import assets

    served: list[str] = []
    original = assets.response

    def counting(relative: str, headers: Any) -> Any:
        served.append(relative)
        return original(relative, headers)

    monkeypatch.setattr(assets, "response", counting)  # the live server runs in this process
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    try:
        page = context.new_page()
        browser_login(page, live_server.url, *demo["staff"])
        sizes: list[int] = []
        page.on("requestfinished", lambda request: sizes.append(request.sizes()["responseBodySize"]))
        served.clear()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("!!document.querySelector('canvas')"), "the chart was not drawn"
        assert any(name.startswith("vendor/echarts.min.") for name in served), served
        assert sum(sizes) <= 200_000, (sum(sizes), sizes)
        served.clear()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert served == []
    finally:
        context.close()
