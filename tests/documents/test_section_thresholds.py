"""Section thresholds, a round setting off by default: set by staff (validated, audited), a section below
its minimum makes an application ineligible like a failed gate, with its arithmetic, in the ranking, the
applicant's own result, the exports and the review report; the cached ranking follows the setting."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.core.errors import Conflict
from scoring.core.i18n import current_locale
from scoring.services.designation import round_setup
from scoring.services.review import ranking_cache
from scoring.services.review.ranking import compute_ranking, reasons_of
from scoring.services.review.results import application_result
from scoring.store.db import READ_ONLY_OPTION
from scoring.store.models import AuditEvent, Round
from tests.ranking.conftest import World, div

D = Decimal
B_FAILS = "“制度创新”部分得分 74.66…，低于最低分 75.00。"


@pytest.fixture
def staff(make_person: Callable[..., Any]) -> Any:
    return make_person("staff")


@pytest.fixture
def zh() -> Iterator[None]:
    token = current_locale.set("zh_CN")
    yield
    current_locale.reset(token)


def _world(make_world: Callable[..., World]) -> tuple[World, Any, Any, Any]:
    """Quota 3, in review. Section s1 is the expert points: A 80, B 224/3 = 74.67, C 75 exactly;
    section s2 is the platform's 10 data points for all three. Final: A 90, C 85, B 84.67."""
    w = make_world(status="reviewing", quotas={"enterprise": 3})
    a = w.application(["80", "80", "80"], name="甲公司")
    b = w.application(["74", "76", "74"], name="乙公司")
    c = w.application(["75", "75", "75"], name="丙公司")
    return w, a, b, c


def _set(session: Session, staff: Any, rnd: Round, minimums: dict[str, dict[str, str]]) -> Round:
    data = round_setup.RoundEditIn.model_validate({"version": rnd.version, "section_minimums": minimums})
    return round_setup.edit_round(session, actor=staff.actor, round_id=rnd.id, data=data)


def test_off_by_default_nothing_changes(make_world: Callable[..., World], session: Session) -> None:
    w, a, b, c = _world(make_world)
    assert w.round.section_minimums == {}
    ranking = compute_ranking(session, w.round, "enterprise")
    assert [(r.application_id, r.proposed, len(r.gates), r.sections) for r in ranking.rows] == [
        (a.id, True, 1, ()),
        (c.id, True, 1, ()),
        (b.id, True, 1, ()),
    ]


def test_a_section_below_its_minimum_is_ineligible_like_a_gate_and_equal_passes(
    make_world: Callable[..., World], session: Session, staff: Any, zh: None
) -> None:
    w, a, b, c = _world(make_world)
    _set(session, staff, w.round, {"enterprise": {"s1": "75"}})
    assert w.round.section_minimums == {"enterprise": {"s1": "75.00"}}
    ranking = compute_ranking(session, w.round, "enterprise")
    rows = {r.application_id: r for r in ranking.rows}
    assert [r.application_id for r in ranking.rows] == [a.id, c.id, b.id]
    assert ranking.proposed_ids == (a.id, c.id)
    rb = rows[b.id]
    assert (rb.final, rb.rank, rb.eligible, rb.decision) == (div(224, 3, 10), 3, False, "not_eligible")
    assert rb.eligibility_reasons == ("section_below_minimum",)
    assert rb.flags == ("section_below_minimum",)
    assert [(g.code, g.result, g.detail) for g in rb.gates] == [
        ("platform", "pass", "1 ≥ 1"),
        ("section:s1", "fail", "74.66… < 75.00"),
    ]
    c_gate = rows[c.id].gates[1]
    assert (c_gate.code, c_gate.result, c_gate.detail) == ("section:s1", "pass", "75.00 ≥ 75.00")
    assert rows[c.id].eligible and rows[a.id].eligible
    assert [t.render("zh_CN") for _, t in reasons_of(rb, ranking)] == [B_FAILS]

    result = application_result(session, actor=staff.actor, application_id=b.id)
    assert [str(m.render("zh_CN")) for m in result.why] == [B_FAILS]
    assert [(g.text, g.result, g.detail) for g in result.gates][1] == (
        "“制度创新”部分得分不低于75.00分",
        "fail",
        "74.66… < 75.00",
    )
    assert [(s.code, s.points) for s in result.section_breakdown] == [("s1", "74.67"), ("s2", "10.00")]


