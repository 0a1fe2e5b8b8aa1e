"""County recommender pages: the district's queue, and recommend / decline / return with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from scoring.store.models import Application
from tests.conftest import Person, count
from tests.web.conftest import csrf_of, make_draft, page_csrf, submitted_application


@pytest.fixture
def world(
    session: Session, settings, make_org: Callable[..., Any], make_person: Callable[..., Person], open_round
) -> dict[str, Any]:
    """Two applications from 长安区 (one submitted, one still a draft) and one from 桥西区."""
    here = make_org(kind="enterprise", district="长安区", name="长安区甲公司")
    draft_org = make_org(kind="university", district="长安区", name="长安区草稿学院")
    there = make_org(kind="enterprise", district="桥西区", name="桥西区乙公司")
    here_person = make_person("applicant", org=here)
    draft_person = make_person("applicant", org=draft_org)
    there_person = make_person("applicant", org=there)
    return {
        "county": make_person("county", district="长安区"),
        "other_county": make_person("county", district="桥西区"),
        "mine": submitted_application(session, settings, here_person, open_round, "长安区甲公司双创基地"),
        "draft": make_draft(session, draft_person, open_round, "尚未提交的草稿申报", kind="university"),
        "theirs": submitted_application(session, settings, there_person, open_round, "桥西区乙公司双创基地"),
    }


def test_queue_shows_the_districts_submitted_applications_only(page_as, world) -> None:
    page = page_as(world["county"]).get("/county")
    assert page.status_code == 200
    assert "本地区申报" in page.text and "长安区" in page.text
    assert "待推荐" in page.text
    assert "长安区甲公司双创基地" in page.text and "长安区甲公司" in page.text
    assert "桥西区乙公司双创基地" not in page.text  # another district
    assert "尚未提交的草稿申报" not in page.text  # a draft is the applicant's own business


def test_another_districts_application_is_not_found(page_as, world) -> None:
    client = page_as(world["county"])
    for app in (world["theirs"], world["draft"]):
        resp = client.get(f"/county/applications/{app.id}")
        assert resp.status_code == 404
        assert app.title not in resp.text


@pytest.mark.parametrize("role", ["applicant", "expert", "staff"])
def test_county_pages_do_not_exist_for_other_roles(page_as, make_person, make_org, world, role: str) -> None:
    org = make_org() if role == "applicant" else None
    client = page_as(make_person(role, org=org))
    assert client.get("/county").status_code == 404
    assert client.get(f"/county/applications/{world['mine'].id}").status_code == 404


def test_application_page_shows_the_material_and_the_decision_form(page_as, world) -> None:
    app = world["mine"]
    page = page_as(world["county"]).get(f"/county/applications/{app.id}")
    assert page.status_code == 200
    assert "长安区甲公司双创基地" in page.text
    assert "三年建成开放共享的双创平台。" in page.text  # the plan
    assert "关于e1_1的说明" in page.text  # a narrative
    assert 'href="/files/' in page.text  # evidence links
    assert 'name="decision" value="recommend"' in page.text
    assert 'name="decision" value="decline"' in page.text
    assert 'name="decision" value="return"' in page.text


def test_recommend_moves_it_on_with_one_audit_event(session: Session, page_as, world) -> None:
    app = world["mine"]
    client = page_as(world["county"])
    page = client.get(f"/county/applications/{app.id}")
    before = count(session, "audit_events")
    resp = client.post(
        f"/county/applications/{app.id}/recommendation",
        data={
            "csrf_token": csrf_of(page.text),
            "decision": "recommend",
            "reason": "",
            "version": str(app.version),
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/county?done=recommend"
    session.expire_all()
    assert session.get(Application, app.id).status == "recommended"
    assert count(session, "audit_events") == before + 1
    queue = client.get("/county?done=recommend")
    assert "已将该申报推荐至市发展改革委。" in queue.text
    assert "暂无待处理的申报。" in queue.text
    assert "已推荐" in queue.text


@pytest.mark.parametrize(("decision", "status"), [("decline", "not_recommended"), ("return", "returned")])
def test_decline_or_return_needs_a_reason_and_keeps_the_choice(
    session: Session, page_as, world, decision: str, status: str
) -> None:
    app = world["mine"]
    client = page_as(world["county"])
    resp = client.post(
        f"/county/applications/{app.id}/recommendation",
        data={
            "csrf_token": page_csrf(client),
            "decision": decision,
            "reason": "",
            "version": str(app.version),
        },
    )
    assert resp.status_code == 422
    assert f'value="{decision}" checked' in resp.text
    assert 'id="err-reason"' in resp.text and "不予推荐或退回时须填写理由" in resp.text
    session.expire_all()
    assert session.get(Application, app.id).status == "submitted"
    resp = client.post(
        f"/county/applications/{app.id}/recommendation",
        data={
            "csrf_token": page_csrf(client),
            "decision": decision,
            "reason": "研发平台证明材料不全",
            "version": str(app.version),
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    session.expire_all()
    saved = session.get(Application, app.id)
    assert (saved.status, saved.status_reason) == (status, "研发平台证明材料不全")


def test_an_unknown_decision_names_the_field(session: Session, page_as, world) -> None:
    app = world["mine"]
    client = page_as(world["county"])
    resp = client.post(
        f"/county/applications/{app.id}/recommendation",
        data={
            "csrf_token": page_csrf(client),
            "decision": "approve",
            "reason": "好",
            "version": str(app.version),
        },
    )
    assert resp.status_code == 422
    assert 'id="err-decision"' in resp.text and "须为以下之一" in resp.text
    assert ">好</textarea>" in resp.text
    session.expire_all()
    assert session.get(Application, app.id).status == "submitted"


def test_other_districts_county_cannot_decide(session: Session, page_as, world) -> None:
    app = world["mine"]
    client = page_as(world["other_county"])
    resp = client.post(
        f"/county/applications/{app.id}/recommendation",
        data={"csrf_token": page_csrf(client), "decision": "recommend", "version": str(app.version)},
    )
    assert resp.status_code == 404
    session.expire_all()
    assert session.get(Application, app.id).status == "submitted"


def test_recommendation_form_refuses_a_missing_or_forged_csrf_token(session: Session, page_as, world) -> None:
    app = world["mine"]
    client = page_as(world["county"])
    before = count(session, "audit_events")
    for token in (None, "forged"):
        data = {"decision": "recommend", "reason": "", "version": str(app.version)}
        if token:
            data["csrf_token"] = token
        resp = client.post(f"/county/applications/{app.id}/recommendation", data=data)
        assert resp.status_code == 403
        assert "安全令牌" in resp.text
    session.expire_all()
    assert session.get(Application, app.id).status == "submitted"
    assert count(session, "audit_events") == before
