"""Exports that look official: one table per worksheet with names in Chinese, a title row, a bold frozen
header, widths, 0.00 formats, codes in words, Beijing time, reasons; CSV header first; no formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from scoring.services.review import decisions
from scoring.services.review.schemas import DecisionIn
from tests.ranking.conftest import World


def _world(make_world: Callable[..., World], session: Session, staff: Any) -> tuple[World, Any, Any]:
    """Quota 1; trimmed mean of 4 sheets = the mean. A = 78 + 10 = 88 just ahead of B = 77.75 + 10 = 87.75.
    Staff designate B over A, with a reason."""
    w = make_world(quotas={"enterprise": 1})
    a = w.application(["90", "70", "72", "80"], name='=HYPERLINK("http://x")')
    b = w.application(["77", "79", "78", "77"], name="乙公司")
    decisions.decide(
        session,
        actor=staff.actor,
        round_id=w.round.id,
        data=DecisionIn(kind="enterprise", designate=[b.id], reason="乙公司专利转化更多，专家组复议后调整"),
    )
    return w, a, b


def test_the_workbook_has_one_titled_formatted_table_per_worksheet(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
    clock: Any,
) -> None:
    staff = make_person("staff")
    w, a, b = _world(make_world, session, staff)
    clock.set(date(2026, 3, 5))
    resp = client.get(f"/api/v1/rounds/{w.round.id}/export.xlsx", headers=login(staff))
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["企业排名", "企业门槛", "企业评分表", "决定与理由"]

    ws = book["企业排名"]
    assert (
        ws["A1"].value
        == "石家庄市发展和改革委员会 · 2026年度双创示范基地评选 · 企业排名 · 导出日期 2026-03-05"
    )
    assert ws.freeze_panes == "A3"
    header = [c.value for c in ws[2]]
    assert all(c.font.b for c in ws[2])
    assert header[:8] == [
        "排名",
        "申报编号",
        "申报单位",
        "县(市、区)",
        "状态",
        "专家组得分",
        "数据指标得分",
        "最终得分",
    ]
    assert header[-6:] == ["说明", "稳健性", "专家组讨论", "记录的理由", "决定人", "决定时间（北京时间）"]
    assert ws.column_dimensions["C"].width >= 12 and ws.column_dimensions["A"].width >= 8
    first = [c.value for c in ws[3]]
    assert first[:8] == [1, a.id, '\'=HYPERLINK("http://x")', "长安区", "未入选", 78, 10, 88]
    assert ws.cell(row=3, column=8).number_format == "0.00"
    assert ws.cell(row=4, column=6).value == 77.75  # B's panel score, as the number it is
    assert first[9:12] == ["是", "是", "名额内"]
    assert header.index("门槛条件: 建设1家以上研发平台") and "满足 (1 ≥ 1)" in first
    assert first[header.index("说明")] == "在同类2个申报中排名第1，名额为1个：在名额内。"
    robust = first[header.index("稳健性")]
    # Median: A = (72+80)/2 + 10 = 86 (off); without expert 1: A = 222/3 + 10 = 84; without expert 4:
    # A = 232/3 + 10 = 87.33 while B = 78 + 10 = 88.
    e1, e4 = w.experts[0].name, w.experts[3].name
    assert robust == (
        f"敏感： 按评分表的中位数计分：在名单外（86.00分）；去掉专家{e1}的评分表：在名单外（84.00分）；"
        f"去掉专家{e4}的评分表：在名单外（87.33分）"
    )
    assert first[header.index("记录的理由")] == "乙公司专利转化更多，专家组复议后调整"
    assert first[header.index("决定人")] == staff.user.display_name
    decided_at = first[header.index("决定时间（北京时间）")]
    assert len(decided_at) == 16 and decided_at[4] == "-" and decided_at[13] == ":"

    sheets = book["企业评分表"]
    assert [c.value for c in sheets[2]] == [
        "评分表编号", "申报编号", "申报单位", "专家", "状态", "指标甲", "指标乙", "合计",
        "提交时间（北京时间）",
    ]  # fmt: skip
    assert [c.value for c in sheets[3]][3:8] == [w.experts[0].name, "已提交", 45, 45, 90]
    assert sheets.cell(row=3, column=8).number_format == "0.00"
    assert sheets.max_row == 2 + 8

    reasons = book["决定与理由"]
    rows = [[c.value for c in r] for r in reasons.iter_rows(min_row=3)]
    reason = "乙公司专利转化更多，专家组复议后调整"
    assert [r[:6] for r in rows] == [
        [a.id, '\'=HYPERLINK("http://x")', "企业", "决定与拟推荐名单不同", "未入选", reason],
        [b.id, "乙公司", "企业", "决定与拟推荐名单不同", "拟入选", reason],
    ]
    for sheet in book.worksheets:
        for line in sheet.iter_rows(values_only=True):
            for cell in line:
                assert not (isinstance(cell, str) and cell.startswith(("=", "+", "-", "@")))


def test_the_csv_holds_one_table_with_its_header_on_the_first_line(
    make_world: Callable[..., World],
    session: Session,
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    staff = make_person("staff")
    w, a, _b = _world(make_world, session, staff)
    headers = login(staff)
    resp = client.get(f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise", headers=headers)
    assert resp.status_code == 200
    text = resp.content.decode("utf-8")
    assert text.startswith("\ufeff排名,申报编号,申报单位,")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1][:8] == [
        "1",
        str(a.id),
        '\'=HYPERLINK("http://x")',
        "长安区",
        "未入选",
        "78.00",
        "10.00",
        "88.00",
    ]
    assert len(rows) == 3

    gates = client.get(f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise&table=gates", headers=headers)
    g_rows = list(csv.reader(io.StringIO(gates.content.decode("utf-8")[1:])))
    assert g_rows[0] == ["申报编号", "申报单位", "门槛条件", "结果", "计算", "备注"]
    assert g_rows[1] == [str(a.id), '\'=HYPERLINK("http://x")', "建设1家以上研发平台", "满足", "1 ≥ 1", ""]

    bad = client.get(f"/api/v1/rounds/{w.round.id}/export.csv?kind=enterprise&table=secrets", headers=headers)
    assert bad.status_code == 422 and list(bad.json()["error"]["fields"]) == ["table"]
