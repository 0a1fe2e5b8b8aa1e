"""The panel draw: reproducible from its seed, conflicts excluded with reasons, sheets handed out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.draw import DrawApplication, PoolExpert, commitment_of, draw_panel
from scoring.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from scoring.core.i18n import current_locale
from scoring.services.admin.experts import ExpertUpdate, update_expert
from scoring.services.review.panels import DrawIn, draw, get_panel, panel_out
from scoring.store.models import Application, AuditEvent, Panel, PanelExclusion, PanelMember, Sheet
from tests.conftest import Person, count
from tests.review.conftest import Scenario


def _sheet_pairs(session: Session, panel_id: int) -> set[tuple[int, int]]:
    rows = session.execute(select(Sheet.expert_id, Sheet.application_id).where(Sheet.panel_id == panel_id))
    return {(e, a) for e, a in rows}


def _en(exc: Any) -> dict[str, str]:
    return {k: v.render("en") for k, v in exc.fields.items()}


def test_draw_hands_out_one_sheet_per_assignment_and_moves_applications(
    session: Session, scenario: Scenario
) -> None:
    before_events = count(session, "audit_events")
    panel = draw(
        session,
        actor=scenario.staff.actor,
        round_id=scenario.round.id,
        data=DrawIn(kind="enterprise", seed=42),
    )
    assert (panel.seed, panel.size, panel.kind) == (42, 5, "enterprise")
    members = list(
        session.execute(
            select(PanelMember.expert_id, PanelMember.position, PanelMember.is_reserve)
            .where(PanelMember.panel_id == panel.id)
            .order_by(PanelMember.position)
        )
    )
    assert [pos for _, pos, _ in members] == list(range(1, 8))
    assert [reserve for _, _, reserve in members] == [False] * 5 + [True] * 2
    assert [e for e, _, _ in members] == panel.result["members"] + panel.result["reserves"]
    # No conflicts in this pool: every application is scored by the five members.
    pairs = _sheet_pairs(session, panel.id)
    assert pairs == {(e, a.id) for e in panel.result["members"] for a in scenario.applications}
    statuses = set(session.scalars(select(Sheet.status).where(Sheet.panel_id == panel.id)))
    assert statuses == {"assigned"}
    for app in scenario.applications:
        session.refresh(app)
        assert app.status == "under_review"
    events = list(
        session.scalars(select(AuditEvent).where(AuditEvent.id > 0).order_by(AuditEvent.id.desc()).limit(3))
    )
    assert count(session, "audit_events") == before_events + 3
    assert [e.action for e in reversed(events)] == [
        "panel.draw",
        "application.assign_panel",
        "application.assign_panel",
    ]
    drawn = events[-1].after
    assert drawn["seed"] == 42 and drawn["members"] == panel.result["members"]
    assert (
        drawn["reserves"] == panel.result["reserves"] and drawn["exclusions"] == [] and drawn["sheets"] == 10
    )


def test_the_same_seed_over_the_same_pool_draws_the_same_panel(
    session: Session, scenario: Scenario, make_round, make_application
) -> None:
    first = draw(
        session,
        actor=scenario.staff.actor,
        round_id=scenario.round.id,
        data=DrawIn(kind="enterprise", seed=7),
    )
    other_round = make_round()
    for org in scenario.applicants:
        make_application(other_round, org)
    second = draw(
        session, actor=scenario.staff.actor, round_id=other_round.id, data=DrawIn(kind="enterprise", seed=7)
    )
    assert (second.result["members"], second.result["reserves"]) == (
        first.result["members"],
        first.result["reserves"],
    )
    # And replaying the stored inputs by hand gives the stored draw.
    inputs = first.result["inputs"]
    again = draw_panel(
        [
            PoolExpert(
                e["expert_id"],
                e["affiliation_org_id"],
                e["district"],
                frozenset(e["declared_conflict_org_ids"]),
            )
            for e in inputs["pool"]
        ],
        [DrawApplication(a["application_id"], a["org_id"], a["district"]) for a in inputs["applications"]],
        kind="enterprise",
        size=5,
        reserves=2,
        seed=7,
    )
    assert again.as_dict() == {k: first.result[k] for k in again.as_dict()}


def test_a_fresh_seed_is_drawn_and_recorded_when_none_is_given(session: Session, scenario: Scenario) -> None:
    panel = draw(
        session, actor=scenario.staff.actor, round_id=scenario.round.id, data=DrawIn(kind="enterprise")
    )
    assert 0 <= panel.seed < 2**48
    assert panel.result["seed"] == panel.seed
    assert get_panel(session, actor=scenario.staff.actor, panel_id=panel.id).reproducible is True


def test_a_tampered_draw_is_not_reproducible(session: Session, scenario: Scenario) -> None:
    panel = draw(
        session,
        actor=scenario.staff.actor,
        round_id=scenario.round.id,
        data=DrawIn(kind="enterprise", seed=3),
    )
    result = dict(panel.result)
    result["members"] = list(reversed(result["members"]))
    panel.result = result
    session.flush()
    assert get_panel(session, actor=scenario.staff.actor, panel_id=panel.id).reproducible is False


@pytest.fixture
def regional(make_round, make_org, make_application, make_expert, make_person) -> dict[str, Any]:
    """Two regional applicants and a pool of 7 that all land on a 5 + 2 panel, three of them conflicted."""
    rnd = make_round()
    a = make_org("government", "长安区")
    b = make_org("government", "正定县")
    app_a = make_application(rnd, a, kind="regional")
    app_b = make_application(rnd, b, kind="regional")
    same_org = make_expert(a, None, name="本单位专家")
    same_district = make_expert(make_org("university", "长安区"), "长安区", name="同区专家")
    declared = make_expert(make_org("university", None), None, conflicts=(b,), name="声明回避专家")
    neutral = [make_expert(make_org("university", None), None) for _ in range(4)]
    return {
        "round": rnd,
        "apps": (app_a, app_b),
        "same_org": same_org,
        "same_district": same_district,
        "declared": declared,
        "neutral": neutral,
        "staff": make_person("staff"),
    }


@pytest.mark.parametrize("seed", [0, 1, 2, 99, 2**40 + 5])
def test_conflicted_experts_never_get_a_sheet_and_exclusions_say_why(
    session: Session, regional: dict[str, Any], seed: int
) -> None:
    app_a, app_b = regional["apps"]
    same_org, same_district, declared = (
        regional["same_org"].expert.id,
        regional["same_district"].expert.id,
        regional["declared"].expert.id,
    )
    panel = draw(
        session,
        actor=regional["staff"].actor,
        round_id=regional["round"].id,
        data=DrawIn(kind="regional", seed=seed),
    )
    pairs = _sheet_pairs(session, panel.id)
    assert (same_org, app_a.id) not in pairs
    assert (same_district, app_a.id) not in pairs
    assert (declared, app_b.id) not in pairs
    assert sum(1 for _, app_id in pairs if app_id == app_a.id) == 5
    assert sum(1 for _, app_id in pairs if app_id == app_b.id) == 5
    recorded = set(
        session.execute(
            select(PanelExclusion.expert_id, PanelExclusion.application_id, PanelExclusion.reason).where(
                PanelExclusion.panel_id == panel.id
            )
        )
    )
    assert recorded == {
        (same_org, app_a.id, "same_affiliation"),
        (same_district, app_a.id, "same_district"),
        (declared, app_b.id, "declared_conflict"),
    }
    token = current_locale.set("en")
    try:
        view = get_panel(session, actor=regional["staff"].actor, panel_id=panel.id)
        out = panel_out(view).model_dump(mode="json")
    finally:
        current_locale.reset(token)
    reasons = {(x["expert"]["name"], x["application_id"]): x["reason_text"] for x in out["excluded"]}
    assert reasons == {
        ("本单位专家", app_a.id): "works for the applicant",
        ("同区专家", app_a.id): "is from the same district as the applicant (regional bases)",
        ("声明回避专家", app_b.id): "declared a conflict of interest with the applicant",
    }
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "panel.draw").order_by(AuditEvent.id.desc())
    )
    assert event is not None
    assert {(e["expert_id"], e["application_id"], e["reason"]) for e in event.after["exclusions"]} == recorded


def test_same_district_is_no_conflict_for_enterprise_bases(
    session: Session, make_round, make_org, make_application, make_expert, make_person
) -> None:
    rnd = make_round()
    app = make_application(rnd, make_org("enterprise", "长安区"))
    local = make_expert(make_org("university", "长安区"), "长安区")
    for _ in range(4):
        make_expert(make_org("university", None))
    panel = draw(
        session, actor=make_person("staff").actor, round_id=rnd.id, data=DrawIn(kind="enterprise", seed=5)
    )
    assert (local.expert.id, app.id) in _sheet_pairs(session, panel.id)
    assert panel.result["exclusions"] == []


def test_inactive_experts_and_evaluators_are_not_drawn(
    session: Session, scenario: Scenario, make_expert
) -> None:
    evaluator = make_expert(pool="evaluator")
    retired = scenario.pool[0].expert
    update_expert(
        session, actor=scenario.staff.actor, expert_id=retired.id, data=ExpertUpdate(is_active=False)
    )
    panel = draw(
        session,
        actor=scenario.staff.actor,
        round_id=scenario.round.id,
        data=DrawIn(kind="enterprise", seed=1),
    )
    assert retired.id not in panel.result["pool"] and evaluator.expert.id not in panel.result["pool"]
    assert len(panel.result["pool"]) == 7


def _nothing_drawn(session: Session, apps: list[Application], before: tuple[int, ...]) -> None:
    assert (count(session, "panels"), count(session, "sheets"), count(session, "panel_members")) == before
    for app in apps:
        session.refresh(app)
        assert app.status == "accepted"


def test_a_pool_too_small_says_how_many_eligible_experts_are_missing(
    session: Session, make_round, make_org, make_application, make_expert, make_person
) -> None:
    rnd = make_round()
    a = make_org("enterprise")
    app_a = make_application(rnd, a)
    app_b = make_application(rnd, make_org("enterprise"))
    make_expert(a)  # works for applicant a
    for _ in range(4):
        make_expert(make_org("university", None))
    before = (count(session, "panels"), count(session, "sheets"), count(session, "panel_members"))
    with pytest.raises(Conflict) as err:
        draw(
            session, actor=make_person("staff").actor, round_id=rnd.id, data=DrawIn(kind="enterprise", seed=1)
        )
    assert err.value.code == "pool_too_small"
    assert str(err.value.message) == (
        "The expert pool is too small for this draw: 1 eligible expert(s) are missing (at least 1 more "
        "expert(s) without a conflict are needed). Add experts to the pool or choose a smaller panel."
    )
    assert _en(err.value) == {f"applications.{app_a.id}": "1 eligible expert(s) missing"}
    assert "专家库" in err.value.message.render("zh_CN")
    _nothing_drawn(session, [app_a, app_b], before)


def test_a_pool_smaller_than_the_panel_is_refused(
    session: Session, make_round, make_org, make_application, make_expert, make_person
) -> None:
    rnd = make_round()
    app = make_application(rnd, make_org("enterprise"))
    for _ in range(3):
        make_expert(make_org("university", None))
    before = (count(session, "panels"), count(session, "sheets"), count(session, "panel_members"))
    with pytest.raises(Conflict) as err:
        draw(
            session, actor=make_person("staff").actor, round_id=rnd.id, data=DrawIn(kind="enterprise", size=5)
        )
    assert "2 eligible expert(s) are missing" in str(err.value.message)
    _nothing_drawn(session, [app], before)


def test_a_second_draw_for_the_same_round_and_kind_is_refused(session: Session, scenario: Scenario) -> None:
    first = draw(
        session,
        actor=scenario.staff.actor,
        round_id=scenario.round.id,
        data=DrawIn(kind="enterprise", seed=1),
    )
    with pytest.raises(Conflict) as err:
        draw(
            session,
            actor=scenario.staff.actor,
            round_id=scenario.round.id,
            data=DrawIn(kind="enterprise", seed=2),
        )
    assert err.value.code == "panel_exists"
    assert str(err.value.message) == (
        f"A panel has already been drawn for this kind in this round (panel {first.id})."
    )
    assert count(session, "panels") >= 1
    assert session.get(Panel, first.id).seed == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("status", ["open", "recommending", "deciding"])
def test_panels_are_drawn_only_while_the_round_is_in_review(
    session: Session, scenario: Scenario, status: str
) -> None:
    scenario.round.status = status
    session.flush()
    before = (count(session, "panels"), count(session, "sheets"), count(session, "panel_members"))
    with pytest.raises(InvalidTransition) as err:
        draw(session, actor=scenario.staff.actor, round_id=scenario.round.id, data=DrawIn(kind="enterprise"))
    assert str(err.value.message) == f"Panels are drawn while the round is in review; it is now “{status}”."
    _nothing_drawn(session, scenario.applications, before)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"kind": "nonsense"}, {"kind": "is not a kind this round opens"}),
        (
            {"kind": "enterprise", "size": 6},
            {"size": "must be an odd number, so that a panel always has a majority"},
        ),
        ({"kind": "enterprise", "size": 9}, {"size": "must be between 5 and 7"}),
        ({"kind": "enterprise", "size": 3}, {"size": "must be between 5 and 7"}),
    ],
)
def test_bad_draw_input_names_the_field(
    session: Session, scenario: Scenario, data: dict[str, Any], fields: dict[str, str]
) -> None:
    before = (count(session, "panels"), count(session, "sheets"), count(session, "panel_members"))
    with pytest.raises(ValidationFailed) as err:
        draw(session, actor=scenario.staff.actor, round_id=scenario.round.id, data=DrawIn(**data))
    assert _en(err.value) == fields
    _nothing_drawn(session, scenario.applications, before)


def test_nothing_to_review_without_accepted_applications(
    session: Session, make_round, make_org, make_application, make_person, make_expert
) -> None:
    rnd = make_round()
    pending = make_application(rnd, make_org("enterprise"), status="recommended")
    for _ in range(5):
        make_expert(make_org("university", None))
    with pytest.raises(Conflict) as err:
        draw(session, actor=make_person("staff").actor, round_id=rnd.id, data=DrawIn(kind="enterprise"))
    assert err.value.code == "nothing_to_review"
    session.refresh(pending)
    assert pending.status == "recommended"


SECRET = "a secret the first staff member keeps"


def _committed_draw(
    client: TestClient, round_id: int, first: dict[str, str], second: dict[str, str]
) -> httpx.Response:
    """Commit (first), contribute (second), reveal (first): the only way a panel is drawn over HTTP."""
    made = client.post(
        f"/api/v1/rounds/{round_id}/draw-commitments",
        headers=first,
        json={"kind": "enterprise", "commitment": commitment_of(SECRET)},
    )
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    given = client.post(
        f"/api/v1/draw-commitments/{cid}/contribution", headers=second, json={"value": "b" * 8}
    )
    assert given.status_code == 200, given.text
    return client.post(f"/api/v1/draw-commitments/{cid}/reveal", headers=first, json={"secret": SECRET})


def test_staff_draw_over_the_api_and_replay_it(
    client: TestClient,
    session: Session,
    scenario: Scenario,
    make_person: Callable[..., Person],
    login: Callable[[Person], dict[str, str]],
) -> None:
    headers, other = login(scenario.staff), login(make_person("staff"))
    resp = _committed_draw(client, scenario.round.id, headers, other)
    assert resp.status_code == 200, resp.text
    record = resp.json()["record"]
    panel_id = resp.json()["panel_id"]
    body = client.get(f"/api/v1/panels/{panel_id}", headers=headers).json()
    assert body["seed"] == record["seed"] and body["sheets"] == 10 and body["excluded"] == []
    names = {p.expert.id: p.expert.name for p in scenario.pool}
    assert [e["name"] for e in body["experts"]] == [names[e["id"]] for e in body["experts"]]
    assert [e["id"] for e in body["experts"]] == record["result"]["members"]
    assert len(body["experts"]) == 5 and len(body["reserves"]) == 2
    assert body["reproducible"] is True
    listed = client.get(f"/api/v1/rounds/{scenario.round.id}/panels", headers=headers).json()
    assert [p["panel_id"] for p in listed] == [panel_id]
    again = client.post(
        f"/api/v1/rounds/{scenario.round.id}/draw-commitments",
        headers=headers,
        json={"kind": "enterprise", "commitment": commitment_of("another secret, sixteen+")},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "panel_exists"


def test_no_edge_takes_a_seed(
    client: TestClient, scenario: Scenario, login: Callable[[Person], dict[str, str]]
) -> None:
    headers = login(scenario.staff)
    typed = client.post(
        f"/api/v1/rounds/{scenario.round.id}/panels", headers=headers, json={"kind": "enterprise", "seed": 1}
    )
    assert typed.status_code == 405
    seeded = client.post(
        f"/api/v1/rounds/{scenario.round.id}/draw-commitments",
        headers=headers,
        json={"kind": "enterprise", "commitment": commitment_of(SECRET), "seed": 1},
    )
    assert seeded.status_code == 422
    assert client.get(f"/api/v1/rounds/{scenario.round.id}/panels", headers=headers).json() == []


def test_api_pool_too_small_is_409_with_the_count(
    client: TestClient, make_round, make_org, make_application, make_person, login
) -> None:
    rnd = make_round()
    make_application(rnd, make_org("enterprise"))
    first = {**login(make_person("staff")), "Accept-Language": "en"}
    resp = _committed_draw(client, rnd.id, first, login(make_person("staff")))
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "pool_too_small"
    assert "5 eligible expert(s) are missing" in resp.json()["error"]["message"]


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_only_staff_see_or_draw_panels(
    client: TestClient, session: Session, scenario: Scenario, make_person, make_org, login, role: str
) -> None:
    panel = draw(
        session, actor=scenario.staff.actor, round_id=scenario.round.id, data=DrawIn(kind="enterprise")
    )
    if role == "expert":
        person = scenario.pool_expert(panel.result["members"][0]).person
    else:
        org = scenario.applicants[0] if role == "applicant" else None
        person = make_person(role, org=org, district="长安区" if role == "county" else None)
    headers = login(person)
    assert client.get(f"/api/v1/panels/{panel.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/rounds/{scenario.round.id}/panels", headers=headers).status_code == 404
    resp = client.post(
        f"/api/v1/rounds/{scenario.round.id}/draw-commitments",
        headers=headers,
        json={"kind": "university", "commitment": commitment_of(SECRET)},
    )
    assert resp.status_code == 404
    resp = client.post(f"/api/v1/panels/{panel.id}/reserves", headers=headers, json={"expert_ids": [1]})
    assert resp.status_code == 404
    with pytest.raises(NotFound):
        get_panel(session, actor=person.actor, panel_id=panel.id)
