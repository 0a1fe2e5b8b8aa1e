"""Spreadsheets the onboarding tests write: organisation rows as XLSX or CSV bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from scoring.core.credit_code import make_credit_code

ORG_HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "单位类型",
    "所属县（市、区）",
    "地址",
    "联系人",
    "联系电话",
    "电子邮箱",
]


def credit(n: int, division: str = "130102") -> str:
    return make_credit_code("9", "1", division, f"{n:08d}")


def org_row(n: int, *, name: str | None = None, kind: str = "企业", district: str = "长安区") -> list[str]:
    return [
        name or f"导入测试企业{n}",
        credit(n),
        kind,
        district,
        "石家庄市",
        "王五",
        "0311-88000000",
        "w@example.cn",
    ]


def xlsx(rows: Sequence[Sequence[object]], headers: Sequence[str] = ORG_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], headers: Sequence[str] = ORG_HEADERS) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


EXPERT_HEADERS = [
    "姓名",
    "职称",
    "专业领域",
    "工作单位统一社会信用代码",
    "所属县（市、区）",
    "手机",
    "电子邮箱",
    "用户名",
]


def expert_row(n: int, org_code: str, *, username: str = "", district: str = "") -> list[str]:
    return [f"专家{n}", "教授", "产业经济、科技管理", org_code, district, f"139{n:08d}", "", username]
