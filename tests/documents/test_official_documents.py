"""Official documents: every kind opened with python-docx, asserting document number, names, scores and
reasons; preview and edited blocks; issue records the bytes (hash, who, when) and downloads them unchanged;
bad input is refused naming the rule, with nothing saved."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.services.review import decisions
from scoring.services.review.schemas import DecisionIn
from scoring.store.models import (
    AuditEvent,
    DesignatedBase,
    Evaluation,
    IssuedDocument,
    Rectification,
    Revocation,
    Sheet,
)
from tests.ranking.conftest import World

NO = "石发改〔2026〕7号"


def _open(content: bytes) -> tuple[list[str], list[list[list[str]]], Any]:
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables, document


def _decided(make_world: Callable[..., World], session: Session, staff: Any) -> tuple[World, Any, Any]:
    """Quota 1; A = 78 + 10 = 88 just ahead of B = 77.75 + 10 = 87.75; staff designate B, with a reason."""
    w = make_world(quotas={"enterprise": 1})
    a = w.application(["90", "70", "72", "80"], name="甲科技有限公司")
    b = w.application(["77", "79", "78", "77"], name="乙科技有限公司")
    decisions.decide(
        session,
        actor=staff.actor,
        round_id=w.round.id,
        data=DecisionIn(kind="enterprise", designate=[b.id], reason="乙公司专利转化更多，专家组复议后调整"),
    )
    return w, a, b


@pytest.fixture
def staff(make_person: Callable[..., Any]) -> Any:
    return make_person("staff")


@pytest.fixture
def headers(staff: Any, login: Callable[..., dict[str, str]]) -> dict[str, str]:
    return login(staff)


def _notice(w: World) -> None:
    w.round.status = "notice"
    w.round.notice_starts_on = date(2026, 3, 2)
    w.round.notice_ends_on = date(2026, 3, 9)
    w.session.flush()


def test_the_notice_is_previewed_edited_issued_and_downloaded_unchanged(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    staff: Any,
    headers: dict[str, str],
    clock: Any,
) -> None:
    w, _a, _b = _decided(make_world, session, staff)
    _notice(w)
    ask = {"kind": "notice", "round_id": w.round.id}
    draft = client.post("/api/v1/documents/preview", json=ask, headers=headers)
    assert draft.status_code == 200, draft.text
    body = draft.json()
    assert body["title"] == "关于2026年度双创示范基地评选拟认定名单的公示"
    assert [b["key"] for b in body["blocks"]] == ["intro", "objections"]
    assert "公示期为2026年3月2日至2026年3月9日。" in body["blocks"][1]["text"]
    assert body["tables"][0]["rows"] == [["1", "乙科技有限公司", "长安区", "87.75"]]

    intro = "经专家评审和综合评定，拟认定乙科技有限公司为2026年度石家庄市“双创”示范基地，现予以公示。"
    resp = client.post(
        "/api/v1/documents", json=ask | {"document_no": NO, "blocks": {"intro": intro}}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    issued = resp.json()
    assert (issued["kind"], issued["document_no"], issued["issued_by"]) == (
        "notice",
        NO,
        staff.user.display_name,
    )

    download = client.get(issued["download"], headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessing"
    )
    assert hashlib.sha256(download.content).hexdigest() == issued["sha256"]
    assert len(download.content) == issued["size"]
    paragraphs, tables, document = _open(download.content)
    assert paragraphs[0] == "石家庄市发展和改革委员会文件"
    assert NO in paragraphs
    assert "关于2026年度双创示范基地评选拟认定名单的公示" in paragraphs
    assert intro in paragraphs
    assert "附件：企业“双创”示范基地拟认定名单" in paragraphs
    assert "2026年3月2日" in paragraphs and "石家庄市发展和改革委员会" in paragraphs
    assert tables[0] == [
        ["序号", "单位名称", "所在县（市、区）", "综合得分"],
        ["1", "乙科技有限公司", "长安区", "87.75"],
    ]
    # Fonts as the standard names them: the title in 小标宋, the body in 仿宋 (East Asian font slot).
    title = next(p for p in document.paragraphs if p.text.startswith("关于"))
    assert title.runs[0].font.name == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    body_run = next(p for p in document.paragraphs if p.text == intro).runs[0]
    assert (
        body_run._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "仿宋_GB2312"
    )
    section = document.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)

    # Later changes to the data never change the issued document.
    w.round.title = "改名后的评选"
    session.flush()
    again = client.get(issued["download"], headers=headers)
    assert again.content == download.content
    listed = client.get(f"/api/v1/documents?round_id={w.round.id}", headers=headers).json()
    assert [d["document_no"] for d in listed] == [NO]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.issue")).one()
    assert event.after["sha256"] == issued["sha256"] and event.actor_id == staff.user.id
    # The public list prints with issuer, the notice's document number and the date.
    clock.set(date(2026, 3, 4))
    public = client.get("/public/notice")
    assert f"石家庄市发展和改革委员会 · {NO} · 打印日期：2026-03-04" in public.text


def _documents(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(IssuedDocument)) or 0)


def test_bad_input_is_refused_naming_the_rule_and_nothing_is_saved(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: Any,
    headers: dict[str, str], make_person: Callable[..., Any], login: Callable[..., dict[str, str]],
) -> None:  # fmt: skip
    w, _a, _b = _decided(make_world, session, staff)
    ask = {"kind": "notice", "round_id": w.round.id, "document_no": NO}
    early = client.post("/api/v1/documents", json=ask, headers=headers | {"Accept-Language": "en"})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "decision_not_taken"
    assert early.json()["error"]["message"] == (
        "The decision this document records has not been taken yet: "
        "the list has not been confirmed for public notice."
    )
    _notice(w)
    cases = [
        ({"blocks": {"intro": "字" * 2001}}, "blocks.intro"),
        ({"blocks": {"intro": "   "}}, "blocks.intro"),
        ({"blocks": {"salutation": "x"}}, "blocks.salutation"),
        ({"document_no": None}, "document_no"),
        ({"subject_id": False}, "subject_id"),  # not read as 0 (a fuzz finding)
        ({"round_id": 0}, "round_id"),
    ]
    for change, field in cases:
        resp = client.post("/api/v1/documents", json=ask | change, headers=headers)
        assert resp.status_code == 422, (change, resp.text)
        assert list(resp.json()["error"]["fields"]) == [field]
    assert client.post("/api/v1/documents", json=ask, headers=headers).status_code == 201
    twice = client.post("/api/v1/documents", json=ask, headers=headers)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "document_no_taken"
    assert _documents(session) == 1
    expert = login(make_person("expert"))
    assert client.post("/api/v1/documents/preview", json=ask, headers=expert).status_code == 404
    assert client.get("/api/v1/documents/1.docx", headers=expert).status_code == 404


def test_the_review_report_gives_scores_decisions_with_reasons_and_robustness(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    staff: Any,
    headers: dict[str, str],
) -> None:
    w, _a, _b = _decided(make_world, session, staff)
    resp = client.post(
        "/api/v1/documents/preview.docx",
        json={"kind": "review_report", "round_id": w.round.id, "document_no": "石发改〔2026〕8号"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    paragraphs, tables, _ = _open(resp.content)
    assert "石发改〔2026〕8号" in paragraphs and "2026年度双创示范基地评选评审报告" in paragraphs
    assert any(
        p.startswith("企业类：专家组0人") and "共提交评分表8份，申报2个，名额1个" in p for p in paragraphs
    )
    scores, reasons, discussions, robustness = tables
    assert discussions == [["单位名称", "评分表编号", "结果", "理由", "记录人", "时间（北京时间）"]]
    assert scores[1] == ["企业", "1", "甲科技有限公司", "78.00", "10.00", "88.00", "名额内", "未入选"]
    assert scores[2] == ["企业", "2", "乙科技有限公司", "77.75", "10.00", "87.75", "名额外", "拟入选"]
    assert [r[:4] for r in reasons[1:]] == [
        [
            "甲科技有限公司",
            "决定与拟推荐名单不同",
            "乙公司专利转化更多，专家组复议后调整",
            staff.user.display_name,
        ],
        [
            "乙科技有限公司",
            "决定与拟推荐名单不同",
            "乙公司专利转化更多，专家组复议后调整",
            staff.user.display_name,
        ],
    ]
    e1 = w.experts[0].name
    assert robustness[1][:2] == ["甲科技有限公司", "88.00"]
    assert robustness[1][2].startswith("敏感： 按评分表的中位数计分：在名单外（86.00分）")
    assert f"去掉专家{e1}的评分表：在名单外（84.00分）" in robustness[1][2]
    assert robustness[2][2].startswith("敏感： 按评分表的中位数计分：在名单内（87.50分）")
    assert _documents(session) == 0  # a preview records nothing


def test_an_expert_score_sheet_carries_its_scores_and_a_signature_line(
    make_world: Callable[..., World], session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    w = make_world()
    app = w.application(
        ["80", "70", "75"], name="丙科技有限公司", statuses=["submitted", "submitted", "draft"]
    )
    first, _, draft = session.scalars(
        select(Sheet).where(Sheet.application_id == app.id).order_by(Sheet.id)
    ).all()
    first.submitted_at = datetime(2026, 2, 10, 2, 30, tzinfo=UTC)  # UTC: 10:30 in Beijing
    session.flush()
    resp = client.post(
        "/api/v1/documents/preview.docx",
        json={"kind": "score_sheet", "subject_id": first.id},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    paragraphs, tables, _ = _open(resp.content)
    assert "2026年度双创示范基地评选专家评分表" in paragraphs
    remark = next(p for p in paragraphs if p.startswith("评审对象"))
    assert (
        remark
        == f"评审对象：丙科技有限公司（企业类）。评审专家：{w.experts[0].name}。提交时间：2026-02-10 10:30。"
    )
    assert tables[0][1:] == [["制度创新", "指标甲", "45.00", "45"], ["制度创新", "指标乙", "45.00", "35"],
                             ["合计", "", "", "80.00"]]  # fmt: skip
    assert any(p.startswith("评审专家签名：") for p in paragraphs)
    refused = client.post(
        "/api/v1/documents/preview", json={"kind": "score_sheet", "subject_id": draft.id}, headers=headers
    )
    assert refused.status_code == 409


def _base(session: Session, w: World) -> DesignatedBase:
    app = w.application(["90", "90", "90"], name="丁科技有限公司", status="designated")
    base = DesignatedBase(
        application_id=app.id, round_id=w.round.id, organisation_id=app.organisation_id, kind="enterprise",
        name="丁科技有限公司", district="长安区", designated_on=date(2025, 10, 30),
        document_no="石政字〔2025〕58号",
        final_score=Decimal(90), status="rectifying",
    )  # fmt: skip
    session.add(base)
    session.flush()
    return base


def test_the_rectification_notice_and_the_revocation_decision(
    make_world: Callable[..., World], session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    w = make_world(status="published")
    base = _base(session, w)
    ev = Evaluation(base_id=base.id, rubric_version="v", year=2026, status="submitted", grade="fail")
    session.add(ev)
    session.flush()
    order = Rectification(base_id=base.id, evaluation_id=ev.id, reasons="研发平台建设滞后",
                          deadline=date(2026, 6, 30),
                          issued_at=datetime(2026, 3, 31, 17, 0, tzinfo=UTC))  # fmt: skip
    rev = Revocation(base_id=base.id, rectification_id=None, reason="整改后复评仍不合格", status="proposed")
    session.add_all([order, rev])
    session.flush()

    resp = client.post("/api/v1/documents", headers=headers,
                       json={"kind": "rectification", "subject_id": order.id,
                             "document_no": "石发改整改〔2026〕1号"})  # fmt: skip
    assert resp.status_code == 201, resp.text
    paragraphs, _, _ = _open(client.get(resp.json()["download"], headers=headers).content)
    assert "关于丁科技有限公司限期整改的通知" in paragraphs and "丁科技有限公司：" in paragraphs
    assert "经年度绩效评价，你单位存在以下问题：研发平台建设滞后" in paragraphs
    assert any(p.startswith("请于2026年6月30日前完成整改") for p in paragraphs)
    assert "2026年4月1日" in paragraphs

    ask = {"kind": "revocation", "subject_id": rev.id, "document_no": "石发改〔2026〕30号"}
    early = client.post("/api/v1/documents", json=ask, headers=headers)
    assert early.status_code == 409 and early.json()["error"]["code"] == "decision_not_taken"
    rev.status, rev.decided_on, rev.document_no = "confirmed", date(2026, 7, 1), "石政字〔2026〕9号"
    session.flush()
    resp = client.post("/api/v1/documents", json=ask, headers=headers)
    assert resp.status_code == 201, resp.text
    paragraphs, _, _ = _open(client.get(resp.json()["download"], headers=headers).content)
    assert "关于撤销丁科技有限公司“双创”示范基地称号的决定" in paragraphs
    assert any("整改后复评仍不合格" in p and "石政字〔2025〕58号" in p for p in paragraphs)
    assert "2026年7月1日" in paragraphs and "石发改〔2026〕30号" in paragraphs


def test_the_designation_notice_lists_the_designated(
    make_world: Callable[..., World], session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    w = make_world(status="published", approval_document_no="石政函〔2026〕12号")
    w.application(["90", "90", "90"], name="戊科技有限公司", status="designated")
    w.application(["60", "60", "60"], name="己科技有限公司", status="not_designated")
    resp = client.post("/api/v1/documents/preview.docx", json={"kind": "designation", "round_id": w.round.id},
                       headers=headers)  # fmt: skip
    paragraphs, tables, _ = _open(resp.content)
    assert "关于认定2026年度石家庄市“双创”示范基地的通知" in paragraphs
    assert "〔　〕号" in paragraphs  # a preview has no number yet
    assert any("经市政府同意（石政函〔2026〕12号）" in p and "认定以下1家单位" in p for p in paragraphs)
    assert tables[0][1:] == [["1", "戊科技有限公司", "长安区", "100.00"]]


def test_the_database_refuses_an_unknown_document_kind(session: Session) -> None:
    session.add(IssuedDocument(kind="memo", document_no="x", title="x", blocks={}, sha256="0" * 64, size=0,
                               content=b""))  # fmt: skip
    with pytest.raises(IntegrityError, match="ck_issued_documents_kind"):
        session.flush()
    session.rollback()
