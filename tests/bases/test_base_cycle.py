"""Dynamic management through the API: each outcome's full cycle, the order of steps enforced, four
eyes on revocation, and the public lists always right."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent
from tests.bases.conftest import BaseWorld, scores_for


def campaign(client: TestClient, bw: BaseWorld, year: int = 2025) -> int:
    resp = client.post(
        "/api/v1/campaigns", json={"year": year, "title": f"{year}年度绩效评估"}, headers=bw.alice
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def evaluate(
    client: TestClient, bw: BaseWorld, expert_total: str, *, who: int = 0, purpose: str = "regular",
    campaign_id: int | None = None, reason: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Assign evaluator `who`, who declares, scores `expert_total` on the expert indicators and submits."""
    expert, headers = bw.evaluators[who]
    body: dict[str, Any] = {"purpose": purpose, "evaluator_ids": [expert.id]}
    if campaign_id is not None:
        body["campaign_id"] = campaign_id
    if reason is not None:
        body["reason"] = reason
    resp = client.post(f"{bw.url}/evaluations", json=body, headers=bw.alice)
    assert resp.status_code == 201, resp.text
    ev_id = resp.json()["created"][0]
    url = f"/api/v1/evaluations/{ev_id}"
    resp = client.post(f"{url}/declaration", json={"no_conflict": True}, headers=headers)
    assert resp.status_code == 200, resp.text
    version = resp.json()["version"]
    resp = client.put(url, json={"scores": scores_for(expert_total), "version": version}, headers=headers)
    assert resp.status_code == 200, resp.text
    resp = client.post(f"{url}/submit", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def figures(client: TestClient, bw: BaseWorld, year: int, platforms: str) -> None:
    resp = client.post(
        f"{bw.url}/figures", json={"year": year, "figures": {"rd_platforms": platforms}}, headers=bw.owner
    )
    assert resp.status_code == 200, resp.text


def test_an_excellent_outcome_marks_the_base_and_the_base_sees_only_its_grade(
    client: TestClient, bw: BaseWorld
) -> None:
    cid = campaign(client, bw)
    figures(client, bw, 2025, "2")
    first = evaluate(client, bw, "76", campaign_id=cid)  # 76 + 10 data points = 86
    assert (first["total"], first["grade"]) == ("86.00", "excellent")
    evaluate(client, bw, "74", who=1, campaign_id=cid)  # 84: the mean 85.00 is still 优秀 (≥ 85)
    mine = client.get(bw.url, headers=bw.owner)
    assert mine.status_code == 200
    body = mine.json()
    assert body["promotion_marked"] is True
    assert body["outcomes"] == [
        {
            "campaign": "2025年度绩效评估", "purpose": "regular", "year": 2025, "complete": True,
            "submitted": 2, "expected": 2, "score": "85.00", "grade": "excellent",
        }
    ]  # fmt: skip
    assert "evaluations" not in body
    assert "评估员" not in mine.text
    staff = client.get(bw.url, headers=bw.alice).json()
    assert [(e["evaluator"], e["total"]) for e in staff["evaluations"]] == [
        ("评估员0", "86.00"),
        ("评估员1", "84.00"),
    ]
    assert [h["event"] for h in body["history"]][-2:] == ["evaluation_assigned", "evaluated"]


def test_fail_then_rectification_then_a_passing_reevaluation_restores_the_base(
    client: TestClient, bw: BaseWorld, session: Session
) -> None:
    cid = campaign(client, bw)
    assert evaluate(client, bw, "50", campaign_id=cid)["grade"] == "fail"  # no platform: 50 + 0
    resp = client.post(f"{bw.url}/rectification", json={"reasons": "研发平台建设滞后"}, headers=bw.alice)
    assert resp.status_code == 200, resp.text
    assert resp.json()["deadline"] == "2026-09-02"  # six months from 2 March 2026
    replay = client.post(f"{bw.url}/rectification", json={"reasons": "研发平台建设滞后"}, headers=bw.alice)
    assert replay.json()["id"] == resp.json()["id"]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "base.rectification"))
    assert len(actions.all()) == 1
    assert client.get(bw.url, headers=bw.owner).json()["status"] == "rectifying"

    early = client.post(
        f"{bw.url}/evaluations", json={"purpose": "re_evaluation", "evaluator_ids": [bw.evaluators[1][0].id]},
        headers=bw.alice | {"Accept-Language": "zh-CN"},
    )  # fmt: skip
    assert early.status_code == 422
    assert "2026-09-02" in early.json()["error"]["fields"]["reason"]

    figures(client, bw, 2026, "1")
    evaluate(client, bw, "60", who=1, purpose="re_evaluation", reason="整改材料已提前报送")
    detail = client.get(bw.url, headers=bw.alice).json()
    assert detail["status"] == "rectifying"  # nothing happens without a staff decision
    assert detail["rectifications"][0]["status"] == "passed"
    assert detail["rectifications"][0]["brought_forward_reason"] == "整改材料已提前报送"
    resp = client.post(f"{bw.url}/restore", json={}, headers=bw.bob)
    assert resp.status_code == 200 and resp.json()["status"] == "active"


