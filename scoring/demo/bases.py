"""Demo stage: two years of dynamic management of the bases designated in October 2023.

- 2024 campaign (run in spring 2025): every base evaluated by two third-party evaluators; the
  Gaoxin zone is graded 优秀; 华航智能装备 fails, is ordered to rectify, fails its re-evaluation and
  loses its title (proposed by one staff member, confirmed by another, with the government document).
- 2025 campaign (run in autumn 2026, still in progress): 石家庄铁道大学 fails and is under rectification
  with a deadline in the future; two bases still wait for evaluator1, the demo's evaluator account.

Everything goes through the services; the times they stamp with the clock are then set to the dates
of this story, so each base's history reads in order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import ROUND_FLOOR, Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.core.figures import effective_figures
from scoring.core.scores import data_points
from scoring.core.vocabulary import BASE_KINDS, BaseKind
from scoring.demo.people import DemoPeople
from scoring.demo.round import EVIDENCE_PDF
from scoring.services.admin.accounts import actor_for
from scoring.services.designation.rounds import CHINA_TZ
from scoring.services.management import bases as base_service
from scoring.services.management import evaluations as ev_service
from scoring.services.management import schemas
from scoring.services.management.figures import figures_as_corrected
from scoring.services.management.files import save_upload
from scoring.services.management.schemas import CampaignOut, EvaluationSummary
from scoring.settings import Settings
from scoring.store.models import (
    Application,
    Attachment,
    BaseEvent,
    BaseFigureCorrection,
    BaseYearFigures,
    Campaign,
    DesignatedBase,
    Evaluation,
    Expert,
    Rectification,
    Revocation,
)

EXCELLENT, PASS, FAIL = Decimal(90), Decimal(73), Decimal(48)
SPREAD = (Decimal("-1.5"), Decimal("1.5"))  # two evaluators either side of the target
REVOCATION_DOCUMENT = "石政字〔2025〕87号"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=CHINA_TZ).astimezone(UTC)


class _Story:
    def __init__(self, session: Session, people: DemoPeople, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.staff = people.actor("staff")
        self.staff2 = people.actor("staff2")
        self.evaluators = list(
            session.scalars(select(Expert).where(Expert.pool == "evaluator").order_by(Expert.id))
        )
        self.users = people.users

    def dated(self, when: date, action: Callable[[], Any]) -> Any:
        """Run one step and date the history rows and records it wrote."""
        marks = {m: self.session.scalar(select(func.max(m.id))) or 0 for m in _DATED}
        result = action()
        self.session.flush()
        stamp = _at(when)
        for model, columns in _DATED.items():
            for row in self.session.scalars(select(model).where(model.id > marks[model])):
                for column in columns:
                    if getattr(row, column) is not None:
                        setattr(row, column, stamp)
        return result

    def figures(self, base: DesignatedBase, year: int, values: dict[str, str], when: date) -> None:
        owner = self._owner(base)
        data = schemas.FiguresIn(year=year, figures=values)
        self.dated(
            when, lambda: base_service.declare_figures(self.session, actor=owner, base_id=base.id, data=data)
        )
        # With the figures, the evidence for the first two indicators (a platform's accreditation, a
        # yearly statistics report), as a base sends them.
        rubric = base_service.performance_rubric(self.session, base.kind)
        for i, ind in enumerate([i for i in rubric.indicators() if i.evidence_required][:2], start=1):
            self.dated(
                when,
                partial(
                    save_upload, self.session, actor=owner, settings=self.settings,
                    stream=io.BytesIO(EVIDENCE_PDF), original_name=f"{year}年度佐证材料{i}-{ind.code}.pdf",
                    indicator_code=ind.code, base_id=base.id, figures_year=year,
                ),
            )  # fmt: skip

    def _owner(self, base: DesignatedBase) -> Any:
        user = next(u for u in self.users.values() if u.organisation_id == base.organisation_id)
        return actor_for(user)

    def evaluate(
        self,
        base: DesignatedBase,
        target: Decimal,
        *,
        year: int,
        when: date,
        campaign: CampaignOut | None = None,
        purpose: str = "regular",
        evaluators: Sequence[Expert] | None = None,
        submit: bool = True,
    ) -> list[EvaluationSummary]:
        chosen = list(evaluators) if evaluators else self._free_evaluators(base)[:2]
        data = schemas.AssignIn(
            purpose=schemas.EvaluationPurpose(purpose),
            campaign_id=campaign.id if campaign else None,
            evaluator_ids=[e.id for e in chosen],
        )
        created = self.dated(
            when, lambda: ev_service.assign(self.session, actor=self.staff, base_id=base.id, data=data)
        )
        if not submit:
            return created
        for k, (summary, expert) in enumerate(zip(created, chosen, strict=True)):
            actor = actor_for(self.users[self._username(expert)])
            sheet = self.dated(
                when,
                partial(
                    ev_service.declare,
                    self.session,
                    actor=actor,
                    evaluation_id=summary.id,
                    data=schemas.DeclarationIn(no_conflict=True),
                ),
            )
            ev = self.session.get(Evaluation, summary.id)
            assert ev is not None
            scores = self._scores(base, ev, target + SPREAD[k % 2])
            self.dated(
                when,
                partial(
                    ev_service.save,
                    self.session,
                    actor=actor,
                    evaluation_id=sheet.id,
                    data=schemas.EvaluationUpdate(scores=scores, version=sheet.version),
                ),
            )
            self.dated(
                when,
                partial(ev_service.submit, self.session, actor=actor, evaluation_id=sheet.id),
            )
            # The row existed before these steps, so `dated` does not reach its own dates: set them.
            ev.declared_at = ev.submitted_at = _at(when)
        return created

    def _username(self, expert: Expert) -> str:
        return next(name for name, u in self.users.items() if u.id == expert.user_id)

    def _free_evaluators(self, base: DesignatedBase) -> list[Expert]:
        return [e for e in self.evaluators if ev_service.conflict_reason(e, base) is None]

    def _scores(self, base: DesignatedBase, ev: Evaluation, total: Decimal) -> dict[str, str]:
        """Expert scores that, with the data points of the base's figures, add up to about `total`."""
        rubric = base_service.performance_rubric(self.session, base.kind, ev.rubric_version)
        figures = self.session.scalar(
            select(BaseYearFigures.figures).where(
                BaseYearFigures.base_id == base.id, BaseYearFigures.year == ev.year
            )
        )
        refs = ev_service.references(self.session, ev)
        data = sum(data_points(rubric, effective_figures(figures or {}), refs).values(), Decimal(0))
        experts = [i for i in rubric.indicators() if i.kind == "expert"]
        room = sum((i.max_points for i in experts), Decimal(0))
        share = max(Decimal(0), min(Decimal(1), (total - data) / room))
        out = {}
        for ind in experts:
            steps = (ind.max_points * share / ind.step).to_integral_value(ROUND_FLOOR)
            out[ind.code] = str(steps * ind.step)
        return out


