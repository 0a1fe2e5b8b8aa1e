"""Applicants see their own result after publication (never sheets or experts); staff export XLSX/CSV
with formula injection escaped."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.services.review.exports import escape_cell
from scoring.store.models import Organisation
from tests.ranking.conftest import World


@pytest.fixture
def staff(make_person: Callable[..., Any], login: Callable[..., dict[str, str]]) -> dict[str, str]:
    return login(make_person("staff"))


def applicant_of(
    session: Session, org_id: int, make_person: Callable[..., Any], login: Callable[..., dict[str, str]]
) -> dict[str, str]:
    return login(make_person("applicant", org=session.get(Organisation, org_id)))


def test_applicant_sees_own_result_only_after_publication(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    staff: dict[str, str],
) -> None:
    w = make_world()
    a = w.application(["80", "70", "90", "60", "85"], status="shortlisted")
    other = w.application(["70", "70", "70"], status="not_designated")
    own = applicant_of(session, a.organisation_id, make_person, login)
    url = f"/api/v1/applications/{a.id}/result"
    assert client.get(url, headers=own).status_code == 404  # not published yet
    assert client.get(url, headers=staff).status_code == 200  # staff any time

    w.round.status = "published"
    a.status = "designated"
    session.flush()
    resp = client.get(url, headers=own)
    assert resp.status_code == 200
    # Sections: s1 is the mean over the three sheets the trim kept (80, 70, 85) = 78.33; s2 the data points.
    body = resp.json()
    expected = {
        "application_id": a.id,
        "round_id": w.round.id,
        "kind": "enterprise",
        "status": "designated",
        "final_score": "88.33",
        "panel_score": "78.33",
        "data_points": "10.00",
        "rank": 1,
        "designated": True,
        "section_breakdown": [
            {
                "code": "s1",
                "title": "制度创新",
                "title_en": "Institutions",
                "points": "78.33",
                "max": "90.00",
            },
            {"code": "s2", "title": "支撑平台", "title_en": "Platforms", "points": "10.00", "max": "10.00"},
        ],
    }
    assert {key: body[key] for key in expected} == expected  # the rest: tests/documents/test_own_result.py
    other_applicant = applicant_of(session, other.organisation_id, make_person, login)
    assert client.get(url, headers=other_applicant).status_code == 404
    expert = login(make_person("expert"))
    assert client.get(url, headers=expert).status_code == 404
    assert client.get(url).status_code == 401


def test_median_breakdown_uses_the_middle_sheets(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: dict[str, str]
) -> None:
    w = make_world(method="median")
    a = w.application(["50", "60", "90", "80"])  # median of 4: (60 + 80) / 2 = 70
    body = client.get(f"/api/v1/applications/{a.id}/result", headers=staff).json()
    assert body["panel_score"] == "70.00"
    assert [s["points"] for s in body["section_breakdown"]] == ["70.00", "10.00"]


def test_unscored_application_has_no_result(
    make_world: Callable[..., World], client: TestClient, staff: dict[str, str]
) -> None:
    w = make_world()
    a = w.application([], status="draft")
    assert client.get(f"/api/v1/applications/{a.id}/result", headers=staff).status_code == 404
    assert client.get("/api/v1/applications/999999/result", headers=staff).status_code == 404


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+2", "'=1+2"),
        ("+86 311", "'+86 311"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("石家庄", "石家庄"),
        ("a=b", "a=b"),
        (Decimal("-1"), Decimal("-1")),
        (None, None),
    ],
)
def test_escape_cell(value: Any, escaped: Any) -> None:
    assert escape_cell(value) == escaped


def _export_world(make_world: Callable[..., World]) -> tuple[World, Any, Any]:
    w = make_world()
    a = w.application(["80", "70", "90", "60", "85"], name='=HYPERLINK("http://x")')
    b = w.application(["90", "90"], name="@乙公司", platforms="0")
    w.experts[0].name = "-专家"
    w.session.flush()
    return w, a, b


# The workbook's and the CSV's content: tests/documents/test_exports_official.py


@pytest.mark.parametrize("query", ["", "?kind=regional"])
def test_csv_export_needs_a_kind_of_the_round(
    make_world: Callable[..., World], client: TestClient, staff: dict[str, str], query: str
) -> None:
    w = make_world()
    resp = client.get(f"/api/v1/rounds/{w.round.id}/export.csv{query}", headers=staff)
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == ["kind"]


def test_exports_are_hidden_from_applicants(
    make_world: Callable[..., World],
    client: TestClient,
    make_person: Callable[..., Any],
    make_org: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    w = make_world()
    headers = login(make_person("applicant", org=make_org()))
    assert client.get(f"/api/v1/rounds/{w.round.id}/export.xlsx", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise", headers=headers).status_code
        == 404
    )
