"""Demo stage: a second, live round under review, so experts and staff have work in progress.

The applicants not designated in 2023 apply again in the 2024 round. Their panels are drawn; most
experts have declared and scored, some sheets are drafts, and one expert (shown on the console as the
featured expert account) has not yet started: they meet the declaration, then the scoring page.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.districts import DISTRICT_SLUGS
from scoring.demo.data import DEMO, DemoApplication
from scoring.demo.people import DemoPeople
from scoring.demo.review import COMMENTS, _scores
from scoring.demo.round import _file
from scoring.services.admin.accounts import actor_for
from scoring.services.designation.applications import (
    FormalCheckIn,
    RecommendationIn,
    formal_check,
    recommend_application,
)
from scoring.services.designation.rounds import (
    DeadlinesIn,
    ReferencesIn,
    RoundIn,
    RoundTransitionIn,
    create_round,
    round_rubric,
    transition_round,
)
from scoring.services.review.draw_record import draw_committed
from scoring.services.review.sheets import DeclarationIn, SheetUpdate, declare, save_sheet, submit
from scoring.settings import Settings
from scoring.store.db import utcnow
from scoring.store.models import Application, Expert, Round, Sheet, User

LIVE_YEAR = 2024
LIVE_TITLE = "2024年度石家庄市“双创”示范基地评选(2023年度数据)"
LIVE_SECRETS = {k: f"demo-2024-{k}-draw-secret" for k in ("regional", "university", "enterprise")}
SUBMITTED_PER_APPLICATION = 3  # of the panel of five, three have submitted; one is a draft


def seed_live_round(session: Session, people: DemoPeople, settings: Settings) -> None:
    staff = people.actor("staff")
    spec = DEMO.round
    now = utcnow()
    retrying = [a for a in DEMO.applications if _not_designated(session, people, a.organisation)]
    if not retrying:
        return
    rnd = create_round(
        session,
        actor=staff,
        data=RoundIn(
            year=LIVE_YEAR,
            title=LIVE_TITLE,
            kinds=list(spec.kinds),
            # Demo values: the 2022 references of reference-figures.md carried forward.
            references=ReferencesIn(**dict(spec.references), data_year=LIVE_YEAR - 1),
            deadlines=DeadlinesIn(
                application=now + timedelta(days=2),
                recommendation=now + timedelta(days=4),
                scoring=now + timedelta(days=14),
            ),
            panel_size=spec.panel_size,
            reserves=spec.reserves,
            pass_line=spec.pass_line,
            quotas={"regional": 2, "university": 2, "enterprise": 2},
        ),
    )
    transition_round(session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="open"))
    apps = [(_file(session, people, settings, rnd, a), a) for a in retrying]
    transition_round(
        session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="close_applications")
    )
    for app, demo_app in apps:
        district = DEMO.organisation(demo_app.organisation).district
        assert district is not None  # every demo applicant sits in a district with a county recommender
        recommend_application(
            session,
            actor=people.actor(f"county_{DISTRICT_SLUGS[district]}"),
            application_id=app.id,
            data=RecommendationIn(decision="recommend", reason="整改提升明显,同意再次推荐。"),
        )
        formal_check(
            session,
            actor=staff,
            application_id=app.id,
            data=FormalCheckIn(decision="accept", reason="材料完整,数据已核验。"),
        )
    transition_round(session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="start_review"))
    for kind in rnd.kinds:
        draw_committed(
            session,
            committer=staff,
            contributor=people.actor("staff2"),
            round_id=rnd.id,
            kind=kind,
            secret=LIVE_SECRETS[kind],
            contribution=f"demo-contribution-{kind}",
        )  # the demo acts as both staff members; the audit head still makes the seed
    _score_some(session, people, rnd, {app.id: demo_app for app, demo_app in apps})


def _not_designated(session: Session, people: DemoPeople, org_key: str) -> bool:
    org_id = people.orgs[org_key].id
    status = session.scalar(select(Application.status).where(Application.organisation_id == org_id))
    return status == "not_designated"


def _score_some(session: Session, people: DemoPeople, rnd: Round, by_app: dict[int, DemoApplication]) -> None:
    rows = session.execute(
        select(Sheet, User)
        .join(Expert, Expert.id == Sheet.expert_id)
        .join(User, User.id == Expert.user_id)
        .join(Application, Application.id == Sheet.application_id)
        .where(Application.round_id == rnd.id)
        .order_by(Sheet.application_id, Sheet.id)
    ).all()
    # The expert with the most sheets has not started: the newcomer's expert account.
    load = Counter(user.username for _, user in rows)
    featured = min(load, key=lambda name: (-load[name], name))
    people.featured["expert"] = featured
    position: dict[int, int] = {}
    for sheet, user in rows:
        if user.username == featured:
            continue
        k = position.get(sheet.application_id, 0)
        position[sheet.application_id] = k + 1
        if k > SUBMITTED_PER_APPLICATION:
            continue  # not yet declared
        expert = actor_for(user)
        declare(session, actor=expert, sheet_id=sheet.id, data=DeclarationIn(no_conflict=True))
        app = session.get(Application, sheet.application_id)
        assert app is not None
        scores = _scores(round_rubric(session, rnd, app.kind), by_app[app.id], k)
        if k == SUBMITTED_PER_APPLICATION:
            scores = dict(list(scores.items())[: len(scores) // 2])  # a draft, half scored
        save_sheet(
            session,
            actor=expert,
            sheet_id=sheet.id,
            data=SheetUpdate(scores=scores, comments=COMMENTS[k % len(COMMENTS)], version=sheet.version),
        )
        if k < SUBMITTED_PER_APPLICATION:
            submit(session, actor=expert, sheet_id=sheet.id)
