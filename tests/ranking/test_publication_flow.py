"""Approval, four-eyes publication, the public notice with objections, final publication and the
public lists; every request replayed has no second effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.clock import add_working_days
from scoring.store.models import Application, BaseEvent, DesignatedBase, Objection, Round
from tests.conftest import count
from tests.ranking.conftest import Clock, World

DOC = "石政字〔2026〕12号"


@dataclass
class Setup:
    world: World
    a: Application
    b: Application
    c: Application
    alice: dict[str, str]
    bob: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/rounds/{self.world.round.id}"


@pytest.fixture
def setup(
    make_world: Callable[..., World],
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    client: TestClient,
) -> Setup:
    w = make_world()
    a = w.application(["90", "90", "90"], name="石家庄甲科技有限公司", district="长安区")
    b = w.application(["80", "80", "80"], name="石家庄乙科技有限公司", district="桥西区")
    c = w.application(["70", "70", "70"], name="石家庄丙科技有限公司")
    alice, bob = login(make_person("staff")), login(make_person("staff"))
    resp = client.post(
        f"/api/v1/rounds/{w.round.id}/decisions",
        json={"kind": "enterprise", "designate": [a.id, b.id]},
        headers=alice,
    )
    assert resp.status_code == 200, resp.text
    return Setup(w, a, b, c, alice, bob)


def approve(client: TestClient, s: Setup, **overrides: Any) -> Any:
    body = {"document_no": DOC, "approved_on": "2026-02-27"} | overrides
    return client.post(f"{s.url}/approval", json=body, headers=s.alice)


def act(client: TestClient, s: Setup, action: str, headers: dict[str, str]) -> Any:
    return client.post(f"{s.url}/publication", json={"action": action}, headers=headers)


def round_of(session: Session, s: Setup) -> Round:
    session.expire_all()
    rnd = session.get(Round, s.world.round.id)
    assert rnd is not None
    return rnd


def start_notice(client: TestClient, s: Setup) -> None:
    assert approve(client, s).status_code == 200
    assert act(client, s, "propose", s.alice).status_code == 200
    assert act(client, s, "confirm", s.bob).status_code == 200


def objection(s: Setup, app: Application, **overrides: Any) -> dict[str, Any]:
    return {
        "round_id": s.world.round.id,
        "application_id": app.id,
        "name": "张三",
        "contact": "13800000000",
        "text": "该单位申报的研发平台数量与实际不符。",
    } | overrides


def test_working_days_skip_weekends() -> None:
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)  # Monday → next Monday
    assert add_working_days(date(2026, 3, 6), 5) == date(2026, 3, 13)  # Friday → next Friday
    assert add_working_days(date(2026, 3, 7), 5) == date(2026, 3, 13)  # Saturday → Friday
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_approval_is_recorded_once(
    setup: Setup, client: TestClient, session: Session, clock: Clock, audit_count: Callable[[], int]
) -> None:
    before = audit_count()
    resp = approve(client, setup)
    assert resp.status_code == 200
    assert resp.json()["document_no"] == DOC and resp.json()["approved_on"] == "2026-02-27"
    assert approve(client, setup).status_code == 200  # replay
    assert audit_count() == before + 1
    assert round_of(session, setup).approval_document_no == DOC


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"approved_on": "2026-03-03"}, "approved_on"),  # tomorrow
        ({"approved_on": "2026-02-30"}, "approved_on"),
        ({"document_no": ""}, "document_no"),
        ({"document_no": "x" * 101}, "document_no"),
    ],
)
def test_bad_approvals_are_refused(
    setup: Setup, client: TestClient, session: Session, clock: Clock, body: dict[str, Any], field: str
) -> None:
    resp = approve(client, setup, **body)
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == [field]
    assert round_of(session, setup).approval_document_no is None


def test_propose_needs_approval_and_every_kind_decided(
    make_world: Callable[..., World],
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    client: TestClient,
    clock: Clock,
) -> None:
    w = make_world()
    w.application(["90", "90", "90"])
    alice = login(make_person("staff"))
    resp = client.post(f"/api/v1/rounds/{w.round.id}/publication", json={"action": "propose"}, headers=alice)
    assert resp.status_code == 409
    assert resp.json()["error"]["fields"] == {
        "approval": "须先登记市政府批复",
        "decisions.enterprise": "该类别尚有 1 个已评分申报未作出决定",
    }


def test_four_eyes_the_proposer_cannot_confirm(
    setup: Setup, client: TestClient, session: Session, clock: Clock, audit_count: Callable[[], int]
) -> None:
    assert approve(client, setup).status_code == 200
    assert act(client, setup, "propose", setup.alice).status_code == 200
    before = audit_count()
    resp = client.post(
        f"{setup.url}/publication",
        json={"action": "confirm"},
        headers=setup.alice | {"Accept-Language": "en"},
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "four_eyes"
    assert "second staff member must confirm" in resp.json()["error"]["message"]
    assert round_of(session, setup).status == "deciding"
    assert audit_count() == before

    resp = act(client, setup, "confirm", setup.bob)
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "notice"
    assert (body["notice_starts_on"], body["notice_ends_on"]) == ("2026-03-02", "2026-03-09")
    assert act(client, setup, "confirm", setup.bob).status_code == 200  # replay
    assert act(client, setup, "propose", setup.alice).status_code == 200  # replay
    assert audit_count() == before + 1


def test_a_changed_decision_voids_the_proposal(
    setup: Setup, client: TestClient, session: Session, clock: Clock
) -> None:
    assert approve(client, setup).status_code == 200
    assert act(client, setup, "propose", setup.alice).status_code == 200
    resp = client.post(
        f"{setup.url}/decisions",
        json={"kind": "enterprise", "designate": [setup.a.id], "reason": "乙单位撤回申报"},
        headers=setup.alice,
    )
    assert resp.status_code == 200
    assert round_of(session, setup).publication_proposed_by_id is None
    resp = act(client, setup, "confirm", setup.bob)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "invalid_transition"


def test_approval_cannot_change_after_the_notice_started(
    setup: Setup, client: TestClient, session: Session, clock: Clock
) -> None:
    start_notice(client, setup)
    resp = approve(client, setup, document_no="石政字〔2026〕13号")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "notice_started"
    assert round_of(session, setup).approval_document_no == DOC
    assert approve(client, setup).status_code == 200  # the same approval replayed is fine


def test_objection_upheld_takes_the_application_off_the_list(
    setup: Setup, client: TestClient, session: Session, clock: Clock, audit_count: Callable[[], int]
) -> None:
    start_notice(client, setup)
    notice = client.get("/api/v1/public/notice").json()["items"]
    assert [(e["name"], e["kind"], e["district"]) for e in notice[0]["entries"]] == [
        ("石家庄乙科技有限公司", "enterprise", "桥西区"),
        ("石家庄甲科技有限公司", "enterprise", "长安区"),
    ]
    assert set(notice[0]["entries"][0]) == {"application_id", "name", "kind", "district", "supplementary"}

    resp = client.post("/api/v1/public/objections", json=objection(setup, setup.b))
    assert resp.status_code == 201, resp.text
    filed = resp.json()
    assert filed["status"] == "open"
    replay = client.post("/api/v1/public/objections", json=objection(setup, setup.b))
    assert replay.json()["id"] == filed["id"]
    assert count(session, "objections") == 1

    listed = client.get(f"{setup.url}/objections", headers=setup.bob).json()["items"]
    assert [(o["id"], o["name"], o["contact"], o["status"]) for o in listed] == [
        (filed["id"], "张三", "13800000000", "open")
    ]

    # Finalizing is refused while the notice runs and while an objection is open.
    resp = act(client, setup, "finalize", setup.alice)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "notice_running")
    clock.set(date(2026, 3, 10))
    resp = act(client, setup, "finalize", setup.alice)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "objections_open")

    before = audit_count()
    url = f"/api/v1/objections/{filed['id']}/resolution"
    upheld = {"decision": "uphold", "reason": "经核实,研发平台数量不实", "seat": "vacant"}
    resp = client.post(url, json=upheld, headers=setup.bob)
    assert resp.status_code == 200
    assert (resp.json()["status"], resp.json()["seat"], resp.json()["backfill_application_id"]) == (
        "upheld",
        "vacant",
        None,
    )
    session.expire_all()
    b = session.get(Application, setup.b.id)
    assert b is not None and (b.status, b.decision_reason) == ("not_designated", "经核实,研发平台数量不实")
    assert client.post(url, json=upheld, headers=setup.bob).status_code == 200  # replay
    resp = client.post(url, json={"decision": "dismiss", "reason": "改变主意"}, headers=setup.bob)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "already_resolved")
    assert audit_count() == before + 1

    # The vacant seat changed the list: publishing waits for the city government's new approval.
    resp = act(client, setup, "finalize", setup.alice)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "revision_unapproved"
    assert resp.json()["error"]["fields"] == {
        "list_revision.approval": "名单因异议成立而调整，须先登记市政府对调整后名单的新批复"
    }
    assert round_of(session, setup).status == "notice"
    resp = client.post(
        f"{setup.url}/list-revision/approval",
        json={"document_no": "石政字〔2026〕20号", "approved_on": "2026-03-10"},
        headers=setup.bob,
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["status"], resp.json()["removed"], resp.json()["added"]) == (
        "approved",
        [setup.b.id],
        [],
    )

    resp = act(client, setup, "finalize", setup.alice)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "published"
    bases = session.scalars(
        select(DesignatedBase).where(DesignatedBase.round_id == setup.world.round.id)
    ).all()
    assert [
        (x.application_id, x.name, x.status, x.document_no, x.designated_on, x.final_score) for x in bases
    ] == [(setup.a.id, "石家庄甲科技有限公司", "active", DOC, date(2026, 3, 10), Decimal("100.00"))]
    events = session.scalars(select(BaseEvent).where(BaseEvent.base_id == bases[0].id)).all()
    assert [e.event for e in events] == ["designated"]
    assert statuses(session, setup) == ["designated", "not_designated", "not_designated"]

    published = audit_count()
    assert act(client, setup, "finalize", setup.bob).status_code == 200  # replay
    assert audit_count() == published
    assert count(session, "bases") == len(bases) + _other_bases(session, setup)


def _other_bases(session: Session, s: Setup) -> int:
    return len(
        session.scalars(select(DesignatedBase.id).where(DesignatedBase.round_id != s.world.round.id)).all()
    )


def statuses(session: Session, s: Setup) -> list[str]:
    session.expire_all()
    return [session.get(Application, x.id).status for x in (s.a, s.b, s.c)]  # type: ignore[union-attr]


def test_objection_dismissed_keeps_the_application(
    setup: Setup, client: TestClient, session: Session, clock: Clock
) -> None:
    start_notice(client, setup)
    filed = client.post("/api/v1/public/objections", json=objection(setup, setup.a)).json()
    resp = client.post(
        f"/api/v1/objections/{filed['id']}/resolution",
        json={"decision": "dismiss", "reason": "经核实,反映情况不属实"},
        headers=setup.alice,
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == "dismissed"
    clock.set(date(2026, 3, 10))
    assert act(client, setup, "finalize", setup.bob).status_code == 200
    assert statuses(session, setup) == ["designated", "designated", "not_designated"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"decision": "uphold"}, "reason"), ({"decision": "uphold", "reason": "  "}, "reason"),
     ({"decision": "maybe", "reason": "x"}, "decision"),
     ({"decision": "uphold", "reason": "x"}, "seat"),
     ({"decision": "uphold", "reason": "x", "seat": "later"}, "seat"),
     ({"decision": "dismiss", "reason": "x", "seat": "vacant"}, "seat")],
)  # fmt: skip
def test_resolution_needs_a_decision_and_a_reason(
    setup: Setup, client: TestClient, session: Session, clock: Clock, body: dict[str, Any], field: str
) -> None:
    start_notice(client, setup)
    filed = client.post("/api/v1/public/objections", json=objection(setup, setup.a)).json()
    resp = client.post(f"/api/v1/objections/{filed['id']}/resolution", json=body, headers=setup.alice)
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == [field]
    session.expire_all()
    assert session.get(Objection, filed["id"]).status == "open"  # type: ignore[union-attr]


def test_objections_only_during_the_notice_and_only_for_the_list(
    setup: Setup, client: TestClient, session: Session, clock: Clock
) -> None:
    resp = client.post("/api/v1/public/objections", json=objection(setup, setup.a))
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "notice_closed")
    start_notice(client, setup)
    resp = client.post("/api/v1/public/objections", json=objection(setup, setup.c))  # not on the list
    assert resp.status_code == 404
    resp = client.post("/api/v1/public/objections", json=objection(setup, setup.a, round_id=999_999))
    assert resp.status_code == 404
    resp = client.post("/api/v1/public/objections", json=objection(setup, setup.a, text=""))
    assert (resp.status_code, list(resp.json()["error"]["fields"])) == (422, ["text"])
    clock.set(date(2026, 3, 10))  # the day after the notice ended
    resp = client.post("/api/v1/public/objections", json=objection(setup, setup.a))
    assert resp.status_code == 409
    assert client.get("/api/v1/public/notice").json()["items"] == []
    assert count(session, "objections") == 0


def test_public_bases_show_only_published_rounds(
    setup: Setup,
    client: TestClient,
    session: Session,
    clock: Clock,
    make_world: Callable[..., World],
) -> None:
    # A base row of a round still in notice (e.g. written by mistake) never shows.
    other = make_world(status="notice", year=2025)
    stray = other.application(["90", "90", "90"], status="shortlisted")
    session.add(
        DesignatedBase(
            application_id=stray.id, round_id=other.round.id, organisation_id=stray.organisation_id,
            kind="enterprise", name="未发布单位", district="长安区", designated_on=date(2026, 1, 1),
            document_no="x",
        )
    )  # fmt: skip
    session.flush()
    assert [
        b["name"] for b in client.get("/api/v1/public/bases").json()["items"] if b["name"] == "未发布单位"
    ] == []

    start_notice(client, setup)
    assert _ours(client.get("/api/v1/public/bases").json()["items"], setup) == []
    clock.set(date(2026, 3, 10))
    assert act(client, setup, "finalize", setup.alice).status_code == 200
    items = _ours(
        client.get("/api/v1/public/bases?status=active&kind=enterprise&year=2026").json()["items"], setup
    )
    assert [{k: v for k, v in i.items() if k != "id"} for i in items] == [
        {
            "name": "石家庄甲科技有限公司",
            "kind": "enterprise",
            "district": "长安区",
            "year": 2026,
            "document_no": DOC,
            "designated_on": "2026-03-10",
            "status": "active",
            "revoked_on": None,
            "revocation_document_no": None,
        },
        {
            "name": "石家庄乙科技有限公司",
            "kind": "enterprise",
            "district": "桥西区",
            "year": 2026,
            "document_no": DOC,
            "designated_on": "2026-03-10",
            "status": "active",
            "revoked_on": None,
            "revocation_document_no": None,
        },
    ]
    assert _ours(client.get("/api/v1/public/bases?status=revoked").json()["items"], setup) == []
    assert _ours(client.get("/api/v1/public/bases?kind=regional").json()["items"], setup) == []
    assert _ours(client.get("/api/v1/public/bases?year=2025").json()["items"], setup) == []
    page = client.get("/api/v1/public/bases?limit=1").json()
    assert len(page["items"]) == 1 and page["next_cursor"] is not None


def _ours(items: list[dict[str, Any]], s: Setup) -> list[dict[str, Any]]:
    names = {"石家庄甲科技有限公司", "石家庄乙科技有限公司", "石家庄丙科技有限公司"}
    return [i for i in items if i["name"] in names]


@pytest.mark.parametrize(
    ("query", "field"), [("status=gone", "status"), ("kind=x", "kind"), ("year=abc", "year")]
)
def test_public_bases_filters_are_checked(client: TestClient, query: str, field: str) -> None:
    resp = client.get(f"/api/v1/public/bases?{query}")
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == [field]


def test_publication_is_hidden_from_applicants(
    setup: Setup,
    client: TestClient,
    make_person: Callable[..., Any],
    make_org: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    headers = login(make_person("applicant", org=make_org()))
    assert act(client, setup, "propose", headers).status_code == 404
    assert client.get(f"{setup.url}/objections", headers=headers).status_code == 404
