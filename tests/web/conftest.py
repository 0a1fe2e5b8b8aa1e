"""Fixtures for page tests (TestClient logged in through the login form) and real-browser tests.

Page tests run on the per-test rolled-back connection of tests/conftest.py. Browser tests need a real
server: `live_server` starts uvicorn in a thread over its own freshly migrated SQLite file, and
`browser_page` drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from scoring.core.actors import SYSTEM
from scoring.services.admin.accounts import OrganisationIn, UserIn, create_organisation, create_user
from scoring.settings import Settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work
from scoring.store.models import Organisation, User
from tests.conftest import PASSWORD, Person
from tests.ranking.conftest import clock, make_world, small_rubric_version  # noqa: F401  (shared fixtures)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')
_META_CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


# ---------------------------------------------------------------------------------------------
# Page tests with TestClient


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page (or of the page's meta tag)."""
    match = _CSRF_RE.search(html) or _META_CSRF_RE.search(html)
    assert match, "no csrf token on the page"
    return match.group(1)


def web_login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Log a TestClient in through the login form, as a browser would."""
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text


@pytest.fixture
def page_as(app: Any) -> Iterator[Callable[[Person], TestClient]]:
    """`page_as(person)`: a fresh TestClient (its own cookie jar) logged in as that person."""
    opened: list[TestClient] = []

    def _as(person: Person) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        c.__enter__()
        opened.append(c)
        web_login(c, person.username, person.password)
        return c

    yield _as
    for c in opened:
        c.__exit__(None, None, None)


def page_csrf(client: TestClient) -> str:
    """The logged-in session's CSRF token, read from any page (the logout form carries it)."""
    return csrf_of(client.get("/").text)


# ---------------------------------------------------------------------------------------------
# A live server for browser tests


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A running server on its own database; helpers commit, so the server sees what they create."""

    url: str
    settings: Settings
    sessionmaker: sessionmaker[Session]
    _n: Any = field(default_factory=lambda: iter(range(1, 10**6)))

    def session(self) -> Any:
        """`with server.session() as s:` — a committed unit of work on the server's database."""
        return unit_of_work(self.sessionmaker)

    def make_org(
        self,
        kind: str = "enterprise",
        district: str | None = "长安区",
        name: str | None = None,
        *,
        session: Session | None = None,
    ) -> Organisation:
        """An organisation; committed at once, or inside `session` when one is given."""
        from scoring.core.credit_code import make_credit_code

        n = next(self._n)
        code = make_credit_code("9", "1", "130102", f"{90000000 + n:08d}")
        data = OrganisationIn(
            name=name or f"浏览器测试单位{n}", credit_code=code, kind=kind, district=district
        )
        if session is not None:
            return create_organisation(session, actor=SYSTEM, data=data)
        with self.session() as s:
            return create_organisation(s, actor=SYSTEM, data=data)

    def make_person(
        self,
        role: str,
        *,
        org: Organisation | None = None,
        district: str | None = None,
        username: str | None = None,
        display_name: str = "",
        session: Session | None = None,
    ) -> Person:
        """A login; committed at once, or inside `session` when one is given."""
        from scoring.services.admin.accounts import actor_for

        name = username or f"{role}{next(self._n)}"
        data = UserIn(
            username=name,
            display_name=display_name,
            password=PASSWORD,
            role=role,
            organisation_id=org.id if org else None,
            district=district,
        )
        if session is not None:
            user: User = create_user(session, actor=SYSTEM, data=data)
            return Person(user=user, actor=actor_for(user))
        with self.session() as s:
            user = create_user(s, actor=SYSTEM, data=data)
            return Person(user=user, actor=actor_for(user))

    def makers(self, session: Session) -> tuple[Callable[..., Organisation], Callable[..., Person]]:
        """make_org and make_person bound to one unit of work (SQLite allows one writer at a time)."""
        return (
            lambda *a, **k: self.make_org(*a, session=session, **k),
            lambda *a, **k: self.make_person(*a, session=session, **k),
        )


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from api.app import create_app

    var = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{(var / 'live.sqlite3').as_posix()}"
    migrate.upgrade(url)
    settings = Settings(
        environment="test", var_dir=var, database_url=url, secret_key=secrets.token_urlsafe(40)
    )
    engine = make_engine(url)
    app = create_app(settings, engine=engine)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{port}", settings=settings, sessionmaker=make_sessionmaker(engine)
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Playwright and Chromium


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # One Chromium per test session: tests/ui's conftest re-exports this fixture (pytest may even
    # import this module twice), and a second sync Playwright inside the first one's loop fails.
    running = getattr(pytestconfig, "_shuangchuang_browser", None)
    if running is not None:
        yield running
        return
    if not Path(CHROMIUM).exists():
        # .ci/run installs Chromium and sets this, so CI fails rather than skips.
        if os.environ.get("SHUANGCHUANG_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pytestconfig._shuangchuang_browser = b  # type: ignore[attr-defined]  # see above
        try:
            yield b
        finally:
            pytestconfig._shuangchuang_browser = None  # type: ignore[attr-defined]
            b.close()


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own cookies) and page; the language is Chinese like the users'."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def new_browser_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """Extra pages in their own contexts, for a second user acting in the same test."""
    contexts: list[Any] = []

    def _new() -> Any:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield _new
    for ctx in contexts:
        ctx.close()