# The latest published figures (data year 2022, published 2024-08-02; ../shared/sources/reference-figures.md):
# no later year's are in the sources, so both demo campaigns compare with these, and say so.
_RD_SOURCE = "石家庄市科学技术局对市政协提案0520号的答复（2024年8月2日公开），2022年数据"
DEMO_CAMPAIGN_REFERENCES = schemas.CampaignReferencesIn(
    provincial_rd_intensity=Decimal("2.00"),
    provincial_rd_intensity_source=f"河北省全社会研发投入强度，{_RD_SOURCE}",
    city_rd_intensity=Decimal("2.52"),
    city_rd_intensity_source=f"石家庄市全社会研发投入强度，{_RD_SOURCE}",
)


_DATED: dict[type[Any], tuple[str, ...]] = {
    BaseEvent: ("at",),
    Evaluation: ("created_at", "declared_at", "submitted_at"),
    BaseYearFigures: ("declared_at",),
    BaseFigureCorrection: ("declared_at",),
    Rectification: ("issued_at",),
    Revocation: ("proposed_at", "confirmed_at"),
    Campaign: ("created_at",),
    Attachment: ("uploaded_at",),
}


def _year_figures(session: Session, base: DesignatedBase, year: int, trend: str) -> dict[str, str]:
    """That year's figures, grown from the designation figures: strong, steady or slipping."""
    app = session.get(Application, base.application_id)
    assert app is not None
    start = {k: v for k, v in effective_figures(app.figures, app.verified_figures).items() if v is not None}
    years = year - 2022
    rise = {"strong": Decimal("1.2"), "steady": Decimal("1.0"), "slipping": Decimal("0.3")}[trend]
    if base.kind == BaseKind.REGIONAL:
        share = start.get("hightech_share", Decimal("24.0")) + rise * years
        total = int(start.get("key_projects_total", Decimal(40))) + 3 * years
        hightech = int(total * (Decimal("0.7") if trend != "slipping" else Decimal("0.55")))
        return {
            "key_projects_total": str(total),
            "key_projects_hightech": str(hightech),
            "rd_intensity": str(start.get("rd_intensity", Decimal("2.4")) + Decimal("0.12") * years),
            "hightech_share_prev": str(share - rise),
            "hightech_share": str(share),
        }
    if base.kind == "university":
        low = trend == "slipping"
        return {
            "innovation_platforms": "1" if low else str(2 + years),
            "transfer_bases": "1",
            "maker_spaces": "0" if low else "2",
        }
    return {"rd_platforms": "0" if trend == "slipping" else str(1 + years)}


