"""The public pages: without login, only what was published — the designation list (active and
under rectification), the revoked list with its document, the list under notice with the objection
form — never scores, experts or evaluators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.store.models import Application
from tests.conftest import count
from tests.ranking.conftest import Clock, World
from tests.web.conftest import csrf_of


@dataclass
class Noticed:
    world: World
    a: Application
    c: Application
    bob: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/rounds/{self.world.round.id}"


@pytest.fixture
def noticed(make_world: Any, client: TestClient, login: Any, make_person: Any, clock: Clock) -> Noticed:
    """A round whose list (甲, 乙; not 丙) is under public notice from Monday 2 March 2026."""
    w = make_world()
    a = w.application(["90", "90", "90"], name="石家庄甲科技有限公司", district="长安区")
    b = w.application(["80", "80", "80"], name="石家庄乙科技有限公司", district="桥西区")
    c = w.application(["40", "40", "40"], name="石家庄丙科技有限公司")
    alice, bob = login(make_person("staff")), login(make_person("staff"))
    url = f"/api/v1/rounds/{w.round.id}"
    steps = [
        (alice, "decisions", {"kind": "enterprise", "designate": [a.id, b.id]}),
        (alice, "approval", {"document_no": "石政字〔2026〕12号", "approved_on": "2026-03-02"}),
        (alice, "publication", {"action": "propose"}),
        (bob, "publication", {"action": "confirm"}),
    ]
    for headers, path, body in steps:
        resp = client.post(f"{url}/{path}", json=body, headers=headers)
        assert resp.status_code == 200, resp.text
    return Noticed(w, a, c, bob)


def test_the_public_list_shows_only_published_bases_without_scores(
    client: TestClient, noticed: Noticed, clock: Clock
) -> None:
    empty = client.get("/public/bases")
    assert empty.status_code == 200 and "尚无公布的名单" in empty.text  # under notice is not published
    notice = client.get("/public/notice")
    assert "石家庄甲科技有限公司" in notice.text and "石家庄丙科技有限公司" not in notice.text
    clock.set(date(2026, 3, 16))
    resp = client.post(f"{noticed.url}/publication", json={"action": "finalize"}, headers=noticed.bob)
    assert resp.status_code == 200, resp.text
    page = client.get("/public/bases").text
    assert "石家庄甲科技有限公司" in page and "石家庄乙科技有限公司" in page and "石政字〔2026〕12号" in page
    assert "石家庄丙科技有限公司" not in page
    for secret in ("90.00", "80.00", "专家", "评分"):
        assert secret not in page
    assert "尚无公布的名单" in client.get("/public/bases?status=revoked").text
    assert "@media print" in client.get("/static/css/app.css").text


def test_an_objection_filed_on_the_notice_page_is_recorded_and_bad_input_is_named(
    app: Any, session: Session, noticed: Noticed
) -> None:
    with TestClient(app, raise_server_exceptions=False) as visitor:  # no login, its own cookies
        token = csrf_of(visitor.get("/public/notice").text)
        form = {
            "csrf_token": token,
            "round_id": str(noticed.world.round.id),
            "application_id": str(noticed.a.id),
            "name": "王先生",
            "contact": "",
            "text": "材料不实",
        }
        bad = visitor.post("/public/objections", data=form, follow_redirects=False)
        assert bad.status_code == 422 and "王先生" in bad.text
        assert count(session, "objections") == 0
        ok = visitor.post(
            "/public/objections", data=form | {"contact": "0311-1234567"}, follow_redirects=False
        )
        assert ok.status_code == 303
        assert count(session, "objections") == 1
        forged = visitor.post("/public/objections", data=form | {"csrf_token": "forged", "contact": "x"})
        assert forged.status_code == 403
        not_listed = visitor.post(
            "/public/objections", data=form | {"application_id": str(noticed.c.id), "contact": "x"}
        )
        assert not_listed.status_code in (404, 409, 422)
        assert count(session, "objections") == 1


# ---- the lists: what is published, and only that -----------------------------------------------


@dataclass
class Listed:
    active: Any
    rectifying: Any
    revoked: Any
    older: Any
    unpublished: Any


@pytest.fixture
def listed(session: Session, make_world: Any) -> Listed:
    """Bases of two published rounds (2025, 2026) in each status, and one of a round still under
    notice, which must not show."""
    from scoring.store.models import DesignatedBase

    def base(world: World, name: str, district: str, status: str = "active", **extra: Any) -> Any:
        app = world.application(["90", "90", "90"], name=name, district=district, status="designated")
        row = DesignatedBase(
            application_id=app.id,
            round_id=world.round.id,
            organisation_id=app.organisation_id,
            kind="enterprise",
            name=name,
            district=district,
            status=status,
            designated_on=date(world.round.year, 4, 1),
            document_no=f"石政字〔{world.round.year}〕12号",
            final_score=Decimal("87.65"),
            **extra,
        )
        session.add(row)
        session.flush()
        return row

    y2026 = make_world(status="published")
    y2025 = make_world(status="published", year=2025, title="2025年度双创示范基地评选")
    pending = make_world(status="notice", title="待公示")
    return Listed(
        active=base(y2026, "石家庄甲科技有限公司", "长安区"),
        rectifying=base(y2026, "石家庄乙科技有限公司", "桥西区", status="rectifying"),
        revoked=base(
            y2026,
            "石家庄丙科技有限公司",
            "新华区",
            status="revoked",
            revoked_on=date(2026, 9, 1),
            revocation_document_no="石政字〔2026〕88号",
        ),
        older=base(y2025, "石家庄丁科技有限公司", "裕华区"),
        unpublished=base(pending, "石家庄戊科技有限公司", "长安区"),
    )


def public_rows(html: str) -> list[list[str]]:
    """Each row of the public list as its cells' text."""
    rows = re.findall(r'<tr data-base="\d+">(.*?)</tr>', html, re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows]


