"""`notify run` twice at once (two timers, two workers): every reminder is queued and sent exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from scoring.core.credit_code import make_credit_code
from scoring.services.admin.notifications.scheduler import run_once
from scoring.settings import Settings
from scoring.store.models import Application, Expert, Organisation, Panel, Round, Sheet
from scoring.store.models.notifications import Notification
from tests.notifications.conftest import Committed, Mailbox, mail_settings

NOW = datetime(2031, 5, 4, 2, 0, tzinfo=UTC)


def _review_round(c: Committed, experts: int) -> list[int]:
    users = [c.user("expert", email=f"rev{i}@example.cn") for i in range(experts)]
    with c.factory() as s, s.begin():
        org = Organisation(name="并发测试企业", credit_code=make_credit_code("9", "1", "130102", "77000001"),
                           kind="enterprise", district="长安区")  # fmt: skip
        rnd = Round(
            year=2031, title="2031年度评选", status="reviewing", kinds=["enterprise"], rubric_versions={},
            references={}, quotas={}, scoring_deadline=NOW + timedelta(hours=20),
        )  # fmt: skip
        s.add_all([org, rnd])
        s.flush()
        panel = Panel(round_id=rnd.id, kind="enterprise", size=5, reserves=0, seed=1, result={})
        app = Application(round_id=rnd.id, kind="enterprise", organisation_id=org.id, title="并发测试申报")
        pool = [Expert(user_id=u, name=f"专家{u}") for u in users]
        s.add_all([panel, app, *pool])
        s.flush()
        sheets = [
            Sheet(panel_id=panel.id, application_id=app.id, expert_id=e.id, status="draft") for e in pool
        ]
        s.add_all(sheets)
        s.flush()
        c.rows += [org, rnd, panel, app, *pool, *sheets]
    return users


def test_two_runs_at_once_queue_and_send_each_reminder_once(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    users = _review_round(committed, experts=8)
    cfg = mail_settings(settings, port)
    start = threading.Barrier(2)
    results: list[tuple[int, dict[str, int]]] = []

    def runner() -> None:
        start.wait()
        queued, report = run_once(committed.factory, settings=cfg, now=lambda: NOW)
        results.append((queued, report.as_dict()))

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(q for q, _ in results) == 8
    assert (
        sum(r["sent"] for _, r in results)
        + run_once(committed.factory, settings=cfg, now=lambda: NOW)[1].sent
        == 8
    )
    assert sorted(m["To"] for m in box.messages) == sorted(f"rev{i}@example.cn" for i in range(8))
    assert {m["Subject"] for m in box.messages} == {"【双创评审】评分将于1 天后截止：2031年度评选"}
    with committed.factory() as s:
        per_user = s.execute(
            select(Notification.recipient_id, func.count())
            .where(Notification.recipient_id.in_(users))
            .group_by(Notification.recipient_id)
        ).all()
    assert sorted(n for _, n in per_user) == [1] * 8
