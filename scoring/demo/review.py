"""Demo stage 3: a committed panel draw per kind (commit, contribution, reveal), declarations (one
expert declines and a reserve takes the sheet), and every sheet scored and submitted with plausible,
reproducible scores — including one clear outlier sheet and two applications that tie exactly."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.demo.data import DEMO, DemoApplication
from scoring.demo.people import DemoPeople
from scoring.services.admin.accounts import actor_for
from scoring.services.designation.rounds import round_rubric
from scoring.services.review.draw_record import draw_committed
from scoring.services.review.sheets import DeclarationIn, SheetUpdate, declare, save_sheet, submit
from scoring.settings import Settings
from scoring.store.models import Application, Expert, Round, Sheet, User

SECRETS = {k: f"demo-2023-{k}-draw-secret" for k in ("regional", "university", "enterprise")}
# One expert declares a conflict on the first sheet of this application; the next reserve takes it.
DECLINES = {"kangtuo": "本人近三年曾为该企业研发中心建设提供有偿咨询服务,依规申请回避。"}
OUTLIER_DROP = Decimal("0.35")  # the outlier sheet sits ~28 points below its panel

COMMENTS = (
    "建设基础扎实,制度体系较完善,建议进一步量化建设目标。",
    "特色较突出,示范带动作用明显;投融资服务体系尚需加强。",
    "材料翔实,部分指标佐证不够充分,建议补充实施成效数据。",
    "整体较好,双创文化氛围营造有亮点。",
)


def seed_review(session: Session, people: DemoPeople, settings: Settings) -> None:
    staff = people.actor("staff")
    rnd = session.scalar(select(Round).order_by(Round.id.desc()).limit(1))
    assert rnd is not None
    for kind in rnd.kinds:
        draw_committed(
            session,
            committer=staff,
            contributor=people.actor("staff2"),
            round_id=rnd.id,
            kind=kind,
            secret=SECRETS[kind],
            contribution=f"demo-contribution-{kind}",
        )  # the demo acts as both staff members; the audit head still makes the seed
    by_org = {people.orgs[a.organisation].id: a for a in DEMO.applications}
    apps = {a.id: a for a in session.scalars(select(Application).where(Application.round_id == rnd.id))}
    _declare_all(session, apps, by_org)
    rows = session.execute(
        select(Sheet, User)
        .join(Expert, Expert.id == Sheet.expert_id)
        .join(User, User.id == Expert.user_id)
        .join(Application, Application.id == Sheet.application_id)
        .where(Application.round_id == rnd.id, Sheet.status == "draft")
        .order_by(Sheet.application_id, Sheet.id)
    ).all()
    position: dict[int, int] = {}
    for sheet, user in rows:
        app = apps[sheet.application_id]
        demo_app = by_org[app.organisation_id]
        k = position.get(app.id, 0)
        position[app.id] = k + 1
        rubric = round_rubric(session, rnd, app.kind)
        scores = _scores(rubric, demo_app, k)
        expert = actor_for(user)
        save_sheet(
            session,
            actor=expert,
            sheet_id=sheet.id,
            data=SheetUpdate(scores=scores, comments=COMMENTS[k % len(COMMENTS)], version=sheet.version),
        )
        submit(session, actor=expert, sheet_id=sheet.id)


def _declare_all(session: Session, apps: dict[int, Application], by_org: dict[int, DemoApplication]) -> None:
    declined: set[str] = set()
    while True:
        pending = session.execute(
            select(Sheet, User)
            .join(Expert, Expert.id == Sheet.expert_id)
            .join(User, User.id == Expert.user_id)
            .where(Sheet.status == "assigned", Sheet.application_id.in_(apps))
            .order_by(Sheet.application_id, Sheet.id)
        ).all()
        if not pending:
            return
        for sheet, user in pending:
            key = by_org[apps[sheet.application_id].organisation_id].key
            if key in DECLINES and key not in declined:
                declined.add(key)
                declare(
                    session,
                    actor=actor_for(user),
                    sheet_id=sheet.id,
                    data=DeclarationIn(no_conflict=False, reason=DECLINES[key]),
                )
            else:
                declare(
                    session, actor=actor_for(user), sheet_id=sheet.id, data=DeclarationIn(no_conflict=True)
                )


def _scores(rubric: Rubric, demo_app: DemoApplication, k: int) -> dict[str, str]:
    """Scores near quality × max for each expert indicator, in steps; reproducible per application.

    Applications of one tie group draw from the same stream, so their sheets — and scores — are equal.
    """
    rng = random.Random(f"{demo_app.tie_group or demo_app.key}-{k}")
    level = demo_app.quality - (OUTLIER_DROP if demo_app.outlier and k == 0 else 0)
    out: dict[str, str] = {}
    for section in rubric.sections:
        for ind in section.indicators:
            if ind.kind != "expert":
                continue
            noise = Decimal(rng.randint(-8, 8)) / 100
            raw = ind.max_points * min(Decimal(1), max(Decimal(0), level + noise))
            steps = (raw / ind.step).quantize(Decimal(1), ROUND_HALF_UP)
            out[ind.code] = str(steps * ind.step)
    return out
