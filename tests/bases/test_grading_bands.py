"""Evaluations are graded by the bands of the performance rubric (or a campaign's own bands)."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from criteria.schema import GradeBand
from scoring.core.actors import SYSTEM
from scoring.services.admin.rubrics import freeze
from scoring.store.models import Campaign
from tests.bases.conftest import PERFORMANCE, BaseWorld
from tests.bases.test_base_cycle import campaign, evaluate, figures


def test_a_campaign_without_bands_records_the_bands_of_the_rubrics(client: TestClient, bw: BaseWorld) -> None:
    cid = campaign(client, bw)
    [listed] = client.get("/api/v1/campaigns", headers=bw.alice).json()["items"]
    assert (listed["id"], listed["bands"]) == (cid, {"excellent": "85", "pass": "60"})


def test_a_campaign_with_its_own_bands_grades_by_them(client: TestClient, bw: BaseWorld) -> None:
    resp = client.post(
        "/api/v1/campaigns",
        json={"year": 2025, "title": "t", "bands": {"excellent": "90", "pass": "87"}},
        headers=bw.alice,
    )
    assert resp.status_code == 201 and resp.json()["bands"] == {"excellent": "90", "pass": "87"}
    figures(client, bw, 2025, "2")
    sheet = evaluate(client, bw, "76", campaign_id=resp.json()["id"])  # 76 + 10 data points = 86
    assert (sheet["total"], sheet["grade"]) == ("86.00", "fail")


def test_without_campaign_bands_each_evaluation_is_graded_by_its_rubric_version(
    client: TestClient, bw: BaseWorld, session: Session
) -> None:
    stricter = PERFORMANCE.model_copy(
        update={
            "grade_bands": (
                GradeBand(code="excellent", grade_zh="优秀", grade_en="excellent", min=Decimal(95)),
                GradeBand(code="pass", grade_zh="合格", grade_en="pass", min=Decimal(86)),
                GradeBand(code="fail", grade_zh="不合格", grade_en="fail", min=Decimal(0)),
            )
        }
    )
    version = freeze(session, actor=SYSTEM, rubric=stricter, source="test").version
    cid = campaign(client, bw)
    row = session.get(Campaign, cid)
    assert row is not None
    # A campaign over rubrics whose bands differ by kind records none of its own.
    row.bands = {}
    row.rubric_versions = {**row.rubric_versions, bw.base.kind: version}
    session.flush()
    figures(client, bw, 2025, "2")
    first = evaluate(client, bw, "76", campaign_id=cid)  # 86: 合格 from 86 in this rubric
    assert (first["total"], first["grade"]) == ("86.00", "pass")
    second = evaluate(client, bw, "74", who=1, campaign_id=cid)  # 84; the mean 85.00 fails
    assert (second["total"], second["grade"]) == ("84.00", "fail")
    [outcome] = client.get(bw.url, headers=bw.owner).json()["outcomes"]
    assert (outcome["score"], outcome["grade"], outcome["complete"]) == ("85.00", "fail", True)
    assert client.get("/api/v1/campaigns", headers=bw.alice).json()["items"][0]["bands"] is None


def test_staff_see_who_proposed_a_revocation_and_the_base_does_not(client: TestClient, bw: BaseWorld) -> None:
    cid = campaign(client, bw)
    evaluate(client, bw, "40", campaign_id=cid)
    assert client.post(f"{bw.url}/rectification", json={"reasons": "x"}, headers=bw.alice).status_code == 200
    bw.today.set(bw.today.today.replace(year=bw.today.today.year + 1))
    evaluate(client, bw, "40", who=1, purpose="re_evaluation")
    resp = client.post(f"{bw.url}/revocation", json={"reason": "twice failed"}, headers=bw.alice)
    assert resp.status_code == 200, resp.text
    alice_id = resp.json()["proposed_by_id"]
    assert (resp.json()["status"], resp.json()["confirmed_by_id"]) == ("proposed", None)
    staff_view = client.get(bw.url, headers=bw.bob).json()["revocation"]
    assert (staff_view["proposed_by_id"], staff_view["confirmed_by_id"]) == (alice_id, None)
    own_view = client.get(bw.url, headers=bw.owner).json()["revocation"]
    assert own_view["status"] == "proposed" and "proposed_by_id" not in own_view
    assert "confirmed_by_id" not in own_view
