"""The demo: a complete Shijiazhuang designation round seeded through the real services.

`shuangchuang serve --demo` calls `seed_demo`: organisations and accounts, the expert pool, the round
with applications through recommendation and formal check, a random panel draw with every sheet
scored, the decision, approval and four-eyes publication, dynamic management of the bases, and a
second, live round under review.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from scoring.demo.people import DemoPeople, seed_people
from scoring.settings import Settings
from scoring.store.db import unit_of_work

Credential = tuple[str, str, str]  # role, username, password

# Shown on the console; the rest go to var/demo-accounts.txt.
HIGHLIGHTED = (
    "staff",
    "staff2",
    "admin",
    "county_zhengding",
    "app_zhengding",
    "app_hebust",
    "expert",  # the featured expert of the live round (see scoring.demo.live)
    "evaluator1",
    "auditor",  # read-only: the audit trail, verification, reconciliation, draw records
)


# What each stage is called while it runs (the console shows it: the demo takes tens of seconds).
STAGE_NAMES = (
    "组织与账号",
    "评选批次与申报",
    "专家评审",
    "认定与公布",
    "基地动态管理",
    "进行中的评选",
    "新一年度的申报公告",
    "站内消息与提醒",
)


def seed_demo(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Credential]:
    """Seed everything; `progress(done, total, name)` is called before each stage and at the end."""
    stages = _stages()
    total = len(stages) + 1
    tell = progress or (lambda done, total, name: None)
    tell(0, total, STAGE_NAMES[0])
    with unit_of_work(factory) as session:
        people = seed_people(session)
    for done, stage in enumerate(stages, start=1):
        tell(done, total, STAGE_NAMES[done])
        with unit_of_work(factory) as session:
            stage(session, people, settings)
    tell(total, total, "")
    _write_accounts_file(settings.var_dir, people)
    by_name = {u: (r, u, p) for r, u, p in people.credentials}
    shown = [people.featured.get(u, u) for u in HIGHLIGHTED]
    return [by_name[u] for u in shown if u in by_name]


def _stages() -> list[Callable[[Session, DemoPeople, Settings], object]]:
    """Later stages, each in its own transaction, in the order the work happens."""
    from scoring.demo import bases, decisions, live, notifications, onboarding, review, round

    return [
        round.seed_round,
        review.seed_review,
        decisions.seed_decisions,
        bases.seed_bases,
        live.seed_live_round,
        onboarding.seed_onboarding,
        notifications.seed_notifications,
    ]


def _write_accounts_file(var_dir: Path, people: DemoPeople) -> None:
    path = var_dir / "demo-accounts.txt"
    lines = [f"{role}\t{username}\t{password}" for role, username, password in people.credentials]
    path.write_text("# role\tusername\tpassword (demo only)\n" + "\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
