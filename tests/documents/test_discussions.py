"""Panel discussions of an outlier sheet: the score kept with a reason, or the sheet reopened with a
reason; refused without a reason or without anything to discuss; shown in the review report."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.store.models import PanelDiscussion, Sheet
from tests.ranking.conftest import World


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PanelDiscussion)) or 0)


def test_an_outlier_sheet_is_discussed_kept_or_reopened_and_reported(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    staff = make_person("staff")
    headers = login(staff)
    w = make_world()
    # Median of (30, 80, 80, 80) is 80: the 30 is 50 away, beyond the threshold of 20.
    odd = w.application(["80", "80", "80", "30"], name="庚科技有限公司")
    calm = w.application(["70", "70", "70"], name="辛科技有限公司")
    sheets = session.scalars(select(Sheet).where(Sheet.application_id == odd.id).order_by(Sheet.id)).all()
    outlier = sheets[3]
    url = f"/api/v1/applications/{odd.id}/discussions"

    no_reason = client.post(url, json={"outcome": "kept", "sheet_id": outlier.id}, headers=headers)
    assert no_reason.status_code == 422 and list(no_reason.json()["error"]["fields"]) == ["reason"]
    other_sheet = session.scalars(select(Sheet.id).where(Sheet.application_id == calm.id)).first()
    wrong = client.post(
        url, json={"outcome": "kept", "sheet_id": other_sheet, "reason": "x"}, headers=headers
    )
    assert wrong.status_code == 422 and list(wrong.json()["error"]["fields"]) == ["sheet_id"]
    calm_resp = client.post(
        f"/api/v1/applications/{calm.id}/discussions",
        json={"outcome": "kept", "reason": "x"},
        headers=headers,
    )
    assert calm_resp.status_code == 409 and calm_resp.json()["error"]["code"] == "nothing_to_discuss"
    assert _count(session) == 0

    why = "该专家对平台建设有专门依据，保留评分"
    kept = client.post(url, json={"outcome": "kept", "sheet_id": outlier.id, "reason": why}, headers=headers)
    assert kept.status_code == 201, kept.text
    body = kept.json()
    assert (body["outcome"], body["outcome_text"], body["by"]) == (
        "kept",
        "保留评分",
        staff.user.display_name,
    )

    report = client.post(
        "/api/v1/documents/preview.docx",
        json={"kind": "review_report", "round_id": w.round.id},
        headers=headers,
    )
    tables = [
        [[c.text for c in row.cells] for row in t.rows]
        for t in docx.Document(io.BytesIO(report.content)).tables
    ]
    discussions = tables[2]
    assert discussions[1][:5] == [
        "庚科技有限公司", str(outlier.id), "保留评分", why, staff.user.display_name,
    ]  # fmt: skip

    reopened = client.post(
        url, json={"outcome": "reopened", "sheet_id": outlier.id, "reason": "评分依据与材料不符，请专家复核"},
        headers=headers,
    )  # fmt: skip
    assert reopened.status_code == 201, reopened.text
    session.refresh(outlier)
    assert outlier.status == "draft" and outlier.reopened_reason == "评分依据与材料不符，请专家复核"
    listed = client.get(f"/api/v1/rounds/{w.round.id}/discussions", headers=headers).json()
    assert [d["outcome"] for d in listed] == ["kept", "reopened"]
