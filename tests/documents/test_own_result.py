"""The applicant's own result from the opening of the notice period: standing and reasons in words,
gates with their arithmetic, decisions with their reasons, how to object; per round status and role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.services.review import decisions
from scoring.services.review.schemas import DecisionIn
from scoring.store.models import Organisation
from tests.ranking.conftest import World

EN = {"Accept-Language": "en"}


def _decided(make_world: Callable[..., World], session: Session, staff: Any) -> tuple[World, Any, Any, Any]:
    """Quota 1. A = 80 + 10 = 90 ranks first; B = 70 + 10 = 80; C = 70 + 0 fails the platform gate.
    Staff designate B instead of A, with a reason (a deviation from the proposed list)."""
    w = make_world(quotas={"enterprise": 1})
    a = w.application(["80", "80", "80"], name="甲公司")
    b = w.application(["70", "70", "70"], name="乙公司")
    c = w.application(["70", "70", "70"], name="丙公司", platforms="0")
    decisions.decide(
        session,
        actor=staff.actor,
        round_id=w.round.id,
        data=DecisionIn(kind="enterprise", designate=[b.id], reason="甲公司申报材料存在重复计算"),
    )
    return w, a, b, c


def _open_notice(w: World) -> None:
    w.round.status = "notice"
    w.round.notice_starts_on = date(2026, 3, 2)
    w.round.notice_ends_on = date(2026, 3, 9)
    w.round.approval_document_no = "石政函〔2026〕12号"
    w.session.flush()


@pytest.fixture
def world(
    make_world: Callable[..., World], session: Session, make_person: Callable[..., Any]
) -> tuple[World, Any, Any, Any, Any]:
    staff = make_person("staff")
    w, a, b, c = _decided(make_world, session, staff)
    return w, a, b, c, staff


def _applicant(session: Session, app: Any, make_person: Any, login: Any) -> dict[str, str]:
    return login(make_person("applicant", org=session.get(Organisation, app.organisation_id))) | EN


@pytest.mark.parametrize("status", ["reviewing", "deciding"])
def test_before_the_notice_period_the_applicant_is_told_when_it_will_see_its_result(
    world: Any, session: Session, client: TestClient, make_person: Any, login: Any, status: str
) -> None:
    w, a, *_ = world
    w.round.status = status
    session.flush()
    resp = client.get(
        f"/api/v1/applications/{a.id}/result", headers=_applicant(session, a, make_person, login)
    )
    assert resp.status_code == 404
    assert (
        resp.json()["error"]["message"]
        == "The result is shown here from the opening of the public notice period."
    )


def test_during_the_notice_an_applicant_left_off_by_a_deviation_sees_why(
    world: Any, session: Session, client: TestClient, make_person: Any, login: Any, clock: Any
) -> None:
    w, a, _b, _c, staff = world
    _open_notice(w)
    clock.set(date(2026, 3, 4))
    own = _applicant(session, a, make_person, login)
    resp = client.get(f"/api/v1/applications/{a.id}/result", headers=own)
    assert resp.status_code == 200
    body = resp.json()
    assert (body["status"], body["final_score"], body["rank"], body["ranked"], body["quota"]) == (
        "not_designated", "90.00", 1, 3, 1,
    )  # fmt: skip
    assert body["on_list"] is False
    assert body["standing"] == "Not on the list under public notice."
    assert body["why"] == ["Ranked 1 of 3 in its kind; the quota is 1: within it."]
    assert body["gates"] == [
        {
            "code": "platform",
            "text": "At least one R&D platform",
            "result": "pass",
            "result_text": "met",
            "detail": "1 ≥ 1",
        }
    ]
    [decision] = body["decisions"]
    assert decision["subject"] == "deviation"
    assert decision["subject_text"] == "Decision differs from the proposed list"
    assert decision["outcome"] == "not_designated"
    assert decision["reason"] == "甲公司申报材料存在重复计算"
    assert decision["by"] is None  # who decided is for staff
    assert decision["at"] is not None and len(decision["at"]) == 16
    assert body["how_to_object"] == (
        "An objection to this list, with its grounds and a contact, can be filed on the public notice page "
        "until 2026-03-09 (inclusive); each objection is answered with a recorded reason."
    )
    assert body["print_header"] == {
        "issuer": "石家庄市发展和改革委员会",
        "round_title": "2026年度双创示范基地评选",
        "printed_on": "2026-03-04",
        "document_no": "石政函〔2026〕12号",
    }
    # Never another applicant's details, never who scored what.
    for secret in ("乙公司", "丙公司", "专家", "sheet", "totals", "expert"):
        assert secret not in resp.text
    # Staff see the same result with the name of whoever decided.
    staff_body = client.get(f"/api/v1/applications/{a.id}/result", headers=login(staff) | EN).json()
    assert staff_body["decisions"][0]["by"] == staff.user.display_name


def test_a_failed_gate_is_explained_by_its_condition_and_arithmetic_in_chinese(
    world: Any, session: Session, client: TestClient, make_person: Any, login: Any
) -> None:
    w, _a, b, c, _staff = world
    _open_notice(w)
    own = _applicant(session, c, make_person, login) | {"Accept-Language": "zh-CN"}
    body = client.get(f"/api/v1/applications/{c.id}/result", headers=own).json()
    assert body["standing"] == "未列入公示名单。"
    assert body["why"] == ["条件“建设1家以上研发平台”未满足（0 < 1）。"]
    assert body["gates"][0]["result_text"] == "未满足"
    on = client.get(
        f"/api/v1/applications/{b.id}/result", headers=_applicant(session, b, make_person, login)
    ).json()
    assert (
        on["on_list"] is True
        and on["standing"] == "On the list under public notice, proposed for designation."
    )
    assert on["why"] == ["Ranked 2 of 3 in its kind; the quota is 1: beyond it."]


@pytest.mark.parametrize("role", ["applicant_other", "expert", "county", "evaluator"])
def test_no_one_else_sees_an_applicants_result(
    world: Any, session: Session, client: TestClient, make_person: Any, make_org: Any, login: Any, role: str
) -> None:
    w, a, *_ = world
    _open_notice(w)
    if role == "applicant_other":
        headers = login(make_person("applicant", org=make_org()))
    elif role == "county":
        headers = login(make_person("county", district="长安区"))
    else:
        headers = login(make_person(role))
    assert client.get(f"/api/v1/applications/{a.id}/result", headers=headers).status_code == 404


def test_after_publication_the_objection_window_is_shown_closed(
    world: Any, session: Session, client: TestClient, make_person: Any, login: Any, clock: Any
) -> None:
    w, _a, b, *_ = world
    _open_notice(w)
    w.round.status = "published"
    b.status = "designated"
    session.flush()
    clock.set(date(2026, 3, 20))
    body = client.get(
        f"/api/v1/applications/{b.id}/result", headers=_applicant(session, b, make_person, login)
    ).json()
    assert body["standing"] == "Designated: on the published list."
    assert body["designated"] is True and body["on_list"] is True
    assert (
        body["how_to_object"]
        == "The public notice period ended on 2026-03-09; objections are no longer taken."
    )
