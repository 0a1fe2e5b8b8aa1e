"""A whole round, run through the real services (the demo's stages), then sent over SMTP: every
recipient receives exactly the messages the data says it should, none twice, and no expert learns
which applicant it is to score before opening the sheet."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scoring.demo import _stages
from scoring.demo.people import seed_people
from scoring.services.admin.notifications.sender import deliver_due
from scoring.settings import Settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work
from scoring.store.models import (
    Application,
    AuditEvent,
    DesignatedBase,
    Evaluation,
    Expert,
    Objection,
    Organisation,
    Panel,
    Rectification,
    Round,
    Sheet,
    User,
)
from scoring.store.models.notifications import Delivery, Notification, NotificationPreference
from tests.notifications.conftest import Mailbox, mail_settings

_REVIEWED = ("shortlisted", "designated", "not_designated")
Expected = dict[str, list[tuple[str, str]]]  # address -> [(kind, what the subject names)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sessionmaker[Session], Settings, Any]]:
    var: Path = tmp_path_factory.mktemp("round_messages")
    url = f"sqlite:///{(var / 'round.sqlite3').as_posix()}"
    migrate.upgrade(url)
    settings = Settings(
        environment="development", var_dir=var, database_url=url, secret_key=secrets.token_urlsafe(40)
    )
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as s:
        people = seed_people(s)
        for username, user in people.users.items():  # everyone gives an address before the round starts
            s.add(NotificationPreference(user_id=user.id, email=f"{username}@round.example.cn"))
    for stage in _stages():
        if stage.__module__ != "scoring.demo.notifications":
            with unit_of_work(factory) as s:
                stage(s, people, settings)
    yield factory, settings, people
    engine.dispose()


def _address(s: Session) -> dict[int, str]:
    return {u.id: f"{u.username}@round.example.cn" for u in s.scalars(select(User))}


def _expected(s: Session) -> Expected:
    """What each address must receive, from the domain data and the audit trail (not the outbox)."""
    addr = _address(s)
    users = list(s.scalars(select(User).where(User.is_active.is_(True))))
    out: Expected = defaultdict(list)

    def applicants(org_id: int) -> list[str]:
        return [addr[u.id] for u in users if u.role == "applicant" and u.organisation_id == org_id]

    apps = {a.id: a for a in s.scalars(select(Application))}
    orgs = {o.id: o for o in s.scalars(select(Organisation))}
    for ev in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if ev.action == "application.submit":
            app = apps[int(ev.entity_id)]
            district = orgs[app.organisation_id].district
            for u in users:
                if u.role == "county" and u.district == district:
                    out[addr[u.id]].append(("application_waiting", app.title))
        elif ev.action == "application.recommendation" and ev.after["decision"] == "return":
            app = apps[int(ev.entity_id)]
            for a in applicants(app.organisation_id):
                out[a].append(("application_returned", app.title))
        elif ev.action == "application.formal_check":
            app = apps[int(ev.entity_id)]
            for a in applicants(app.organisation_id):
                out[a].append(("formal_check_result", app.title))
    for rnd in s.scalars(select(Round).where(Round.notice_starts_on.is_not(None))):
        reviewed = [a for a in apps.values() if a.round_id == rnd.id and a.status in _REVIEWED]
        for app in reviewed:
            for a in applicants(app.organisation_id):
                out[a].append(("notice_opened", rnd.title))
                if rnd.status == "published":
                    out[a].append(("results_published", rnd.title))
    experts = {e.id: e for e in s.scalars(select(Expert))}
    panels = {p.id: p for p in s.scalars(select(Panel))}
    rounds = {r.id: r for r in s.scalars(select(Round))}
    seen: set[tuple[int, int]] = set()
    for sheet in s.scalars(select(Sheet).order_by(Sheet.id)):
        expert = experts[sheet.expert_id]
        if expert.user_id is not None and (sheet.panel_id, sheet.expert_id) not in seen:
            seen.add((sheet.panel_id, sheet.expert_id))
            out[addr[expert.user_id]].append(
                ("panel_assigned", rounds[panels[sheet.panel_id].round_id].title)
            )
    bases = {b.id: b for b in s.scalars(select(DesignatedBase))}
    for ev in s.scalars(select(Evaluation)):
        expert = experts[ev.evaluator_id] if ev.evaluator_id else None
        if expert is not None and expert.user_id is not None:
            out[addr[expert.user_id]].append(("evaluation_assigned", bases[ev.base_id].name))
    for obj in s.scalars(select(Objection)):
        for u in users:
            if u.role == "staff":
                out[addr[u.id]].append(("objection_received", apps[obj.application_id].title))
    for order in s.scalars(select(Rectification)):
        base = bases[order.base_id]
        for a in applicants(base.organisation_id):
            out[a].append(("rectification_ordered", base.name))
    for base in bases.values():
        if base.status == "revoked":
            for a in applicants(base.organisation_id):
                out[a].append(("revocation_decided", base.name))
    return out


def test_every_recipient_gets_exactly_its_messages_and_none_twice(
    world: tuple[sessionmaker[Session], Settings, Any], smtp: tuple[Mailbox, int]
) -> None:
    factory, settings, _ = world
    box, port = smtp
    cfg = mail_settings(settings, port)
    while deliver_due(factory, settings=cfg, limit=500).sent:
        pass
    with factory() as s:
        expected = _expected(s)
        statuses = set(s.scalars(select(Delivery.status)))
        notes = s.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    assert statuses == {"sent"} and notes is not None
    keys = [m["X-Shuangchuang-Key"] for m in box.messages]
    assert len(keys) == len(set(keys)), "a message was sent twice"
    received: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for m in box.messages:
        received[m["To"]].append((m["X-Shuangchuang-Key"].split(":")[0], m["Subject"]))
    assert sorted(received) == sorted(expected)
    for address, wanted in expected.items():
        got = list(received[address])
        for kind, name in wanted:
            match = next((g for g in got if g[0] == kind and name in g[1]), None)
            assert match is not None, f"{address} did not get {kind} about {name}: {got}"
            got.remove(match)
        assert got == [], f"{address} got more than expected: {got}"
    kinds = {k for msgs in expected.values() for k, _ in msgs}
    assert kinds >= {"application_waiting", "formal_check_result", "panel_assigned", "notice_opened",
                     "results_published", "objection_received", "evaluation_assigned",
                     "rectification_ordered", "revocation_decided"}  # fmt: skip
    assert len(box.messages) == sum(len(v) for v in expected.values())


def test_no_expert_message_names_an_applicant_or_an_application(
    world: tuple[sessionmaker[Session], Settings, Any],
) -> None:
    from scoring.services.admin.notifications.render import render

    factory, _, _ = world
    with factory() as s:
        names = set(s.scalars(select(Organisation.name))) | set(s.scalars(select(Application.title)))
        notes = list(s.scalars(select(Notification).where(Notification.recipient_role == "expert")))
    assert notes
    for note in notes:
        for locale in ("zh_CN", "en"):
            out = render(note.kind, note.params, locale=locale, link=note.link)
            text = out.subject + out.body
            assert not [n for n in names if n in text], (note.kind, text)


def test_each_applicant_hears_only_its_own_outcome(
    world: tuple[sessionmaker[Session], Settings, Any],
) -> None:
    factory, _, _ = world
    with factory() as s:
        rows = s.execute(
            select(Notification.params, User.organisation_id)
            .join(User, User.id == Notification.recipient_id)
            .where(Notification.kind.in_(("notice_opened", "results_published")))
        ).all()
        own = {(a.organisation_id, a.title): a.status for a in s.scalars(select(Application))}
    assert rows
    for params, org_id in rows:
        assert (org_id, params["application_title"]) in own


def test_the_demo_gives_every_role_an_inbox_with_a_history(
    world: tuple[sessionmaker[Session], Settings, Any],
) -> None:
    from scoring.demo.notifications import KEEP_UNREAD, seed_notifications
    from scoring.services.admin.accounts import actor_for
    from scoring.services.admin.notifications.inbox import inbox

    factory, settings, people = world
    with unit_of_work(factory) as s:
        seed_notifications(s, people, settings)
    with factory() as s:
        for role in ("applicant", "county", "expert", "evaluator", "staff"):
            users = s.scalars(select(User).where(User.role == role).order_by(User.id)).all()
            boxes = [inbox(s, actor=actor_for(u)) for u in users]
            assert any(b.items for b in boxes), role
            for box in boxes:
                assert box.unread == min(KEEP_UNREAD, len(box.items))
                assert all(i.subject and not i.broken for i in box.items)
