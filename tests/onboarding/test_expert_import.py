"""Importing the expert pool: affiliation by credit code, accounts with one-time passwords, idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Expert, Organisation, User
from tests.conftest import Person, count
from tests.onboarding.sheets import EXPERT_HEADERS, credit, expert_row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZH = {"Accept-Language": "zh-CN"}


def upload(client: TestClient, headers: dict[str, str], content: bytes, commit: bool) -> Any:
    return client.post(
        f"/api/v1/expert-pool/import?commit={'true' if commit else 'false'}",
        files={"file": ("experts.xlsx", content, XLSX)},
        headers={**headers, **ZH},
    )


def test_experts_are_imported_with_one_time_passwords_and_reimport_changes_nothing(
    client: TestClient,
    session: Session,
    make_org: Callable[..., Organisation],
    make_person: Callable[..., Person],
    login: Callable[..., Any],
) -> None:
    staff = login(make_person("staff"))
    university = make_org(kind="university", district=None)
    content = xlsx(
        [
            expert_row(77001, university.credit_code),
            expert_row(77002, university.credit_code, username="li.zhuanjia"),
        ],
        headers=EXPERT_HEADERS,
    )
    preview = upload(client, staff, content, commit=False).json()
    assert [(r["row"], r["key"], r["action"]) for r in preview["rows"]] == [
        (2, "e13900077001", "create"),
        (3, "li.zhuanjia", "create"),
    ]
    assert preview["credentials"] == []
    done = upload(client, staff, content, commit=True).json()
    assert [c["username"] for c in done["credentials"]] == ["e13900077001", "li.zhuanjia"]
    expert = session.scalar(
        select(Expert).join(User, User.id == Expert.user_id).where(User.username == "li.zhuanjia")
    )
    assert expert is not None
    assert (expert.fields, expert.organisation_id, expert.phone) == (
        ["产业经济", "科技管理"],
        university.id,
        "13900077002",
    )
    user = session.scalar(select(User).where(User.username == "li.zhuanjia"))
    assert user is not None and (user.role, user.must_change_password) == ("expert", True)
    token = client.post(
        "/api/v1/auth/token", json={"username": "li.zhuanjia", "password": done["credentials"][1]["password"]}
    )
    assert token.status_code == 200

    experts_before = count(session, "experts")
    again = upload(client, staff, content, commit=True).json()
    assert (again["created"], again["unchanged"], again["credentials"]) == (0, 2, [])
    assert count(session, "experts") == experts_before


def test_an_unknown_affiliation_or_a_bad_phone_names_row_and_column_and_saves_nothing(
    client: TestClient,
    session: Session,
    make_org: Callable[..., Organisation],
    make_person: Callable[..., Person],
    login: Callable[..., Any],
) -> None:
    staff = login(make_person("staff"))
    org = make_org(kind="university", district=None)
    rows = [
        expert_row(77010, org.credit_code),
        expert_row(77011, credit(77999)),
        expert_row(77012, org.credit_code),
    ]
    rows[2][5] = "12345"
    before = count(session, "experts")
    preview = upload(client, staff, xlsx(rows, headers=EXPERT_HEADERS), commit=False).json()
    assert [(p["row"], p["column"], p["message"]) for p in preview["problems"]] == [
        (3, "工作单位统一社会信用代码", "未找到以该统一社会信用代码登记的单位"),
        (4, "手机", "须为 11 位手机号码"),
    ]
    assert upload(client, staff, xlsx(rows, headers=EXPERT_HEADERS), commit=True).status_code == 422
    assert count(session, "experts") == before
