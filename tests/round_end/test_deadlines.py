"""Deadlines at the end of scoring: extensions (round, one expert), declining late, replacing a no-show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.db import utcnow
from scoring.store.models import AuditEvent, Panel, Round, Sheet
from scoring.store.models.notifications import Notification
from tests.conftest import Person, count
from tests.review.conftest import Drawn, PoolExpert

Login = Callable[[Person], dict[str, str]]


def _round(session: Session, drawn: Drawn) -> Round:
    session.expire_all()
    row = session.get(Round, drawn.scenario.round.id)
    assert row is not None
    return row


def _set_deadline(session: Session, drawn: Drawn, when: datetime) -> None:
    _round(session, drawn).scoring_deadline = when
    session.flush()


def _iso(when: datetime) -> str:
    return when.isoformat()


def _sheet(session: Session, sheet_id: int) -> Sheet:
    session.expire_all()
    row = session.get(Sheet, sheet_id)
    assert row is not None
    return row


def _save(client: TestClient, login: Login, who: PoolExpert, sheet: Sheet, version: int) -> Any:
    return client.put(
        f"/api/v1/sheets/{sheet.id}",
        json={"scores": {"e1_1": "5"}, "version": version},
        headers=login(who.person),
    )


def _declare(client: TestClient, login: Login, who: PoolExpert, sheet: Sheet, **body: Any) -> Any:
    return client.post(
        f"/api/v1/sheets/{sheet.id}/declaration",
        json={"no_conflict": True} | body,
        headers=login(who.person),
    )


# ---- extending the deadline ----------------------------------------------------------------------


def test_staff_extend_the_round_deadline_with_a_reason_and_experts_score_again(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    assert _declare(client, login, who, sheet).status_code == 200
    past = utcnow() - timedelta(hours=1)
    _set_deadline(session, drawn, past)
    refused = _save(client, login, who, sheet, 2)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "deadline_passed"

    new = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    resp = client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/scoring-deadline",
        json={"deadline": _iso(new), "reason": "专家集中评审会推迟"},
        headers=login(drawn.scenario.staff),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["expert_id"] is None and body["sheet_ids"] == []
    assert datetime.fromisoformat(body["deadline"]) == new
    assert _round(session, drawn).scoring_deadline == new
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.extend_scoring_deadline")
    ).one()
    assert event.reason == "专家集中评审会推迟"
    assert _save(client, login, who, sheet, 2).status_code == 200
    # Every expert with an open sheet in the round is told, once each, with the reason.
    told = session.scalars(
        select(Notification)
        .where(Notification.kind == "deadline_extended")
        .order_by(Notification.recipient_id)
    ).all()
    expert_users = sorted({m.person.user.id for m in drawn.members})
    assert [n.recipient_id for n in told] == expert_users
    assert all(n.params["reason"] == "专家集中评审会推迟" for n in told)


@pytest.mark.parametrize(
    ("shift", "reason", "fields"),
    [
        (timedelta(hours=-1), "推迟", {"deadline": "必须晚于当前截止时间"}),  # earlier than the current
        (timedelta(days=2), "", {"reason": "延长截止时间时必须填写"}),
        (timedelta(hours=-1), "", {"deadline": "必须晚于当前截止时间", "reason": "延长截止时间时必须填写"}),
    ],
)
def test_a_bad_extension_is_refused_naming_the_field_and_changes_nothing(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    login: Login,
    shift: timedelta,
    reason: str,
    fields: dict[str, str],
) -> None:
    current = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    _set_deadline(session, drawn, current)
    headers = login(drawn.scenario.staff) | {"Accept-Language": "zh-CN"}
    events = count(session, "audit_events")
    resp = client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/scoring-deadline",
        json={"deadline": _iso(current + shift), "reason": reason},
        headers=headers,
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == fields
    assert _round(session, drawn).scoring_deadline == current
    assert count(session, "audit_events") == events


def test_one_expert_gets_more_time_and_the_others_do_not(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    late, other = drawn.members[0], drawn.members[1]
    app = drawn.scenario.applications[0]
    late_sheet, other_sheet = drawn.sheet(session, late, app), drawn.sheet(session, other, app)
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    new = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    resp = client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/scoring-deadline",
        json={"deadline": _iso(new), "reason": "出差，申请延期", "expert_id": late.expert.id},
        headers=login(drawn.scenario.staff),
    )
    assert resp.status_code == 200, resp.text
    late_ids = sorted(s.id for s in drawn.scenario.applications for s in [drawn.sheet(session, late, s)])
    assert resp.json()["sheet_ids"] == late_ids
    assert _sheet(session, late_sheet.id).deadline == new
    assert _declare(client, login, late, late_sheet).status_code == 200
    refused = _declare(client, login, other, other_sheet)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "deadline_passed"


def test_an_expert_without_open_sheets_gets_no_extension(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    reserve = drawn.reserves[0]  # holds no sheet
    resp = client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/scoring-deadline",
        json={
            "deadline": _iso(utcnow() + timedelta(days=2)),
            "reason": "延期",
            "expert_id": reserve.expert.id,
        },
        headers=login(drawn.scenario.staff) | {"Accept-Language": "zh-CN"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"expert_id": "在本批次中没有待评分的评分表"}


def test_only_staff_know_the_extension_exists(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    resp = client.post(
        f"/api/v1/rounds/{drawn.scenario.round.id}/scoring-deadline",
        json={"deadline": _iso(utcnow() + timedelta(days=2)), "reason": "延期"},
        headers=login(drawn.members[0].person),
    )
    assert resp.status_code == 404


# ---- declining late ------------------------------------------------------------------------------


def test_an_expert_past_the_deadline_can_still_decline_and_a_reserve_takes_over(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    resp = _declare(client, login, who, sheet, no_conflict=False, reason="临时出国，无法评审")
    assert resp.status_code == 200, resp.text
    assert _sheet(session, sheet.id).status == "declined"
    assert drawn.sheet(session, drawn.reserves[0], app).status == "assigned"


# ---- replacing a no-show -------------------------------------------------------------------------


def _replace(client: TestClient, drawn: Drawn, login: Login, sheet: Sheet, **body: Any) -> Any:
    payload = {"reason": "逾期未评分", "deadline": _iso(utcnow() + timedelta(days=2))} | body
    return client.post(
        f"/api/v1/sheets/{sheet.id}/replacement",
        json=payload,
        headers=login(drawn.scenario.staff) | {"Accept-Language": "zh-CN"},
    )


def test_a_no_show_is_replaced_after_the_deadline_by_the_next_reserve_with_its_own_deadline(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    own = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    resp = _replace(client, drawn, login, sheet, deadline=_iso(own))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    reserve = drawn.reserves[0]
    new = drawn.sheet(session, reserve, app)
    assert body == {
        "replaced_sheet_id": sheet.id,
        "replaced_expert_id": who.expert.id,
        "sheet_id": new.id,
        "expert_id": reserve.expert.id,
        "deadline": own.isoformat(),
        "drawn": False,
        "seed": None,
    }
    assert _sheet(session, sheet.id).status == "declined"
    assert _sheet(session, new.id).deadline == own
    # The replacement scores after the round's deadline, within its own.
    assert _declare(client, login, reserve, new).status_code == 200
    assert _save(client, login, reserve, new, 2).status_code == 200
    panel = session.get(Panel, drawn.panel.id)
    assert panel is not None and panel.result["replacements"][-1]["reason"] == "逾期未评分"


def test_replacing_before_the_deadline_is_refused(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    _set_deadline(session, drawn, utcnow() + timedelta(hours=3))
    resp = _replace(client, drawn, login, sheet)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "deadline_not_passed"
    assert _sheet(session, sheet.id).status == "assigned"


def test_an_expert_who_has_submitted_is_never_replaced(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    sheet.status = "submitted"
    session.flush()
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    sheets_before = count(session, "sheets")
    resp = _replace(client, drawn, login, sheet)
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "sheet_submitted"
    assert error["message"] == "该专家已提交评分表：已提交的评分表不能更换。"
    assert _sheet(session, sheet.id).status == "submitted" and count(session, "sheets") == sheets_before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"reason": ""}, {"reason": "更换专家时必须填写"}),
        ({"deadline": "2020-01-01T17:00:00+08:00"}, {"deadline": "必须晚于当前时间"}),
    ],
)
def test_a_bad_replacement_is_refused_and_changes_nothing(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    login: Login,
    body: dict[str, Any],
    fields: dict[str, str],
) -> None:
    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    sheets_before = count(session, "sheets")
    resp = _replace(client, drawn, login, sheet, **body)
    assert resp.status_code == 422 and resp.json()["error"]["fields"] == fields
    assert _sheet(session, sheet.id).status == "assigned" and count(session, "sheets") == sheets_before


def test_with_the_reserves_used_up_staff_draw_one_more_from_the_pool(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    app = drawn.scenario.applications[0]
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    for member in drawn.members[:2]:  # two no-shows use up the two reserves
        assert _replace(client, drawn, login, drawn.sheet(session, member, app)).status_code == 201
    third = drawn.sheet(session, drawn.members[2], app)
    sheets_before = count(session, "sheets")
    refused = _replace(client, drawn, login, third)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_reserve_left"
    assert refused.json()["error"]["fields"] == {"draw_more": "必须选择：备选专家已用完"}
    assert _sheet(session, third.id).status == "assigned" and count(session, "sheets") == sheets_before

    resp = _replace(client, drawn, login, third, draw_more=True)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    on_panel = {p.expert.id for p in drawn.members + drawn.reserves}
    outside = {p.expert.id for p in drawn.scenario.pool} - on_panel
    assert body["drawn"] is True and body["expert_id"] in outside and isinstance(body["seed"], int)
    assert _sheet(session, third.id).status == "declined"
    assert _sheet(session, body["sheet_id"]).status == "assigned"


def test_a_declined_sheet_cannot_be_replaced_again(
    client: TestClient, session: Session, drawn: Drawn, login: Login
) -> None:
    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    _set_deadline(session, drawn, utcnow() - timedelta(minutes=5))
    assert _replace(client, drawn, login, sheet).status_code == 201
    again = _replace(client, drawn, login, sheet)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_the_service_refuses_a_replacement_to_anyone_but_staff(session: Session, drawn: Drawn) -> None:
    from scoring.core.errors import NotFound
    from scoring.services.review.sheets_end import replace_expert
    from scoring.services.review.sheets_end_schemas import ReplaceIn

    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    with pytest.raises(NotFound):
        replace_expert(
            session,
            actor=drawn.members[1].person.actor,
            sheet_id=sheet.id,
            data=ReplaceIn(reason="x", deadline=utcnow() + timedelta(days=1)),
        )
