"""An upheld objection that changes the list under notice: the seat left vacant or backfilled from the
ranking, the change's own government approval, and the four-eyes supplementary notice (补充公示) of an
added entry before the list can be published."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent, DesignatedBase, Objection, Round
from tests.conftest import count
from tests.ranking import test_publication_flow as flow
from tests.ranking.conftest import Clock
from tests.ranking.test_publication_flow import (
    DOC,
    Setup,
    act,
    objection,
    round_of,
    start_notice,
    statuses,
)

setup = flow.setup  # the fixture: a deciding round, 甲 and 乙 shortlisted, 丙 eligible next
NEW_DOC = "石政字〔2026〕20号"


def file(client: TestClient, s: Setup, app: Any, **overrides: Any) -> int:
    resp = client.post("/api/v1/public/objections", json=objection(s, app, **overrides))
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


def resolve(client: TestClient, objection_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"/api/v1/objections/{objection_id}/resolution", json=body, headers=headers)


def revise(client: TestClient, s: Setup, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{s.url}/list-revision", json=body, headers=headers)


def approve_change(client: TestClient, s: Setup, **overrides: Any) -> Any:
    body = {"document_no": NEW_DOC, "approved_on": "2026-03-10"} | overrides
    return client.post(f"{s.url}/list-revision/approval", json=body, headers=s.bob)


def actions(session: Session, round_id: int) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "round", AuditEvent.entity_id == str(round_id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_backfill_needs_a_new_approval_and_its_own_four_eyes_notice_then_is_designated(
    setup: Setup, client: TestClient, session: Session, clock: Clock, audit_count: Callable[[], int]
) -> None:
    s = setup
    start_notice(client, s)
    against_b = file(client, s, s.b)
    preview = client.get(f"/api/v1/objections/{against_b}/backfill-candidate", headers=s.bob).json()
    assert preview == {
        "objection_id": against_b,
        "candidate": {
            "application_id": s.c.id,
            "name": "石家庄丙科技有限公司",
            "final_score": "80.00",
            "rank": 3,
        },
    }
    before = audit_count()
    resp = resolve(
        client, against_b, s.bob, decision="uphold", reason="经核实,研发平台数量不实", seat="backfill"
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["seat"], resp.json()["backfill_application_id"]) == ("backfill", s.c.id)
    assert audit_count() == before + 1  # one event: the objection, both applications and the list
    assert statuses(session, s) == ["shortlisted", "not_designated", "shortlisted"]
    assert (
        resolve(
            client, against_b, s.bob, decision="uphold", reason="经核实,研发平台数量不实", seat="backfill"
        ).status_code
        == 200
    )  # replay
    assert audit_count() == before + 1

    # Before its approval and notice, the added entry is not on the public notice.
    notice = client.get("/api/v1/public/notice").json()["items"]
    assert [(e["name"], e["supplementary"]) for e in notice[0]["entries"]] == [
        ("石家庄甲科技有限公司", False)
    ]

    clock.set(date(2026, 3, 10))  # the first notice has ended
    resp = act(client, s, "finalize", s.alice)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "revision_unapproved")
    resp = approve_change(client, s, document_no=DOC)
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"document_no": "须为新的批复：该文号为原批复文号"}
    assert round_of(session, s).list_status == "changed"
    resp = revise(client, s, s.alice, action="propose")
    assert resp.status_code == 409
    assert resp.json()["error"]["fields"] == {"list_revision.approval": "须先登记市政府的新批复"}

    resp = approve_change(client, s)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["status"], resp.json()["added"], resp.json()["removed"]) == (
        "approved",
        [s.c.id],
        [s.b.id],
    )
    resp = act(client, s, "finalize", s.alice)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "revision_notice_needed")
    assert resp.json()["error"]["fields"] == {
        "list_revision.notice": "递补列入名单的单位须另行公示 5 个工作日，"
        "由一名工作人员提请、另一名工作人员确认"
    }

    assert revise(client, s, s.alice, action="propose").json()["status"] == "proposed"
    resp = revise(client, s, s.alice, action="confirm")
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "four_eyes")
    resp = revise(client, s, s.bob, action="confirm")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["status"], body["notice_starts_on"], body["notice_ends_on"]) == (
        "notice",
        "2026-03-10",
        "2026-03-17",
    )
    assert (body["proposed_by_id"] != body["confirmed_by_id"], body["unnoticed_additions"]) == (True, 0)
    assert revise(client, s, s.bob, action="confirm").status_code == 200  # replay
    resp = approve_change(client, s, document_no="石政字〔2026〕21号")
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "notice_started")

    # The supplementary notice shows the added entry only, marked; objections only against it.
    notice = client.get("/api/v1/public/notice").json()["items"]
    assert [(e["name"], e["supplementary"]) for e in notice[0]["entries"]] == [("石家庄丙科技有限公司", True)]
    assert (notice[0]["supplementary_starts_on"], notice[0]["supplementary_ends_on"]) == (
        "2026-03-10",
        "2026-03-17",
    )
    resp = client.post("/api/v1/public/objections", json=objection(s, s.a))
    assert resp.status_code == 404
    against_c = file(client, s, s.c, text="丙单位申报材料有误。")
    resp = act(client, s, "finalize", s.alice)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "notice_running")
    assert (
        resolve(client, against_c, s.alice, decision="dismiss", reason="经核实,反映情况不属实").status_code
        == 200
    )

    clock.set(date(2026, 3, 18))
    resp = act(client, s, "finalize", s.alice)
    assert resp.status_code == 200, resp.text
    bases = session.scalars(select(DesignatedBase).where(DesignatedBase.round_id == s.world.round.id)).all()
    assert sorted((b.application_id, b.document_no) for b in bases) == [(s.a.id, DOC), (s.c.id, NEW_DOC)]
    assert statuses(session, s) == ["designated", "not_designated", "designated"]
    assert actions(session, s.world.round.id)[-5:] == [
        "round.start_notice",
        "round.revision_approval",
        "round.propose_supplementary_notice",
        "round.start_supplementary_notice",
        "round.publish",
    ]


def test_no_eligible_application_left_refuses_the_backfill_and_changes_nothing(
    setup: Setup, client: TestClient, session: Session, clock: Clock, audit_count: Callable[[], int]
) -> None:
    s = setup
    start_notice(client, s)
    against_b, against_a = file(client, s, s.b), file(client, s, s.a)
    assert (
        resolve(client, against_b, s.bob, decision="uphold", reason="不实", seat="backfill").status_code
        == 200
    )
    # 丙 is on the list now and 乙 was taken off by an upheld objection: nobody is left for 甲's seat.
    assert (
        client.get(f"/api/v1/objections/{against_a}/backfill-candidate", headers=s.bob).json()["candidate"]
        is None
    )
    before = audit_count()
    resp = resolve(client, against_a, s.bob, decision="uphold", reason="不实", seat="backfill")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "no_backfill_candidate"
    assert resp.json()["error"]["fields"] == {
        "seat": "该类别已无符合条件的申报（未列入名单、符合申报条件、不低于合格分数线），请选择名额空缺"
    }
    assert audit_count() == before
    assert statuses(session, s) == ["shortlisted", "not_designated", "shortlisted"]
    session.expire_all()
    assert session.get(Objection, against_a).status == "open"  # type: ignore[union-attr]
    assert round_of(session, s).list_revision == 1
    resp = resolve(client, against_a, s.bob, decision="uphold", reason="不实", seat="vacant")
    assert resp.status_code == 200
    assert (round_of(session, s).list_revision, round_of(session, s).list_status) == (2, "changed")


def test_an_uphold_without_a_seat_is_refused_naming_the_field(
    setup: Setup, client: TestClient, session: Session, clock: Clock
) -> None:
    start_notice(client, setup)
    against_a = file(client, setup, setup.a)
    resp = resolve(client, against_a, setup.bob, decision="uphold", reason="不实")
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "seat": "异议成立时必须选择：该名额空缺，或由下一个符合条件的申报递补"
    }
    resp = client.post(
        f"/api/v1/objections/{against_a}/resolution",
        json={"decision": "uphold", "reason": "x"},
        headers=setup.bob | {"Accept-Language": "en"},
    )
    assert resp.json()["error"]["fields"] == {
        "seat": "is required when an objection is upheld: leave the seat vacant or fill it from the next "
        "eligible application"
    }
    assert statuses(session, setup)[0] == "shortlisted"
    assert round_of(session, setup).list_status == "none"


def test_the_revision_steps_need_a_changed_list(setup: Setup, client: TestClient, clock: Clock) -> None:
    start_notice(client, setup)
    resp = approve_change(client, setup)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "invalid_transition")
    resp = revise(client, setup, setup.alice, action="propose")
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "invalid_transition")
    assert revise(client, setup, setup.alice, action="publish").status_code == 422


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_the_revision_and_the_candidate_are_hidden_from_other_roles(
    role: str,
    setup: Setup,
    client: TestClient,
    session: Session,
    clock: Clock,
    make_person: Callable[..., Any],
    make_org: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    start_notice(client, setup)
    against_b = file(client, setup, setup.b)
    assert (
        resolve(client, against_b, setup.bob, decision="uphold", reason="不实", seat="vacant").status_code
        == 200
    )
    person = make_person(
        role, org=make_org() if role == "applicant" else None, district="长安区" if role == "county" else None
    )
    headers = login(person)
    events = count(session, "audit_events")
    against_a = file(client, setup, setup.a)
    assert (
        client.get(f"/api/v1/objections/{against_a}/backfill-candidate", headers=headers).status_code == 404
    )
    assert approve_change(client, setup, approved_on="2026-03-02").status_code == 200  # staff may
    for url, body in (
        (
            f"{setup.url}/list-revision/approval",
            {"document_no": "伪造〔2026〕1号", "approved_on": "2026-03-03"},
        ),
        (f"{setup.url}/list-revision", {"action": "propose"}),
        ("/api/v1/rounds/999999/list-revision", {"action": "propose"}),
        (
            f"/api/v1/objections/{against_a}/resolution",
            {"decision": "uphold", "reason": "x", "seat": "vacant"},
        ),
    ):
        assert client.post(url, json=body, headers=headers).status_code == 404, url
    assert count(session, "audit_events") == events + 2  # the objection filed and the staff approval
    session.expire_all()
    rnd = session.get(Round, setup.world.round.id)
    assert rnd is not None and rnd.revision_document_no == NEW_DOC
    assert client.get("/api/v1/objections/999999/backfill-candidate", headers=setup.bob).status_code == 404
