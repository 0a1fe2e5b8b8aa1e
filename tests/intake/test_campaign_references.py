"""A performance campaign stores its own reference values (that year's provincial and city R&D
intensity, each with its source); the indicator "R&D intensity above the city average" compares with
the campaign's, and is not computed (the sheet says so) where the campaign has none. The yearly figures
behind a submitted evaluation are locked."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent, BaseYearFigures, Campaign, Round
from tests.bases.conftest import BaseWorld
from tests.bases.test_base_cycle import evaluate, figures
from tests.conftest import count

ZH = {"Accept-Language": "zh-CN"}
SOURCE = "石家庄市科学技术局对市政协提案0520号的答复（2024年8月2日公开），2022年数据"
REFS = {
    "provincial_rd_intensity": "2.00",
    "provincial_rd_intensity_source": SOURCE,
    "city_rd_intensity": "2.52",
    "city_rd_intensity_source": SOURCE,
}


def open_campaign(client: TestClient, bw: BaseWorld, references: dict[str, str] | None = None) -> int:
    body: dict[str, Any] = {"year": 2025, "title": "2025年度绩效评估"}
    if references is not None:
        body["references"] = references
    resp = client.post("/api/v1/campaigns", json=body, headers=bw.alice)
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def test_a_campaign_keeps_its_references_with_their_sources_and_audits_them(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    cid = open_campaign(client, bw, REFS)
    listed = client.get("/api/v1/campaigns", headers=bw.alice).json()["items"]
    assert listed[0]["references"] == REFS
    assert session.get(Campaign, cid).references == REFS
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.create")).one()
    assert event.after["references"] == REFS


@pytest.mark.parametrize(
    ("references", "fields"),
    [
        (
            {"city_rd_intensity": "2.52"},
            {"references.city_rd_intensity_source": "必须填写：请注明数值所依据的文件"},
        ),
        (
            {"city_rd_intensity_source": SOURCE},
            {"references.city_rd_intensity": "填写了来源时必须同时填写数值"},
        ),
    ],
)
def test_a_value_and_its_source_go_together(
    client: TestClient, session: Session, bw: BaseWorld, references: dict[str, str], fields: dict[str, str]
) -> None:
    before = count(session, "campaigns")
    resp = client.post(
        "/api/v1/campaigns",
        json={"year": 2025, "title": "2025年度绩效评估", "references": references},
        headers=bw.alice | ZH,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == fields
    assert count(session, "campaigns") == before


def test_an_out_of_range_value_names_its_field(client: TestClient, session: Session, bw: BaseWorld) -> None:
    resp = client.post(
        "/api/v1/campaigns",
        json={
            "year": 2025,
            "title": "x",
            "references": {"city_rd_intensity": "101", "city_rd_intensity_source": "x"},
        },
        headers=bw.alice,
    )
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == ["references.city_rd_intensity"]


def test_only_staff_open_a_campaign(client: TestClient, bw: BaseWorld) -> None:
    body = {"year": 2025, "title": "x", "references": REFS}
    assert client.post("/api/v1/campaigns", json=body, headers=bw.owner).status_code in (403, 404)


def _regional_sheet(client: TestClient, session: Session, bw: BaseWorld, cid: int, rd: str) -> dict[str, Any]:
    """The base as a regional one (its rubric has 'R&D intensity above the city average'), its 2025
    figures declared, and an evaluator's sheet opened in the campaign."""
    bw.base.kind = "regional"
    # The designation round's reference is deliberately different: the campaign's must be the one read.
    session.get(Round, bw.base.round_id).references = {"city_rd_intensity": "1.00", "data_year": "2024"}
    session.flush()
    resp = client.post(
        f"{bw.url}/figures", json={"year": 2025, "figures": {"rd_intensity": rd}}, headers=bw.owner
    )
    assert resp.status_code == 200, resp.text
    expert, headers = bw.evaluators[0]
    resp = client.post(
        f"{bw.url}/evaluations", json={"campaign_id": cid, "evaluator_ids": [expert.id]}, headers=bw.alice
    )
    assert resp.status_code == 201, resp.text
    url = f"/api/v1/evaluations/{resp.json()['created'][0]}"
    resp = client.post(f"{url}/declaration", json={"no_conflict": True}, headers=headers | ZH)
    assert resp.status_code == 200, resp.text
    return {i["code"]: i for i in resp.json()["indicators"]}