def test_staff_input_is_validated_naming_the_field_and_nothing_changes(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: Any, login: Any
) -> None:
    w, *_ = _world(make_world)
    headers = login(staff)
    events = session.query(AuditEvent).count()
    cases = [
        ({"enterprise": {"s1": "90.01"}}, {"section_minimums.enterprise.s1": "不得超过该部分满分 90.00 分"}),
        ({"enterprise": {"s9": "1"}}, {"section_minimums.enterprise.s9": "不是该类型评价标准中的评分部分"}),
        ({"regional": {"s1": "1"}}, {"section_minimums.regional": "不是本批次开放申报的类型"}),
    ]
    for minimums, fields in cases:
        resp = client.patch(
            f"/api/v1/rounds/{w.round.id}/setup",
            json={"version": 1, "section_minimums": minimums},
            headers=headers,
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["error"]["fields"] == fields
    for bad in ("-1", "1.001", "abc"):
        resp = client.patch(
            f"/api/v1/rounds/{w.round.id}/setup",
            json={"version": 1, "section_minimums": {"enterprise": {"s1": bad}}},
            headers=headers,
        )
        assert resp.status_code == 422, resp.text
        assert list(resp.json()["error"]["fields"]) == ["section_minimums.enterprise.s1"]
    session.expire_all()
    assert session.get(Round, w.round.id).section_minimums == {}  # type: ignore[union-attr]
    assert session.query(AuditEvent).count() == events

    ok = client.patch(
        f"/api/v1/rounds/{w.round.id}/setup",
        json={"version": 1, "section_minimums": {"enterprise": {"s1": "90", "s2": "0"}}},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["section_minimums"] == {"enterprise": {"s1": "90.00", "s2": "0.00"}}
    sections = [(s["code"], s["max_points"]) for s in body["sections"]["enterprise"]]
    assert sections == [("s1", "90"), ("s2", "10")]
    event = session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert event is not None and event.action == "round.edit"
    assert event.before == {"section_minimums": {}}
    assert event.after == {"section_minimums": {"enterprise": {"s1": "90.00", "s2": "0.00"}}}


def test_frozen_once_ranking_starts(make_world: Callable[..., World], session: Session, staff: Any) -> None:
    w = make_world()  # deciding
    with pytest.raises(Conflict) as refused:
        _set(session, staff, w.round, {"enterprise": {"s1": "10"}})
    assert refused.value.fields["section_minimums"].render("zh_CN") == "进入排名阶段后不能再修改"
    assert w.round.section_minimums == {}


def test_the_cached_ranking_follows_a_change_of_the_setting(
    make_world: Callable[..., World], session: Session, staff: Any
) -> None:
    ranking_cache.clear()
    w, a, b, c = _world(make_world)
    session.info[READ_ONLY_OPTION] = True  # a reading session, as the pages' GETs are
    try:
        first = compute_ranking(session, w.round, "enterprise")
        assert compute_ranking(session, w.round, "enterprise") is first
        assert first.proposed_ids == (a.id, c.id, b.id)
        _set(session, staff, w.round, {"enterprise": {"s1": "75"}})
        second = compute_ranking(session, w.round, "enterprise")
        assert second is not first and second.proposed_ids == (a.id, c.id)
        _set(session, staff, w.round, {})  # off again
        assert compute_ranking(session, w.round, "enterprise").proposed_ids == (a.id, c.id, b.id)
    finally:
        session.info.pop(READ_ONLY_OPTION, None)
        ranking_cache.clear()


def test_exports_and_the_review_report_carry_the_arithmetic(
    make_world: Callable[..., World], session: Session, client: TestClient, staff: Any, login: Any
) -> None:
    w, *_ = _world(make_world)
    _set(session, staff, w.round, {"enterprise": {"s1": "75"}})
    w.round.status = "deciding"
    session.flush()
    headers = login(staff)
    csv = client.get(f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise", headers=headers)
    assert csv.status_code == 200, csv.text
    text = csv.content.decode("utf-8-sig")
    assert B_FAILS in text and "部分得分低于最低分" in text

    resp = client.post(
        "/api/v1/documents/preview.docx",
        json={"kind": "review_report", "round_id": w.round.id, "document_no": "石发改〔2026〕9号"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    document = docx.Document(io.BytesIO(resp.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert "企业类各部分最低分：“制度创新”75.00分；任一部分得分低于最低分的，不列入推荐名单。" in paragraphs
    last = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]
    assert last == [["类型", "单位名称", "说明"], ["企业", "乙公司", B_FAILS]]


def test_the_set_up_page_sets_and_clears_the_minimums_naming_a_field_in_error(
    make_world: Callable[..., World],
    session: Session,
    staff: Any,
    page_as: Callable[[Any], TestClient],
) -> None:
    w, *_ = _world(make_world)
    page = page_as(staff)
    html = page.get(f"/staff/rounds/{w.round.id}/setup").text
    assert "各部分最低分（可选）" in html
    assert 'name="section_minimums.enterprise.s1"' in html
    assert '制度创新 <span class="muted">（满分 90 分）' in html
    form = page_form(html)
    bad = page.post(
        f"/staff/rounds/{w.round.id}/setup", data={**form, "section_minimums.enterprise.s2": "10.5"}
    )
    assert bad.status_code == 422
    assert "不得超过该部分满分 10.00 分" in bad.text
    assert 'value="10.5"' in bad.text  # what was typed is kept
    session.expire_all()
    assert session.get(Round, w.round.id).section_minimums == {}  # type: ignore[union-attr]

    done = page.post(
        f"/staff/rounds/{w.round.id}/setup",
        data={**form, "section_minimums.enterprise.s1": "75"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    session.expire_all()
    assert session.get(Round, w.round.id).section_minimums == {"enterprise": {"s1": "75.00"}}  # type: ignore[union-attr]
    html = page.get(f"/staff/rounds/{w.round.id}/setup").text
    assert 'name="section_minimums.enterprise.s1" value="75.00"' in html
    cleared = page.post(f"/staff/rounds/{w.round.id}/setup", data=page_form(html), follow_redirects=False)
    assert cleared.status_code == 303
    session.expire_all()
    assert session.get(Round, w.round.id).section_minimums == {"enterprise": {"s1": "75.00"}}  # type: ignore[union-attr]
    emptied = page_form(html) | {"section_minimums.enterprise.s1": ""}
    emptied_resp = page.post(f"/staff/rounds/{w.round.id}/setup", data=emptied, follow_redirects=False)
    assert emptied_resp.status_code == 303
    session.expire_all()
    assert session.get(Round, w.round.id).section_minimums == {}  # type: ignore[union-attr]


def page_form(html: str) -> dict[str, str]:
    """The round form's enabled inputs with their values, as a browser would submit them."""
    import re

    form = html[html.index('id="round-form"') : html.index("</form>", html.index('id="round-form"'))]
    values: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or " disabled" in tag or 'type="checkbox"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ""
    return values
