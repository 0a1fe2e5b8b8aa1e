"""The applicant deletes its own draft from its pages: a confirmation stating what is lost, audited,
never offered once the application has been submitted, and nobody else's."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.management.files import save_upload
from scoring.settings import Settings
from scoring.store.models import Application, AuditEvent
from tests.conftest import Person, count
from tests.web.conftest import PDF_BYTES, make_draft, page_csrf


@pytest.fixture
def acme(make_org: Callable[..., Any], make_person: Callable[..., Person]) -> Person:
    org = make_org(kind="enterprise", district="长安区", name="石家庄甲乙科技股份有限公司")
    return make_person("applicant", org=org)


@pytest.fixture
def rival(make_org: Callable[..., Any], make_person: Callable[..., Person]) -> Person:
    org = make_org(kind="enterprise", district="桥西区", name="石家庄丙丁竞争对手有限公司")
    return make_person("applicant", org=org)


def test_the_draft_page_offers_deletion_and_the_confirmation_states_the_consequence(
    session: Session, page_as, open_round, acme: Person
) -> None:
    app = make_draft(session, acme, open_round, "误建的申报草稿")
    client = page_as(acme)
    page = client.get(f"/applicant/applications/{app.id}")
    assert f'href="/applicant/applications/{app.id}/delete"' in page.text
    assert "删除此草稿" in page.text
    confirm = client.get(f"/applicant/applications/{app.id}/delete")
    assert confirm.status_code == 200
    assert "确认删除草稿“误建的申报草稿”？" in confirm.text
    assert (
        "草稿及其建设方案、指标说明和申报数据将被永久删除，无法恢复。删除操作将记入审计日志。" in confirm.text
    )
    assert f'action="/applicant/applications/{app.id}/delete"' in confirm.text
    assert session.get(Application, app.id) is not None  # asking is not deleting


def test_confirming_deletes_the_draft_and_writes_one_audit_event(
    session: Session, page_as, open_round, acme: Person
) -> None:
    app = make_draft(session, acme, open_round, "误建的申报草稿")
    app_id = app.id
    client = page_as(acme)
    before = count(session, "audit_events")
    resp = client.post(
        f"/applicant/applications/{app_id}/delete",
        data={"csrf_token": page_csrf(client)},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/applicant?done=draft_deleted"
    session.expire_all()
    assert session.get(Application, app_id) is None
    assert count(session, "audit_events") == before + 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "application.delete")).one()
    assert event.entity_id == str(app_id) and event.before["title"] == "误建的申报草稿"
    listing = client.get("/applicant?done=draft_deleted")
    assert "草稿已删除，删除操作已记入审计日志。" in listing.text
    assert "误建的申报草稿" not in listing.text


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        ("submitted", "无法执行“删除”:该记录当前状态为“已提交”。"),
        ("returned", "只能删除草稿：该申报已提交，其记录将予保留。"),
        ("accepted", "无法执行“删除”:该记录当前状态为“形式审查通过”。"),
    ],
)
def test_a_submitted_application_shows_no_delete_button_and_cannot_be_deleted(
    session: Session, page_as, open_round, acme: Person, status: str, refusal: str
) -> None:
    app = make_draft(session, acme, open_round, "已提交的申报")
    app.status = status
    session.flush()
    client = page_as(acme)
    page = client.get(f"/applicant/applications/{app.id}")
    assert page.status_code == 200
    assert '/delete"' not in page.text and "删除此草稿" not in page.text
    # The confirmation is not offered either: back to the application.
    confirm = client.get(f"/applicant/applications/{app.id}/delete", follow_redirects=False)
    assert confirm.status_code == 303 and confirm.headers["location"] == f"/applicant/applications/{app.id}"
    before = count(session, "audit_events")
    resp = client.post(f"/applicant/applications/{app.id}/delete", data={"csrf_token": page_csrf(client)})
    assert resp.status_code == 409
    assert refusal in resp.text
    assert "确认删除</button>" not in resp.text
    session.expire_all()
    assert session.get(Application, app.id) is not None
    assert count(session, "audit_events") == before


def test_a_draft_with_evidence_asks_for_the_files_to_be_removed_first(
    session: Session, settings: Settings, page_as, open_round, acme: Person
) -> None:
    app = make_draft(session, acme, open_round, "带附件的草稿")
    save_upload(
        session, actor=acme.actor, settings=settings, stream=io.BytesIO(PDF_BYTES),
        original_name="a.pdf", indicator_code=_first_indicator(session, app), application_id=app.id,
    )  # fmt: skip
    client = page_as(acme)
    confirm = client.get(f"/applicant/applications/{app.id}/delete")
    assert "该草稿仍有 1 个证明材料文件。请先在申报页面删除这些文件，再删除草稿。" in confirm.text
    assert "确认删除</button>" not in confirm.text
    resp = client.post(f"/applicant/applications/{app.id}/delete", data={"csrf_token": page_csrf(client)})
    assert resp.status_code == 409
    assert "请先删除该草稿的 1 个证明材料文件，再删除草稿。" in resp.text
    session.expire_all()
    assert session.get(Application, app.id) is not None


@pytest.mark.parametrize("who", ["rival", "county", "staff"])
def test_nobody_else_sees_or_deletes_the_draft(
    session: Session, page_as, open_round, acme: Person, rival: Person, make_person, who: str
) -> None:
    app = make_draft(session, acme, open_round, "甲乙公司的草稿")
    person = {"rival": rival, "county": make_person("county", district="长安区")}.get(who) or make_person(who)
    client = page_as(person)
    assert client.get(f"/applicant/applications/{app.id}/delete").status_code in (403, 404)
    resp = client.post(f"/applicant/applications/{app.id}/delete", data={"csrf_token": page_csrf(client)})
    assert resp.status_code in (403, 404)
    assert "甲乙公司的草稿" not in resp.text
    session.expire_all()
    assert session.get(Application, app.id) is not None


def _first_indicator(session: Session, app: Any) -> str:
    from scoring.services.designation.rounds import round_rubric
    from scoring.store.models import Round

    return next(iter(round_rubric(session, session.get(Round, app.round_id), app.kind).indicators())).code
