"""Evidence files for a base's figures of a year: who may add, read and remove them, what the
evaluators of that year see, and that an evaluated year's evidence stays."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.settings import Settings
from scoring.store.models import Attachment, AuditEvent
from tests.bases.conftest import PERFORMANCE, BaseWorld
from tests.bases.test_base_cycle import campaign, evaluate, figures
from tests.rounds.rounds_world import PDF, PNG

ZH = {"Accept-Language": "zh-CN"}
CODE = next(iter(PERFORMANCE.indicators())).code


def upload(
    client: TestClient, bw: BaseWorld, headers: dict[str, str], *, year: Any = 2025, code: str = CODE,
    content: bytes = PDF, name: str = "2025年度研发平台认定文件.pdf",
) -> Any:  # fmt: skip
    return client.post(
        f"{bw.url}/evidence",
        data={"figures_year": str(year), "indicator_code": code},
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def assigned(client: TestClient, bw: BaseWorld, cid: int, who: int = 0) -> str:
    expert, _ = bw.evaluators[who]
    resp = client.post(
        f"{bw.url}/evaluations", json={"campaign_id": cid, "evaluator_ids": [expert.id]}, headers=bw.alice
    )
    assert resp.status_code == 201, resp.text
    return f"/api/v1/evaluations/{resp.json()['created'][0]}"


def test_the_base_attaches_evidence_and_the_evaluator_reads_it_after_declaring(
    client: TestClient, bw: BaseWorld, session: Session, settings: Settings
) -> None:
    cid = campaign(client, bw)
    figures(client, bw, 2025, "2")
    resp = upload(client, bw, bw.owner)
    assert resp.status_code == 201, resp.text
    att = resp.json()
    assert (att["figures_year"], att["indicator_code"]) == (2025, CODE)
    assert att["content_type"] == "application/pdf"
    stored = session.get(Attachment, att["id"])
    assert stored is not None and (settings.files_dir / stored.storage_name).read_bytes() == PDF
    assert [e["id"] for e in client.get(bw.url, headers=bw.owner).json()["evidence"]] == [att["id"]]
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "attachment.upload")).all()
    assert event.after["base_id"] == bw.base.id and event.after["figures_year"] == 2025

    sheet = assigned(client, bw, cid)
    _, evaluator = bw.evaluators[0]
    download = f"/api/v1/attachments/{att['id']}"
    # Before the no-conflict declaration the evaluator sees neither the figures nor the files.
    assert "evidence" not in client.get(sheet, headers=evaluator).json()
    assert client.get(download, headers=evaluator).status_code == 404
    client.post(f"{sheet}/declaration", json={"no_conflict": True}, headers=evaluator)
    [listed] = client.get(sheet, headers=evaluator).json()["evidence"]
    assert (listed["id"], listed["after_submission"]) == (att["id"], False)
    got = client.get(download, headers=evaluator)
    assert got.status_code == 200 and got.content == PDF
    assert client.get(download, headers=bw.alice).status_code == 200
    assert client.get(download, headers=bw.owner).status_code == 200


def test_nobody_else_reads_or_adds_a_bases_evidence(client: TestClient, bw: BaseWorld) -> None:
    campaign(client, bw)
    att = upload(client, bw, bw.owner).json()
    download = f"/api/v1/attachments/{att['id']}"
    _, unassigned = bw.evaluators[2]
    for outsider in (bw.stranger, unassigned):
        assert client.get(download, headers=outsider).status_code == 404
        assert upload(client, bw, outsider).status_code == 404
        assert client.delete(download, headers=outsider).status_code == 404
    assert client.get(download).status_code == 401
    assert upload(client, bw, {}).status_code == 401


def test_staff_may_attach_evidence_for_the_base(client: TestClient, bw: BaseWorld) -> None:
    resp = upload(client, bw, bw.alice, content=PNG, name="现场核查照片.png")
    assert resp.status_code == 201 and resp.json()["content_type"] == "image/png"


def test_bad_input_names_the_field_and_the_rule_and_keeps_what_was_saved(
    client: TestClient, bw: BaseWorld, session: Session
) -> None:
    kept = upload(client, bw, bw.owner).json()["id"]
    not_pdf = upload(client, bw, bw.owner | ZH, content=b"PK\x03\x04 a zip file", name="材料.pdf")
    assert not_pdf.status_code == 415
    assert not_pdf.json()["error"]["message"] == "仅接受 PDF、PNG 和 JPEG 文件。"
    unknown = upload(client, bw, bw.owner | ZH, code="X9")
    assert unknown.status_code == 422 and "indicator_code" in unknown.json()["error"]["fields"]
    future = upload(client, bw, bw.owner | ZH, year=2027)  # today is 2 March 2026
    assert future.status_code == 422
    assert future.json()["error"]["fields"] == {"figures_year": "应为 2000 年至今年之间的年份"}
    not_a_year = upload(client, bw, bw.owner, year="二〇二五")
    assert not_a_year.status_code == 422 and "figures_year" in not_a_year.json()["error"]["fields"]
    empty = upload(client, bw, bw.owner, content=b"")
    assert empty.status_code == 422 and "file" in empty.json()["error"]["fields"]
    no_file = client.post(
        f"{bw.url}/evidence", data={"figures_year": "2025", "indicator_code": CODE}, headers=bw.owner | ZH
    )
    assert no_file.status_code == 422 and no_file.json()["error"]["fields"] == {"file": "为必填项"}
    ids = session.scalars(select(Attachment.id).where(Attachment.base_id == bw.base.id)).all()
    assert ids == [kept]


def test_evidence_of_an_evaluated_year_stays_and_later_files_are_marked(
    client: TestClient, bw: BaseWorld, session: Session
) -> None:
    cid = campaign(client, bw)
    figures(client, bw, 2025, "2")
    early = upload(client, bw, bw.owner).json()["id"]
    removable = upload(client, bw, bw.owner, name="错传的文件.pdf").json()["id"]
    assert client.delete(f"/api/v1/attachments/{removable}", headers=bw.owner).status_code == 204
    assert session.scalar(select(Attachment.id).where(Attachment.id == removable)) is None

    sheet = evaluate(client, bw, "76", campaign_id=cid)
    late = upload(client, bw, bw.owner, name="补充材料.pdf").json()["id"]
    refused = client.delete(f"/api/v1/attachments/{early}", headers=bw.owner | ZH)
    assert refused.status_code == 409
    assert "评估已提交" in refused.json()["error"]["message"]
    assert session.scalar(select(Attachment.id).where(Attachment.id == early)) == early
    _, evaluator = bw.evaluators[0]
    listed = client.get(f"/api/v1/evaluations/{sheet['id']}", headers=evaluator).json()["evidence"]
    assert [(e["id"], e["after_submission"]) for e in listed] == [(early, False), (late, True)]
    # Another year's evidence is still the base's to manage.
    other = upload(client, bw, bw.owner, year=2026).json()["id"]
    assert client.delete(f"/api/v1/attachments/{other}", headers=bw.owner).status_code == 204


def test_a_revoked_base_adds_no_evidence(client: TestClient, bw: BaseWorld) -> None:
    cid = campaign(client, bw)
    evaluate(client, bw, "40", campaign_id=cid)
    client.post(
        f"{bw.url}/rectification", json={"reasons": "整改不到位", "deadline": "2026-06-30"}, headers=bw.alice
    )
    bw.today.set(date(2026, 7, 1))
    evaluate(client, bw, "45", who=1, purpose="re_evaluation")
    client.post(f"{bw.url}/revocation", json={"reason": "整改后复评仍不合格"}, headers=bw.alice)
    confirm = {"document_no": "石政字〔2026〕9号", "decided_on": "2026-07-01"}
    assert client.post(f"{bw.url}/revocation/confirm", json=confirm, headers=bw.bob).status_code == 200
    resp = upload(client, bw, bw.owner | ZH)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "invalid_transition"


def test_a_years_evidence_has_a_total_limit(
    small_client: TestClient, bw: BaseWorld, session: Session
) -> None:
    """With 1000 bytes a file and 1500 a year (small_client), the second 900-byte file is refused."""
    big = PDF + b"0" * (900 - len(PDF))
    assert upload(small_client, bw, bw.owner, content=big).status_code == 201
    resp = upload(small_client, bw, bw.owner | ZH, content=big)
    assert resp.status_code == 413 and resp.json()["error"]["code"] == "base_files_too_large"
    assert "1.5 KB" in resp.json()["error"]["message"]
    assert upload(small_client, bw, bw.owner, content=big, year=2024).status_code == 201  # another year
    assert len(session.scalars(select(Attachment.id).where(Attachment.base_id == bw.base.id)).all()) == 2
