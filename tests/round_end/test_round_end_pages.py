"""The staff pages of the end of scoring: missing sheets, extension, replacement, confirmed round steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.core.round_rules import CHINA_TZ
from scoring.store.db import utcnow
from scoring.store.models import Round, Sheet
from tests.conftest import Person
from tests.review.conftest import Drawn
from tests.web.conftest import csrf_of


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url, data={"csrf_token": csrf_of(client.get("/").text), **data}, follow_redirects=False
    )


def _round(session: Session, drawn: Drawn) -> Round:
    session.expire_all()
    row = session.get(Round, drawn.scenario.round.id)
    assert row is not None
    return row


def _local(minutes: int) -> str:
    """A datetime-local form value, Beijing time, `minutes` from now."""
    return (utcnow() + timedelta(minutes=minutes)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")


def test_the_page_lists_overdue_sheets_and_replaces_a_no_show_with_a_confirmed_form(
    session: Session, drawn: Drawn, page_as: Callable[[Person], TestClient]
) -> None:
    staff = page_as(drawn.scenario.staff)
    no_show, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, no_show, app)
    _round(session, drawn).scoring_deadline = utcnow() - timedelta(minutes=5)
    session.flush()
    url = f"/staff/rounds/{drawn.scenario.round.id}/round-end"
    page = staff.get(url, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert f'data-sheet="{sheet.id}"' in page.text and "已逾期" in page.text
    assert f"{no_show.expert.name} 对“{app.title}”的评分表将作废且不可恢复" in page.text

    form = {"round_id": str(drawn.scenario.round.id), "deadline": _local(60 * 48), "reason": ""}
    refused = post(staff, f"/staff/sheets/{sheet.id}/replace", form)
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(Sheet, sheet.id).status == "assigned"  # type: ignore[union-attr]
    resp = post(
        staff,
        f"/staff/sheets/{sheet.id}/replace",
        {"round_id": str(drawn.scenario.round.id), "deadline": _local(60 * 48), "reason": "逾期未评分"},
    )
    assert resp.status_code == 303 and resp.headers["location"] == f"{url}?done=replaced"
    session.expire_all()
    assert session.get(Sheet, sheet.id).status == "declined"  # type: ignore[union-attr]
    assert drawn.sheet(session, drawn.reserves[0], app).deadline is not None


def test_the_page_extends_the_deadline_and_shows_a_refusal_in_the_users_language(
    session: Session, drawn: Drawn, page_as: Callable[[Person], TestClient]
) -> None:
    staff = page_as(drawn.scenario.staff)
    rnd_id = drawn.scenario.round.id
    current = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    _round(session, drawn).scoring_deadline = current
    session.flush()
    url = f"/staff/rounds/{rnd_id}/scoring-deadline"
    refused = post(staff, url, {"deadline": _local(10), "reason": "推迟"})
    assert refused.status_code == 422 and "必须晚于当前截止时间" in refused.text
    assert _round(session, drawn).scoring_deadline == current
    resp = post(staff, url, {"deadline": _local(60 * 24), "reason": "集中评审会推迟"})
    assert resp.status_code == 303
    assert _round(session, drawn).scoring_deadline > current  # type: ignore[operator]


def test_round_steps_are_confirmed_and_deciding_lists_the_missing_sheets_and_asks_a_reason(
    session: Session, drawn: Drawn, page_as: Callable[[Person], TestClient]
) -> None:
    staff = page_as(drawn.scenario.staff)
    rnd_id = drawn.scenario.round.id
    overview = staff.get(f"/staff/rounds/{rnd_id}")
    assert f'href="/staff/rounds/{rnd_id}/confirm/start_deciding"' in overview.text
    assert 'name="action" value="start_deciding"' not in overview.text  # no one-click step
    confirm = staff.get(f"/staff/rounds/{rnd_id}/confirm/start_deciding")
    assert confirm.status_code == 200 and 'role="alertdialog"' in confirm.text
    assert "10 份评分表尚未提交" in confirm.text or "10 sheet(s) are not submitted" in confirm.text
    assert drawn.members[0].expert.name in confirm.text and 'name="reason"' in confirm.text
    assert staff.get(f"/staff/rounds/{rnd_id}/confirm/publish").status_code == 404

    refused = post(staff, f"/staff/rounds/{rnd_id}/transition", {"action": "start_deciding"})
    assert refused.status_code == 422
    assert _round(session, drawn).status == "reviewing"
    resp = post(
        staff, f"/staff/rounds/{rnd_id}/transition", {"action": "start_deciding", "reason": "专家失联"}
    )
    assert resp.status_code == 303
    assert _round(session, drawn).status == "deciding"


def test_the_round_end_forms_refuse_a_missing_csrf_token(
    session: Session, drawn: Drawn, page_as: Callable[[Person], TestClient]
) -> None:
    staff = page_as(drawn.scenario.staff)
    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    for url in (
        f"/staff/rounds/{drawn.scenario.round.id}/scoring-deadline",
        f"/staff/sheets/{sheet.id}/replace",
    ):
        assert staff.post(url, data={"reason": "x"}, follow_redirects=False).status_code == 403, url
