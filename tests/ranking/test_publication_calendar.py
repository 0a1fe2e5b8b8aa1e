"""The 公示 follows the State Council calendar: right over 国庆, refused for a year it does not cover."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.ranking import test_publication_flow
from tests.ranking.conftest import Clock
from tests.ranking.test_publication_flow import Setup, act, approve, round_of

setup = test_publication_flow.setup  # the same world: three scored applications, two designated


def test_a_notice_confirmed_before_national_day_2024_ends_after_the_holiday(
    setup: Setup, client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(date(2024, 9, 27))  # Fri; Sun 29 Sep worked, 1–7 Oct off: 29, 30 Sep, 8, 9, 10 Oct
    assert approve(client, setup, approved_on="2024-09-20").status_code == 200
    assert act(client, setup, "propose", setup.alice).status_code == 200
    resp = act(client, setup, "confirm", setup.bob)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["notice_starts_on"], resp.json()["notice_ends_on"]) == ("2024-09-27", "2024-10-10")


def test_a_notice_into_a_year_the_calendar_lacks_is_refused_naming_the_year(
    setup: Setup, client: TestClient, session: Session, clock: Clock, audit_count: Callable[[], int]
) -> None:
    clock.set(date(2026, 12, 28))  # five working days run into January 2027
    assert approve(client, setup).status_code == 200
    assert act(client, setup, "propose", setup.alice).status_code == 200
    before = audit_count()
    resp = act(client, setup, "confirm", setup.bob)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "calendar_not_covered"
    assert resp.json()["error"]["message"] == (
        "无法计算 2027 年的工作日：节假日库仅收录 2001–2026 年的国务院节假日安排。"
        "该年通知发布后请更新 holidays 库。"
    )
    rnd = round_of(session, setup)
    assert (rnd.status, rnd.notice_starts_on, rnd.notice_ends_on) == ("deciding", None, None)
    assert audit_count() == before