def test_the_designation_list_shows_active_and_rectifying_bases_of_published_rounds_only(
    client: TestClient, listed: Listed
) -> None:
    page = client.get("/public/bases")
    assert page.status_code == 200
    assert public_rows(page.text) == [
        ["1", "石家庄丁科技有限公司", "企业“双创”示范基地", "裕华区", "2025", "石政字〔2025〕12号"],
        ["2", "石家庄甲科技有限公司", "企业“双创”示范基地", "长安区", "2026", "石政字〔2026〕12号"],
        ["3", "石家庄乙科技有限公司", "企业“双创”示范基地", "桥西区", "2026", "石政字〔2026〕12号"],
    ]
    for hidden in ("石家庄丙科技有限公司", "石家庄戊科技有限公司", "87.65", "90.00", "专家"):
        assert hidden not in page.text
    assert 'class="filters no-print"' in page.text  # the filters do not print
    assert '<link rel="stylesheet" href="/static/css/app.' in page.text


def test_the_revoked_list_shows_the_revocation_and_its_document(client: TestClient, listed: Listed) -> None:
    page = client.get("/public/bases?status=revoked").text
    assert "<h1>已撤销称号的基地</h1>" in page
    assert public_rows(page) == [
        [
            "1",
            "石家庄丙科技有限公司",
            "企业“双创”示范基地",
            "新华区",
            "2026",
            "石政字〔2026〕12号",
            "2026年9月1日",
            "石政字〔2026〕88号",
        ]
    ]
    assert "石家庄甲科技有限公司" not in page and "87.65" not in page


def test_the_public_list_filters_by_year_and_kind_and_shrugs_off_garbage(
    client: TestClient, listed: Listed
) -> None:
    by_year = public_rows(client.get("/public/bases?year=2025").text)
    assert [r[1] for r in by_year] == ["石家庄丁科技有限公司"]
    assert public_rows(client.get("/public/bases?kind=regional").text) == []
    for garbage in (
        "status=deleted",
        "kind=<script>alert(1)</script>",
        "year=abc",
        "year=%C2%B2",  # "²": a digit to str.isdigit(), not to int()
        "year=99999999999999999999999",
        "year=1999",
    ):
        resp = client.get("/public/bases?" + garbage)
        assert resp.status_code == 200, garbage
        assert len(public_rows(resp.text)) == 3, garbage  # an unusable filter is ignored
        assert "<script>alert(1)</script>" not in resp.text


def test_the_public_list_speaks_english_on_request(client: TestClient, listed: Listed) -> None:
    page = client.get("/public/bases", headers={"Accept-Language": "en"}).text
    assert "Designated demonstration bases" in page and "Enterprise base" in page
    assert "石家庄甲科技有限公司" in page  # names are data, never translated


def test_an_objection_with_garbage_ids_is_refused_without_a_server_error(
    app: Any, session: Session, noticed: Noticed
) -> None:
    with TestClient(app, raise_server_exceptions=False) as visitor:
        token = csrf_of(visitor.get("/public/notice").text)
        base_form = {"csrf_token": token, "name": "王先生", "contact": "0311-1234567", "text": "材料不实"}
        for ids in (
            {"round_id": "abc", "application_id": str(noticed.a.id)},
            {"round_id": str(noticed.world.round.id), "application_id": "²"},
            {"round_id": "99999999999999999999999", "application_id": "1"},
            {"round_id": str(noticed.world.round.id)},
        ):
            resp = visitor.post("/public/objections", data=base_form | ids, follow_redirects=False)
            assert resp.status_code in (404, 409, 422), (ids, resp.status_code)
    assert count(session, "objections") == 0
