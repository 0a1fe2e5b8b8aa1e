"""Every decision shows its reason, who and when: a formal-check return and an objection outcome taken
through their own services appear in the round's decision records (API) next to the list decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.services.designation.applications import FormalCheckIn, formal_check
from scoring.services.review import publication
from scoring.services.review.schemas import ObjectionIn, ResolutionIn
from tests.documents.test_own_result import _decided, _open_notice
from tests.ranking.conftest import World


def test_formal_check_return_list_decision_and_objection_outcome_with_reasons(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    clock: Any,
) -> None:
    staff = make_person("staff")
    checker = make_person("staff")
    w, a, b, _c = _decided(make_world, session, staff)
    # A recommended application of the same round, returned at the formal check with a reason.
    late = w.application([], name="壬公司", status="recommended")
    w.round.status = "recommending"
    session.flush()
    formal_check(
        session, actor=checker.actor, application_id=late.id,
        data=FormalCheckIn(decision="return", reason="营业执照复印件缺失"),
    )  # fmt: skip
    _open_notice(w)
    clock.set(date(2026, 3, 4))
    objection = publication.file_objection(
        session,
        data=ObjectionIn(round_id=w.round.id, application_id=b.id, name="张三", contact="13800000000",
                         text="乙公司的研发平台已停用"),
    )  # fmt: skip
    publication.resolve_objection(
        session, actor=checker.actor, objection_id=objection.id,
        data=ResolutionIn(decision="dismiss", reason="经核实研发平台在用，异议不成立"),
    )  # fmt: skip

    records = client.get(
        f"/api/v1/rounds/{w.round.id}/decision-records?kind=enterprise",
        headers=login(staff) | {"Accept-Language": "en"},
    ).json()
    by_app: dict[int, list[tuple[str, str | None, str | None]]] = {}
    for r in records:
        by_app.setdefault(r["application_id"], []).append((r["subject"], r["reason"], r["by"]))
        assert r["at"] is not None and len(r["at"]) == 16
    assert by_app[a.id] == [("deviation", "甲公司申报材料存在重复计算", staff.user.display_name)]
    assert by_app[b.id] == [
        ("deviation", "甲公司申报材料存在重复计算", staff.user.display_name),
        ("objection_dismissed", "经核实研发平台在用，异议不成立", checker.user.display_name),
    ]
    assert by_app[late.id] == [("formal_check_return", "营业执照复印件缺失", checker.user.display_name)]
    assert {r["subject_text"] for r in records} >= {"Returned at the formal check", "Objection dismissed"}
