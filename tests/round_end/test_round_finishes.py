"""Guarded steps at the end of a round, and a round that publishes although one expert never scores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.clock import add_working_days
from scoring.services.review import sheets as sheet_service
from scoring.store.db import utcnow
from scoring.store.models import Application, AuditEvent, Round, Sheet
from tests.conftest import Person
from tests.ranking.conftest import Clock
from tests.review.conftest import Drawn, PoolExpert

Login = Callable[[Person], dict[str, str]]
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, date(2026, 3, 2))


def _full_scores(session: Session, sheet: Sheet, rnd: Round) -> dict[str, str]:
    info = sheet_service.sheet_rubric(session, kind="enterprise", version=rnd.rubric_versions["enterprise"])
    return {code: str(ind.max_points) for code, ind in info.expert.items()}


def _score(client: TestClient, session: Session, login: Login, who: PoolExpert, sheet: Sheet) -> None:
    headers = login(who.person)
    rnd = session.get(Round, session.get(Application, sheet.application_id).round_id)  # type: ignore[union-attr]
    assert rnd is not None
    resp = client.post(f"/api/v1/sheets/{sheet.id}/declaration", json={"no_conflict": True}, headers=headers)
    assert resp.status_code == 200, resp.text
    resp = client.put(
        f"/api/v1/sheets/{sheet.id}",
        json={"scores": _full_scores(session, sheet, rnd), "version": 2},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    resp = client.post(f"/api/v1/sheets/{sheet.id}/submit", json={"version": 3}, headers=headers)
    assert resp.status_code == 200, resp.text


def _round(session: Session, drawn: Drawn) -> Round:
    session.expire_all()
    row = session.get(Round, drawn.scenario.round.id)
    assert row is not None
    return row


def _transition(client: TestClient, drawn: Drawn, login: Login, **body: Any) -> Any:
    return client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/transition",
        json={"action": "start_deciding"} | body,
        headers=login(drawn.scenario.staff) | ZH,
    )


# ---- 研究决定 with sheets missing ------------------------------------------------------------------


def test_deciding_with_sheets_missing_lists_them_and_needs_a_reason(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    app0, app1 = drawn.scenario.applications
    for who in drawn.members[1:]:
        for app in (app0, app1):
            _score(client, session, login, who, drawn.sheet(session, who, app))
    no_show = drawn.members[0]
    refused = _transition(client, drawn, login)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "sheets_missing"
    name = no_show.expert.name
    assert error["fields"] == {
        f"sheets.{drawn.sheet(session, no_show, app0).id}": f"{name} 尚未提交“{app0.title}”的评分表",
        f"sheets.{drawn.sheet(session, no_show, app1).id}": f"{name} 尚未提交“{app1.title}”的评分表",
        "reason": "仍有 2 份评分表未提交，进入研究决定阶段时必须填写",
    }
    assert _round(session, drawn).status == "reviewing"

    resp = _transition(client, drawn, login, reason="该专家失联，经处务会研究按四位专家评分")
    assert resp.status_code == 200, resp.text
    assert _round(session, drawn).status == "deciding"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "round.start_deciding")).one()
    assert event.reason == "该专家失联，经处务会研究按四位专家评分"


def test_in_deciding_experts_cannot_sign_or_score_unless_staff_reopen_or_give_time(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    assert _transition(client, drawn, login, reason="按期进入研究决定").status_code == 200
    headers = login(who.person) | ZH
    refused = client.post(
        f"/api/v1/sheets/{sheet.id}/declaration", json={"no_conflict": True}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        "评分已关闭：本批次处于“研究决定中”阶段。如需修改，请联系市发展改革委重新开放您的评分表。"
    )
    assert session.get(Sheet, sheet.id).status == "assigned"  # type: ignore[union-attr]
    resp = client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/scoring-deadline",
        json={
            "deadline": (utcnow() + timedelta(days=1)).isoformat(),
            "reason": "补评",
            "expert_id": who.expert.id,
        },
        headers=login(drawn.scenario.staff),
    )
    assert resp.status_code == 200, resp.text
    ok = client.post(f"/api/v1/sheets/{sheet.id}/declaration", json={"no_conflict": True}, headers=headers)
    assert ok.status_code == 200, ok.text


def test_the_notice_is_refused_while_an_application_is_unscored(
    client: TestClient, session: Session, drawn: Drawn, login: Login, clock: Clock
) -> None:
    app0, app1 = drawn.scenario.applications
    assert _transition(client, drawn, login, reason="按期进入研究决定").status_code == 200
    rnd = _round(session, drawn)
    rnd.approval_document_no, rnd.approval_date = "石政字〔2026〕12号", date(2026, 2, 27)
    session.flush()
    resp = client.post(
        f"/api/v1/rounds/{rnd.id}/publication",
        json={"action": "propose"},
        headers=login(drawn.scenario.staff) | ZH,
    )
    assert resp.status_code == 409
    fields = resp.json()["error"]["fields"]
    assert fields == {
        f"applications.{app0.id}": f"“{app0.title}”尚未完成评分（评审中）",
        f"applications.{app1.id}": f"“{app1.title}”尚未完成评分（评审中）",
    }
    assert _round(session, drawn).publication_proposed_by_id is None


# ---- the whole end of a round --------------------------------------------------------------------


def test_a_round_where_one_expert_never_scores_is_replaced_after_the_deadline_and_publishes(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    login: Login,
    make_person: Callable[..., Person],
    clock: Clock,
) -> None:
    rnd_id = drawn.scenario.round.id
    app0, app1 = drawn.scenario.applications
    staff, second = login(drawn.scenario.staff), login(make_person("staff"))
    _round(session, drawn).scoring_deadline = utcnow() + timedelta(hours=1)
    session.flush()
    no_show = drawn.members[0]
    for who in drawn.members[1:]:
        for app in (app0, app1):
            _score(client, session, login, who, drawn.sheet(session, who, app))
    # The deadline passes with the no-show's two sheets untouched.
    _round(session, drawn).scoring_deadline = utcnow() - timedelta(minutes=1)
    session.flush()
    replacements = []
    for app in (app0, app1):
        resp = client.post(
            f"/api/v1/sheets/{drawn.sheet(session, no_show, app).id}/replacement",
            json={"reason": "逾期未评分且联系不上", "deadline": (utcnow() + timedelta(days=2)).isoformat()},
            headers=staff,
        )
        assert resp.status_code == 201, resp.text
        replacements.append(resp.json())
    reserve = drawn.reserves[0]
    assert [r["expert_id"] for r in replacements] == [reserve.expert.id, reserve.expert.id]
    for r in replacements:
        _score(client, session, login, reserve, session.get(Sheet, r["sheet_id"]))  # type: ignore[arg-type]
    session.expire_all()
    assert {session.get(Application, a.id).status for a in (app0, app1)} == {"scored"}  # type: ignore[union-attr]

    assert _transition(client, drawn, login).status_code == 200  # nothing missing: no reason needed
    resp = client.post(
        f"/api/v1/rounds/{rnd_id}/decisions",
        json={"kind": "enterprise", "designate": [app0.id, app1.id]},
        headers=staff,
    )
    assert resp.status_code == 200, resp.text
    resp = client.post(
        f"/api/v1/rounds/{rnd_id}/approval",
        json={"document_no": "石政字〔2026〕12号", "approved_on": "2026-02-27"},
        headers=staff,
    )
    assert resp.status_code == 200, resp.text
    for action, who in (("propose", staff), ("confirm", second)):
        resp = client.post(f"/api/v1/rounds/{rnd_id}/publication", json={"action": action}, headers=who)
        assert resp.status_code == 200, resp.text
    clock.set(add_working_days(date(2026, 3, 2), 5) + timedelta(days=1))
    resp = client.post(f"/api/v1/rounds/{rnd_id}/publication", json={"action": "finalize"}, headers=staff)
    assert resp.status_code == 200, resp.text
    assert _round(session, drawn).status == "published"
    assert {session.get(Application, a.id).status for a in (app0, app1)} == {"designated"}  # type: ignore[union-attr]
