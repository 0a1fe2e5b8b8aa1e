"""Pages for dynamic management: staff, the third-party evaluator and the base's own applicant, each
seeing only what their role allows, every form guarded by CSRF, and the whole cycle in the browser's
forms (evaluation fail → rectification → re-evaluation → revocation by a second staff member)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.services.admin.accounts import actor_for
from scoring.services.admin.experts import ExpertIn, create_expert
from scoring.services.management import evaluations
from scoring.store.models import Attachment, DesignatedBase, Evaluation, Expert, Organisation, User
from tests.bases.conftest import PERFORMANCE, Today, designated_base, scores_for
from tests.conftest import PASSWORD, Person
from tests.rounds.rounds_world import PDF
from tests.web.conftest import csrf_of

_ids = itertools.count(1)
CODE = next(iter(PERFORMANCE.indicators())).code


@dataclass
class PagesWorld:
    base: DesignatedBase
    owner: Person
    stranger: Person
    alice: Person
    bob: Person
    evaluators: list[tuple[Expert, Person]]
    conflicted: Expert
    today: Today


@pytest.fixture
def pw(
    session: Session,
    make_world: Callable[..., Any],
    make_org: Callable[..., Any],
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> PagesWorld:
    base = designated_base(session, make_world(status="published"), "石家庄芯联光电科技股份有限公司")
    owner_org = session.get(Organisation, base.organisation_id)
    assert owner_org is not None

    def evaluator(name: str, org_id: int) -> tuple[Expert, Person]:
        expert = create_expert(
            session,
            actor=SYSTEM,
            data=ExpertIn(
                name=name,
                organisation_id=org_id,
                district="桥西区",
                pool="evaluator",
                username=f"peval{next(_ids)}",
                password=PASSWORD,
            ),
        )
        user = session.get(User, expert.user_id)
        assert user is not None
        return expert, Person(user=user, actor=actor_for(user))

    return PagesWorld(
        base=base,
        owner=make_person("applicant", org=owner_org),
        stranger=make_person("applicant", org=make_org()),
        alice=make_person("staff"),
        bob=make_person("staff"),
        evaluators=[evaluator(f"孟评估{i}", make_org(name=f"评估机构{i}").id) for i in range(2)],
        conflicted=evaluator("本单位评估员", owner_org.id)[0],
        today=Today(monkeypatch),
    )


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client.get("/").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def score_through_pages(client: Any, session: Session, ev_id: int, expert_total: str) -> None:
    assert (
        post(client, f"/evaluator/evaluations/{ev_id}/declaration", {"no_conflict": "1"}).status_code == 303
    )
    version = session.get(Evaluation, ev_id).version  # type: ignore[union-attr]
    form = {f"scores.{k}": v for k, v in scores_for(expert_total).items()}
    resp = post(
        client, f"/evaluator/evaluations/{ev_id}", {**form, "version": str(version), "intent": "submit"}
    )
    assert resp.status_code == 200 and "提交评估表?" in resp.text
    assert post(client, f"/evaluator/evaluations/{ev_id}/submit", {}).status_code == 303


def test_the_whole_cycle_in_the_pages_ends_in_a_revocation_by_a_second_staff_member(
    session: Session, page_as: Callable[[Person], Any], pw: PagesWorld
) -> None:
    alice, bob = page_as(pw.alice), page_as(pw.bob)
    assert post(alice, "/staff/campaigns", {"year": "2025", "title": "2025年度绩效评估"}).status_code == 303
    [campaign] = evaluations.list_campaigns(session, actor=SYSTEM)
    page = alice.get(f"/staff/bases/{pw.base.id}")
    assert re.search(r"本单位评估员\s+—\s+回避:\s*是该基地所在单位的工作人员", page.text)
    first, second = pw.evaluators
    resp = post(
        alice,
        f"/staff/bases/{pw.base.id}/evaluations",
        {"purpose": "regular", "campaign_id": str(campaign.id), "evaluator_ids": str(first[0].id)},
    )
    assert resp.status_code == 303
    ev_id = session.scalar(select(Evaluation.id).where(Evaluation.evaluator_id == first[0].id))
    evaluator = page_as(first[1])
    assert "签署声明并开始" in evaluator.get("/evaluator").text
    score_through_pages(evaluator, session, ev_id, "40")
    assert "不合格" in alice.get(f"/staff/bases/{pw.base.id}").text

    resp = post(
        alice,
        f"/staff/bases/{pw.base.id}/rectification",
        {"reasons": "研发平台未建成", "deadline": "2026-04-30"},
    )
    assert resp.status_code == 303
    pw.today.set(date(2026, 5, 4))
    assert "已逾期" in alice.get("/staff/bases").text
    post(
        alice,
        f"/staff/bases/{pw.base.id}/evaluations",
        {"purpose": "re_evaluation", "evaluator_ids": str(second[0].id)},
    )
    re_id = session.scalar(select(Evaluation.id).where(Evaluation.evaluator_id == second[0].id))
    score_through_pages(page_as(second[1]), session, re_id, "45")
    assert post(alice, f"/staff/bases/{pw.base.id}/revocation", {"reason": "复评仍不合格"}).status_code == 303

    same = post(
        alice,
        f"/staff/bases/{pw.base.id}/revocation/confirm",
        {"document_no": "石政字〔2026〕9号", "decided_on": "2026-05-04"},
    )
    assert same.status_code == 409 and "提请撤销的人不能自行确认" in same.text
    resp = post(
        bob,
        f"/staff/bases/{pw.base.id}/revocation/confirm",
        {"document_no": "石政字〔2026〕9号", "decided_on": "2026-05-04"},
    )
    assert resp.status_code == 303
    session.refresh(pw.base)
    assert (pw.base.status, pw.base.revocation_document_no) == ("revoked", "石政字〔2026〕9号")
    public = page_as(pw.stranger).get("/public/bases?status=revoked")
    assert public.status_code == 200
    assert pw.base.name in public.text and "石政字〔2026〕9号" in public.text
    assert "2026年5月4日" in public.text
    assert pw.base.name not in page_as(pw.stranger).get("/public/bases").text
    mine = page_as(pw.owner).get(f"/applicant/bases/{pw.base.id}")
    assert mine.status_code == 200
    assert "撤销称号" in mine.text and "不合格" in mine.text
    assert "孟评估" not in mine.text  # never who evaluated


def test_each_role_sees_only_its_own(
    session: Session, page_as: Callable[[Person], Any], pw: PagesWorld
) -> None:
    campaign = evaluations.create_campaign(
        session, actor=SYSTEM, data=evaluations.CampaignIn(year=2025, title="t")
    )
    [ev] = evaluations.assign(
        session,
        actor=SYSTEM,
        base_id=pw.base.id,
        data=evaluations.AssignIn(campaign_id=campaign.id, evaluator_ids=[pw.evaluators[0][0].id]),
    )
    other = page_as(pw.evaluators[1][1])
    assert other.get(f"/evaluator/evaluations/{ev.id}").status_code == 404
    assert f'data-evaluation="{ev.id}"' not in other.get("/evaluator").text
    stranger = page_as(pw.stranger)
    assert stranger.get(f"/applicant/bases/{pw.base.id}").status_code == 404
    assert "贵单位暂无示范基地" in stranger.get("/applicant/bases").text
    assert page_as(pw.owner).get("/staff/bases").status_code in (403, 404)
    assert page_as(pw.evaluators[0][1]).get(f"/staff/bases/{pw.base.id}").status_code in (403, 404)
    owner_page = page_as(pw.owner).get(f"/applicant/bases/{pw.base.id}")
    assert "孟评估" not in owner_page.text and "指派第三方评估人员" not in owner_page.text


def test_every_form_refuses_a_missing_csrf_token(
    session: Session, page_as: Callable[[Person], Any], pw: PagesWorld
) -> None:
    alice = page_as(pw.alice)
    for url in (
        f"/staff/bases/{pw.base.id}/evaluations",
        f"/staff/bases/{pw.base.id}/rectification",
        f"/staff/bases/{pw.base.id}/restore",
        f"/staff/bases/{pw.base.id}/revocation",
        f"/staff/bases/{pw.base.id}/revocation/confirm",
        "/staff/campaigns",
    ):
        assert (
            alice.post(url, data={"reasons": "x", "reason": "x"}, follow_redirects=False).status_code == 403
        ), url
    owner = page_as(pw.owner)
    resp = owner.post(f"/applicant/bases/{pw.base.id}/figures", data={"year": "2025"}, follow_redirects=False)
    assert resp.status_code == 403
    resp = owner.post(
        f"/applicant/bases/{pw.base.id}/evidence",
        data={"figures_year": "2025", "indicator_code": CODE},
        files={"file": ("a.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert resp.status_code == 403
    assert session.scalar(select(Attachment.id).where(Attachment.base_id == pw.base.id)) is None
    resp = owner.post(f"/applicant/bases/{pw.base.id}/evidence/1/delete", data={}, follow_redirects=False)
    assert resp.status_code == 403
    evaluator = page_as(pw.evaluators[0][1])
    for url in (
        "/evaluator/evaluations/1/declaration",
        "/evaluator/evaluations/1",
        "/evaluator/evaluations/1/submit",
    ):
        assert evaluator.post(url, data={}, follow_redirects=False).status_code == 403, url


def test_bad_figures_are_refused_in_chinese_and_keep_what_was_typed(
    session: Session, page_as: Callable[[Person], Any], pw: PagesWorld
) -> None:
    owner = page_as(pw.owner)
    resp = post(
        owner, f"/applicant/bases/{pw.base.id}/figures", {"year": "2025", "figures.rd_platforms": "-1"}
    )
    assert resp.status_code == 422
    assert "不能为负数" in resp.text or "负" in resp.text
    assert 'value="-1"' in resp.text
    ok = post(owner, f"/applicant/bases/{pw.base.id}/figures", {"year": "2025", "figures.rd_platforms": "2"})
    assert ok.status_code == 303
    assert ">2<" in owner.get(f"/applicant/bases/{pw.base.id}").text


def upload_page(client: Any, base_id: int, year: str, content: bytes, name: str = "平台认定文件.pdf") -> Any:
    token = csrf_of(client.get("/").text)
    return client.post(
        f"/applicant/bases/{base_id}/evidence",
        data={"csrf_token": token, "figures_year": year, "indicator_code": CODE},
        files={"file": (name, content, "application/pdf")},
        follow_redirects=False,
    )


def test_the_base_uploads_evidence_in_its_page_and_its_evaluator_reads_it(
    session: Session, page_as: Callable[[Person], Any], pw: PagesWorld
) -> None:
    owner = page_as(pw.owner)
    page = owner.get(f"/applicant/bases/{pw.base.id}")
    assert "数据佐证材料" in page.text and 'name="figures_year"' in page.text
    assert 'value="2025"' in page.text  # last year by default (today: 2 March 2026)

    refused = upload_page(owner, pw.base.id, "2025", b"GIF89a not a pdf", name="照片.gif")
    assert refused.status_code == 415 and "仅接受 PDF、PNG 和 JPEG 文件" in refused.text
    future = upload_page(owner, pw.base.id, "2031", PDF)
    assert future.status_code == 422 and "应为 2000 年至今年之间的年份" in future.text
    assert 'value="2031"' in future.text  # what was typed is kept
    token = csrf_of(owner.get("/").text)
    no_file = owner.post(
        f"/applicant/bases/{pw.base.id}/evidence",
        data={"csrf_token": token, "figures_year": "2025", "indicator_code": CODE},
        follow_redirects=False,
    )
    assert no_file.status_code == 422 and "请选择要上传的文件" in no_file.text
    not_a_year = upload_page(owner, pw.base.id, "去年", PDF)
    assert not_a_year.status_code == 422 and 'id="f-figures_year"' in not_a_year.text

    done = upload_page(owner, pw.base.id, "2025", PDF)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=uploaded#evidence")
    att = session.scalars(select(Attachment).where(Attachment.base_id == pw.base.id)).one()
    page = owner.get(f"/applicant/bases/{pw.base.id}").text
    assert f'href="/files/{att.id}"' in page and "平台认定文件.pdf" in page
    assert owner.get(f"/files/{att.id}").content == PDF
    assert page_as(pw.stranger).get(f"/files/{att.id}").status_code == 404
    assert f'href="/files/{att.id}"' in page_as(pw.alice).get(f"/staff/bases/{pw.base.id}").text

    campaign = evaluations.create_campaign(
        session, actor=SYSTEM, data=evaluations.CampaignIn(year=2025, title="2025年度绩效评估")
    )
    [ev] = evaluations.assign(
        session,
        actor=SYSTEM,
        base_id=pw.base.id,
        data=evaluations.AssignIn(campaign_id=campaign.id, evaluator_ids=[pw.evaluators[0][0].id]),
    )
    evaluator = page_as(pw.evaluators[0][1])
    assert f'href="/files/{att.id}"' not in evaluator.get(f"/evaluator/evaluations/{ev.id}").text
    assert evaluator.get(f"/files/{att.id}").status_code == 404  # not before the declaration
    ev_id = ev.id
    session.expire_all()  # the pages change the evaluation: read its version afresh
    score_through_pages(evaluator, session, ev_id, "60")
    assert f'href="/files/{att.id}"' in evaluator.get(f"/evaluator/evaluations/{ev_id}").text
    assert evaluator.get(f"/files/{att.id}").content == PDF
    assert page_as(pw.evaluators[1][1]).get(f"/files/{att.id}").status_code == 404

    # Read by a submitted evaluation, the file stays: removing it is refused in Chinese.
    kept = post(owner, f"/applicant/bases/{pw.base.id}/evidence/{att.id}/delete", {})
    assert kept.status_code == 409 and "评估所依据的佐证材料予以保留" in kept.text
    assert session.scalar(select(Attachment.id).where(Attachment.id == att.id)) == att.id
    later = upload_page(owner, pw.base.id, "2026", PDF, name="2026年材料.pdf")
    assert later.status_code == 303
    other = session.scalars(select(Attachment).where(Attachment.figures_year == 2026)).one()
    gone = post(owner, f"/applicant/bases/{pw.base.id}/evidence/{other.id}/delete", {})
    assert gone.status_code == 303
    assert session.scalar(select(Attachment.id).where(Attachment.id == other.id)) is None


def test_the_pages_give_the_rubrics_wording_in_the_readers_language(
    session: Session, page_as: Callable[[Person], Any], pw: PagesWorld
) -> None:
    campaign = evaluations.create_campaign(
        session, actor=SYSTEM, data=evaluations.CampaignIn(year=2025, title="t")
    )
    [ev] = evaluations.assign(
        session,
        actor=SYSTEM,
        base_id=pw.base.id,
        data=evaluations.AssignIn(campaign_id=campaign.id, evaluator_ids=[pw.evaluators[0][0].id]),
    )
    evaluator = page_as(pw.evaluators[0][1])
    assert (
        post(evaluator, f"/evaluator/evaluations/{ev.id}/declaration", {"no_conflict": "1"}).status_code
        == 303
    )
    section, indicator = PERFORMANCE.sections[0], PERFORMANCE.sections[0].indicators[0]
    figure = next(f for f in PERFORMANCE.figures if f.declared)
    owner = page_as(pw.owner)
    for lang, title, text, name in (
        ("en", escape(section.title_en), escape(indicator.text_en), escape(figure.name_en)),
        ("zh-CN", escape(section.title_zh), escape(indicator.text_zh), escape(figure.name_zh)),
    ):
        evaluator.cookies.set("lang", lang)
        sheet = evaluator.get(f"/evaluator/evaluations/{ev.id}").text
        assert f"<h2>{title}</h2>" in sheet and f"<p>{text}</p>" in sheet
        owner.cookies.set("lang", lang)
        page = owner.get(f"/applicant/bases/{pw.base.id}").text
        assert f'<label id="f-figures.{figure.code}">{name}' in page
        assert f'<option value="{indicator.code}" >{text}</option>' in page
