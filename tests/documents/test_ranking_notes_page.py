"""The staff ranking page answers "why am I not on the list?" row by row: the decision with its reason,
who and when, the panel discussion's outcome, and the robustness verdict of rows near a line, in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.review import decisions
from scoring.services.review.schemas import DecisionIn
from scoring.store.models import Sheet
from tests.ranking.conftest import World


def _notes(html: str, application_id: int) -> list[str]:
    """The notes under one row, as text."""
    start = html.index(f'data-application="{application_id}"')
    block = html[start : html.index("<details>", start)]
    items = re.findall(r"<li data-note=[^>]*>(.*?)</li>", block, re.S)
    return [re.sub(r"<[^>]+>", "", li).strip() for li in items]


def test_each_row_shows_its_decision_discussion_and_robustness_in_words(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    page_as: Callable[[Any], TestClient],
) -> None:
    staff = make_person("staff")
    w = make_world(quotas={"enterprise": 1})
    a = w.application(["90", "70", "72", "80"], name="甲科技有限公司")  # 78 + 10 = 88
    b = w.application(["77", "79", "78", "77"], name="乙科技有限公司")  # 77.75 + 10 = 87.75
    odd = w.application(["80", "80", "80", "30"], name="庚科技有限公司")  # 67.5 + 10 = 77.5, an outlier
    sheets = select(Sheet.id).where(Sheet.application_id == odd.id).order_by(Sheet.id)
    outlier = session.scalars(sheets).all()[3]
    kept = client.post(
        f"/api/v1/applications/{odd.id}/discussions",
        json={"outcome": "kept", "sheet_id": outlier, "reason": "该专家对平台建设有专门依据，保留评分"},
        headers=login(staff),
    )
    assert kept.status_code == 201, kept.text
    decisions.decide(
        session,
        actor=staff.actor,
        round_id=w.round.id,
        data=DecisionIn(kind="enterprise", designate=[b.id], reason="乙公司专利转化更多，专家组复议后调整"),
    )

    html = page_as(staff).get(f"/staff/rounds/{w.round.id}/ranking?kind=enterprise").text
    who = staff.user.display_name
    notes_a = _notes(html, a.id)
    assert notes_a[0].startswith("稳健性：敏感： 按评分表的中位数计分：在名单外（86.00分）")
    when = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    reason = "乙公司专利转化更多，专家组复议后调整"
    assert re.fullmatch(rf"决定与拟推荐名单不同 未入选：{reason} {who} · {when}", notes_a[1]), notes_a[1]
    notes_b = _notes(html, b.id)
    assert notes_b[0].startswith("稳健性：敏感：")
    assert re.fullmatch(rf"决定与拟推荐名单不同 拟入选：{reason} {who} · {when}", notes_b[1]), notes_b[1]
    (talk,) = [n for n in _notes(html, odd.id) if n.startswith("专家组讨论")]
    assert re.fullmatch(rf"专家组讨论：\S+ 该专家对平台建设有专门依据，保留评分 {who} · {when}", talk), talk
    for code in ("deviation", "tie_break", "shortlisted", "not_designated", "kept"):
        assert f">{code}<" not in html and f": {code}" not in html