def test_the_city_average_indicator_compares_with_the_campaigns_reference(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    cid = open_campaign(client, bw, REFS)
    ind = _regional_sheet(client, session, bw, cid, "2.52")["pr3_3"]
    # Equal to the city average is not above it (高于 is strict); the round's 1.00 is not used.
    assert (ind["result"], ind["detail"], ind["not_computed"]) == ("fail", "2.52% ≤ 2.52%", None)


def test_without_a_campaign_reference_the_indicator_is_not_computed_and_the_sheet_says_so(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    cid = open_campaign(client, bw)
    ind = _regional_sheet(client, session, bw, cid, "2.80")["pr3_3"]
    assert ind["result"] is None and ind["detail"] is None
    assert (
        ind["not_computed"] == "未计算：本次评估批次未录入可供比较的参考值（当年全市研发投入强度）；"
        "工作人员在评估批次中录入该数值前，不计算总分。"
    )


def test_the_figures_behind_a_submitted_evaluation_are_locked(
    client: TestClient, session: Session, bw: BaseWorld
) -> None:
    cid = open_campaign(client, bw, REFS)
    figures(client, bw, 2025, "2")
    evaluate(client, bw, "70", campaign_id=cid)
    before = count(session, "audit_events")
    resp = client.post(
        f"{bw.url}/figures", json={"year": 2025, "figures": {"rd_platforms": "5"}}, headers=bw.owner | ZH
    )
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "figures_locked"
    assert error["message"] == "2025 年度数据已锁定：依据该数据的绩效评估已提交，评估所依据的数据保持原样。"
    assert error["fields"] == {"year": "已因绩效评估提交而锁定"}
    row = session.scalars(select(BaseYearFigures).where(BaseYearFigures.base_id == bw.base.id)).one()
    assert row.figures == {"rd_platforms": "2"}
    assert count(session, "audit_events") == before
    # Staff are held to the same rule; another year is still open.
    assert (
        client.post(
            f"{bw.url}/figures", json={"year": 2025, "figures": {"rd_platforms": "5"}}, headers=bw.alice
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{bw.url}/figures", json={"year": 2024, "figures": {"rd_platforms": "1"}}, headers=bw.owner
        ).status_code
        == 200
    )


def test_the_staff_campaign_form_has_the_reference_fields_and_names_errors(
    session: Session, bw: BaseWorld, page_as: Any, make_person: Any
) -> None:
    from tests.web.conftest import page_csrf

    staff = page_as(make_person("staff"))
    page = staff.get("/staff/bases")
    assert 'name="references.city_rd_intensity"' in page.text and "当年全市研发投入强度（%）" in page.text
    resp = staff.post(
        "/staff/campaigns",
        data={"year": "2025", "title": "2025年度绩效评估", "references.city_rd_intensity": "2.52",
              "csrf_token": page_csrf(staff)},
    )  # fmt: skip
    assert resp.status_code == 422
    assert "必须填写：请注明数值所依据的文件" in resp.text
    assert 'value="2.52"' in resp.text
    ok = staff.post(
        "/staff/campaigns",
        data={"year": "2025", "title": "2025年度绩效评估", "references.city_rd_intensity": "2.52",
              "references.city_rd_intensity_source": SOURCE, "csrf_token": page_csrf(staff)},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303, ok.text
    listing = staff.get("/staff/bases")
    assert f'2.52% <span class="muted">（{SOURCE}）</span>' in listing.text
    assert "未设定：与之比较的指标不予计算" in listing.text  # the provincial value was left out
