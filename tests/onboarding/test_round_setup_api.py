"""Round set-up over the API: create with the call's texts, per-status frozen fields, deadline extensions;
and the public call without a login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.db import utcnow
from scoring.store.models import AuditEvent
from tests.conftest import Person

EN = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def iso(days: int) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()


def setup_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2027,
        "title": "2027年度市级“双创”示范基地评选",
        "kinds": ["regional", "enterprise"],
        "focus": "# 建设重点\n- 围绕**主导产业**建设双创平台\n- 完善孵化体系",
        "requirements": "1. 申报单位须在石家庄市注册\n2. 提交申报书<script>alert(1)</script>",
        "references": {"provincial_rd_intensity": "2.00", "data_year": 2026, "source": "河北省统计公报"},
        "deadlines": {
            "application": iso(30),
            "recommendation": iso(40),
            "formal_check": iso(50),
            "scoring": iso(70),
        },
        "quotas": {"regional": 2, "enterprise": 3},
    }
    body.update(over)
    return body


def create(client: TestClient, staff: dict[str, str], **over: Any) -> dict[str, Any]:
    resp = client.post("/api/v1/rounds/setup", json=setup_body(**over), headers=staff)
    assert resp.status_code == 201, resp.text
    return resp.json()


def transition(client: TestClient, staff: dict[str, str], rid: int, action: str) -> None:
    resp = client.post(f"/api/v1/rounds/{rid}/transition", json={"action": action}, headers=staff)
    assert resp.status_code == 200, resp.text


def test_a_round_is_created_with_its_call_and_the_draft_is_not_public(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    created = create(client, staff)
    assert created["status"] == "draft"
    assert created["references"] == {
        "rd_reference": "provincial",
        "provincial_rd_intensity": "2.00",
        "data_year": "2026",
        "source": "河北省统计公报",
    }
    assert set(created["frozen"]) == set()
    rid = created["id"]
    assert client.get(f"/api/v1/public/calls/{rid}").status_code == 404
    assert rid not in [c["id"] for c in client.get("/api/v1/public/calls").json()]

    transition(client, staff, rid, "open")
    public = client.get(f"/api/v1/public/calls/{rid}")
    assert public.status_code == 200
    call = public.json()
    assert call["accepting"] is True
    assert call["focus"] == [
        {"kind": "h", "lines": [[{"text": "建设重点", "bold": False}]]},
        {
            "kind": "ul",
            "lines": [
                [
                    {"text": "围绕", "bold": False},
                    {"text": "主导产业", "bold": True},
                    {"text": "建设双创平台", "bold": False},
                ],
                [{"text": "完善孵化体系", "bold": False}],
            ],
        },
    ]
    assert call["requirements"][0]["lines"][1] == [
        {"text": "2. 提交申报书<script>alert(1)</script>", "bold": False}
    ]
    assert [d["name"] for d in call["deadlines"]] == [
        "application",
        "recommendation",
        "formal_check",
        "scoring",
    ]
    kinds = {c["kind"]: c for c in call["criteria"]}
    assert set(kinds) == {"regional", "enterprise"}
    assert len(kinds["enterprise"]["sections"]) == 4
    assert kinds["regional"]["gates"] != []


def test_fields_freeze_by_status_and_every_edit_is_audited(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = {**login(make_person("staff")), **EN}
    created = create(client, staff)
    rid = created["id"]
    edited = client.patch(
        f"/api/v1/rounds/{rid}/setup",
        json={"version": created["version"], "kinds": ["enterprise"], "quotas": {"enterprise": 4}},
        headers=staff,
    )
    assert edited.status_code == 200, edited.text
    assert list(edited.json()["rubric_versions"]) == ["enterprise"]
    transition(client, staff, rid, "open")
    version = client.get(f"/api/v1/rounds/{rid}/setup", headers=staff).json()["version"]
    frozen = client.patch(
        f"/api/v1/rounds/{rid}/setup",
        json={"version": version, "kinds": ["enterprise", "regional"], "title": "新标题"},
        headers=staff,
    )
    assert frozen.status_code == 409
    assert frozen.json()["error"]["fields"] == {
        "kinds": "is frozen once the round is open (the rubric versions are fixed then)"
    }
    ok = client.patch(
        f"/api/v1/rounds/{rid}/setup",
        json={
            "version": version,
            "requirements": "补充:须附营业执照",
            "references": {"provincial_rd_intensity": "2.10"},
        },
        headers=staff,
    )
    assert ok.status_code == 200, ok.text
    transition(client, staff, rid, "close_applications")
    version = client.get(f"/api/v1/rounds/{rid}/setup", headers=staff).json()["version"]
    refs = client.patch(
        f"/api/v1/rounds/{rid}/setup",
        json={"version": version, "references": {"provincial_rd_intensity": "1.50"}},
        headers=staff,
    )
    assert refs.status_code == 409
    assert refs.json()["error"]["fields"] == {
        "references": "is frozen once applications close and the formal check starts"
    }
    stale = client.patch(f"/api/v1/rounds/{rid}/setup", json={"version": 1, "title": "x标题"}, headers=staff)
    assert stale.status_code == 409
    edits = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(rid), AuditEvent.action == "round.edit")
    ).all()
    assert edits[-1].before == {
        "requirements": "1. 申报单位须在石家庄市注册\n2. 提交申报书<script>alert(1)</script>",
        "references": {
            "rd_reference": "provincial",
            "provincial_rd_intensity": "2.00",
            "data_year": "2026",
            "source": "河北省统计公报",
        },
    }
    assert edits[-1].after == {
        "requirements": "补充:须附营业执照",
        "references": {
            "rd_reference": "provincial",
            "provincial_rd_intensity": "2.10",
            "source": "河北省统计公报",
        },
    }


def test_a_deadline_is_extended_with_a_reason_and_only_later(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = {**login(make_person("staff")), **EN}
    rid = create(client, staff)["id"]
    transition(client, staff, rid, "open")
    no_reason = client.post(
        f"/api/v1/rounds/{rid}/deadline-extensions",
        json={"deadline": "application", "until": iso(35)},
        headers=staff,
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["fields"] == {"reason": "is required: say why the deadline moves"}
    earlier = client.post(
        f"/api/v1/rounds/{rid}/deadline-extensions",
        json={"deadline": "application", "until": iso(10), "reason": "试试"},
        headers=staff,
    )
    assert earlier.status_code == 422
    assert earlier.json()["error"]["fields"]["until"].startswith("must be later than the current deadline (")
    past_next = client.post(
        f"/api/v1/rounds/{rid}/deadline-extensions",
        json={"deadline": "application", "until": iso(45), "reason": "延期"},
        headers=staff,
    )
    assert past_next.json()["error"]["fields"] == {
        "until": "must be before the county recommendation deadline; extend that one first"
    }
    until = iso(35)
    ok = client.post(
        f"/api/v1/rounds/{rid}/deadline-extensions",
        json={"deadline": "application", "until": until, "reason": "部分县区材料报送延迟"},
        headers=staff,
    )
    assert ok.status_code == 200, ok.text
    assert datetime.fromisoformat(ok.json()["deadlines"]["application"]) == datetime.fromisoformat(until)
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(rid), AuditEvent.action == "round.extend_deadline"
        )
    )
    assert event is not None and event.reason == "部分县区材料报送延迟"


def test_the_calls_documents_are_pdf_only_and_public_once_open(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = {**login(make_person("staff")), **EN}
    rid = create(client, staff)["id"]
    refused = client.post(
        f"/api/v1/rounds/{rid}/documents",
        files={"file": ("n.docx", b"PK\x03\x04", "application/msword")},
        headers=staff,
    )
    assert refused.status_code == 415
    doc = client.post(
        f"/api/v1/rounds/{rid}/documents",
        data={"title": "申报通知"},
        files={"file": ("通知.pdf", PDF, "application/pdf")},
        headers=staff,
    ).json()
    assert client.get(f"/api/v1/public/calls/{rid}/documents/{doc['id']}").status_code == 404
    transition(client, staff, rid, "open")
    got = client.get(f"/api/v1/public/calls/{rid}/documents/{doc['id']}")
    assert (got.status_code, got.content) == (200, PDF)
    assert client.get(f"/api/v1/public/calls/{rid}").json()["documents"][0]["title"] == "申报通知"


def test_bad_setup_inputs_name_their_fields(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = {**login(make_person("staff")), **EN}
    resp = client.post(
        "/api/v1/rounds/setup",
        json=setup_body(
            panel_size=4,
            quotas={"regional": 2},
            references={},
            deadlines={"application": iso(30), "recommendation": iso(20), "scoring": iso(70)},
        ),
        headers=staff,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "panel_size": "must be an odd number from 5 to 7",
        "quotas.enterprise": "is required for every opened kind",
        "references.provincial_rd_intensity": "is required when regional bases are opened "
        "(the R&D-intensity gate compares with it)",
        "deadlines.recommendation": "must be after the application deadline",
    }
    applicant_headers = login(make_person("expert"))
    assert (
        client.post("/api/v1/rounds/setup", json=setup_body(), headers=applicant_headers).status_code == 403
    )
