"""Formal check: each gate with its arithmetic; accepting a gate-failing application needs a recorded
reason, and the page's default for it is to return it as 不符合申报条件. The organisation's record
(past applications with published final scores, bases, rectifications, revocations) on the staff pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.review.org_history import organisation_history
from scoring.store.db import utcnow
from scoring.store.models import (
    Application,
    AuditEvent,
    DesignatedBase,
    Evaluation,
    Rectification,
    Revocation,
    Round,
)
from tests.conftest import Person, count
from tests.ranking.conftest import World
from tests.web.conftest import csrf_of

ZH = {"Accept-Language": "zh-CN"}
ORG = "石家庄戊科技有限公司"


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url, data={"csrf_token": csrf_of(client.get("/").text), **data}, follow_redirects=False
    )


@pytest.fixture
def checking(make_world: Callable[..., World]) -> tuple[World, Application, Application]:
    """A round in recommendation: one application failing the platform gate (0 < 1), one passing."""
    w = make_world(status="recommending")
    failing = w.application([], name=ORG, status="recommended", platforms="0")
    passing = w.application([], name="石家庄己科技有限公司", status="recommended", platforms="2")
    return w, failing, passing


def test_the_api_refuses_to_accept_a_gate_failing_application_without_a_reason(
    client: Any, session: Session, login: Callable[[Person], dict[str, str]], make_person: Any, checking: Any
) -> None:
    _w, failing, _ = checking
    staff = login(make_person("staff")) | ZH
    before = count(session, "audit_events")
    resp = client.post(
        f"/api/v1/applications/{failing.id}/formal-check", json={"decision": "accept"}, headers=staff
    )
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "gate_failed_reason_required"
    assert error["fields"] == {"reason": "未达到硬性门槛的申报予以通过时，必须填写理由"}
    assert (
        error["message"]
        == "该申报未达到硬性门槛（建设1家以上研发平台）：应以“不符合申报条件”退回；如仍予通过，须记录理由。"
    )
    session.expire_all()
    assert session.get(Application, failing.id).status == "recommended"
    assert count(session, "audit_events") == before
    ok = client.post(
        f"/api/v1/applications/{failing.id}/formal-check",
        json={"decision": "accept", "reason": "该单位已于申报截止前获批省级研发平台，文件后补"},
        headers=staff,
    )
    assert ok.status_code == 200, ok.text
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "application.formal_check", AuditEvent.entity_id == str(failing.id)
        )
    ).one()
    assert event.after["failed_gates"] == ["platform"] and event.after["status"] == "accepted"
    assert event.reason == "该单位已于申报截止前获批省级研发平台，文件后补"


def test_a_passing_application_is_accepted_without_a_reason(
    client: Any, session: Session, login: Callable[[Person], dict[str, str]], make_person: Any, checking: Any
) -> None:
    _w, _failing, passing = checking
    staff = login(make_person("staff"))
    resp = client.post(
        f"/api/v1/applications/{passing.id}/formal-check", json={"decision": "accept"}, headers=staff
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "accepted"


def test_the_queue_shows_each_gates_arithmetic_and_defaults_to_returning_a_failing_one(
    session: Session, page_as: Callable[[Person], Any], make_person: Any, checking: Any
) -> None:
    w, failing, passing = checking
    alice = page_as(make_person("staff"))
    queue = alice.get(f"/staff/rounds/{w.round.id}/check")
    assert queue.status_code == 200
    assert '<span class="detail small" translate="no">0 &lt; 1</span>' in queue.text
    assert '<span class="detail small" translate="no">2 ≥ 1</span>' in queue.text
    assert "该申报有 1 项硬性门槛（一票否决）未达到，不符合申报条件，默认以此退回。" in queue.text
    # The failing one's primary button returns it, its reason filled in; accepting sits behind a disclosure.
    assert f'id="return-{failing.id}"' in queue.text
    assert "不符合申报条件：未达到“建设1家以上研发平台”的要求。</textarea>" in queue.text
    assert f'id="return-{passing.id}"' not in queue.text
    resp = post(
        alice,
        f"/staff/applications/{failing.id}/check",
        {
            "round_id": str(w.round.id),
            "decision": "return",
            "reason": "不符合申报条件：未达到“建设1家以上研发平台”的要求。",
        },
    )
    assert resp.status_code == 303
    session.expire_all()
    returned = session.get(Application, failing.id)
    assert returned.status == "returned"
    assert returned.status_reason == "不符合申报条件：未达到“建设1家以上研发平台”的要求。"


def test_accepting_a_failing_one_on_the_page_without_a_reason_names_the_field(
    session: Session, page_as: Callable[[Person], Any], make_person: Any, checking: Any
) -> None:
    w, failing, _ = checking
    alice = page_as(make_person("staff"))
    resp = post(
        alice,
        f"/staff/applications/{failing.id}/check",
        {"round_id": str(w.round.id), "decision": "accept", "reason": "", "origin": "application"},
    )
    assert resp.status_code == 422
    assert "未达到硬性门槛的申报予以通过时，必须填写理由" in resp.text
    assert "<details open>" in resp.text
    session.expire_all()
    assert session.get(Application, failing.id).status == "recommended"


def _record(session: Session, make_world: Callable[..., World], current: Application) -> dict[str, Any]:
    """An earlier published round where the same organisation was designated, then rectified and revoked."""
    old = make_world(year=2024, title="2024年度双创示范基地评选", status="published")
    past = old.application(["80", "80", "80"], status="designated")
    past.organisation_id = current.organisation_id
    session.flush()
    base = DesignatedBase(
        application_id=past.id, round_id=old.round.id, organisation_id=current.organisation_id,
        kind="enterprise",
        name=f"{ORG}企业双创示范基地", district="长安区", status="revoked", designated_on=date(2024, 6, 3),
        document_no="石政函〔2024〕12号", final_score=Decimal("90"), revoked_on=date(2025, 11, 20),
        revocation_document_no="石政函〔2025〕30号",
    )  # fmt: skip
    session.add(base)
    session.flush()
    ev = Evaluation(base_id=base.id, rubric_version="x", year=2025, status="submitted", purpose="regular")
    session.add(ev)
    session.flush()
    rect = Rectification(
        base_id=base.id,
        evaluation_id=ev.id,
        reasons="孵化服务未达标",
        deadline=date(2025, 9, 30),
        status="closed",
    )
    session.add(rect)
    session.flush()
    rev = Revocation(
        base_id=base.id, rectification_id=rect.id, reason="整改期满复评仍不合格", status="confirmed",
        confirmed_at=utcnow(), document_no="石政函〔2025〕30号", decided_on=date(2025, 11, 20),
    )  # fmt: skip
    session.add(rev)
    session.flush()
    return {"past": past, "base": base, "rect": rect, "rev": rev}


def test_the_organisations_record_is_on_the_application_page(
    session: Session, page_as: Callable[[Person], Any], make_person: Any, make_world: Any, checking: Any
) -> None:
    w, failing, _ = checking
    rec = _record(session, make_world, failing)
    alice = page_as(make_person("staff"))
    page = alice.get(f"/staff/applications/{failing.id}")
    assert page.status_code == 200
    assert f"{ORG}的历史记录" in page.text
    assert f'data-past-application="{rec["past"].id}"' in page.text
    assert f'data-past-application="{failing.id}"' not in page.text  # not itself
    assert "2024年度双创示范基地评选" in page.text
    assert ">90.00<" in page.text  # 80 mean + 10 data points, published
    assert "石政函〔2024〕12号" in page.text and "于2025年11月20日撤销" in page.text
    assert "2025年9月30日" in page.text and "孵化服务未达标" in page.text
    assert "整改期满复评仍不合格" in page.text
    assert '<span class="detail small" translate="no">0 &lt; 1</span>' in page.text
    queue = alice.get(f"/staff/rounds/{w.round.id}/check")
    assert "以往申报 1 项，基地 1 个，整改 1 次，撤销 1 次" in queue.text


def test_the_record_reads_model_exactly_and_hides_unpublished_scores(
    session: Session, make_person: Any, make_world: Any, checking: Any
) -> None:
    _w, failing, _ = checking
    rec = _record(session, make_world, failing)
    history = organisation_history(
        session, actor=make_person("staff").actor, organisation_id=failing.organisation_id,
        except_application_id=failing.id,
    )  # fmt: skip
    assert [(a.id, a.status, a.final_score) for a in history.applications] == [
        (rec["past"].id, "designated", Decimal("90"))
    ]
    assert [(b.status, b.designated_on, b.document_no) for b in history.bases] == [
        ("revoked", date(2025 - 1, 6, 3), "石政函〔2024〕12号")
    ]
    assert [(r.status, r.deadline) for r in history.rectifications] == [("closed", date(2025, 9, 30))]
    assert [(v.status, v.decided_on) for v in history.revocations] == [("confirmed", date(2025, 11, 20))]
    # The same round before publication: no score is shown.
    session.get(Round, rec["past"].round_id).status = "notice"
    session.flush()
    again = organisation_history(
        session, actor=make_person("staff").actor, organisation_id=failing.organisation_id
    )
    assert {a.id: a.final_score for a in again.applications}[rec["past"].id] is None


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_only_staff_see_the_application_page_and_record(
    session: Session,
    page_as: Callable[[Person], Any],
    make_person: Any,
    make_org: Any,
    role: str,
    checking: Any,
) -> None:
    _w, failing, _ = checking
    person = make_person(
        role, org=make_org() if role == "applicant" else None, district="长安区" if role == "county" else None
    )
    resp = page_as(person).get(f"/staff/applications/{failing.id}", follow_redirects=False)
    assert resp.status_code in (403, 404)
    assert ORG not in resp.text
    from scoring.core.errors import NotFound

    with pytest.raises(NotFound):
        organisation_history(session, actor=person.actor, organisation_id=failing.organisation_id)
