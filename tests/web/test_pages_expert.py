"""Expert pages: assignments with progress, the declaration before any material, the score sheet,
saving and submitting; never another expert's sheet or scores."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from criteria.schema import DEFAULT_ANCHORS
from scoring.services.designation.rounds import round_rubric
from scoring.services.review import sheets
from scoring.store.models import Round, Sheet
from tests.conftest import count
from tests.web.conftest import ReviewWorld, build_review_world, csrf_of, page_csrf
from web.views_roles import anchors


@pytest.fixture
def world(session: Session, settings, make_org, make_person) -> ReviewWorld:
    return build_review_world(session, settings, make_org, make_person)


def expert_codes(session: Session, world: ReviewWorld) -> list[str]:
    rubric = round_rubric(session, session.get(Round, world.round.id), "enterprise")
    return [ind.code for ind in rubric.indicators() if ind.kind == "expert"]


def declared(session: Session, world: ReviewWorld, index: int = 0) -> tuple[Any, Sheet]:
    """Expert `index` with the no-conflict declaration signed on its first sheet."""
    person, _expert = world.experts[index]
    sheet = world.sheets_of(session, person)[0]
    sheets.declare(
        session, actor=person.actor, sheet_id=sheet.id, data=sheets.DeclarationIn(no_conflict=True)
    )
    return person, sheet


@given(steps=st.integers(min_value=1, max_value=400), step=st.sampled_from(["0.5", "1", "0.25", "2"]))
def test_level_anchors_place_every_on_step_score_in_exactly_its_level(steps: int, step: str) -> None:
    size = Decimal(step)
    indicator = SimpleNamespace(max_points=size * steps, step=size, anchors=DEFAULT_ANCHORS)
    bands = anchors(indicator, "zh_CN")
    assert [b["level"] for b in bands] == ["优", "良", "中", "差"]
    for k in range(steps + 1):
        score = size * k
        hits = [b for b in bands if not b["empty"] and Decimal(b["low"]) <= score <= Decimal(b["high"])]
        level = next(a.level for a in DEFAULT_ANCHORS if score >= a.min_share * indicator.max_points)
        assert [b["level"] for b in hits] == [level]


def test_assignments_list_my_sheets_with_status_and_progress(session: Session, page_as, world) -> None:
    person, _ = world.experts[0]
    mine = world.sheets_of(session, person)
    assert len(mine) == 2
    page = page_as(person).get("/expert")
    assert page.status_code == 200
    assert "我的评审任务" in page.text
    for app in world.applications:
        assert app.title in page.text
    assert page.text.count('data-sheet="') == 2
    assert "签署声明并开始" in page.text and "待声明" in page.text
    other_sheets = world.sheets_of(session, world.experts[1][0])
    for sheet in other_sheets:
        assert f'data-sheet="{sheet.id}"' not in page.text


def test_assignments_put_drafts_first_and_count_what_is_left(session: Session, page_as, world) -> None:
    person, sheet = declared(session, world)
    others = [s for s in world.sheets_of(session, person) if s.id != sheet.id]
    page = page_as(person).get("/expert")
    order = [int(x) for x in re.findall(r'data-sheet="(\d+)"', page.text)]
    assert order == [sheet.id, *[s.id for s in others]]
    assert "还有 2 份评分表待完成。" in page.text


@pytest.mark.parametrize("role", ["applicant", "county", "staff"])
def test_expert_pages_do_not_exist_for_other_roles(
    session: Session, page_as, make_person, world, role
) -> None:
    sheet = world.sheets_of(session, world.experts[0][0])[0]
    client = page_as(world.applicants[0] if role == "applicant" else make_person(role, district="长安区"))
    assert client.get("/expert").status_code == 404
    assert client.get(f"/expert/sheets/{sheet.id}").status_code == 404


def test_no_material_before_the_declaration(session: Session, page_as, world) -> None:
    person, _ = world.experts[0]
    sheet = world.sheets_of(session, person)[0]
    page = page_as(person).get(f"/expert/sheets/{sheet.id}")
    assert page.status_code == 200
    assert "回避声明" in page.text
    app = session.get(type(world.applications[0]), sheet.application_id)
    assert app.title in page.text  # the declaration names what it is about
    assert "三年建成开放共享的双创平台。" not in page.text  # the plan
    assert "关于e1_1的说明" not in page.text  # a narrative
    assert 'name="scores.' not in page.text
    assert "/files/" not in page.text


def test_signing_the_declaration_opens_the_sheet(session: Session, page_as, world) -> None:
    person, _ = world.experts[0]
    sheet = world.sheets_of(session, person)[0]
    client = page_as(person)
    page = client.get(f"/expert/sheets/{sheet.id}")
    before = count(session, "audit_events")
    resp = client.post(
        f"/expert/sheets/{sheet.id}/declaration",
        data={"csrf_token": csrf_of(page.text), "no_conflict": "1"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/expert/sheets/{sheet.id}?done=declared"
    session.expire_all()
    assert session.get(Sheet, sheet.id).status == "draft"
    assert count(session, "audit_events") == before + 1
    page = client.get(resp.headers["location"])
    codes = expert_codes(session, world)
    assert "您的声明已记录" in page.text
    assert f"0 / {len(codes)} 已评分" in page.text
    # Each expert indicator: its source text, the anchors with ranges, the narrative, the evidence.
    assert "企业是否建立技术和服务等“双创”支撑平台" in page.text
    assert page.text.count('data-score="') == len(codes)
    e1_1 = re.search(r'<input id="score-e1_1"[^>]*>', page.text, re.S).group(0)
    assert 'type="number"' in e1_1 and 'min="0"' in e1_1 and 'max="6.5"' in e1_1 and 'step="0.5"' in e1_1
    anchors = page.text[page.text.index('id="ind-e1_1"') : page.text.index('id="score-e1_1"')]
    # 优 ≥ 90% of 6.5 = 5.85, 良 ≥ 4.875, 中 ≥ 3.9: the scores on the 0.5 step inside each level.
    levels = re.findall(r'<th scope="row">(.)</th>\s*<td title="([^"]*)">([^<]*)</td>', anchors)
    assert levels == [
        ("优", "5.85 – 6.5", "6 – 6.5"),
        ("良", "4.875 至 5.85（不含）", "5 – 5.5"),
        ("中", "3.9 至 4.875（不含）", "4 – 4.5"),
        ("差", "0 至 3.9（不含）", "0 – 3.5"),
    ]
    assert "关于e1_1的说明" in anchors
    assert re.search(r'href="/files/\d+" target="_blank" rel="noopener" translate="no">e1_1\.pdf<', anchors)
    assert '<meta name="csrf-token"' in page.text
    assert f'data-api="/api/v1/sheets/{sheet.id}"' in page.text
    assert "/static/js/scoresheet." in page.text
    assert 'id="confirm-submit"' in page.text  # the confirmation dialog


def test_declaring_a_conflict_needs_a_reason_then_withdraws(session: Session, page_as, world) -> None:
    person, _ = world.experts[0]
    sheet = world.sheets_of(session, person)[0]
    client = page_as(person)
    resp = client.post(
        f"/expert/sheets/{sheet.id}/declaration", data={"csrf_token": page_csrf(client), "no_conflict": "0"}
    )
    assert resp.status_code == 422
    assert 'id="err-reason"' in resp.text and "声明存在利害关系时必须填写理由" in resp.text
    # focus goes to the reason to be written, not back to the "no conflict, sign" button
    assert re.search(r'<textarea name="reason"[^>]* autofocus aria-invalid="true">', resp.text)
    assert "autofocus>" not in resp.text.split('name="reason"')[0]
    session.expire_all()
    assert session.get(Sheet, sheet.id).status == "assigned"
    resp = client.post(
        f"/expert/sheets/{sheet.id}/declaration",
        data={"csrf_token": page_csrf(client), "no_conflict": "0", "reason": "曾为该单位提供咨询"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/expert?done=declined_sheet"
    session.expire_all()
    declined = session.get(Sheet, sheet.id)
    assert (declined.status, declined.conflict_reason) == ("declined", "曾为该单位提供咨询")
    page = client.get(f"/expert/sheets/{sheet.id}")
    assert "不能查阅其材料" in page.text and "关于e1_1的说明" not in page.text


def test_another_experts_sheet_and_scores_never_show(session: Session, page_as, world) -> None:
    me, my_sheet = declared(session, world, 0)
    them, their_sheet = declared(session, world, 1)
    assert my_sheet.application_id == their_sheet.application_id
    sheets.save_sheet(
        session,
        actor=them.actor,
        sheet_id=their_sheet.id,
        data=sheets.SheetUpdate(
            scores={"e1_1": "5.5", "e2_1": "21"}, comments="第二位专家的秘密评语", version=2
        ),
    )
    client = page_as(me)
    resp = client.get(f"/expert/sheets/{their_sheet.id}")
    assert resp.status_code == 404
    assert "第二位专家的秘密评语" not in resp.text
    page = client.get(f"/expert/sheets/{my_sheet.id}")
    assert page.status_code == 200
    assert "第二位专家的秘密评语" not in page.text
    assert 'value="5.5"' not in page.text and 'value="21"' not in page.text
    assert world.experts[1][1].name not in page.text
    # Writes to the other sheet are refused the same way, and change nothing.
    resp = client.post(
        f"/expert/sheets/{their_sheet.id}",
        data={"csrf_token": page_csrf(client), "version": "3", "scores.e1_1": "0", "intent": "save"},
    )
    assert resp.status_code == 404
    session.expire_all()
    assert session.get(Sheet, their_sheet.id).scores == {"e1_1": "5.5", "e2_1": "21"}


def test_off_scale_scores_are_refused_with_everything_typed_kept(session: Session, page_as, world) -> None:
    person, sheet = declared(session, world, 0)
    client = page_as(person)
    before = count(session, "audit_events")
    resp = client.post(
        f"/expert/sheets/{sheet.id}",
        data={
            "csrf_token": page_csrf(client),
            "version": "2",
            "intent": "save",
            "scores.e1_1": "7",
            "scores.e1_2": "4.3",
            "scores.e1_3": "5",
            "comments": "整体较好",
        },
    )
    assert resp.status_code == 422
    assert re.search(r'name="scores\.e1_1"[^>]*value="7"', resp.text, re.S)
    assert re.search(r'name="scores\.e1_2"[^>]*value="4\.3"', resp.text, re.S)
    assert re.search(r'name="scores\.e1_3"[^>]*value="5"', resp.text, re.S)
    assert ">整体较好</textarea>" in resp.text
    assert re.search(r'id="err-scores\.e1_1"[^>]*>不能大于 6\.5<', resp.text)
    assert re.search(r'id="err-scores\.e1_2"[^>]*>须为 0\.5 的整数倍<', resp.text)
    session.expire_all()
    kept = session.get(Sheet, sheet.id)
    assert (kept.scores, kept.comments, kept.version) == ({}, "", 2)
    assert count(session, "audit_events") == before


def test_plain_form_save_then_confirm_and_submit(session: Session, page_as, world) -> None:
    person, sheet = declared(session, world, 0)
    codes = expert_codes(session, world)
    client = page_as(person)
    scores = {f"scores.{code}": "5" for code in codes}
    scores["scores.e2_1"] = "20.5"
    resp = client.post(
        f"/expert/sheets/{sheet.id}",
        data={"csrf_token": page_csrf(client), "version": "2", "intent": "submit", "comments": "", **scores},
    )
    assert resp.status_code == 200
    assert 'id="confirm-panel"' in resp.text  # asks before locking
    assert f"{len(codes)} / {len(codes)} 已评分" in resp.text
    session.expire_all()
    saved = session.get(Sheet, sheet.id)
    assert (saved.status, saved.version, saved.scores["e2_1"]) == ("draft", 3, "20.5")
    confirm = resp.text[resp.text.index('id="confirm-panel"') :]
    assert re.search(r'action="/expert/sheets/\d+/submit"', confirm)
    assert 'name="version" value="3"' in confirm
    resp = client.post(
        f"/expert/sheets/{sheet.id}/submit",
        data={"csrf_token": csrf_of(confirm), "version": "3"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/expert/sheets/{sheet.id}?done=sheet_submitted"
    session.expire_all()
    done = session.get(Sheet, sheet.id)
    assert done.status == "submitted"
    page = client.get(resp.headers["location"])
    assert "评分表已提交并锁定" in page.text
    assert 'name="scores.' not in page.text  # read-only now
    total = 5 * (len(codes) - 1) + 20.5
    assert f"合计：{total:.2f} 分" in page.text


def test_submitting_an_incomplete_sheet_names_what_is_not_scored(session: Session, page_as, world) -> None:
    person, sheet = declared(session, world, 0)
    sheets.save_sheet(
        session,
        actor=person.actor,
        sheet_id=sheet.id,
        data=sheets.SheetUpdate(scores={"e1_1": "6"}, version=2),
    )
    client = page_as(person)
    resp = client.post(
        f"/expert/sheets/{sheet.id}/submit", data={"csrf_token": page_csrf(client), "version": "3"}
    )
    assert resp.status_code == 422
    codes = expert_codes(session, world)
    assert f"提交前须对全部指标评分:{len(codes)} 项中尚有 {len(codes) - 1} 项未评分。" in resp.text
    assert re.search(r'id="err-scores\.e1_2"[^>]*>尚未评分<', resp.text)
    assert not re.search(r'id="err-scores\.e1_1"[^>]*>尚未评分<', resp.text)
    session.expire_all()
    assert session.get(Sheet, sheet.id).status == "draft"


def test_a_stale_plain_form_save_is_refused_and_keeps_the_scores(session: Session, page_as, world) -> None:
    person, sheet = declared(session, world, 0)
    sheets.save_sheet(
        session,
        actor=person.actor,
        sheet_id=sheet.id,
        data=sheets.SheetUpdate(scores={"e1_1": "6"}, version=2),
    )
    client = page_as(person)
    resp = client.post(
        f"/expert/sheets/{sheet.id}",
        data={"csrf_token": page_csrf(client), "version": "2", "intent": "save", "scores.e1_1": "4.5"},
    )
    assert resp.status_code == 409
    assert re.search(r'name="scores\.e1_1"[^>]*value="4\.5"', resp.text, re.S)
    assert "您读取的版本 2,当前版本 3" in resp.text
    session.expire_all()
    assert session.get(Sheet, sheet.id).scores == {"e1_1": "6"}


def test_every_expert_form_refuses_a_missing_or_forged_csrf_token(session: Session, page_as, world) -> None:
    person, _ = world.experts[0]
    first, second = world.sheets_of(session, person)
    sheets.declare(
        session, actor=person.actor, sheet_id=second.id, data=sheets.DeclarationIn(no_conflict=True)
    )
    client = page_as(person)
    before = count(session, "audit_events")
    posts = [
        (f"/expert/sheets/{first.id}/declaration", {"no_conflict": "1"}),
        (f"/expert/sheets/{first.id}/declaration", {"no_conflict": "0", "reason": "有冲突"}),
        (f"/expert/sheets/{second.id}", {"version": "2", "intent": "save", "scores.e1_1": "3"}),
        (f"/expert/sheets/{second.id}", {"version": "2", "intent": "submit", "scores.e1_1": "3"}),
        (f"/expert/sheets/{second.id}/submit", {"version": "2"}),
    ]
    for url, data in posts:
        for token in (None, "forged"):
            body = dict(data) | ({"csrf_token": token} if token else {})
            resp = client.post(url, data=body)
            assert resp.status_code == 403, url
            assert "安全令牌" in resp.text
    session.expire_all()
    assert count(session, "audit_events") == before
    assert session.get(Sheet, first.id).status == "assigned"
    assert session.get(Sheet, second.id).scores == {}
