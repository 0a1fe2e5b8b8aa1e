"""Importing organisations from XLSX or CSV: preview by row and column, all-or-nothing, idempotent."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.admin.imports import MAX_IMPORT_BYTES
from scoring.store.models import Organisation
from tests.conftest import Person, count
from tests.onboarding.sheets import ORG_HEADERS, credit, csv_bytes, org_row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZH = {"Accept-Language": "zh-CN"}


def upload(client: TestClient, headers: dict[str, str], content: bytes, name: str, commit: bool) -> Any:
    return client.post(
        f"/api/v1/organisations/import?commit={'true' if commit else 'false'}",
        files={"file": (name, content, XLSX if name.endswith("xlsx") else "text/csv")},
        headers={**headers, **ZH},
    )


def test_preview_then_commit_then_reimport_changes_nothing(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    admin = login(make_person("admin"))
    content = xlsx([org_row(72001), org_row(72002, kind="高校或科研院所", district="正定县")])
    before = count(session, "organisations")
    preview = upload(client, admin, content, "orgs.xlsx", commit=False)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["created"], body["updated"], body["unchanged"], body["committed"]) == (2, 0, 0, False)
    assert [(r["row"], r["key"], r["action"]) for r in body["rows"]] == [
        (2, credit(72001), "create"),
        (3, credit(72002), "create"),
    ]
    assert count(session, "organisations") == before

    done = upload(client, admin, content, "orgs.xlsx", commit=True).json()
    assert (done["created"], done["committed"]) == (2, True)
    stored = session.scalar(select(Organisation).where(Organisation.credit_code == credit(72002)))
    assert stored is not None
    assert (stored.kind, stored.district, stored.contact_phone) == ("university", "正定县", "0311-88000000")

    again = upload(client, admin, content, "orgs.xlsx", commit=True).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert count(session, "organisations") == before + 2


def test_one_bad_row_among_good_ones_saves_nothing_and_names_row_and_column(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    bad_code = credit(72011)[:17] + ("0" if credit(72011)[17] != "0" else "1")
    rows = [
        org_row(72010),
        [*org_row(72011)[:1], bad_code, *org_row(72011)[2:]],
        org_row(72012, district="朝阳区"),
        org_row(72013, name="导入测试企业72010"),
    ]
    before = count(session, "organisations")
    preview = upload(client, staff, csv_bytes(rows), "orgs.csv", commit=False).json()
    assert [(p["row"], p["column"], p["message"]) for p in preview["problems"]] == [
        (3, "统一社会信用代码", "第 18 位校验码不正确(GB 32100-2015)"),
        (4, "所属县（市、区）", "须为石家庄市所辖县(市、区)或园区之一"),
        (5, "单位名称", "与第 2 行的单位名称重复"),
    ]
    refused = upload(client, staff, csv_bytes(rows), "orgs.csv", commit=True)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "文件中有 3 处错误,未保存任何内容。"
    assert refused.json()["error"]["fields"]["3.统一社会信用代码"] == "第 18 位校验码不正确(GB 32100-2015)"
    assert count(session, "organisations") == before


def test_a_missing_column_is_named(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    headers = [h for h in ORG_HEADERS if h != "单位类型"]
    row = [v for i, v in enumerate(org_row(72020)) if ORG_HEADERS[i] != "单位类型"]
    body = upload(client, staff, xlsx([row], headers=headers), "orgs.xlsx", commit=False).json()
    assert [(p["row"], p["column"], p["message"]) for p in body["problems"]] == [(1, "单位类型", "缺少此列")]
    assert body["rows"] == []


def test_an_oversized_file_is_refused_with_the_limit(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    big = csv_bytes([org_row(72030)]) + b"x" * MAX_IMPORT_BYTES
    resp = upload(client, staff, big, "orgs.csv", commit=False)
    assert resp.status_code == 413
    assert resp.json()["error"]["message"] == "文件超过 2 MB 的大小上限。"


def test_a_file_that_is_not_a_spreadsheet_is_refused(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    resp = upload(client, staff, b"%PDF-1.4", "orgs.pdf", commit=False)
    assert resp.status_code == 415
    broken = upload(client, staff, b"PK\x03\x04garbage", "orgs.xlsx", commit=False)
    assert broken.status_code == 422
    assert broken.json()["error"]["fields"] == {"file": "不是可读取的 Excel 工作簿(.xlsx)"}


def test_the_template_has_the_columns_in_order(
    client: TestClient, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = login(make_person("staff"))
    resp = client.get("/api/v1/organisations/import-template?format=xlsx", headers=staff)
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ORG_HEADERS
    csv_resp = client.get("/api/v1/organisations/import-template?format=csv", headers=staff)
    assert csv_resp.content.decode("utf-8-sig").strip() == ",".join(ORG_HEADERS)
