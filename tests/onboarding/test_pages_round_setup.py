"""Round set-up and the public call in the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.services.designation.rounds import CHINA_TZ
from scoring.store.db import utcnow
from scoring.store.models import Round
from tests.conftest import Person
from tests.web.conftest import page_csrf

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def local(days: int) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")


def round_form(**over: str | list[str]) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "title": "2027年度页面创建的评选",
        "year": "2027",
        "kinds": ["enterprise", "university"],
        "focus": "# 建设重点\n- 孵化平台",
        "requirements": "1. 在石家庄市注册\n2. <b>不是HTML</b>",
        "deadlines.application": local(30),
        "deadlines.recommendation": local(40),
        "deadlines.formal_check": local(45),
        "deadlines.scoring": local(60),
        "references.provincial_rd_intensity": "2.00",
        "references.rd_reference": "provincial",
        "references.data_year": "2026",
        "references.source": "统计公报",
        "panel_size": "5",
        "reserves": "2",
        "method": "trimmed_mean",
        "pass_line": "60",
        "quotas.enterprise": "3",
        "quotas.university": "2",
    }
    values.update(over)
    return values


def test_staff_create_open_and_publish_a_call_that_the_public_reads(
    client: TestClient,
    session: Session,
    page_as: Callable[[Person], TestClient],
    make_person: Callable[..., Person],
) -> None:
    staff = page_as(make_person("staff"))
    csrf = page_csrf(staff)
    assert staff.get("/staff/rounds/new").status_code == 200
    bad = staff.post(
        "/staff/rounds/new", data={**round_form(**{"quotas.university": ""}), "csrf_token": csrf}
    )
    assert bad.status_code == 422
    assert '<a href="#f-quotas.university">quotas.university</a>: 每个开放申报的类型均须填写' in bad.text
    resp = staff.post("/staff/rounds/new", data={**round_form(), "csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    rid = int(re.search(r"/staff/rounds/(\d+)/setup", resp.headers["location"]).group(1))  # type: ignore[union-attr]
    row = session.get(Round, rid)
    assert (
        row is not None
        and row.kinds == ["enterprise", "university"]
        and row.formal_check_deadline is not None
    )
    assert client.get(f"/call/{rid}").status_code == 404  # a draft is not public

    doc = staff.post(
        f"/staff/rounds/{rid}/call-documents",
        data={"title": "关于开展评选的通知", "csrf_token": csrf},
        files={"file": ("notice.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert doc.status_code == 303
    opened = staff.post(f"/staff/rounds/{rid}/transition", data={"action": "open", "csrf_token": csrf})
    assert opened.status_code in (200, 303)
    session.refresh(row)
    assert row.status == "open"

    setup = staff.get(f"/staff/rounds/{rid}/setup")
    assert 'name="kinds" value="enterprise" checked disabled' in setup.text
    page = client.get(f"/call/{rid}")
    assert page.status_code == 200
    assert 'id="call-open"' in page.text
    assert "<li>孵化平台</li>" in page.text
    assert "&lt;b&gt;不是HTML&lt;/b&gt;" in page.text
    assert 'href="/register"' in page.text
    assert "是否" in page.text or "有无" in page.text  # the appendix's clauses
    listing = client.get("/call")
    assert f'href="/call/{rid}"' in listing.text
    pdf = client.get(re.search(r'href="(/call/\d+/documents/\d+)"', page.text).group(1))  # type: ignore[union-attr]
    assert pdf.content == PDF


def test_a_frozen_field_cannot_be_edited_in_the_page_and_a_deadline_is_extended(
    session: Session, page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    staff = page_as(make_person("staff"))
    csrf = page_csrf(staff)
    resp = staff.post("/staff/rounds/new", data={**round_form(), "csrf_token": csrf}, follow_redirects=False)
    rid = int(resp.headers["location"].split("/")[3])
    staff.post(f"/staff/rounds/{rid}/transition", data={"action": "open", "csrf_token": csrf})
    row = session.scalar(select(Round).where(Round.id == rid))
    assert row is not None
    version = str(row.version)
    saved = staff.post(
        f"/staff/rounds/{rid}/setup",
        data={
            **round_form(title="改过的标题", **{"quotas.enterprise": "4"}),
            "version": version,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    session.refresh(row)
    assert (row.title, row.quotas, row.kinds) == (
        "改过的标题",
        {"enterprise": 4, "university": 2},
        ["enterprise", "university"],
    )
    no_reason = staff.post(
        f"/staff/rounds/{rid}/deadline",
        data={"deadline": "application", "until": local(33), "reason": "", "csrf_token": csrf},
    )
    assert no_reason.status_code == 422
    extended = staff.post(
        f"/staff/rounds/{rid}/deadline",
        data={"deadline": "application", "until": local(33), "reason": "延长三天", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert extended.status_code == 303
    session.refresh(row)
    assert row.application_deadline is not None
    assert row.application_deadline.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M") == local(33)
