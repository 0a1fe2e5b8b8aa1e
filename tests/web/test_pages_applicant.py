"""Applicant pages: my applications, the draft form, evidence, submission with what is missing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.services.designation import applications as apps
from scoring.services.management.files import save_upload
from scoring.store.models import Application, Attachment
from tests.conftest import Person, count
from tests.web.conftest import PDF_BYTES, complete_application, csrf_of, make_draft, page_csrf


@pytest.fixture
def acme(make_org: Callable[..., Any], make_person: Callable[..., Person]) -> tuple[Any, Person]:
    org = make_org(kind="enterprise", district="长安区", name="石家庄甲乙科技股份有限公司")
    return org, make_person("applicant", org=org)


@pytest.fixture
def rival(make_org: Callable[..., Any], make_person: Callable[..., Person]) -> tuple[Any, Person]:
    org = make_org(kind="enterprise", district="桥西区", name="石家庄丙丁竞争对手有限公司")
    return org, make_person("applicant", org=org)


draft = make_draft


def form_of(app: Application, **changes: str) -> dict[str, str]:
    values = {
        "title": app.title,
        "plan": app.plan,
        "version": str(app.version),
        "intent": "save",
    }
    values.update(changes)
    return values


# ---- visibility per role ------------------------------------------------------------------------


def test_my_applications_shows_mine_and_never_another_organisations(
    session: Session, page_as, open_round, acme, rival
) -> None:
    _org, me = acme
    _other, them = rival
    draft(session, me, open_round, "甲乙公司企业双创示范基地申报")
    draft(session, them, open_round, "丙丁公司的秘密申报书")
    page = page_as(me).get("/applicant")
    assert page.status_code == 200
    assert "我的申报" in page.text
    assert "甲乙公司企业双创示范基地申报" in page.text
    assert "丙丁公司的秘密申报书" not in page.text
    assert "企业“双创”示范基地" in page.text  # the kind, in Chinese
    assert open_round.title in page.text  # the round open for a new application


def test_another_organisations_application_is_not_found(
    session: Session, page_as, open_round, acme, rival
) -> None:
    _org, me = acme
    _other, them = rival
    theirs = draft(session, them, open_round, "丙丁公司的秘密申报书")
    resp = page_as(me).get(f"/applicant/applications/{theirs.id}")
    assert resp.status_code == 404
    assert "丙丁公司的秘密申报书" not in resp.text


@pytest.mark.parametrize("role", ["county", "expert", "staff", "evaluator"])
def test_applicant_pages_do_not_exist_for_other_roles(
    session: Session, page_as, make_person, open_round, acme, role: str
) -> None:
    _org, me = acme
    mine = draft(session, me, open_round, "甲乙公司企业双创示范基地申报")
    other = make_person(role, district="长安区" if role == "county" else None)
    client = page_as(other)
    assert client.get("/applicant").status_code == 404
    resp = client.get(f"/applicant/applications/{mine.id}")
    assert resp.status_code == 404
    assert "甲乙公司企业双创示范基地申报" not in resp.text


def test_anonymous_visitor_is_sent_to_the_login_page(client: TestClient) -> None:
    resp = client.get("/applicant", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=/applicant"


# ---- the draft form -----------------------------------------------------------------------------


def test_create_a_draft_from_the_list_page(session: Session, page_as, open_round, acme) -> None:
    org, me = acme
    client = page_as(me)
    page = client.get("/applicant")
    resp = client.post(
        "/applicant/applications",
        data={
            "csrf_token": csrf_of(page.text),
            "round_id": str(open_round.id),
            "kind": "enterprise",
            "title": "甲乙公司企业双创示范基地",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    app = session.query(Application).filter_by(organisation_id=org.id).one()
    assert resp.headers["location"] == f"/applicant/applications/{app.id}?done=created"
    page = client.get(resp.headers["location"])
    assert "草稿已创建" in page.text
    # Every clause of the rubric with its source text, the figure and the gate.
    assert "企业是否建立技术和服务等“双创”支撑平台" in page.text
    assert 'name="narratives.e1_1"' in page.text
    assert 'data-figure="rd_platforms"' in page.text
    assert 'data-gate="rd_platform"' in page.text
    assert "无法判断" in page.text  # the gate is missing its figure so far
    assert '<meta name="csrf-token"' in page.text
    assert "/static/js/gatecheck." in page.text and "/static/js/upload." in page.text


def test_create_with_a_short_title_keeps_the_input_and_names_the_field(
    session: Session, page_as, open_round, acme
) -> None:
    org, me = acme
    client = page_as(me)
    resp = client.post(
        "/applicant/applications",
        data={
            "csrf_token": page_csrf(client),
            "round_id": str(open_round.id),
            "kind": "enterprise",
            "title": "甲",
        },
    )
    assert resp.status_code == 422
    assert 'value="甲"' in resp.text
    assert 'id="err-title"' in resp.text and "长度至少为 2 个字符" in resp.text
    assert session.query(Application).filter_by(organisation_id=org.id).count() == 0


def test_save_draft_stores_the_form_and_writes_one_audit_event(
    session: Session, page_as, open_round, acme
) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    client = page_as(me)
    before = count(session, "audit_events")
    resp = client.post(
        f"/applicant/applications/{app.id}",
        data=form_of(
            app,
            csrf_token=page_csrf(client),
            plan="三年建成开放共享的双创平台。",
            **{"narratives.e1_1": "已建成技术中心和孵化器。", "figures.rd_platforms": "2"},
        ),
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/applicant/applications/{app.id}?done=saved"
    session.expire_all()
    saved = session.get(Application, app.id)
    assert saved.plan == "三年建成开放共享的双创平台。"
    assert saved.narratives == {"e1_1": "已建成技术中心和孵化器。"}
    assert saved.figures == {"rd_platforms": "2"}
    assert saved.version == 2
    assert count(session, "audit_events") == before + 1
    page = client.get(resp.headers["location"])
    assert "已保存" in page.text
    assert "已建成技术中心和孵化器。" in page.text
    assert "通过" in page.text  # the platform gate passes with 2 platforms


def test_a_bad_figure_keeps_everything_typed_and_saves_nothing(
    session: Session, page_as, open_round, acme
) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    client = page_as(me)
    before = count(session, "audit_events")
    resp = client.post(
        f"/applicant/applications/{app.id}",
        data=form_of(
            app,
            csrf_token=page_csrf(client),
            title="改过的名称",
            plan="新的建设方案",
            **{"narratives.e1_1": "写了很久的一段说明", "figures.rd_platforms": "两家"},
        ),
    )
    assert resp.status_code == 422
    assert 'value="改过的名称"' in resp.text
    assert "新的建设方案" in resp.text
    assert "写了很久的一段说明" in resp.text
    assert 'value="两家"' in resp.text
    assert 'id="err-figures.rd_platforms"' in resp.text
    session.expire_all()
    kept = session.get(Application, app.id)
    assert (kept.title, kept.plan, kept.narratives, kept.figures, kept.version) == (
        "甲乙公司企业双创示范基地",
        "",
        {},
        {},
        1,
    )
    assert count(session, "audit_events") == before


def test_a_stale_version_is_refused_and_the_typed_text_kept(
    session: Session, page_as, open_round, acme
) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    apps.update_application(
        session,
        actor=me.actor,
        application_id=app.id,
        data=apps.ApplicationUpdate(plan="同事先保存的", version=1),
    )
    client = page_as(me)
    resp = client.post(
        f"/applicant/applications/{app.id}",
        data=form_of(app, csrf_token=page_csrf(client), version="1", plan="我刚写的方案"),
    )
    assert resp.status_code == 409
    assert "我刚写的方案" in resp.text
    assert "您读取的版本 1,当前版本 2" in resp.text
    session.expire_all()
    assert session.get(Application, app.id).plan == "同事先保存的"


def test_submit_with_gaps_saves_the_draft_and_lists_what_is_missing(
    session: Session, page_as, open_round, acme
) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    client = page_as(me)
    resp = client.post(
        f"/applicant/applications/{app.id}",
        data=form_of(
            app,
            csrf_token=page_csrf(client),
            intent="submit",
            plan="三年建成开放共享的双创平台。",
            **{"narratives.e1_1": "已建成技术中心。"},
        ),
    )
    assert resp.status_code == 422
    assert 'id="missing-summary"' in resp.text
    assert "提交前还缺少以下内容" in resp.text
    assert "数据：国家级、省级企业技术中心" in resp.text  # the gate's figure, by name
    assert "e1_2 是否建立健全激发企业参与“双创”的股权激励机制" in resp.text
    assert 'href="#f-narratives.e1_2"' in resp.text
    assert 'href="#f-narratives.e1_1"' not in resp.text  # that one is written
    session.expire_all()
    kept = session.get(Application, app.id)
    assert kept.status == "draft"
    assert kept.plan == "三年建成开放共享的双创平台。"  # what was typed is saved
    assert kept.narratives == {"e1_1": "已建成技术中心。"}


def test_submit_a_complete_draft_locks_it(session: Session, settings, page_as, open_round, acme) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    complete_application(session, settings, me, app)
    client = page_as(me)
    page = client.get(f"/applicant/applications/{app.id}")
    resp = client.post(
        f"/applicant/applications/{app.id}",
        data={
            **{k: v for k, v in _form_fields(page.text).items()},
            "csrf_token": csrf_of(page.text),
            "intent": "submit",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == f"/applicant/applications/{app.id}?done=submitted"
    session.expire_all()
    assert session.get(Application, app.id).status == "submitted"
    page = client.get(resp.headers["location"])
    assert "已提交至所在县" in page.text
    assert 'id="application-form"' not in page.text  # read-only now
    assert "关于e1_1的说明" in page.text


def _form_fields(html: str) -> dict[str, str]:
    """The values of the draft form as the page renders them (what a browser would post)."""
    import re

    fields: dict[str, str] = {}
    form = html[
        html.index('id="application-form"') : html.index("</form>", html.index('id="application-form"'))
    ]
    for name, value in re.findall(r'<input name="([^"]+)"[^>]*? value="([^"]*)"', form):
        fields[name] = value
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields[name] = value
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = value
    return fields


# ---- evidence -----------------------------------------------------------------------------------


def test_plain_form_upload_and_download(session: Session, page_as, open_round, acme, rival) -> None:
    _org, me = acme
    _other, them = rival
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    client = page_as(me)
    resp = client.post(
        f"/applicant/applications/{app.id}/attachments",
        data={"csrf_token": page_csrf(client), "indicator_code": "e2_1"},
        files={"file": ("投融资平台证明.pdf", PDF_BYTES, "application/pdf")},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    att = session.query(Attachment).filter_by(application_id=app.id).one()
    assert (att.indicator_code, att.original_name, att.size_bytes) == (
        "e2_1",
        "投融资平台证明.pdf",
        len(PDF_BYTES),
    )
    page = client.get(f"/applicant/applications/{app.id}")
    assert f'href="/files/{att.id}"' in page.text and "投融资平台证明.pdf" in page.text
    got = client.get(f"/files/{att.id}")
    assert got.status_code == 200 and got.content == PDF_BYTES
    assert page_as(them).get(f"/files/{att.id}").status_code == 404


def test_upload_of_a_refused_type_names_the_problem(session: Session, page_as, open_round, acme) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    client = page_as(me)
    resp = client.post(
        f"/applicant/applications/{app.id}/attachments",
        data={"csrf_token": page_csrf(client), "indicator_code": "e2_1"},
        files={"file": ("macro.docm", b"PK\x03\x04 not a pdf", "application/pdf")},
    )
    assert resp.status_code == 415
    assert "仅接受 PDF、PNG 和 JPEG 文件。" in resp.text
    assert session.query(Attachment).filter_by(application_id=app.id).count() == 0


def test_remove_evidence(session: Session, settings, page_as, open_round, acme) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    att = save_upload(
        session,
        actor=me.actor,
        settings=settings,
        stream=io.BytesIO(PDF_BYTES),
        original_name="旧文件.pdf",
        indicator_code="e1_1",
        application_id=app.id,
    )
    client = page_as(me)
    resp = client.post(
        f"/applicant/applications/{app.id}/attachments/{att.id}/delete",
        data={"csrf_token": page_csrf(client)},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert session.query(Attachment).filter_by(application_id=app.id).count() == 0


# ---- CSRF on every form -------------------------------------------------------------------------


def test_every_applicant_form_refuses_a_missing_csrf_token(
    session: Session, settings, page_as, open_round, acme
) -> None:
    _org, me = acme
    app = draft(session, me, open_round, "甲乙公司企业双创示范基地")
    att = save_upload(
        session,
        actor=me.actor,
        settings=settings,
        stream=io.BytesIO(PDF_BYTES),
        original_name="证明.pdf",
        indicator_code="e1_1",
        application_id=app.id,
    )
    client = page_as(me)
    before = count(session, "audit_events")
    posts: list[tuple[str, dict[str, Any]]] = [
        (
            "/applicant/applications",
            {"data": {"round_id": str(open_round.id), "kind": "university", "title": "新申报"}},
        ),
        (f"/applicant/applications/{app.id}", {"data": form_of(app, plan="被伪造的方案")}),
        (f"/applicant/applications/{app.id}", {"data": form_of(app, intent="submit")}),
        (
            f"/applicant/applications/{app.id}/attachments",
            {"data": {"indicator_code": "e1_2"}, "files": {"file": ("x.pdf", PDF_BYTES, "application/pdf")}},
        ),
        (f"/applicant/applications/{app.id}/attachments/{att.id}/delete", {"data": {}}),
    ]
    for url, kwargs in posts:
        for token in (None, "forged-token"):
            data = dict(kwargs["data"])
            if token:
                data["csrf_token"] = token
            resp = client.post(url, data=data, files=kwargs.get("files"))
            assert resp.status_code == 403, url
            assert "安全令牌" in resp.text
    session.expire_all()
    assert count(session, "audit_events") == before
    assert session.get(Application, app.id).plan == ""
    assert session.get(Attachment, att.id) is not None


def test_the_page_switches_to_english(session: Session, page_as, open_round, acme) -> None:
    _org, me = acme
    draft(session, me, open_round, "甲乙公司企业双创示范基地")
    client = page_as(me)
    client.get("/lang/en")
    page = client.get("/applicant")
    assert "My applications" in page.text and "Enterprise base" in page.text
    assert "我的申报" not in page.text


# ---- results after publication ------------------------------------------------------------------


def test_results_show_after_publication_without_any_sheet_detail(
    session: Session, settings, make_org, make_person, page_as
) -> None:
    from tests.web.conftest import build_review_world, score_and_publish

    world = build_review_world(session, settings, make_org, make_person)
    winner, loser = world.applications
    client = page_as(world.applicants[0])
    before = client.get(f"/applicant/applications/{winner.id}")
    assert 'id="result"' not in before.text  # under review: nothing to show yet
    score_and_publish(session, world, make_person("staff"))
    page = client.get(f"/applicant/applications/{winner.id}")
    assert page.status_code == 200
    assert 'id="result"' in page.text
    assert "已认定" in page.text
    assert "最终得分：100.00 分" in page.text
    assert "适应双创的制度创新" in page.text  # a section of the breakdown
    for _person, expert in world.experts:
        assert expert.name not in page.text  # never who scored
    other = page_as(world.applicants[1]).get(f"/applicant/applications/{loser.id}")
    assert "未认定" in other.text or "未入选" in other.text
    assert "最终得分：100.00 分" not in other.text