def browser_login(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person does."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("load")


def answer_confirmations(page: Any, agree: bool = True, *, once: bool = False) -> list[str]:
    """Agree to (or refuse) the confirmations the page asks before an irreversible step (every one, or
    only the next); the list fills with what each one said."""
    said: list[str] = []

    def _answer(dialog: Any) -> None:
        said.append(dialog.message)
        if agree:
            dialog.accept()
        else:
            dialog.dismiss()

    (page.once if once else page.on)("dialog", _answer)
    return said


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ---------------------------------------------------------------------------------------------
# Domain set-up shared by the page tests


def round_input(**overrides: Any) -> Any:
    """A valid round with all three kinds and deadlines well in the future."""
    from datetime import timedelta

    from scoring.services.designation.rounds import RoundIn
    from scoring.store.db import utcnow

    now = utcnow()
    values: dict[str, Any] = {
        "year": 2026,
        "title": "2026年度“双创”示范基地评选",
        "kinds": ["regional", "university", "enterprise"],
        "references": {"provincial_rd_intensity": "2.00", "data_year": 2025},
        "deadlines": {
            "application": now + timedelta(days=30),
            "recommendation": now + timedelta(days=60),
            "scoring": now + timedelta(days=90),
        },
        "quotas": {"regional": 3, "university": 2, "enterprise": 3},
    }
    values.update(overrides)
    return RoundIn.model_validate(values)


def open_round_in(session: Session, staff_actor: Any, **overrides: Any) -> Any:
    """Create a round and open it for applications."""
    from scoring.services.designation.rounds import RoundTransitionIn, create_round, transition_round

    rnd = create_round(session, actor=staff_actor, data=round_input(**overrides))
    transition_round(session, actor=staff_actor, round_id=rnd.id, data=RoundTransitionIn(action="open"))
    return rnd


@pytest.fixture
def staff_person(make_person: Callable[..., Person]) -> Person:
    return make_person("staff")


@pytest.fixture
def open_round(session: Session, staff_person: Person) -> Any:
    return open_round_in(session, staff_person.actor)


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_draft(session: Session, person: Person, rnd: Any, title: str, kind: str = "enterprise") -> Any:
    from scoring.services.designation import applications as apps

    return apps.create_application(
        session, actor=person.actor, data=apps.ApplicationCreate(round_id=rnd.id, kind=kind, title=title)
    )


def complete_application(session: Session, settings: Settings, person: Person, app: Any) -> None:
    """Fill every part the submission checks: plan, each narrative, the figures, a file per indicator."""
    import io

    from scoring.services.designation import applications as apps
    from scoring.services.designation.rounds import round_rubric
    from scoring.services.management.files import save_upload
    from scoring.store.models import Round

    rubric = round_rubric(session, session.get(Round, app.round_id), app.kind)
    codes = [ind.code for ind in rubric.indicators()]
    figures = {"rd_platforms": "2", "innovation_platforms": "1"}
    apps.update_application(
        session,
        actor=person.actor,
        application_id=app.id,
        data=apps.ApplicationUpdate(
            plan="三年建成开放共享的双创平台。",
            narratives={code: f"关于{code}的说明" for code in codes},
            figures={f.code: figures.get(f.code, "1") for f in rubric.declared_figures()},
            version=app.version,
        ),
    )
    for code in codes:
        save_upload(
            session,
            actor=person.actor,
            settings=settings,
            stream=io.BytesIO(PDF_BYTES),
            original_name=f"{code}.pdf",
            indicator_code=code,
            application_id=app.id,
        )


def submitted_application(
    session: Session, settings: Settings, person: Person, rnd: Any, title: str, kind: str = "enterprise"
) -> Any:
    from scoring.services.designation import applications as apps

    app = make_draft(session, person, rnd, title, kind)
    complete_application(session, settings, person, app)
    return apps.submit_application(session, actor=person.actor, application_id=app.id)


@dataclass
class ReviewWorld:
    """A round in review: two accepted enterprise applications and a drawn panel of pool experts."""

    round: Any
    staff: Person
    applicants: list[Person]
    applications: list[Any]
    experts: list[tuple[Person, Any]]  # (login, pool expert), the panel members first
    panel: Any

    def sheets_of(self, session: Session, person: Person) -> list[Any]:
        from sqlalchemy import select

        from scoring.store.models import Expert, Sheet

        stmt = (
            select(Sheet)
            .join(Expert, Expert.id == Sheet.expert_id)
            .where(Expert.user_id == person.user.id)
            .order_by(Sheet.application_id)
        )
        return list(session.scalars(stmt))


def build_review_world(
    session: Session,
    settings: Settings,
    make_org: Callable[..., Any],
    make_person: Callable[..., Person],
    *,
    flush: Callable[[], None] = lambda: None,
) -> ReviewWorld:
    """Through the services, as people would: apply, recommend, check, start the review, draw.

    `flush` is called between steps that must be visible to the next (the live server commits).
    """
    from scoring.services.admin.experts import ExpertIn, create_expert
    from scoring.services.designation import applications as apps
    from scoring.services.designation.rounds import RoundTransitionIn, transition_round
    from scoring.services.review.panels import DrawIn, draw

    staff = make_person("staff")
    rnd = open_round_in(session, staff.actor)
    names = ("石家庄甲乙科技股份有限公司", "石家庄丙丁智能装备有限公司")
    applicants = [
        make_person("applicant", org=make_org(kind="enterprise", district="长安区", name=n)) for n in names
    ]
    county = make_person("county", district="长安区")
    applications = []
    for person, name in zip(applicants, names, strict=True):
        app = submitted_application(session, settings, person, rnd, f"{name}企业“双创”示范基地")
        apps.recommend_application(
            session,
            actor=county.actor,
            application_id=app.id,
            data=apps.RecommendationIn(decision="recommend"),
        )
        apps.formal_check(
            session, actor=staff.actor, application_id=app.id, data=apps.FormalCheckIn(decision="accept")
        )
        applications.append(app)
    for action in ("close_applications", "start_review"):
        transition_round(session, actor=staff.actor, round_id=rnd.id, data=RoundTransitionIn(action=action))
    experts = []
    for i in range(6):
        person = make_person("expert")
        university = make_org(kind="university", district=None, name=f"测试大学{person.user.id}")
        expert = create_expert(
            session,
            actor=staff.actor,
            data=ExpertIn(
                name=f"专家{i + 1}号",
                title="教授",
                fields=["产业经济"],
                organisation_id=university.id,
                user_id=person.user.id,
            ),
        )
        experts.append((person, expert))
    flush()
    panel = draw(
        session,
        actor=staff.actor,
        round_id=rnd.id,
        data=DrawIn(kind="enterprise", size=5, reserves=1, seed=7),
    )
    members = set(panel.result["members"])
    experts.sort(key=lambda pe: pe[1].id not in members)
    return ReviewWorld(rnd, staff, applicants, applications, experts, panel)


def score_and_publish(session: Session, world: ReviewWorld, second_staff: Person) -> None:
    """Every panel member scores both applications (the first at the maximum, the second at zero),
    staff decide, record the approval, propose, a second staff member confirms, and the list is
    published after the notice."""
    from datetime import timedelta

    from scoring.services.designation.rounds import RoundTransitionIn, round_rubric, transition_round
    from scoring.services.review import sheets
    from scoring.services.review.decisions import ApprovalIn, DecisionIn, decide, record_approval
    from scoring.services.review.publication import PublicationIn, china_today, publication_action
    from scoring.store.models import Round

    rubric = round_rubric(session, session.get(Round, world.round.id), "enterprise")
    experts = [ind for ind in rubric.indicators() if ind.kind == "expert"]
    best = world.applications[0].id
    for person, _expert in world.experts:
        for sheet in world.sheets_of(session, person):
            if sheet.status != "assigned":
                continue
            sheets.declare(
                session, actor=person.actor, sheet_id=sheet.id, data=sheets.DeclarationIn(no_conflict=True)
            )
            scores = {ind.code: str(ind.max_points if sheet.application_id == best else 0) for ind in experts}
            saved = sheets.save_sheet(
                session,
                actor=person.actor,
                sheet_id=sheet.id,
                data=sheets.SheetUpdate(scores=scores, version=2),
            )
            sheets.submit(
                session, actor=person.actor, sheet_id=sheet.id, data=sheets.SubmitIn(version=saved.version)
            )
    staff = world.staff.actor
    rid = world.round.id
    transition_round(session, actor=staff, round_id=rid, data=RoundTransitionIn(action="start_deciding"))
    decide(session, actor=staff, round_id=rid, data=DecisionIn(kind="enterprise", designate=[best]))
    today = china_today()
    record_approval(
        session,
        actor=staff,
        round_id=rid,
        data=ApprovalIn(document_no="石政函〔2026〕18号", approved_on=today),
    )
    publication_action(session, actor=staff, round_id=rid, data=PublicationIn(action="propose"))
    publication_action(session, actor=second_staff.actor, round_id=rid, data=PublicationIn(action="confirm"))
    publication_action(
        session,
        actor=staff,
        round_id=rid,
        data=PublicationIn(action="finalize"),
        today=today + timedelta(days=14),
    )
