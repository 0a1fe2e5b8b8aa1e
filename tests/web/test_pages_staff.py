"""Staff pages for running a round: only staff see them, every form is CSRF-guarded, the ranking
shows each gate's numbers and each row's explanation with chart data, and the decision page
enforces four eyes and records objections' outcomes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Application, Round
from tests.conftest import Person
from tests.ranking.conftest import World
from tests.web.conftest import csrf_of


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url, data={"csrf_token": csrf_of(client.get("/").text), **data}, follow_redirects=False
    )


@pytest.fixture
def scored(make_world: Callable[..., World]) -> tuple[World, list[Application]]:
    w = make_world()
    apps = [
        w.application(["90", "90", "90", "60", "95"], name="石家庄甲科技有限公司"),
        w.application(["80", "80", "80"], name="石家庄乙科技有限公司"),
        w.application(["80", "80", "80"], name="石家庄丙科技有限公司"),  # ties 乙 across the quota of 2
        w.application(["70", "70", "70"], name="石家庄丁科技有限公司", platforms="0"),  # fails the gate
    ]
    return w, apps


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_staff_pages_are_not_shown_to_other_roles(
    role: str, page_as: Callable[[Person], Any], make_person: Any, make_org: Any, scored: Any
) -> None:
    w, _ = scored
    person = make_person(
        role, org=make_org() if role == "applicant" else None, district="长安区" if role == "county" else None
    )
    client = page_as(person)
    for url in (
        "/staff",
        f"/staff/rounds/{w.round.id}",
        f"/staff/rounds/{w.round.id}/ranking",
        f"/staff/rounds/{w.round.id}/decision",
        "/staff/audit",
        "/staff/experts",
    ):
        resp = client.get(url, follow_redirects=False)
        assert resp.status_code in (403, 404), (url, resp.status_code)
        assert "石家庄甲科技有限公司" not in resp.text


def test_anonymous_visitors_are_sent_to_the_login(app: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as anonymous:
        resp = anonymous.get("/staff", follow_redirects=False)
        assert resp.status_code in (302, 303) and "/login" in resp.headers["location"]


def test_the_ranking_page_explains_each_row_and_carries_chart_data(
    page_as: Callable[[Person], Any], make_person: Any, scored: Any
) -> None:
    w, _ = scored
    page = page_as(make_person("staff")).get(f"/staff/rounds/{w.round.id}/ranking")
    assert page.status_code == 200
    text = page.text
    assert ("1 ≥ 1" in text and "0 &lt; 1" in text) or "0 < 1" in text  # the gate's numbers
    assert "名额线并列" in text  # 乙 and 丙 tie across the quota line
    assert "未通过门槛条件" in text
    assert "肯德尔和谐系数 W = 1.0000 (无缺项的最大专家×申报评分块：3 位专家 × 4 个申报)" in text
    assert re.search(r"去掉最高最低分的评分表:\s*\d+, \d+", text)  # 甲's trim names the dropped sheets
    data = json.loads(
        re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', text, re.S).group(1)
    )
    assert sum(b["count"] for b in data["distribution"]) == 4
    assert data["profile"]["applicant"] == "石家庄甲科技有限公司"


def test_the_ranking_page_shows_one_page_of_rows_with_the_total_and_the_quota_line(
    page_as: Callable[[Person], Any], make_person: Any, scored: Any, monkeypatch: Any
) -> None:
    from web.routes import staff_round

    monkeypatch.setattr(staff_round, "RANKING_PAGE_ROWS", 3)
    w, _ = scored
    staff = page_as(make_person("staff"))
    url = f"/staff/rounds/{w.round.id}/ranking?kind=enterprise"

    def shown(text: str) -> list[str]:
        return re.findall(r'<tr data-application="(\d+)"', text)

    first = staff.get(url)
    assert first.status_code == 200
    assert len(shown(first.text)) == 3
    assert first.text.count("第 1–3 项，共 4 项（第 1 页，共 2 页）") == 2  # above and below the table
    assert "共 4 项申报参与排序，名额内拟推荐 1 项。" in first.text
    assert "名额线处第 2 名并列 2 项，剩余名额 1 个，由工作人员研究确定。" in first.text
    assert 'rel="next" href="?kind=enterprise&page=2"' in first.text
    second = staff.get(url + "&page=2")
    assert len(shown(second.text)) == 1 and "第 4–4 项，共 4 项（第 2 页，共 2 页）" in second.text
    assert 'rel="prev" href="?kind=enterprise&page=1"' in second.text
    assert set(shown(first.text)).isdisjoint(shown(second.text))
    assert shown(staff.get(url + "&page=99").text) == shown(second.text)  # past the end: the last page
    # Every row's final score still counts in the distribution chart, whichever page is shown.
    chart = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', second.text, re.S)
    assert sum(b["count"] for b in json.loads(chart.group(1))["distribution"]) == 4
    bad = staff.get(url + "&page=0")
    assert bad.status_code == 422 and "page" in bad.text


def test_decision_approval_and_four_eyes_publication_through_the_pages(
    session: Session, page_as: Callable[[Person], Any], make_person: Any, scored: Any, clock: Any
) -> None:
    w, (a, b, c, _d) = scored
    alice, bob = page_as(make_person("staff")), page_as(make_person("staff"))
    url = f"/staff/rounds/{w.round.id}"
    tie = post(alice, f"{url}/decisions", {"kind": "enterprise", "designate": [str(a.id), str(b.id)]})
    assert (tie.status_code == 422 and "处理并列" in tie.text) or "并列" in tie.text
    ok = post(
        alice,
        f"{url}/decisions",
        {"kind": "enterprise", "designate": [str(a.id), str(b.id)], "reason": "乙的孵化成效更突出"},
    )
    assert ok.status_code == 303
    assert (
        post(
            alice, f"{url}/approval", {"document_no": "石政字〔2026〕12号", "approved_on": "2026-03-02"}
        ).status_code
        == 303
    )
    assert post(alice, f"{url}/publication", {"action": "propose"}).status_code == 303
    same = post(alice, f"{url}/publication", {"action": "confirm"})
    assert same.status_code == 409 and "提出发布的人员不能自行确认" in same.text
    assert post(bob, f"{url}/publication", {"action": "confirm"}).status_code == 303
    session.expire_all()
    assert session.get(Round, w.round.id).status == "notice"
    statuses = dict(
        session.execute(
            select(Application.id, Application.status).where(Application.round_id == w.round.id)
        ).all()
    )
    assert statuses[a.id] == statuses[b.id] == "shortlisted" and statuses[c.id] == "not_designated"


def test_every_staff_form_refuses_a_missing_csrf_token(
    page_as: Callable[[Person], Any], make_person: Any, scored: Any
) -> None:
    w, (a, *_) = scored
    alice = page_as(make_person("staff"))
    for url in (
        f"/staff/rounds/{w.round.id}/transition",
        f"/staff/applications/{a.id}/check",
        "/staff/experts",
        f"/staff/rounds/{w.round.id}/draw/commit",
        f"/staff/rounds/{w.round.id}/decisions",
        f"/staff/rounds/{w.round.id}/approval",
        f"/staff/rounds/{w.round.id}/publication",
        "/staff/objections/1/resolve",
    ):
        assert alice.post(url, data={"action": "x"}, follow_redirects=False).status_code == 403, url


def test_formal_check_from_the_queue(
    session: Session, page_as: Callable[[Person], Any], make_person: Any, make_world: Any
) -> None:
    w = make_world(status="recommending")
    app = w.application([], name="石家庄戊科技有限公司", status="recommended")
    alice = page_as(make_person("staff"))
    queue = alice.get(f"/staff/rounds/{w.round.id}/check")
    assert "石家庄戊科技有限公司" in queue.text
    refused = post(
        alice,
        f"/staff/applications/{app.id}/check",
        {"round_id": str(w.round.id), "decision": "return", "reason": ""},
    )
    assert refused.status_code == 422
    resp = post(
        alice, f"/staff/applications/{app.id}/check", {"round_id": str(w.round.id), "decision": "accept"}
    )
    assert resp.status_code == 303
    session.expire_all()
    assert session.get(Application, app.id).status == "accepted"


def test_the_audit_page_verifies_the_chain(
    page_as: Callable[[Person], Any], make_person: Any, scored: Any
) -> None:
    page = page_as(make_person("staff")).get("/staff/audit?verify=true")
    assert page.status_code == 200
    assert "日志链完整" in page.text