def test_fail_twice_then_revocation_by_a_second_staff_member_reaches_the_public_list(
    client: TestClient, bw: BaseWorld
) -> None:
    cid = campaign(client, bw)
    evaluate(client, bw, "40", campaign_id=cid)
    client.post(
        f"{bw.url}/rectification", json={"reasons": "整改不到位", "deadline": "2026-06-30"}, headers=bw.alice
    )
    bw.today.set(date(2026, 7, 1))
    assert evaluate(client, bw, "45", who=1, purpose="re_evaluation")["grade"] == "fail"
    refused = client.post(f"{bw.url}/restore", json={}, headers=bw.alice)
    assert refused.status_code == 409
    resp = client.post(f"{bw.url}/revocation", json={"reason": "整改后复评仍不合格"}, headers=bw.alice)
    assert resp.status_code == 200, resp.text
    same = client.post(
        f"{bw.url}/revocation/confirm", json={"document_no": "石政字〔2026〕9号", "decided_on": "2026-07-01"},
        headers=bw.alice,
    )  # fmt: skip
    assert same.status_code == 409 and same.json()["error"]["code"] == "four_eyes"
    resp = client.post(
        f"{bw.url}/revocation/confirm", json={"document_no": "石政字〔2026〕9号", "decided_on": "2026-07-01"},
        headers=bw.bob,
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert (resp.json()["status"], resp.json()["revocation_document_no"]) == ("revoked", "石政字〔2026〕9号")

    revoked = client.get("/api/v1/public/bases?status=revoked")
    assert revoked.status_code == 200
    [entry] = [b for b in revoked.json()["items"] if b["name"] == bw.base.name]
    assert entry["revoked_on"] == "2026-07-01"
    assert "评估员" not in revoked.text and "total" not in revoked.text
    active = client.get("/api/v1/public/bases?status=active").json()["items"]
    assert bw.base.name not in [b["name"] for b in active]


def test_steps_out_of_order_are_refused(client: TestClient, bw: BaseWorld) -> None:
    resp = client.post(f"{bw.url}/revocation", json={"reason": "x"}, headers=bw.alice)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "invalid_transition"
    resp = client.post(f"{bw.url}/rectification", json={"reasons": "x"}, headers=bw.alice)
    assert resp.status_code == 409
    resp = client.post(
        f"{bw.url}/evaluations", json={"purpose": "re_evaluation", "evaluator_ids": [bw.evaluators[0][0].id]},
        headers=bw.alice,
    )  # fmt: skip
    assert resp.status_code == 409
    cid = campaign(client, bw)
    assert evaluate(client, bw, "80", campaign_id=cid)["grade"] == "pass"  # 80 + 0: 合格
    resp = client.post(f"{bw.url}/rectification", json={"reasons": "x"}, headers=bw.alice)
    assert resp.status_code == 409


def test_an_evaluator_with_a_conflict_is_refused_with_the_reason(client: TestClient, bw: BaseWorld) -> None:
    cid = campaign(client, bw)
    resp = client.post(
        f"{bw.url}/evaluations",
        json={"campaign_id": cid, "evaluator_ids": [bw.evaluators[0][0].id, bw.conflicted.id]},
        headers=bw.alice,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"evaluator_ids.1": "是该基地所在单位的工作人员"}


def test_who_sees_what(client: TestClient, bw: BaseWorld, make_person: Any, login: Any) -> None:
    cid = campaign(client, bw)
    resp = client.post(
        f"{bw.url}/evaluations", json={"campaign_id": cid, "evaluator_ids": [bw.evaluators[0][0].id]},
        headers=bw.alice,
    )  # fmt: skip
    ev = resp.json()["created"][0]
    assert client.get(bw.url, headers=bw.stranger).status_code == 404
    assert client.get(f"/api/v1/evaluations/{ev}", headers=bw.evaluators[1][1]).status_code == 404
    assert client.get(f"/api/v1/evaluations/{ev}", headers=bw.owner).status_code == 404
    mine = client.get("/api/v1/evaluations", headers=bw.evaluators[0][1]).json()["items"]
    assert [m["id"] for m in mine] == [ev] and "evaluator" not in mine[0]
    assert client.get("/api/v1/evaluations", headers=bw.evaluators[1][1]).json()["items"] == []
    county = login(make_person("county", district="长安区"))
    assert client.get("/api/v1/bases", headers=county).status_code == 404
    assert client.get(bw.url, headers=county).status_code == 404
    assert (
        client.post("/api/v1/campaigns", json={"year": 2025, "title": "x"}, headers=bw.owner).status_code
        == 404
    )
    assert [b["id"] for b in client.get("/api/v1/bases", headers=bw.owner).json()["items"]] == [bw.base.id]
    assert client.get("/api/v1/bases", headers=bw.stranger).json()["items"] == []
    # Before the declaration the evaluator sees no material.
    assert "indicators" not in client.get(f"/api/v1/evaluations/{ev}", headers=bw.evaluators[0][1]).json()


def test_bad_input_names_the_field_and_the_rule(client: TestClient, bw: BaseWorld) -> None:
    zh = {"Accept-Language": "zh-CN"}
    resp = client.post(
        f"{bw.url}/figures", json={"year": 2025, "figures": {"rd_platforms": "-1", "nope": "1"}},
        headers=bw.owner | zh,
    )  # fmt: skip
    assert resp.status_code == 422
    assert set(resp.json()["error"]["fields"]) == {"figures.rd_platforms", "figures.nope"}
    resp = client.post(
        f"{bw.url}/figures", json={"year": 2025, "figures": {"rd_platforms": "1.5"}}, headers=bw.owner
    )
    assert resp.json()["error"]["fields"] == {"figures.rd_platforms": "须为整数"}
    resp = client.post(
        f"{bw.url}/figures", json={"year": 2030, "figures": {"rd_platforms": "1"}}, headers=bw.owner
    )
    assert resp.status_code == 422 and "year" in resp.json()["error"]["fields"]
    resp = client.post(
        "/api/v1/campaigns", json={"year": 2025, "title": "x", "bands": {"excellent": "60", "pass": "70"}},
        headers=bw.alice,
    )  # fmt: skip
    assert resp.status_code == 422
    cid = campaign(client, bw)
    evaluate(client, bw, "40", campaign_id=cid)
    resp = client.post(
        f"{bw.url}/rectification", json={"reasons": "x", "deadline": "2026-03-01"}, headers=bw.alice | zh
    )
    assert resp.status_code == 422 and "deadline" in resp.json()["error"]["fields"]
    expert, headers = bw.evaluators[1]
    ev = client.post(
        f"{bw.url}/evaluations", json={"campaign_id": cid, "evaluator_ids": [expert.id]}, headers=bw.alice
    ).json()["created"][0]
    version = client.post(
        f"/api/v1/evaluations/{ev}/declaration", json={"no_conflict": True}, headers=headers
    ).json()["version"]
    resp = client.put(
        f"/api/v1/evaluations/{ev}", json={"scores": {"pe1_1": "4.3", "pe4_1": "10"}, "version": version},
        headers=headers | zh,
    )  # fmt: skip
    assert resp.status_code == 422
    assert set(resp.json()["error"]["fields"]) == {"scores.pe1_1", "scores.pe4_1"}
    resp = client.post(f"/api/v1/evaluations/{ev}/submit", headers=headers)
    assert resp.status_code == 422 and "scores.pe1_1" in resp.json()["error"]["fields"]


def test_overdue_rectifications_are_listed_and_nothing_changes_by_itself(
    client: TestClient, bw: BaseWorld
) -> None:
    cid = campaign(client, bw)
    evaluate(client, bw, "40", campaign_id=cid)
    client.post(f"{bw.url}/rectification", json={"reasons": "x", "deadline": "2026-04-30"}, headers=bw.alice)
    assert client.get("/api/v1/bases/due", headers=bw.alice).json()["rectifications"] == []
    bw.today.set(date(2026, 5, 4))
    due = client.get("/api/v1/bases/due", headers=bw.alice).json()["rectifications"]
    assert [(d["base_id"], d["deadline"], d["days_overdue"]) for d in due] == [(bw.base.id, "2026-04-30", 4)]
    assert client.get(bw.url, headers=bw.alice).json()["status"] == "rectifying"
    assert client.get("/api/v1/bases/due", headers=bw.owner).status_code == 404


def test_year_on_year_figures_show_the_change(client: TestClient, bw: BaseWorld, session: Session) -> None:
    figures(client, bw, 2025, "2")
    figures(client, bw, 2026, "3")
    body = client.get(f"{bw.url}/figures", headers=bw.owner).json()
    [series] = body["series"]
    assert series["code"] == "rd_platforms"
    assert [(p["year"], p["value"], p["change"]) for p in series["points"]] == [
        (2025, "2", None),
        (2026, "3", "+1"),
    ]
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "base.figures")).all() == [
        "base.figures",
        "base.figures",
    ]


def test_the_cli_lists_what_is_overdue(client: TestClient, bw: BaseWorld, session: Session) -> None:
    from scoring.cli.bases import due_lines

    cid = campaign(client, bw)
    evaluate(client, bw, "40", campaign_id=cid)
    client.post(f"{bw.url}/rectification", json={"reasons": "x", "deadline": "2026-04-30"}, headers=bw.alice)
    assert due_lines(session, date(2026, 4, 30)) == []
    [line] = due_lines(session, date(2026, 5, 2))
    assert line.startswith("rectification") and bw.base.name in line and "2 day(s) overdue" in line


def test_the_cli_command_runs_against_a_database(tmp_path: Any, monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    from scoring.cli.main import app
    from scoring.store import migrate

    url = f"sqlite:///{(tmp_path / 'cli.sqlite3').as_posix()}"
    migrate.upgrade(url)
    monkeypatch.setenv("SHUANGCHUANG_DATABASE_URL", url)
    monkeypatch.setenv("SHUANGCHUANG_VAR_DIR", str(tmp_path))
    from scoring import settings

    if hasattr(settings.get_settings, "cache_clear"):
        settings.get_settings.cache_clear()
    result = CliRunner().invoke(app, ["bases", "due"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "nothing overdue"
