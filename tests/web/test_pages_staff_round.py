"""Staff pages for running a round: only staff see them (others 404/403, visitors to the login),
every form refuses a missing CSRF token, the panel page shows the seed, the exclusions and the
replacements, the progress board counts sheets, and the ranking shows gates, explanations and the
charts' data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.review.sheets import DeclarationIn, declare
from scoring.store.models import Application, AuditEvent, Expert, Panel, Round, Sheet
from tests.conftest import Person
from tests.ranking.conftest import World
from tests.review.conftest import (  # noqa: F401  (fixtures)
    Scenario,
    make_application,
    make_expert,
    make_round,
    rubric_versions,
    scenario,
)
from tests.web.conftest import csrf_of

Page = Callable[[Person], TestClient]


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url, data={"csrf_token": csrf_of(client.get("/").text), **data}, follow_redirects=False
    )


def draw_on_the_page(first: TestClient, second: TestClient, round_id: int, kind: str = "enterprise") -> Any:
    """Staff A commits (the page shows the secret once), staff B contributes, A reveals and draws."""
    committed = post(first, f"/staff/rounds/{round_id}/draw/commit", {"kind": kind})
    assert committed.status_code == 200, committed.text
    secret = re.search(r"<code data-secret>([0-9a-f]{32})</code>", committed.text)
    panels = second.get(f"/staff/rounds/{round_id}/panels").text
    cid = re.search(rf'data-draw-kind="{kind}">.*?data-commitment="(\d+)"', panels, re.S)
    assert secret and cid
    given = post(second, f"/staff/draw-commitments/{cid.group(1)}/contribute", {"value": "from staff B"})
    assert given.status_code == 303
    return post(first, f"/staff/draw-commitments/{cid.group(1)}/reveal", {"secret": secret.group(1)})


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert found, "no chart data on the page"
    return dict(json.loads(found.group(1)))


def audit_actions(session: Session, entity: str, entity_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def ranked(make_world: Callable[..., World]) -> tuple[World, list[Application]]:
    w = make_world(status="reviewing")
    apps = [
        w.application(["90", "90", "90", "60", "95"], name="石家庄甲科技有限公司"),
        w.application(["80", "80", "80"], name="石家庄乙科技有限公司"),
        w.application(["70", "70", "70"], name="石家庄丁科技有限公司", platforms="0"),
    ]
    return w, apps


# ---- who may see the pages ----------------------------------------------------------------------


def _urls(w: World, panel_id: int) -> list[str]:
    base = f"/staff/rounds/{w.round.id}"
    return ["/staff", base, f"{base}/check", f"{base}/panels", f"{base}/ranking", "/staff/experts"]


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_other_roles_are_refused_every_round_page_and_see_nothing_of_it(
    role: str, page_as: Page, make_person: Any, make_org: Any, ranked: Any
) -> None:
    w, _ = ranked
    person = make_person(
        role, org=make_org() if role == "applicant" else None, district="长安区" if role == "county" else None
    )
    client = page_as(person)
    for url in _urls(w, w.panel().id):
        resp = client.get(url, follow_redirects=False)
        assert resp.status_code in (403, 404), (url, resp.status_code)
        assert "石家庄甲科技有限公司" not in resp.text and "专家" + str(w.experts[0].id) not in resp.text
    # Their forms are refused as well, with a valid token of their own.
    token = csrf_of(client.get("/").text)
    for url, data in (
        (f"/staff/rounds/{w.round.id}/transition", {"action": "start_deciding"}),
        (f"/staff/rounds/{w.round.id}/draw/commit", {"kind": "enterprise"}),
        ("/staff/experts", {"name": "混入者"}),
    ):
        resp = client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)
        assert resp.status_code in (403, 404), url


def test_visitors_are_sent_to_the_login_from_every_round_page(app: Any, ranked: Any) -> None:
    w, _ = ranked
    with TestClient(app) as anonymous:
        for url in _urls(w, w.panel().id):
            resp = anonymous.get(url, follow_redirects=False)
            assert resp.status_code in (302, 303), url
            assert "/login" in resp.headers["location"]


def test_every_round_form_refuses_a_missing_or_wrong_csrf_token(
    session: Session, page_as: Page, make_person: Any, ranked: Any
) -> None:
    w, (a, *_) = ranked
    alice = page_as(make_person("staff"))
    expert_id = w.experts[0].id
    forms = {
        f"/staff/rounds/{w.round.id}/transition": {"action": "start_deciding"},
        f"/staff/applications/{a.id}/check": {"round_id": str(w.round.id), "decision": "accept"},
        "/staff/experts": {"name": "王教授", "username": "wangjs", "password": "Secret-Pass-2026"},
        f"/staff/experts/{expert_id}": {"fields": "金融", "is_active": "true"},
        f"/staff/rounds/{w.round.id}/draw/commit": {"kind": "enterprise"},
        f"/staff/panels/{w.panel().id}/extend": {"expert_ids": str(expert_id)},
    }
    for url, data in forms.items():
        assert alice.post(url, data=data, follow_redirects=False).status_code == 403, url
        wrong = {"csrf_token": "not-the-token", **data}
        assert alice.post(url, data=wrong, follow_redirects=False).status_code == 403, url
    session.expire_all()
    assert session.get(Round, w.round.id).status == "reviewing"
    assert session.scalar(select(Expert).where(Expert.name == "王教授")) is None
    assert session.get(Expert, expert_id).fields == []


# ---- rounds ---------------------------------------------------------------------------------------


def test_the_dashboard_lists_rounds_with_status_counts_and_deadlines(
    session: Session, page_as: Page, make_person: Any, ranked: Any
) -> None:
    w, _ = ranked
    w.round.scoring_deadline = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 17:00 in Shijiazhuang
    session.flush()
    page = page_as(make_person("staff")).get("/staff")
    assert page.status_code == 200
    row = re.search(rf'<tr data-round="{w.round.id}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = row.group(1)
    assert "2026年度双创示范基地评选" in cells
    assert 'data-status="reviewing"' in cells
    assert "3" in re.sub(r"<[^>]+>", "", cells)  # three applications scored
    assert "评分" in cells and "2026" in cells and "17:00" in cells


def test_a_transition_from_the_round_page_moves_the_round_and_is_audited(
    session: Session, page_as: Page, make_person: Any, ranked: Any
) -> None:
    w, _ = ranked
    alice = page_as(make_person("staff"))
    page = alice.get(f"/staff/rounds/{w.round.id}")
    # Each step is a link to its confirmation page (tests/round_end), never a one-click form.
    assert f'href="/staff/rounds/{w.round.id}/confirm/start_deciding"' in page.text
    assert "confirm/start_notice" not in page.text  # taken through the publication step
    resp = post(
        alice,
        f"/staff/rounds/{w.round.id}/transition",
        {"action": "start_deciding", "version": str(w.round.version)},
    )
    assert resp.status_code == 303 and resp.headers["location"].endswith("?done=transition")
    session.expire_all()
    assert session.get(Round, w.round.id).status == "deciding"
    assert audit_actions(session, "round", w.round.id) == ["round.start_deciding"]
    after = alice.get(resp.headers["location"])
    assert f"/staff/rounds/{w.round.id}/decision" in after.text
    # The same page again (an old version) is refused, naming the field, without a 500.
    stale = post(
        alice, f"/staff/rounds/{w.round.id}/transition", {"action": "start_deciding", "version": "0"}
    )
    assert stale.status_code in (409, 422)
    assert "alert error" in stale.text


def test_formal_check_returns_an_application_with_its_reason(
    session: Session, page_as: Page, make_person: Any, make_world: Any
) -> None:
    w = make_world(status="recommending")
    app = w.application([], name="石家庄戊科技有限公司", status="recommended")
    alice = page_as(make_person("staff"))
    url = f"/staff/applications/{app.id}/check"
    assert "石家庄戊科技有限公司" in alice.get(f"/staff/rounds/{w.round.id}/check").text
    refused = post(alice, url, {"round_id": str(w.round.id), "decision": "return", "reason": ""})
    assert refused.status_code == 422 and 'id="err-reason"' in refused.text
    assert 'class="field-error" id="err-reason" aria-live="polite"></span>' not in refused.text
    resp = post(alice, url, {"round_id": str(w.round.id), "decision": "return", "reason": "缺少营业执照"})
    assert resp.status_code == 303 and resp.headers["location"].endswith("?done=return")
    session.expire_all()
    assert session.get(Application, app.id).status == "returned"
    assert audit_actions(session, "application", app.id) == ["application.formal_check"]
    queue = alice.get(resp.headers["location"]).text
    assert "石家庄戊科技有限公司" not in queue and 'role="status"' in queue
    # A tampered round id is never a 500: the check itself is the service's, the id only the way back.
    other = w.application([], name="石家庄己科技有限公司", status="recommended")
    odd = post(alice, f"/staff/applications/{other.id}/check", {"round_id": "x'; drop", "decision": "accept"})
    assert odd.status_code == 303
    session.expire_all()
    assert session.get(Application, other.id).status == "accepted"


# ---- expert pool ----------------------------------------------------------------------------------


def test_the_pool_adds_and_edits_members_with_their_conflicts(
    session: Session, page_as: Page, make_person: Any, ranked: Any
) -> None:
    _w, (a, b, _c) = ranked
    alice = page_as(make_person("staff"))
    page = alice.get("/staff/experts")
    assert page.status_code == 200
    assert f'<option value="{a.organisation_id}"' in page.text  # applicants are the conflict choices
    resp = post(
        alice,
        "/staff/experts",
        {
            "name": "王建设",
            "title": "教授",
            "fields": "产业经济,科技金融",
            "district": "长安区",
            "username": "wangjs",
            "password": "Secret-Pass-2026",
            "declared_conflict_org_ids": str(a.organisation_id),
        },
    )
    assert resp.status_code == 303
    session.expire_all()
    member = session.scalar(select(Expert).where(Expert.name == "王建设"))
    assert member is not None
    assert (member.fields, member.district, member.declared_conflict_org_ids, member.is_active) == (
        ["产业经济", "科技金融"],
        "长安区",
        [a.organisation_id],
        True,
    )
    row = re.search(rf'<tr data-expert="{member.id}".*?</tr>', alice.get("/staff/experts").text, re.S)
    assert row is not None and "石家庄甲科技有限公司" in row.group(0) and "产业经济、科技金融" in row.group(0)

    # Edit: the conflicts become 乙 only, the member is deactivated (checkbox left empty).
    resp = post(
        alice,
        f"/staff/experts/{member.id}",
        {
            "title": "研究员",
            "fields": "科技金融",
            "district": "",
            "declared_conflict_org_ids": [str(b.organisation_id)],
        },
    )
    assert resp.status_code == 303
    session.expire_all()
    member = session.get(Expert, member.id)
    assert (member.title, member.fields, member.district, member.declared_conflict_org_ids) == (
        "研究员",
        ["科技金融"],
        None,
        [b.organisation_id],
    )
    assert member.is_active is False
    assert audit_actions(session, "expert", member.id) == ["expert.create", "expert.update"]


def test_the_pool_names_the_field_and_rule_of_a_bad_member_in_both_languages(
    page_as: Page, make_person: Any
) -> None:
    alice = page_as(make_person("staff"))
    resp = post(alice, "/staff/experts", {"name": "李四", "district": "火星区", "password": "x"})
    assert resp.status_code == 422
    assert 'id="err-district"' in resp.text and "石家庄" in resp.text
    assert 'id="err-username"' in resp.text
    assert "x" not in re.findall(r'name="password"[^>]*value="([^"]*)"', resp.text)  # never echoed
    alice.get("/lang/en")
    english = post(alice, "/staff/experts", {"name": "李四", "district": "火星区"})
    assert english.status_code == 422 and "must be one of the districts of Shijiazhuang" in english.text


# ---- panels, exclusions, replacements, progress -----------------------------------------------------


def test_the_draw_shows_its_seed_members_and_who_was_excluded_and_why(
    session: Session,
    page_as: Page,
    scenario: Scenario,  # noqa: F811
    make_expert: Any,  # noqa: F811
    make_person: Callable[..., Person],
) -> None:
    s = scenario
    for extra in s.pool[5:]:  # five pool experts + the two below: all seven are drawn (5 + 2 reserves)
        extra.expert.is_active = False
    rival = make_expert(s.applicants[0], name="甲单位的专家")  # works for the first applicant
    declared = make_expert(None, conflicts=(s.applicants[1],), name="申报回避的专家")
    alice = page_as(s.staff)
    before = alice.get(f"/staff/rounds/{s.round.id}/panels")
    assert 'name="kind" value="enterprise"' in before.text
    resp = draw_on_the_page(alice, page_as(make_person("staff")), s.round.id)
    assert resp.status_code == 303
    panel = session.scalar(select(Panel).where(Panel.round_id == s.round.id, Panel.kind == "enterprise"))
    assert panel is not None
    assert audit_actions(session, "panel", panel.id) == ["panel.draw"]
    page = alice.get(resp.headers["location"]).text
    assert f'data-seed="{panel.seed}"' in page
    assert "按随机种子重新抽取可得到相同的专家组" in page
    assert 'name="kind" value="enterprise"' not in page  # drawn once per kind
    assert 'name="kind" value="regional"' in page
    excluded = dict(re.findall(r'<tr data-excluded="(\d+)">(.*?)</tr>', page, re.S))
    assert set(excluded) == {str(rival.expert.id), str(declared.expert.id)}
    assert re.findall(r"<td>(.*?)</td>", excluded[str(rival.expert.id)]) == [
        "甲单位的专家",
        s.applicants[0].name,
        "在申报单位任职",
    ]
    assert re.findall(r"<td>(.*?)</td>", excluded[str(declared.expert.id)]) == [
        "申报回避的专家",
        s.applicants[1].name,
        "已声明与申报单位存在利害关系",
    ]
    # The progress board: every assignment is a sheet awaiting its declaration.
    sheets = session.scalars(select(Sheet).where(Sheet.panel_id == panel.id)).all()
    assert len(sheets) == 10  # two applications × five experts
    assert f"<p>评分表:已提交 0,评分中 0,待声明 {len(sheets)},已回避 0</p>" in page


def test_a_decline_shows_its_replacement_and_the_board_counts_per_expert(
    session: Session,
    page_as: Page,
    scenario: Scenario,  # noqa: F811
    make_person: Callable[..., Person],
) -> None:
    s = scenario
    alice = page_as(s.staff)
    assert draw_on_the_page(alice, page_as(make_person("staff")), s.round.id).status_code == 303
    panel = session.scalar(select(Panel).where(Panel.round_id == s.round.id))
    assert panel is not None
    first_member = panel.result["members"][0]
    sheet = session.scalar(
        select(Sheet).where(Sheet.expert_id == first_member, Sheet.application_id == s.applications[0].id)
    )
    assert sheet is not None
    who = s.pool_expert(first_member)
    declare(
        session,
        actor=who.person.actor,
        sheet_id=sheet.id,
        data=DeclarationIn(no_conflict=False, reason="亲属任职"),
    )
    session.expire_all()
    panel = session.get(Panel, panel.id)
    replacement = panel.result["replacements"][0]
    assert replacement["declined_expert_id"] == first_member and replacement["expert_id"] is not None
    reserve_name = session.get(Expert, replacement["expert_id"]).name
    page = alice.get(f"/staff/rounds/{s.round.id}/panels").text
    table = re.search(r'<table class="data replacements">.*?</table>', page, re.S)
    assert table is not None
    assert who.expert.name in table.group(0) and reserve_name in table.group(0)
    assert s.applicants[0].name in table.group(0)
    assert "<p>评分表:已提交 0,评分中 0,待声明 10,已回避 1</p>" in page
    # The per-expert board: the declined member has one declined and one awaiting sheet.
    row = re.search(rf"<tr><td>{re.escape(who.expert.name)}</td>(.*?)</tr>", page, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(1)) == ["0", "0", "1", "1"]


def test_reserves_are_added_to_a_panel_from_the_page(
    session: Session,
    page_as: Page,
    scenario: Scenario,  # noqa: F811
    make_expert: Any,  # noqa: F811
    make_person: Callable[..., Person],
) -> None:
    s = scenario
    alice = page_as(s.staff)
    assert draw_on_the_page(alice, page_as(make_person("staff")), s.round.id).status_code == 303
    panel = session.scalar(select(Panel).where(Panel.round_id == s.round.id))
    assert panel is not None
    newcomer = make_expert(None, name="新入库专家")
    page = alice.get(f"/staff/rounds/{s.round.id}/panels").text
    assert f'<option value="{newcomer.expert.id}">新入库专家</option>' in page
    on_panel = panel.result["members"][0]
    refused = post(alice, f"/staff/panels/{panel.id}/extend", {"expert_ids": str(on_panel)})
    assert refused.status_code == 422 and "专家</a>：已在该评审组中" in refused.text
    resp = post(alice, f"/staff/panels/{panel.id}/extend", {"expert_ids": str(newcomer.expert.id)})
    assert resp.status_code == 303 and resp.headers["location"].endswith("?done=extended")
    assert audit_actions(session, "panel", panel.id) == ["panel.draw", "panel.extend"]
    page = alice.get(resp.headers["location"]).text
    reserves = re.search(r"<p><strong>备选专家:</strong>(.*?)</p>", page, re.S)
    assert reserves is not None and reserves.group(1).strip().endswith("新入库专家")
    assert f'<option value="{newcomer.expert.id}">' not in page  # on the panel now
    assert post(alice, "/staff/panels/999999/extend", {"expert_ids": "1"}).status_code == 404


# ---- ranking and charts ---------------------------------------------------------------------------


def test_the_ranking_shows_gates_with_numbers_flags_and_each_rows_explanation(
    page_as: Page, make_person: Any, ranked: Any
) -> None:
    w, (a, _b, c) = ranked
    page = page_as(make_person("staff")).get(f"/staff/rounds/{w.round.id}/ranking?kind=enterprise")
    assert page.status_code == 200
    text = page.text
    rows = dict(re.findall(r'<tr data-application="(\d+)"[^>]*>(.*?)</tr>', text, re.S))
    assert "1 ≥ 1" in rows[str(a.id)] and "0 &lt; 1" in rows[str(c.id)]
    assert 'data-flag="gate_failed"' in rows[str(c.id)]
    assert re.findall(r'<td class="num">(.*?)</td>', rows[str(c.id)]) == [
        "70.00",
        "0.00",
        "<strong>70.00</strong>",
    ]
    # 甲: 90, 90, 90, 60, 95 → the trim drops 60 and 95: panel 90.00 + 10.00 data points = 100.00.
    assert re.findall(r'<td class="num">(.*?)</td>', rows[str(a.id)]) == [
        "90.00",
        "10.00",
        "<strong>100.00</strong>",
    ]
    assert 'data-flag="outlier_sheets"' in rows[str(a.id)]  # 60 is 30 below the 90s
    assert re.search(r"去掉最高最低分的评分表:\s*\d+, \d+", text)
    assert f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise" in text
    assert f"/api/v1/rounds/{w.round.id}/export.xlsx" in text
    assert re.search(r'<script src="/static/vendor/echarts\.min\.[0-9a-f]{12}\.js"></script>', text)
    assert "http://" not in text.split("<body")[1] and "https://" not in text.split("<body")[1]


def test_the_charts_data_is_embedded_with_exact_values(page_as: Page, make_person: Any, ranked: Any) -> None:
    w, _apps = ranked
    data = chart_data(page_as(make_person("staff")).get(f"/staff/rounds/{w.round.id}/ranking").text)
    # Finals 100 (甲), 90 (乙), 70 (丁, no data points) in 5-point bins from the lowest.
    assert {d["bin"]: d["count"] for d in data["distribution"] if d["count"]} == {
        "95–100": 1,
        "90–95": 1,
        "70–75": 1,
    }
    assert data["distribution"][0]["bin"] == "70–75"
    assert data["labels"]["expert"] == "专家平均分"
    calibration = {c["expert"]: c for c in data["calibration"]}
    first = calibration[w.experts[0].name]
    # Panel means of the same applications: 甲 85 (all five sheets), 乙 80, 丁 70 → 78.33.
    assert (first["applications"], first["mean"], first["panel_mean"], first["difference"]) == (
        3,
        "80.00",
        "78.33",
        "1.67",
    )
    fourth = calibration[w.experts[3].name]  # scored only 甲, with 60 against the panel's 85
    assert (fourth["applications"], fourth["mean"], fourth["panel_mean"], fourth["difference"]) == (
        1,
        "60.00",
        "85.00",
        "-25.00",
    )
    assert data["profile"]["applicant"] == "石家庄甲科技有限公司"
    assert [(s["title"], s["points"], s["max"]) for s in data["profile"]["sections"]] == [
        ("制度创新", "90.00", "90.00"),
        ("支撑平台", "10.00", "10.00"),
    ]
    # against the median of the kind's three scored applications, section by section: 制度创新 90, 80
    # and 70 (甲, 乙, 丁), 支撑平台 10, 10 and 0 (丁 has no data points)
    assert data["profile"]["compared_with"] == 3
    assert [s["median"] for s in data["profile"]["sections"]] == ["80.00", "10.00"]
    assert data["labels"]["median"] == "同类申报中位数（%(count)s个）"


def test_chart_data_escapes_an_applicants_name_and_follows_the_language(
    session: Session, page_as: Page, make_person: Any, make_world: Any
) -> None:
    w = make_world(status="reviewing")
    app = w.application(["80", "80", "80"], name="</script><script>alert(1)</script>公司")
    alice = page_as(make_person("staff"))
    page = alice.get(f"/staff/rounds/{w.round.id}/ranking?profile={app.id}").text
    assert "<script>alert(1)</script>" not in page
    assert chart_data(page)["profile"]["applicant"] == "</script><script>alert(1)</script>公司"
    alice.get("/lang/en")
    english = alice.get(f"/staff/rounds/{w.round.id}/ranking").text
    data = chart_data(english)
    assert data["labels"]["expert"] == "Expert's mean"
    assert [s["title"] for s in data["profile"]["sections"]] == ["Institutions", "Platforms"]
    assert "Ranking" in english


def test_the_export_link_works_with_the_page_login(
    page_as: Page, make_person: Any, ranked: Any, session: Session
) -> None:
    w, _ = ranked
    alice = page_as(make_person("staff"))
    csv = alice.get(f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise")
    assert csv.status_code == 200 and "石家庄甲科技有限公司" in csv.content.decode("utf-8-sig")
    assert alice.get(f"/api/v1/rounds/{w.round.id}/export.xlsx").status_code == 200