def seed_bases(session: Session, people: DemoPeople, settings: Settings) -> None:
    all_bases = list(session.scalars(select(DesignatedBase).order_by(DesignatedBase.final_score.desc())))
    if not all_bases:
        return
    story = _Story(session, people, settings)
    by_kind = {k: [b for b in all_bases if b.kind == k] for k in BASE_KINDS}
    star = by_kind[BaseKind.REGIONAL][0]  # the top regional base: 优秀 twice
    revoked = by_kind[BaseKind.ENTERPRISE][-1]  # fails, rectifies, fails again: revoked
    rectifying = by_kind[BaseKind.UNIVERSITY][-1]  # fails the 2025 campaign: under rectification
    trends = {b.id: "steady" for b in all_bases} | {star.id: "strong", revoked.id: "slipping"}

    # 2024 campaign, spring 2025.
    c2024 = story.dated(
        date(2025, 3, 3),
        lambda: ev_service.create_campaign(
            session,
            actor=story.staff,
            data=schemas.CampaignIn(
                year=2024, title="2024年度“双创”示范基地绩效评估", references=DEMO_CAMPAIGN_REFERENCES
            ),
        ),
    )
    for base in all_bases:
        story.figures(base, 2024, _year_figures(session, base, 2024, trends[base.id]), date(2025, 3, 20))
        target = EXCELLENT if base is star else FAIL if base is revoked else PASS
        story.evaluate(base, target, year=2024, when=date(2025, 4, 15), campaign=c2024)
    # After the evaluation, the statistics bureau's final 2024 R&D figure differs: the base declares a
    # dated correction beside the figures its evaluators read (their scores stay as submitted).
    read = figures_as_corrected(session, star.id, 2024)
    if "rd_intensity" in read:
        correction = schemas.FigureCorrectionIn(
            year=2024,
            figures={"rd_intensity": format(Decimal(read["rd_intensity"]) + Decimal("0.06"), "f")},
            reason="依据市统计局2024年度研发经费投入统计快报终审数据更正研发投入强度。",
        )
        owner = story._owner(star)
        story.dated(
            date(2025, 6, 12),
            lambda: base_service.correct_figures(session, actor=owner, base_id=star.id, data=correction),
        )
    story.dated(
        date(2025, 4, 25),
        lambda: base_service.order_rectification(
            session,
            actor=story.staff,
            base_id=revoked.id,
            today=date(2025, 4, 25),
            data=schemas.RectificationIn(
                reasons="绩效评估得分低于60分:研发平台建设停滞,未建成市级以上研发平台,激励和融资机制未落实。",
                deadline=date(2025, 10, 25),
            ),
        ),
    )
    story.figures(revoked, 2025, _year_figures(session, revoked, 2025, "slipping"), date(2025, 10, 28))
    story.evaluate(revoked, FAIL, year=2025, when=date(2025, 11, 3), purpose="re_evaluation")
    story.dated(
        date(2025, 11, 5),
        lambda: base_service.propose_revocation(
            session,
            actor=story.staff,
            base_id=revoked.id,
            data=schemas.RevocationIn(
                reason="限期整改期满后复评仍不合格,依据石政办函〔2018〕49号提请取消示范基地称号。"
            ),
        ),
    )
    story.dated(
        date(2025, 11, 12),
        lambda: base_service.confirm_revocation(
            session,
            actor=story.staff2,
            base_id=revoked.id,
            today=date(2025, 11, 12),
            data=schemas.RevocationConfirmIn(document_no=REVOCATION_DOCUMENT, decided_on=date(2025, 11, 10)),
        ),
    )

    # 2025 campaign, autumn 2026: still in progress.
    c2025 = story.dated(
        date(2026, 9, 1),
        lambda: ev_service.create_campaign(
            session,
            actor=story.staff,
            data=schemas.CampaignIn(
                year=2025, title="2025年度“双创”示范基地绩效评估", references=DEMO_CAMPAIGN_REFERENCES
            ),
        ),
    )
    remaining = [b for b in all_bases if b is not revoked]
    trends[rectifying.id] = "slipping"
    waiting = [b for b in remaining if b not in (star, rectifying)][-2:]
    featured = next(e for e in story.evaluators if story._username(e) == "evaluator1")
    for base in remaining:
        story.figures(base, 2025, _year_figures(session, base, 2025, trends[base.id]), date(2026, 9, 20))
        if base in waiting and ev_service.conflict_reason(featured, base) is None:
            story.evaluate(
                base,
                PASS,
                year=2025,
                when=date(2026, 10, 8),
                campaign=c2025,
                evaluators=[featured],
                submit=False,
            )
            continue
        target = EXCELLENT if base is star else FAIL if base is rectifying else PASS
        story.evaluate(base, target, year=2025, when=date(2026, 10, 8), campaign=c2025)
    story.dated(
        date(2026, 10, 20),
        lambda: base_service.order_rectification(
            session,
            actor=story.staff,
            base_id=rectifying.id,
            today=date(2026, 10, 20),
            data=schemas.RectificationIn(
                reasons="绩效评估不合格:众创空间建设未达“1个以上”要求,科技成果转化机制不健全。请于期限内完成整改并报送整改报告。",
            ),
        ),
    )
