"""Demo stage: the 2025 round's public call, open now, with work at every early step — a draft, an
application waiting for its county, one waiting for the formal check — and a registration waiting for
the county's approval, so a newcomer sees each of those pages."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM, Actor
from scoring.core.credit_code import make_credit_code
from scoring.core.districts import DIVISION_CODES
from scoring.demo.people import DemoPeople, demo_password
from scoring.demo.round import EVIDENCE_PDF
from scoring.services.admin import passwords
from scoring.services.admin.account_admin import create_account
from scoring.services.admin.accounts import actor_for
from scoring.services.admin.onboarding_schemas import AccountIn, OrganisationIn
from scoring.services.admin.organisations import create_organisation
from scoring.services.admin.registration import RegistrationIn, register
from scoring.services.designation.applications import (
    ApplicationCreate,
    ApplicationUpdate,
    RecommendationIn,
    create_application,
    recommend_application,
    submit_application,
    update_application,
)
from scoring.services.designation.round_setup import (
    DeadlineSetupIn,
    ReferenceSetupIn,
    RoundSetupIn,
    add_document,
    create_round,
)
from scoring.services.designation.rounds import RoundTransitionIn, round_rubric, transition_round
from scoring.services.management.files import save_upload
from scoring.settings import Settings
from scoring.store.db import utcnow
from scoring.store.models import Application, Round, User

CALL_YEAR = 2025
CALL_TITLE = "2025年度石家庄市“双创”示范基地申报(2024年度数据)"
FOCUS = """# 建设重点
- 围绕**新一代信息技术、生物医药、先进装备制造**等主导产业,建设专业化众创空间和孵化器
- 推动大企业开放研发、制造和市场资源,带动中小企业协同创新
- 深化高校科技成果转化和大学生创新创业教育"""
REQUIREMENTS = """# 申报条件
1. 在石家庄市行政区域内注册、具有独立法人资格
2. 近三年无重大安全、环保、质量事故和违法失信记录
3. 企业类申报单位须拥有国家级或省级研发平台
# 申报材料
（一）“双创”示范基地申报书及建设方案
（二）各项评价指标的佐证材料(PDF)
（三）县级发展改革部门推荐意见"""
# New applicants of 正定县 (county_zhengding reviews them): (username, name, where the demo leaves it)
APPLICANTS = (
    ("app_runze", "石家庄润泽智能装备有限公司", "draft"),
    ("app_xinqu", "正定新区数字科技有限公司", "submitted"),
    ("app_hengxin", "石家庄恒信生物科技有限公司", "recommended"),
)
PENDING_REGISTRATION = "石家庄启航众创空间有限公司"


def _code(n: int) -> str:
    return make_credit_code("9", "1", DIVISION_CODES["正定县"], f"7{n:07d}")


def seed_onboarding(session: Session, people: DemoPeople, settings: Settings) -> None:
    staff = people.actor("staff")
    now = utcnow()
    rnd = create_round(
        session,
        actor=staff,
        data=RoundSetupIn(
            year=CALL_YEAR,
            title=CALL_TITLE,
            kinds=["regional", "university", "enterprise"],
            focus=FOCUS,
            requirements=REQUIREMENTS,
            references=ReferenceSetupIn(
                provincial_rd_intensity=Decimal("2.00"),
                data_year=CALL_YEAR - 1,
                source="河北省科技经费投入统计公报(演示数值)",
            ),
            deadlines=DeadlineSetupIn(
                application=now + timedelta(days=21),
                recommendation=now + timedelta(days=35),
                formal_check=now + timedelta(days=42),
                scoring=now + timedelta(days=60),
            ),
            quotas={"regional": 2, "university": 2, "enterprise": 3},
        ),
    )
    add_document(
        session,
        actor=staff,
        settings=settings,
        round_id=rnd.id,
        title="关于组织申报2025年度市级“双创”示范基地的通知",
        content=EVIDENCE_PDF,
        filename="申报通知.pdf",
    )
    transition_round(session, actor=staff, round_id=rnd.id, data=RoundTransitionIn(action="open"))
    county = people.actor("county_zhengding")
    with passwords.fast_hashing():
        for n, (username, name, stage) in enumerate(APPLICANTS, start=1):
            org = create_organisation(
                session,
                actor=SYSTEM,
                data=OrganisationIn(
                    name=name,
                    credit_code=_code(n),
                    kind="enterprise",
                    district="正定县",
                    contact_name="张经理",
                    contact_phone="0311-88010000",
                ),
            )
            password = demo_password()
            create_account(
                session,
                actor=SYSTEM,
                data=AccountIn(
                    username=username,
                    display_name=name,
                    role="applicant",
                    organisation_id=org.id,
                    password=password,
                ),
            )
            user = session.scalars(select(User).where(User.username == username)).one()
            people.users[username] = user
            people.credentials.append(("applicant", username, password))
            applicant = actor_for(user)
            app = _apply(session, settings, applicant, rnd, name, complete=stage != "draft")
            if stage in ("submitted", "recommended"):
                submit_application(session, actor=applicant, application_id=app.id)
            if stage == "recommended":
                recommend_application(
                    session,
                    actor=county,
                    application_id=app.id,
                    data=RecommendationIn(decision="recommend", reason="材料齐全,同意推荐。"),
                )
        register(
            session,
            data=RegistrationIn(
                credit_code=_code(9),
                name=PENDING_REGISTRATION,
                kind="enterprise",
                district="正定县",
                contact_name="刘主任",
                contact_phone="13803110000",
                contact_email="qihang@example.cn",
                password=demo_password(),
            ),
        )


def _apply(
    session: Session, settings: Settings, applicant: Actor, rnd: Round, name: str, *, complete: bool
) -> Application:
    """A draft; complete ones have the plan, every narrative, the figures and a file per indicator."""
    app = create_application(
        session,
        actor=applicant,
        data=ApplicationCreate(round_id=rnd.id, kind="enterprise", title=f"{name}企业“双创”示范基地"),
    )
    rubric = round_rubric(session, rnd, "enterprise")
    indicators = rubric.indicators()
    narratives = {
        ind.code: f"{name}围绕“{ind.text_zh}”开展的工作与成效说明。"
        for ind in indicators
        if ind.kind == "expert" and (complete or ind.code.endswith("1"))
    }
    figures = {f.code: ("2" if "platform" in f.code else "1") for f in rubric.declared_figures()}
    update_application(
        session,
        actor=applicant,
        application_id=app.id,
        data=ApplicationUpdate(
            plan="三年内建成开放共享的“双创”平台,服务中小企业200家以上。",
            narratives=narratives,
            figures=figures if complete else {},
            version=app.version,
        ),
    )
    if not complete:
        return app
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
    return app
