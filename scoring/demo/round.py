"""Demo stage 2: the designation round, every application filed with figures, narratives and evidence,
recommended by its county and accepted at formal check — all through the real services."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.districts import DISTRICT_SLUGS
from scoring.demo.data import DEMO, DemoApplication
from scoring.demo.people import DemoPeople
from scoring.services.admin.files import save_upload
from scoring.services.designation.applications import (
    ApplicationCreate,
    ApplicationUpdate,
    FigureCorrection,
    FormalCheckIn,
    RecommendationIn,
    create_application,
    formal_check,
    recommend_application,
    submit_application,
    update_application,
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
from scoring.settings import Settings
from scoring.store.db import utcnow
from scoring.store.models import Application, Round

# A one-page PDF: enough for the content sniffing and for a browser to open.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# Which staff correction the formal check records (figure, verified value, reason), for realism.
CORRECTIONS = {
    "zhengding": ("rd_intensity", "2.35", "经核对县统计局《2022年统计公报》,研发投入强度为2.35%"),
}


def _narrative(app: DemoApplication, org_name: str, text: str, index: int) -> str:
    """A short, plausible narrative for one clause; stronger applicants describe more."""
    detail = (
        "已形成制度文件并连续两年组织实施,成效纳入年度考核。"
        if app.quality >= Decimal("0.75")
        else "已出台相关文件,正在组织实施,部分工作尚处起步阶段。"
    )
    return f"关于“{text}”:{org_name}{detail}(佐证材料见附件{index})"


def seed_round(session: Session, people: DemoPeople, settings: Settings) -> Round:
    staff = people.actor("staff")
    now = utcnow()
    spec = DEMO.round
    rnd = create_round(
        session,
        actor=staff,
        data=RoundIn(
            year=spec.year,
            title=spec.title,
            kinds=list(spec.kinds),
            references=ReferencesIn(**dict(spec.references), data_year=spec.data_year),
            deadlines=DeadlinesIn(
                application=now + timedelta(days=20),
                recommendation=now + timedelta(days=30),
                scoring=now + timedelta(days=45),
            ),
            panel_size=spec.panel_size,
            reserves=spec.reserves,
            pass_line=spec.pass_line,
            quotas=dict(spec.quotas),
        ),
    )
    transition_round(session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="open"))
    applications: dict[str, Application] = {}
    for demo_app in DEMO.applications:
        applications[demo_app.key] = _file(session, people, settings, rnd, demo_app)
    transition_round(
        session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="close_applications")
    )
    for demo_app in DEMO.applications:
        district = DEMO.organisation(demo_app.organisation).district
        assert district is not None  # every demo applicant sits in a district with a county recommender
        county = people.actor(f"county_{DISTRICT_SLUGS[district]}")
        recommend_application(
            session,
            actor=county,
            application_id=applications[demo_app.key].id,
            data=RecommendationIn(decision="recommend", reason="申报材料齐全,建设基础较好,同意推荐。"),
        )
    for demo_app in DEMO.applications:
        corrections = None
        if demo_app.key in CORRECTIONS:
            code, value, reason = CORRECTIONS[demo_app.key]
            corrections = {code: FigureCorrection(value=value, reason=reason)}
        formal_check(
            session,
            actor=staff,
            application_id=applications[demo_app.key].id,
            data=FormalCheckIn(
                decision="accept", reason="材料完整,数据已核验。", verified_figures=corrections
            ),
        )
    transition_round(session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="start_review"))
    return rnd


def _file(
    session: Session, people: DemoPeople, settings: Settings, rnd: Round, demo_app: DemoApplication
) -> Application:
    applicant = people.actor(f"app_{demo_app.organisation}")
    org = DEMO.organisation(demo_app.organisation)
    app = create_application(
        session,
        actor=applicant,
        data=ApplicationCreate(round_id=rnd.id, kind=demo_app.kind, title=demo_app.title),
    )
    rubric: Rubric = round_rubric(session, rnd, demo_app.kind)
    indicators = [ind for section in rubric.sections for ind in section.indicators]
    narratives = {
        ind.code: _narrative(demo_app, org.name, ind.text_zh, i)
        for i, ind in enumerate(indicators, start=1)
        if ind.kind == "expert"
    }
    app = update_application(
        session,
        actor=applicant,
        application_id=app.id,
        data=ApplicationUpdate(
            plan=demo_app.plan, narratives=narratives, figures=dict(demo_app.figures), version=app.version
        ),
    )
    for i, ind in enumerate(indicators, start=1):
        if ind.evidence_required:
            save_upload(
                session,
                actor=applicant,
                settings=settings,
                stream=io.BytesIO(EVIDENCE_PDF),
                original_name=f"附件{i}-{ind.code}佐证材料.pdf",
                indicator_code=ind.code,
                application_id=app.id,
            )
    return submit_application(session, actor=applicant, application_id=app.id)
