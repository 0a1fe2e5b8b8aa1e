"""Score sheets: declaration first, exact validation with nothing lost, versions, submit, reopen, reserves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.errors import DeadlinePassed, InvalidTransition, NotFound, StaleVersion, ValidationFailed
from scoring.services.admin.experts import ExpertUpdate, update_expert
from scoring.services.review import sheet_views
from scoring.services.review import sheets as sheet_service
from scoring.services.review.panels import ExtendIn, extend_panel
from scoring.services.review.sheets import DeclarationIn, ReopenIn, SheetUpdate, SubmitIn
from scoring.store.db import utcnow
from scoring.store.models import Application, Attachment, AuditEvent, Round, Sheet
from tests.conftest import Person, count
from tests.review.conftest import Drawn, PoolExpert, full_scores

ENTERPRISE_EXPERT_CODES = ["e1_1", "e1_2", "e1_3", "e1_4", "e2_1", "e3_1", "e3_2", "e3_3", "e3_4", "e4_1"]


def _declare(session: Session, who: PoolExpert, sheet: Sheet) -> None:
    sheet_service.declare(
        session, actor=who.person.actor, sheet_id=sheet.id, data=DeclarationIn(no_conflict=True)
    )


def _version(session: Session, sheet: Sheet) -> str:
    app = session.get(Application, sheet.application_id)
    assert app is not None
    rnd = session.get(Round, app.round_id)
    assert rnd is not None
    return rnd.rubric_versions["enterprise"]


def _stored(session: Session, sheet_id: int) -> tuple[str, int, dict[str, str], str, Any]:
    session.expire_all()
    row = session.get(Sheet, sheet_id)
    assert row is not None
    return row.status, row.version, dict(row.scores), row.comments, row.total


def test_the_expert_indicators_of_the_enterprise_rubric(session: Session, drawn: Drawn) -> None:
    sheet = drawn.sheet(session, drawn.members[0], drawn.scenario.applications[0])
    info = sheet_service.sheet_rubric(session, kind="enterprise", version=_version(session, sheet))
    assert list(info.expert) == ENTERPRISE_EXPERT_CODES and info.data_codes == {"e4_2"}


# ---- declaration ---------------------------------------------------------------------------------


def test_before_the_declaration_a_sheet_shows_no_material(
    client: TestClient, session: Session, drawn: Drawn, login: Callable[[Person], dict[str, str]]
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    body = client.get(f"/api/v1/sheets/{sheet.id}", headers=login(who.person)).json()
    assert set(body) == {"id", "status", "application", "declaration", "declared_at", "version"}
    assert body["status"] == "assigned" and body["declared_at"] is None
    org = drawn.scenario.applicants[0]
    assert body["application"] == {
        "id": app.id,
        "title": app.title,
        "kind": "enterprise",
        "applicant": org.name,
    }
    assert org.name in body["declaration"] and "利害关系" in body["declaration"]


def test_after_the_declaration_the_sheet_shows_the_material_and_the_rubric(
    client: TestClient, session: Session, drawn: Drawn, login: Callable[[Person], dict[str, str]]
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    att = Attachment(
        application_id=app.id,
        indicator_code="e1_1",
        original_name="平台证书.pdf",
        content_type="application/pdf",
        size_bytes=1234,
        sha256="0" * 64,
        storage_name="review-test-attachment",
    )
    session.add(att)
    session.flush()
    sheet = drawn.sheet(session, who, app)
    headers = login(who.person)
    resp = client.post(f"/api/v1/sheets/{sheet.id}/declaration", headers=headers, json={"no_conflict": True})
    assert resp.status_code == 200, resp.text
    body = client.get(f"/api/v1/sheets/{sheet.id}", headers=headers).json()
    assert body["status"] == "draft" and body["declared_at"] is not None and body["version"] == 2
    assert body["application"]["plan"] == "建设方案全文"
    assert body["application"]["narratives"] == {"e1_1": "已建立技术服务平台"}
    assert body["application"]["figures"][0] | {"name": None} == {
        "code": "rd_platforms",
        "name": None,
        "unit": "家",
        "value": "2",
    }
    assert body["application"]["attachments"] == [
        {
            "id": att.id,
            "indicator_code": "e1_1",
            "name": "平台证书.pdf",
            "content_type": "application/pdf",
            "size": 1234,
            "url": f"/api/v1/attachments/{att.id}",
        }
    ]
    indicators = body["rubric"]["indicators"]
    assert [i["code"] for i in indicators] == ENTERPRISE_EXPERT_CODES
    assert indicators[0]["max_points"] == "6.5" and indicators[0]["step"] == "0.5"
    assert [(a["level"], a["min_points"]) for a in indicators[0]["anchors"]] == [
        ("优", "5.85"),
        ("良", "4.875"),
        ("中", "3.9"),
        ("差", "0"),
    ]
    assert (body["scores"], body["total"], body["progress"], body["comments"]) == ({}, None, "0/10", "")


def test_declaring_a_conflict_needs_a_reason(session: Session, drawn: Drawn) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    before = (_stored(session, sheet.id), count(session, "sheets"), count(session, "audit_events"))
    with pytest.raises(ValidationFailed) as err:
        sheet_service.declare(
            session,
            actor=who.person.actor,
            sheet_id=sheet.id,
            data=DeclarationIn(no_conflict=False, reason="  "),
        )
    assert {k: v.render("en") for k, v in err.value.fields.items()} == {
        "reason": "is required when you declare a conflict of interest"
    }
    assert (_stored(session, sheet.id), count(session, "sheets"), count(session, "audit_events")) == before


def test_a_declined_sheet_goes_to_the_next_reserve_without_naming_it(
    client: TestClient, session: Session, drawn: Drawn, login: Callable[[Person], dict[str, str]]
) -> None:
    who, app = drawn.members[0], drawn.scenario.applications[0]
    sheet = drawn.sheet(session, who, app)
    resp = client.post(
        f"/api/v1/sheets/{sheet.id}/declaration",
        headers={**login(who.person), "Accept-Language": "en"},
        json={"no_conflict": False, "reason": "曾为该企业提供咨询服务"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "declined" and body["replaced"] is True
    assert (
        body["message"]
        == "Your declaration is recorded. A reserve expert will review this application instead."
    )
    assert "expert" not in body and "scores" not in body
    first_reserve = drawn.reserves[0]
    assert str(first_reserve.expert.id) not in resp.text.replace(str(sheet.id), "")
    replacement = drawn.sheet(session, first_reserve, app)
    assert replacement.status == "assigned"
    session.expire_all()
    declined = session.get(Sheet, sheet.id)
    assert declined is not None and declined.conflict_reason == "曾为该企业提供咨询服务"
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event is not None and event.action == "sheet.decline" and event.reason == "曾为该企业提供咨询服务"
    assert event.after["replacement"] == {"sheet_id": replacement.id, "expert_id": first_reserve.expert.id}
    # Declining again is refused: the declaration is made once.
    again = client.post(
        f"/api/v1/sheets/{sheet.id}/declaration", headers=login(who.person), json={"no_conflict": True}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_a_reserve_with_a_conflict_or_a_sheet_already_is_skipped(session: Session, drawn: Drawn) -> None:
    app_a, app_b = drawn.scenario.applications
    first, second = drawn.reserves
    # The first reserve has since declared a conflict with applicant A.
    update_expert(
        session,
        actor=drawn.scenario.staff.actor,
        expert_id=first.expert.id,
        data=ExpertUpdate(declared_conflict_org_ids=[app_a.organisation_id]),
    )
    who = drawn.members[0]
    sheet_service.declare(
        session,
        actor=who.person.actor,
        sheet_id=drawn.sheet(session, who, app_a).id,
        data=DeclarationIn(no_conflict=False, reason="回避"),
    )
    holders = set(session.scalars(select(Sheet.expert_id).where(Sheet.application_id == app_a.id)))
    assert first.expert.id not in holders and second.expert.id in holders
    # For B the first reserve is free: it is called, then the second, then no one is left.
    results = []
    for member in drawn.members[:3]:
        result = sheet_service.declare(
            session,
            actor=member.person.actor,
            sheet_id=drawn.sheet(session, member, app_b).id,
            data=DeclarationIn(no_conflict=False, reason="回避"),
        )
        results.append(result.replaced)
    assert results == [True, True, False]
    b_holders = list(
        session.scalars(
            select(Sheet.expert_id)
            .where(Sheet.application_id == app_b.id, Sheet.status != "declined")
            .order_by(Sheet.id)
        )
    )
    assert b_holders[-2:] == [first.expert.id, second.expert.id] and len(b_holders) == 4


def test_no_reserve_left_says_so_and_staff_extend_the_panel(
    client: TestClient,
    session: Session,
    drawn: Drawn,
    make_expert: Callable[..., PoolExpert],
    make_org,
    login: Callable[[Person], dict[str, str]],
) -> None:
    app = drawn.scenario.applications[0]
    for member in drawn.members[:2]:
        sheet_service.declare(
            session,
            actor=member.person.actor,
            sheet_id=drawn.sheet(session, member, app).id,
            data=DeclarationIn(no_conflict=False, reason="回避"),
        )
    third = drawn.members[2]
    resp = client.post(
        f"/api/v1/sheets/{drawn.sheet(session, third, app).id}/declaration",
        headers={**login(third.person), "Accept-Language": "en"},
        json={"no_conflict": False, "reason": "回避"},
    )
    assert resp.status_code == 200
    assert resp.json()["replaced"] is False
    assert resp.json()["message"] == (
        "Your declaration is recorded. No reserve expert without a conflict is left for this application: "
        "the city DRC must extend the panel from the expert pool."
    )
    newcomer = make_expert(make_org("university", None))
    added = extend_panel(
        session,
        actor=drawn.scenario.staff.actor,
        panel_id=drawn.panel.id,
        data=ExtendIn(expert_ids=[newcomer.expert.id]),
    )
    assert [(s.application_id, s.expert_id) for s in added] == [(app.id, newcomer.expert.id)]
    live = session.scalars(select(Sheet).where(Sheet.application_id == app.id, Sheet.status != "declined"))
    assert len(list(live)) == 5
    with pytest.raises(ValidationFailed) as err:
        extend_panel(
            session,
            actor=drawn.scenario.staff.actor,
            panel_id=drawn.panel.id,
            data=ExtendIn(expert_ids=[newcomer.expert.id, 999_999]),
        )
    assert {k: v.render("en") for k, v in err.value.fields.items()} == {
        "expert_ids.0": "is already on this panel",
        "expert_ids.1": "is not an active expert of the pool",
    }


# ---- saving --------------------------------------------------------------------------------------


def test_a_partial_save_stores_canonical_scores_and_the_total(
    client: TestClient,
    session: Session,
    draft: tuple[PoolExpert, Sheet],
    login: Callable[[Person], dict[str, str]],
) -> None:
    who, sheet = draft
    before = count(session, "audit_events")
    resp = client.put(
        f"/api/v1/sheets/{sheet.id}",
        headers=login(who.person),
        json={"scores": {"e1_1": "4.50", "e2_1": 20, "e1_2": None}, "comments": "平台建设扎实", "version": 2},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body | {"saved_at": None} == {
        "id": sheet.id,
        "status": "draft",
        "version": 3,
        "scores": {"e1_1": "4.5", "e2_1": "20"},
        "comments": "平台建设扎实",
        "total": "24.5",
        "progress": "2/10",
        "saved_at": None,
    }
    assert _stored(session, sheet.id)[1:4] == (3, {"e1_1": "4.5", "e2_1": "20"}, "平台建设扎实")
    assert count(session, "audit_events") == before + 2  # the token's login and the save
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event is not None and event.action == "sheet.save"
    assert event.before == {"version": 2, "scores": {}, "total": None, "comments": ""}
    assert event.after == {
        "version": 3,
        "scores": {"e1_1": "4.5", "e2_1": "20"},
        "total": "24.5",
        "comments": "平台建设扎实",
    }


def test_saving_the_same_body_twice_changes_nothing_the_second_time(
    session: Session, draft: tuple[PoolExpert, Sheet]
) -> None:
    who, sheet = draft
    data = SheetUpdate(scores={"e1_1": "5", "e1_3": "6"}, comments="好", version=2)
    first = sheet_service.save_sheet(session, actor=who.person.actor, sheet_id=sheet.id, data=data)
    events = count(session, "audit_events")
    second = sheet_service.save_sheet(session, actor=who.person.actor, sheet_id=sheet.id, data=data)
    assert (first.version, second.version, first.changed, second.changed) == (3, 3, True, False)
    assert (second.scores, str(second.total), second.progress) == (
        {"e1_1": "5", "e1_3": "6"},
        "11.0000",
        "2/10",
    )
    assert count(session, "audit_events") == events
    assert _stored(session, sheet.id)[1:3] == (3, {"e1_1": "5", "e1_3": "6"})


def test_a_stale_version_is_refused_and_changes_nothing(
    session: Session, draft: tuple[PoolExpert, Sheet]
) -> None:
    who, sheet = draft
    sheet_service.save_sheet(
        session, actor=who.person.actor, sheet_id=sheet.id, data=SheetUpdate(scores={"e1_1": "5"}, version=2)
    )
    before = (_stored(session, sheet.id), count(session, "audit_events"))
    with pytest.raises(StaleVersion) as err:
        sheet_service.save_sheet(
            session,
            actor=who.person.actor,
            sheet_id=sheet.id,
            data=SheetUpdate(scores={"e1_1": "6"}, version=2),
        )
    assert str(err.value.message) == (
        "Someone else changed this record since you read it (version 2, now 3). "
        "Reload and apply your changes again."
    )
    assert (_stored(session, sheet.id), count(session, "audit_events")) == before


@pytest.mark.parametrize(
    ("scores", "fields"),
    [
        ({"x9_9": "1"}, {"scores.x9_9": "is not an indicator of this rubric"}),
        ({"e4_2": "5"}, {"scores.e4_2": "is computed from the declared figures; experts do not score it"}),
        ({"e1_1": "7"}, {"scores.e1_1": "must be at most 6.5"}),
        ({"e1_1": 6.6}, {"scores.e1_1": "must be at most 6.5"}),
        ({"e1_1": "4.3"}, {"scores.e1_1": "must be a multiple of 0.5"}),
        ({"e1_1": "4.25"}, {"scores.e1_1": "must have at most 1 decimal place(s)"}),
        ({"e1_1": "NaN"}, {"scores.e1_1": "must be a plain decimal number such as 4.5"}),
        ({"e1_1": "Infinity"}, {"scores.e1_1": "must be a plain decimal number such as 4.5"}),
        ({"e1_1": "-1"}, {"scores.e1_1": "must not be negative"}),
        ({"e1_1": -0.5}, {"scores.e1_1": "must not be negative"}),
        ({"e1_1": ""}, {"scores.e1_1": "a value is required"}),
        ({"e1_1": "1e1"}, {"scores.e1_1": "must be a plain decimal number such as 4.5"}),
        ({"e1_1": True}, {"scores.e1_1": "must be a number"}),
        ({"e1_1": [4]}, {"scores.e1_1": "must be a number"}),
        (
            {"e1_1": "4", "e1_2": "abc", "e4_2": "1"},
            {
                "scores.e1_2": "must be a plain decimal number such as 4.5",
                "scores.e4_2": "is computed from the declared figures; experts do not score it",
            },
        ),
    ],
)
def test_every_bad_score_is_refused_by_name_and_nothing_saved_is_lost(
    client: TestClient,
    session: Session,
    draft: tuple[PoolExpert, Sheet],
    login: Callable[[Person], dict[str, str]],
    scores: dict[str, Any],
    fields: dict[str, str],
) -> None:
    who, sheet = draft
    sheet_service.save_sheet(
        session,
        actor=who.person.actor,
        sheet_id=sheet.id,
        data=SheetUpdate(scores={"e1_1": "5", "e2_1": "18.5"}, comments="初评", version=2),
    )
    headers = {**login(who.person), "Accept-Language": "en"}
    before = (_stored(session, sheet.id), count(session, "audit_events"))
    resp = client.put(
        f"/api/v1/sheets/{sheet.id}", headers=headers, json={"scores": scores, "comments": "x", "version": 3}
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "validation_failed"
    assert resp.json()["error"]["fields"] == fields
    assert (_stored(session, sheet.id), count(session, "audit_events")) == before


def test_a_nan_number_in_the_json_body_is_refused(
    client: TestClient,
    session: Session,
    draft: tuple[PoolExpert, Sheet],
    login: Callable[[Person], dict[str, str]],
) -> None:
    who, sheet = draft
    resp = client.put(
        f"/api/v1/sheets/{sheet.id}",
        headers={**login(who.person), "Accept-Language": "en", "Content-Type": "application/json"},
        content=b'{"scores": {"e1_1": NaN}, "version": 2}',
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["fields"] == {"scores.e1_1": "must be a finite number"}
    assert _stored(session, sheet.id)[1:3] == (2, {})


def test_a_save_without_a_version_is_refused(
    client: TestClient, draft: tuple[PoolExpert, Sheet], login: Callable[[Person], dict[str, str]]
) -> None:
    who, sheet = draft
    resp = client.put(
        f"/api/v1/sheets/{sheet.id}",
        headers={**login(who.person), "Accept-Language": "en"},
        json={"scores": {}},
    )
    assert resp.status_code == 422 and resp.json()["error"]["fields"] == {"version": "is required"}


def test_saving_after_the_scoring_deadline_is_refused(
    session: Session, draft: tuple[PoolExpert, Sheet]
) -> None:
    who, sheet = draft
    app = session.get(Application, sheet.application_id)
    row = session.get(Round, app.round_id)  # type: ignore[union-attr]
    assert row is not None
    row.scoring_deadline = utcnow() - timedelta(minutes=1)
    session.flush()
    with pytest.raises(DeadlinePassed) as err:
        sheet_service.save_sheet(
            session,
            actor=who.person.actor,
            sheet_id=sheet.id,
            data=SheetUpdate(scores={"e1_1": "5"}, version=2),
        )
    assert str(err.value.message).startswith("The scoring deadline, ") and err.value.code == "deadline_passed"
    assert _stored(session, sheet.id)[1:3] == (2, {})


# ---- submit and reopen ---------------------------------------------------------------------------


def test_submit_lists_every_missing_score(session: Session, draft: tuple[PoolExpert, Sheet]) -> None:
    who, sheet = draft
    sheet_service.save_sheet(
        session,
        actor=who.person.actor,
        sheet_id=sheet.id,
        data=SheetUpdate(scores={c: "1" for c in ENTERPRISE_EXPERT_CODES[:7]}, version=2),
    )
    before = (_stored(session, sheet.id), count(session, "audit_events"))
    with pytest.raises(ValidationFailed) as err:
        sheet_service.submit(session, actor=who.person.actor, sheet_id=sheet.id)
    assert err.value.code == "sheet_incomplete"
    assert str(err.value.message) == "Score every indicator before submitting: 3 of 10 are not scored yet."
    assert {k: v.render("en") for k, v in err.value.fields.items()} == {
        "scores.e3_3": "is not scored yet",
        "scores.e3_4": "is not scored yet",
        "scores.e4_1": "is not scored yet",
    }
    assert (_stored(session, sheet.id), count(session, "audit_events")) == before


def _score_and_submit(session: Session, who: PoolExpert, sheet: Sheet) -> None:
    session.refresh(sheet)
    if sheet.status == "assigned":
        _declare(session, who, sheet)
        session.refresh(sheet)
    saved = sheet_service.save_sheet(
        session,
        actor=who.person.actor,
        sheet_id=sheet.id,
        data=SheetUpdate(scores=full_scores(session, sheet), version=sheet.version),
    )
    sheet_service.submit(
        session, actor=who.person.actor, sheet_id=sheet.id, data=SubmitIn(version=saved.version)
    )


def test_a_submitted_sheet_is_locked(
    client: TestClient,
    session: Session,
    draft: tuple[PoolExpert, Sheet],
    login: Callable[[Person], dict[str, str]],
) -> None:
    who, sheet = draft
    _score_and_submit(session, who, sheet)
    status, version, scores, _, total = _stored(session, sheet.id)
    assert (status, version) == ("submitted", 4)
    assert total == sum(Decimal(v) for v in full_scores(session, sheet).values()) and scores
    headers = login(who.person)
    resp = client.put(
        f"/api/v1/sheets/{sheet.id}", headers=headers, json={"scores": {"e1_1": "1"}, "version": 4}
    )
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "invalid_transition"
    resp = client.post(f"/api/v1/sheets/{sheet.id}/submit", headers=headers)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "invalid_transition"
    assert _stored(session, sheet.id)[:3] == ("submitted", 4, scores)


def test_submitting_the_last_sheet_scores_the_application(session: Session, drawn: Drawn) -> None:
    app = drawn.scenario.applications[0]
    for who in drawn.members[:-1]:
        _score_and_submit(session, who, drawn.sheet(session, who, app))
    session.refresh(app)
    assert app.status == "under_review"
    _score_and_submit(session, drawn.members[-1], drawn.sheet(session, drawn.members[-1], app))
    session.refresh(app)
    assert app.status == "scored"
    last = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)))
    assert last == ["application.complete_scoring", "sheet.submit"]
    other = drawn.scenario.applications[1]
    session.refresh(other)
    assert other.status == "under_review"


def test_a_last_decline_with_no_reserve_left_completes_the_application(
    session: Session, drawn: Drawn
) -> None:
    app = drawn.scenario.applications[0]
    m0, m1, m2, m3, m4 = drawn.members

    def decline(who: PoolExpert) -> bool | None:
        return sheet_service.declare(
            session,
            actor=who.person.actor,
            sheet_id=drawn.sheet(session, who, app).id,
            data=DeclarationIn(no_conflict=False, reason="回避"),
        ).replaced

    assert [decline(m0), decline(m1)] == [True, True]  # both reserves called in
    for who in (m2, m3, *drawn.reserves):
        _score_and_submit(session, who, drawn.sheet(session, who, app))
    session.refresh(app)
    assert app.status == "under_review"  # m4 has not declared yet
    assert decline(m4) is False
    session.refresh(app)
    assert app.status == "scored"
    last = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)))
    assert last == ["application.complete_scoring", "sheet.decline"]


def test_reopen_needs_a_reason_and_sends_the_application_back_under_review(
    client: TestClient, session: Session, drawn: Drawn, login: Callable[[Person], dict[str, str]]
) -> None:
    app = drawn.scenario.applications[0]
    for who in drawn.members:
        _score_and_submit(session, who, drawn.sheet(session, who, app))
    session.refresh(app)
    assert app.status == "scored"
    sheet = drawn.sheet(session, drawn.members[0], app)
    staff = {**login(drawn.scenario.staff), "Accept-Language": "en"}
    before = (_stored(session, sheet.id), count(session, "audit_events"))
    resp = client.post(f"/api/v1/sheets/{sheet.id}/reopen", headers=staff, json={"reason": " "})
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {"reason": "is required to reopen a submitted sheet"}
    resp = client.post(f"/api/v1/sheets/{sheet.id}/reopen", headers=staff, json={})
    assert resp.status_code == 422
    assert (_stored(session, sheet.id), count(session, "audit_events")) == before
    resp = client.post(
        f"/api/v1/sheets/{sheet.id}/reopen", headers=staff, json={"reason": "第3项评分与材料不符,请复核"}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "draft" and resp.json()["reopened_reason"] == "第3项评分与材料不符,请复核"
    session.refresh(app)
    assert app.status == "under_review"
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)))
    assert actions == ["application.reopen_sheet", "sheet.reopen"]
    # The expert corrects and submits again: the application is scored again.
    _score_and_submit(session, drawn.members[0], sheet)
    session.refresh(app)
    assert app.status == "scored"


def test_only_a_submitted_sheet_can_be_reopened(
    session: Session, draft: tuple[PoolExpert, Sheet], drawn: Drawn
) -> None:
    _, sheet = draft
    with pytest.raises(InvalidTransition):
        sheet_service.reopen(
            session, actor=drawn.scenario.staff.actor, sheet_id=sheet.id, data=ReopenIn(reason="复核")
        )


def test_a_sheet_cannot_be_reopened_once_the_application_moved_on(session: Session, drawn: Drawn) -> None:
    app = drawn.scenario.applications[0]
    for who in drawn.members:
        _score_and_submit(session, who, drawn.sheet(session, who, app))
    app.status = "shortlisted"
    session.flush()
    sheet = drawn.sheet(session, drawn.members[0], app)
    with pytest.raises(InvalidTransition) as err:
        sheet_service.reopen(
            session, actor=drawn.scenario.staff.actor, sheet_id=sheet.id, data=ReopenIn(reason="复核")
        )
    assert (
        str(err.value.message)
        == "The application has moved on to “shortlisted”: its sheets can no longer be reopened."
    )
    assert _stored(session, sheet.id)[0] == "submitted"


@pytest.mark.parametrize("status", ["assigned", "declined"])
def test_saving_is_refused_before_the_declaration_or_after_declining(
    session: Session, drawn: Drawn, status: str
) -> None:
    who = drawn.members[0]
    sheet = drawn.sheet(session, who, drawn.scenario.applications[0])
    if status == "declined":
        sheet_service.declare(
            session,
            actor=who.person.actor,
            sheet_id=sheet.id,
            data=DeclarationIn(no_conflict=False, reason="回避"),
        )
    session.refresh(sheet)
    with pytest.raises(InvalidTransition):
        sheet_service.save_sheet(
            session,
            actor=who.person.actor,
            sheet_id=sheet.id,
            data=SheetUpdate(scores={}, version=sheet.version),
        )
    with pytest.raises(InvalidTransition):
        sheet_service.submit(session, actor=who.person.actor, sheet_id=sheet.id)


def test_an_expert_cannot_touch_a_sheet_of_another_expert(
    session: Session, draft: tuple[PoolExpert, Sheet], drawn: Drawn
) -> None:
    _, sheet = draft
    other = drawn.members[1]
    before = _stored(session, sheet.id)
    for call in (
        lambda: sheet_service.save_sheet(
            session,
            actor=other.person.actor,
            sheet_id=sheet.id,
            data=SheetUpdate(scores={"e1_1": "1"}, version=2),
        ),
        lambda: sheet_service.submit(session, actor=other.person.actor, sheet_id=sheet.id),
        lambda: sheet_service.declare(
            session, actor=other.person.actor, sheet_id=sheet.id, data=DeclarationIn(no_conflict=True)
        ),
        lambda: sheet_views.get_sheet(session, actor=other.person.actor, sheet_id=sheet.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert _stored(session, sheet.id) == before
