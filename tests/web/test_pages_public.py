"""The public pages: without login, only what was published — the designation list (active and
under rectification), the revoked list with its document, the list under notice with the objection
form — never scores, experts or evaluators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.models import Application
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
