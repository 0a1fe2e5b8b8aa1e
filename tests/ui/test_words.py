"""No identifier on a page: field labels in error summaries, audit events in words, the user's header kept."""

from __future__ import annotations

from typing import Any

from tests.conftest import Person
from web.auditwords import action_words, entity_words
from web.fieldlabels import field_label


def test_field_keys_become_labels_and_an_unknown_key_is_left_out() -> None:
    assert field_label("title", "zh_CN") == "名称"
    assert field_label("reason", "zh_CN") == "理由"
    assert field_label("expert_ids.0", "zh_CN") == "专家"
    assert field_label("scores.r1_1", "zh_CN") == "评分"
    assert field_label("scores.r1_1", "zh_CN", {"r1_1": "研发投入强度"}) == "评分 · 研发投入强度"
    assert field_label("figures.rd_intensity", "en") == "declared figures"
    assert field_label("no_such_field", "zh_CN") == ""


def test_audit_actions_and_entities_read_as_words() -> None:
    assert action_words("session.open_web", "zh_CN") == "登录（网页）"
    assert action_words("sheet.save", "zh_CN") == "保存"
    assert action_words("round.open", "zh_CN") == "开始申报"
    assert entity_words("rubric_version", "zh_CN") == "评分细则"
    assert entity_words("user", "en") == "user"
    assert action_words("something.new", "zh_CN") == "something.new"  # findable, never hidden


def test_an_error_page_keeps_the_logged_in_users_header(page_as: Any, make_person: Any) -> None:
    staff: Person = make_person("staff")
    client = page_as(staff)
    for url in ("/staff/rounds/999999", "/no/such/page"):
        resp = client.get(url)
        assert resp.status_code == 404
        assert f'<span class="who">{staff.username} · 市发改委工作人员</span>' in resp.text
        assert 'action="/logout"' in resp.text
        assert ">登录</a>" not in resp.text


def test_the_audit_trail_shows_beijing_time_and_words(page_as: Any, make_person: Any) -> None:
    staff: Person = make_person("staff")
    page = page_as(staff).get("/staff/audit").text
    assert "时间（北京时间）" in page
    assert "登录（网页）" in page  # the staff member's own login
    assert "<code>session.open_web</code>" not in page
