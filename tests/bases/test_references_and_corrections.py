"""No evaluation score from a missing reference: an evaluation whose indicators compare with a value
its campaign lacks is neither submitted nor graded until staff record it (a re-evaluation inherits the
campaign of the evaluation it follows). A locked year's figures are corrected by a new dated
declaration, marked as made after the evaluation, which never changes the submitted evaluation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.load import shipped_rubric
from scoring.services.admin.accounts import actor_for
from scoring.store.models import AuditEvent, BaseFigureCorrection, Evaluation, Organisation, Round, User
from tests.bases.conftest import BaseWorld
from tests.conftest import Person, count
from tests.web.conftest import page_as, page_csrf  # noqa: F401  (page_as: a fixture)

ZH = {"Accept-Language": "zh-CN"}
SOURCE = "石家庄市科学技术局对市政协提案0520号的答复（2024年8月2日公开），2022年数据"
REFS = {"city_rd_intensity": "2.52", "city_rd_intensity_source": SOURCE}
REGIONAL = shipped_rubric("regional", "performance")
BLOCKED = (
    "无法计算总分：评估批次“2025年度绩效评估”尚未录入当年全市研发投入强度，相关指标须以此作为比较基准。"
    "请市发展改革委工作人员先在该评估批次中录入该数值，之后方可提交评估并评定等次。"
)


def regional(session: Session, bw: BaseWorld) -> None:
    bw.base.kind = "regional"
    session.get(Round, bw.base.round_id).references = {"city_rd_intensity": "1.00", "data_year": "2024"}
    session.flush()


def campaign(client: TestClient, bw: BaseWorld, references: dict[str, str] | None = None) -> int:
    body: dict[str, Any] = {"year": 2025, "title": "2025年度绩效评估"}
    if references is not None:
        body["references"] = references
    resp = client.post("/api/v1/campaigns", json=body, headers=bw.alice)
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def declare(client: TestClient, bw: BaseWorld, figures: dict[str, str], year: int = 2025) -> None:
    resp = client.post(f"{bw.url}/figures", json={"year": year, "figures": figures}, headers=bw.owner)
    assert resp.status_code == 200, resp.text


def scored_sheet(
    client: TestClient, bw: BaseWorld, expert_points: str, *, campaign_id: int | None = None, who: int = 0
) -> tuple[str, dict[str, str]]:
    """Assign evaluator `who`, who declares and saves every expert indicator (each at
    `expert_points`); the sheet's URL and the evaluator's headers."""
    expert, headers = bw.evaluators[who]
    body: dict[str, Any] = {"evaluator_ids": [expert.id]}
    if campaign_id is None:
        body["purpose"] = "re_evaluation"
        body["reason"] = "整改材料已提前报送"
    else:
        body["campaign_id"] = campaign_id
    resp = client.post(f"{bw.url}/evaluations", json=body, headers=bw.alice)
    assert resp.status_code == 201, resp.text
    url = f"/api/v1/evaluations/{resp.json()['created'][0]}"
    resp = client.post(f"{url}/declaration", json={"no_conflict": True}, headers=headers)
    assert resp.status_code == 200, resp.text
    scores = {i.code: expert_points for i in REGIONAL.indicators() if i.kind == "expert"}
    resp = client.put(url, json={"scores": scores, "version": resp.json()["version"]}, headers=headers)
    assert resp.status_code == 200, resp.text
    return url, headers


def test_an_evaluation_missing_its_campaigns_reference_is_not_submitted_until_staff_record_it(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    regional(session, bw)
    cid = campaign(client, bw)
    declare(client, bw, {"rd_intensity": "2.80", "hightech_share": "30"})
    url, headers = scored_sheet(client, bw, "5", campaign_id=cid)
    before = count(session, "audit_events")
    resp = client.post(f"{url}/submit", headers=headers | ZH)
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "campaign_reference_missing"
    assert error["message"] == BLOCKED
    assert error["fields"] == {"campaign.references.city_rd_intensity": "评估批次中尚未录入"}
    ev = session.scalars(select(Evaluation)).one()
    assert (ev.status, ev.total, ev.grade, ev.submitted_at) == ("draft", None, None, None)
    assert count(session, "audit_events") == before
    # The evaluator's sheet, the base's and staff's pages say why no total is computed.
    sheet = client.get(url, headers=headers | ZH).json()
    assert sheet["blocked"] == BLOCKED and sheet["total"] is None
    for who in (bw.owner, bw.alice):
        outcome = client.get(bw.url, headers=who | ZH).json()["outcomes"][0]
        assert (outcome["score"], outcome["grade"], outcome["blocked"]) == (None, None, BLOCKED)
    # Only staff record the reference; then the sheet is submitted and graded with it.
    body = {"city_rd_intensity": "2.52", "city_rd_intensity_source": SOURCE}
    for other in (bw.owner, bw.stranger, headers):
        assert client.put(f"/api/v1/campaigns/{cid}/references", json=body, headers=other).status_code == 404
    resp = client.put(f"/api/v1/campaigns/{cid}/references", json=body, headers=bw.alice)
    assert resp.status_code == 200, resp.text
    assert resp.json()["references"] == REFS
    assert client.get(url, headers=headers).json().get("blocked") is None
    resp = client.post(f"{url}/submit", headers=headers)
    assert resp.status_code == 200, resp.text
    # 55 expert points + pr3_3 (2.80% > 2.52%) + pr3_4 (30% ≥ 25%) = 75; pr3_1 and pr3_2 lack figures.
    assert (resp.json()["total"], resp.json()["grade"]) == ("75.00", "pass")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.references")).one()
    assert (event.before, event.after) == ({"references": {}}, {"references": REFS})
    # A value a submitted evaluation has read is not changed; nothing is saved.
    changed = {"city_rd_intensity": "2.60", "city_rd_intensity_source": SOURCE}
    resp = client.put(f"/api/v1/campaigns/{cid}/references", json=changed, headers=bw.alice | ZH)
    assert resp.status_code == 409
    assert resp.json()["error"]["fields"] == {"references.city_rd_intensity": "已被已提交的评估采用"}
    resp = client.put(f"/api/v1/campaigns/{cid}/references", json={}, headers=bw.alice | ZH)
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"references": "须至少填写一项参考值及其来源"}


def test_the_evaluator_page_shows_no_total_and_the_reason(
    client: TestClient,
    session: Session,
    bw: BaseWorld,
    page_as: Any,  # noqa: F811
) -> None:
    regional(session, bw)
    cid = campaign(client, bw)
    declare(client, bw, {"rd_intensity": "2.80"})
    url, _ = scored_sheet(client, bw, "5", campaign_id=cid)
    ev_id = url.rsplit("/", 1)[1]
    expert = bw.evaluators[0][0]
    user = session.get(User, expert.user_id)
    page = page_as(Person(user=user, actor=actor_for(user))).get(f"/evaluator/evaluations/{ev_id}")
    assert page.status_code == 200
    assert "总分：—" in page.text and BLOCKED in page.text


def test_a_re_evaluation_reads_the_references_of_the_campaign_it_follows(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    regional(session, bw)
    cid = campaign(client, bw, REFS)
    declare(client, bw, {"rd_intensity": "2.80"})
    url, headers = scored_sheet(client, bw, "2", campaign_id=cid)  # 22 + 10 (pr3_3) = 32: fail
    assert client.post(f"{url}/submit", headers=headers).json()["grade"] == "fail"
    resp = client.post(f"{bw.url}/rectification", json={"reasons": "研发投入不足"}, headers=bw.alice)
    assert resp.status_code == 200, resp.text
    url, headers = scored_sheet(client, bw, "5", who=1)
    sheet = client.get(url, headers=headers).json()
    assert "blocked" not in sheet
    assert {i["code"]: i["detail"] for i in sheet["indicators"]}["pr3_3"] == "2.80% > 2.52%"
    resp = client.post(f"{url}/submit", headers=headers)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["total"], resp.json()["grade"]) == ("65.00", "pass")


def _evaluated_2025(client: TestClient, session: Session, bw: BaseWorld) -> Evaluation:
    regional(session, bw)
    cid = campaign(client, bw, REFS)
    declare(client, bw, {"key_projects_total": "50", "key_projects_hightech": "20", "rd_intensity": "2.80"})
    url, headers = scored_sheet(client, bw, "5", campaign_id=cid)
    assert client.post(f"{url}/submit", headers=headers).status_code == 200
    return session.scalars(select(Evaluation)).one()


def test_a_locked_years_correction_is_a_new_dated_declaration_beside_what_the_evaluation_read(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    ev = _evaluated_2025(client, session, bw)
    read, total = dict(ev.figures), ev.total
    body = {
        "year": 2025,
        "figures": {"key_projects_hightech": "35"},
        "reason": "统计口径更正，补报3个高新技术项目",
    }
    resp = client.post(f"{bw.url}/figure-corrections", json=body, headers=bw.owner | ZH)
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert (out["year"], out["figures"], out["reason"]) == (
        2025,
        {"key_projects_hightech": "35"},
        body["reason"],
    )
    assert out["evaluated_at"] == ev.submitted_at.isoformat()
    # The submitted evaluation keeps what it read; the declared figures are unchanged too.
    session.expire_all()
    ev = session.get(Evaluation, ev.id)
    assert (ev.figures, ev.total) == (read, total)
    assert (
        client.get(f"{bw.url}/figures", headers=bw.owner).json()["series"][0]["points"][-1]["value"] == "50"
    )
    # A replay records nothing more; staff and the base both see it; a stranger does not.
    assert client.post(f"{bw.url}/figure-corrections", json=body, headers=bw.owner).status_code == 201
    assert count(session, "base_figure_corrections") == 1
    for who in (bw.owner, bw.alice):
        listed = client.get(bw.url, headers=who).json()["figure_corrections"]
        assert [(c["id"], c["figures"]) for c in listed] == [(out["id"], {"key_projects_hightech": "35"})]
    assert client.get(bw.url, headers=bw.stranger).status_code == 404
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "base.figures_correction")).one()
    assert (event.reason, event.after["figures"]) == (body["reason"], {"key_projects_hightech": "35"})


def test_correction_errors_are_named_and_save_nothing(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    _evaluated_2025(client, session, bw)
    before = (count(session, "base_figure_corrections"), count(session, "audit_events"))
    cases = [
        ({"year": 2025, "figures": {"key_projects_hightech": "35"}, "reason": ""}, 422,
         {"reason": "为必填项：请说明更正的内容和原因"}),
        ({"year": 2025, "figures": {"no_such": "1"}, "reason": "x"}, 422,
         {"figures.no_such": "不是该类基地的申报数据项"}),
        ({"year": 2025, "figures": {"key_projects_hightech": "60"}, "reason": "x"}, 422, None),
        ({"year": 2024, "figures": {"key_projects_hightech": "1"}, "reason": "x"}, 409,
         {"year": "尚无已提交的评估，数据未锁定"}),
    ]  # fmt: skip
    for body, status, fields in cases:
        resp = client.post(f"{bw.url}/figure-corrections", json=body, headers=bw.owner | ZH)
        assert resp.status_code == status, (body, resp.text)
        if fields is not None:
            assert resp.json()["error"]["fields"] == fields
        else:  # 60 high-tech projects of 50: the two figures contradict each other
            assert list(resp.json()["error"]["fields"]) == ["figures.key_projects_hightech"]
    assert resp.json()["error"]["code"] == "figures_not_locked"
    # Another organisation's applicant, an evaluator: 404.
    body = {"year": 2025, "figures": {"key_projects_hightech": "35"}, "reason": "x"}
    for other in (bw.stranger, bw.evaluators[0][1]):
        assert client.post(f"{bw.url}/figure-corrections", json=body, headers=other).status_code == 404
    assert (count(session, "base_figure_corrections"), count(session, "audit_events")) == before
    assert session.scalars(select(BaseFigureCorrection)).all() == []


def test_the_base_page_marks_a_correction_as_made_after_the_evaluation(
    client: TestClient,
    session: Session,
    bw: BaseWorld,
    page_as: Any,  # noqa: F811
    make_person: Any,
) -> None:
    ev = _evaluated_2025(client, session, bw)
    owner = page_as(make_person("applicant", org=session.get(Organisation, bw.base.organisation_id)))
    page = owner.get(f"/applicant/bases/{bw.base.id}")
    assert page.status_code == 200 and 'id="correction-form"' in page.text
    bad = owner.post(
        f"/applicant/bases/{bw.base.id}/figure-corrections",
        data={
            "year": "2025",
            "figures.key_projects_hightech": "35",
            "reason": "",
            "csrf_token": page_csrf(owner),
        },
    )
    assert bad.status_code == 422 and "为必填项：请说明更正的内容和原因" in bad.text
    ok = owner.post(
        f"/applicant/bases/{bw.base.id}/figure-corrections",
        data={"year": "2025", "figures.key_projects_hightech": "35", "reason": "统计口径更正",
              "csrf_token": page_csrf(owner)},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303, ok.text
    page = owner.get(f"/applicant/bases/{bw.base.id}?done=corrected")
    day = ev.submitted_at.astimezone(ZoneInfo("Asia/Shanghai")).date()  # pages show China dates
    assert "更正已按今日日期记载" in page.text
    assert "统计口径更正" in page.text
    assert f"于{day.year}年{day.month}月{day.day}日评估之后作出" in page.text
    staff = page_as(make_person("staff")).get(f"/staff/bases/{bw.base.id}")
    assert staff.status_code == 200 and "统计口径更正" in staff.text and "评估之后作出" in staff.text


def test_staff_record_a_missing_reference_on_the_campaign_list(
    client: TestClient,
    session: Session,
    bw: BaseWorld,
    page_as: Any,  # noqa: F811
    make_person: Any,
) -> None:
    cid = campaign(client, bw)
    staff = page_as(make_person("staff"))
    listing = staff.get("/staff/bases")
    assert f'data-record-references="{cid}"' in listing.text
    bad = staff.post(
        f"/staff/campaigns/{cid}/references",
        data={"references.city_rd_intensity": "2.52", "references.city_rd_intensity_source": "",
              "csrf_token": page_csrf(staff)},
    )  # fmt: skip
    assert bad.status_code == 422 and "必须填写：请注明数值所依据的文件" in bad.text
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.references")).all() == []
    ok = staff.post(
        f"/staff/campaigns/{cid}/references",
        data={"references.city_rd_intensity": "2.52", "references.city_rd_intensity_source": SOURCE,
              "csrf_token": page_csrf(staff)},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303, ok.text
    listing = staff.get("/staff/bases?done=references")
    assert f'2.52% <span class="muted">（{SOURCE}）</span>' in listing.text
    assert "参考值已录入" in listing.text
