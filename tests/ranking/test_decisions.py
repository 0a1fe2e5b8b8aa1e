"""Staff decide from the proposed list; a deviation needs a recorded reason; replays change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Application, AuditEvent
from tests.ranking.conftest import World


@pytest.fixture
def staff(make_person: Callable[..., Any], login: Callable[..., dict[str, str]]) -> dict[str, str]:
    return login(make_person("staff"))


def statuses(session: Session, *apps: Application) -> list[str]:
    session.expire_all()
    return [session.get(Application, a.id).status for a in apps]  # type: ignore[union-attr]


def _three(w: World) -> tuple[Application, Application, Application, Application]:
    a = w.application(["90", "90", "90"])  # 100
    b = w.application(["80", "80", "80"])  # 90
    c = w.application(["70", "70", "70"])  # 80: beyond the quota of 2
    d = w.application(["95", "95", "95"], platforms="0")  # 95 but the gate fails
    return a, b, c, d


def test_decision_following_the_proposed_list(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    staff: dict[str, str],
    audit_count: Callable[[], int],
) -> None:
    w = make_world()
    a, b, c, d = _three(w)
    before = audit_count()
    url = f"/api/v1/rounds/{w.round.id}/decisions"
    resp = client.post(url, json={"kind": "enterprise", "designate": [b.id, a.id]}, headers=staff)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "round_id": w.round.id,
        "kind": "enterprise",
        "shortlisted": [a.id, b.id],
        "not_designated": [c.id, d.id],
        "reason": None,
        "changed": True,
    }
    assert statuses(session, a, b, c, d) == ["shortlisted", "shortlisted", "not_designated", "not_designated"]
    assert audit_count() == before + 1
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert event.action == "round.decide"
    assert event.after["applications"] == {
        str(a.id): "shortlisted",
        str(b.id): "shortlisted",
        str(c.id): "not_designated",
        str(d.id): "not_designated",
    }
    assert session.get(Application, c.id).decision_reason == "排名第 4 位,在 2 个名额之外。"  # type: ignore[union-attr]

    replay = client.post(url, json={"kind": "enterprise", "designate": [a.id, b.id]}, headers=staff)
    assert replay.status_code == 200
    assert replay.json()["changed"] is False
    assert audit_count() == before + 1


def test_deviation_needs_a_reason_and_nothing_changes_without_one(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    staff: dict[str, str],
    audit_count: Callable[[], int],
) -> None:
    w = make_world()
    a, b, c, d = _three(w)
    before = audit_count()
    url = f"/api/v1/rounds/{w.round.id}/decisions"
    resp = client.post(url, json={"kind": "enterprise", "designate": [a.id, c.id]}, headers=staff)
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"reason": "决定与建议名单不一致或处理并列情况时必须填写"}
    assert statuses(session, a, b, c, d) == ["scored"] * 4
    assert audit_count() == before

    reason = "乙单位存在未整改问题,经研究改由丙单位入选"
    ok = client.post(
        url, json={"kind": "enterprise", "designate": [a.id, c.id], "reason": reason}, headers=staff
    )
    assert ok.status_code == 200
    assert statuses(session, a, b, c, d) == ["shortlisted", "not_designated", "shortlisted", "not_designated"]
    assert session.get(Application, b.id).decision_reason == reason  # type: ignore[union-attr]
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.reason, event.after["deviates"]) == (reason, True)


def test_a_tie_at_the_quota_line_is_resolved_with_a_reason(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: dict[str, str]
) -> None:
    w = make_world()
    a = w.application(["90", "90", "90"])
    b = w.application(["80", "80", "80"])
    c = w.application(["80", "80", "80"])
    url = f"/api/v1/rounds/{w.round.id}/decisions"
    resp = client.post(url, json={"kind": "enterprise", "designate": [a.id]}, headers=staff)
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == ["reason"]
    resp = client.post(
        url,
        json={"kind": "enterprise", "designate": [a.id, c.id], "reason": "并列时以研发平台数量多者优先"},
        headers=staff,
    )
    assert resp.status_code == 200
    assert statuses(session, a, b, c) == ["shortlisted", "not_designated", "shortlisted"]


@pytest.mark.parametrize(
    ("pick", "rule"),
    [
        ("ineligible", "不符合入选条件:gate_failed"),
        ("unknown", "不是本轮评选该类别的申报"),
        ("unscored", "尚未完成评分(状态:under_review)"),
    ],
)
def test_bad_designations_name_the_entry(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    staff: dict[str, str],
    audit_count: Callable[[], int],
    pick: str,
    rule: str,
) -> None:
    w = make_world()
    a, b, c, d = _three(w)
    e = w.application(["85", "85", "85"], status="under_review")
    chosen = {"ineligible": d.id, "unknown": 999_999, "unscored": e.id}[pick]
    before = audit_count()
    resp = client.post(
        f"/api/v1/rounds/{w.round.id}/decisions",
        json={"kind": "enterprise", "designate": [a.id, chosen], "reason": "x"},
        headers=staff,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"designate.1": rule}
    assert statuses(session, a, b, c, d) == ["scored"] * 4
    assert audit_count() == before


def test_decisions_need_a_deciding_round(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: dict[str, str]
) -> None:
    w = make_world(status="reviewing")
    a, *_ = _three(w)
    resp = client.post(
        f"/api/v1/rounds/{w.round.id}/decisions",
        json={"kind": "enterprise", "designate": [a.id]},
        headers=staff,
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "invalid_transition"
    assert statuses(session, a) == ["scored"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"designate": []}, "kind"),
        ({"kind": "regional", "designate": []}, "kind"),
        ({"kind": "enterprise"}, "designate"),
        ({"kind": "enterprise", "designate": ["x"]}, "designate.0"),
        ({"kind": "enterprise", "designate": [], "extra": 1}, "extra"),
    ],
)
def test_malformed_decisions(
    make_world: Callable[..., World],
    client: TestClient,
    staff: dict[str, str],
    body: dict[str, Any],
    field: str,
) -> None:
    w = make_world()
    resp = client.post(f"/api/v1/rounds/{w.round.id}/decisions", json=body, headers=staff)
    assert resp.status_code == 422
    assert field in resp.json()["error"]["fields"]


def test_decisions_are_hidden_from_applicants(
    make_world: Callable[..., World],
    client: TestClient,
    make_person: Callable[..., Any],
    make_org: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    w = make_world()
    headers = login(make_person("applicant", org=make_org()))
    resp = client.post(
        f"/api/v1/rounds/{w.round.id}/decisions",
        json={"kind": "enterprise", "designate": []},
        headers=headers,
    )
    assert resp.status_code == 404
