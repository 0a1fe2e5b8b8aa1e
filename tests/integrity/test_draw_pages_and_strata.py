"""Strata as a round setting per kind (API, page, used by the committed draw) and the staff pages'
commit–contribute–reveal flow: the secret shown once, a second member required, a wrong secret refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent, DrawCommitment, Panel, Round
from tests.conftest import Person
from tests.review.conftest import Scenario
from tests.web.conftest import csrf_of

Page = Callable[[Person], TestClient]


def _post(client: TestClient, url: str, data: dict[str, str]) -> object:
    return client.post(
        url, data={"csrf_token": csrf_of(client.get("/").text), **data}, follow_redirects=False
    )


def _fields(session: Session, scenario: Scenario, fields: list[list[str]]) -> None:
    for pool_expert, f in zip(scenario.pool, fields, strict=False):
        pool_expert.expert.fields = f
    session.flush()


def test_staff_set_the_strata_per_kind_over_the_api_and_the_committed_draw_uses_them(
    client: TestClient,
    session: Session,
    scenario: Scenario,
    make_person: Callable[..., Person],
    login: Callable[[Person], dict[str, str]],
) -> None:
    _fields(
        session, scenario, [["金融"], ["金融"], ["技术"], ["技术"], ["技术"], ["管理"], ["管理"], ["管理"]]
    )
    by_field = {p.expert.id: p.expert.fields[0] for p in scenario.pool}
    staff = {**login(scenario.staff), "Accept-Language": "en"}
    url = f"/api/v1/rounds/{scenario.round.id}/strata"
    too_many = client.put(f"{url}/enterprise", headers=staff, json={"strata": {"金融": 4, "技术": 2}})
    assert too_many.status_code == 422 and list(too_many.json()["error"]["fields"]) == ["strata"]
    zero = client.put(f"{url}/enterprise", headers=staff, json={"strata": {"金融": 0}})
    assert zero.status_code == 422 and list(zero.json()["error"]["fields"]) == ["strata.金融"]
    assert client.put(f"{url}/nonsense", headers=staff, json={"strata": {}}).status_code == 422
    saved = client.put(f"{url}/enterprise", headers=staff, json={"strata": {"金融": 2, "技术": 2}})
    assert saved.json() == {"round_id": scenario.round.id, "strata": {"enterprise": {"技术": 2, "金融": 2}}}
    assert client.get(url, headers=staff).json() == saved.json()
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "round.strata")).one()
    assert audit.before == {"kind": "enterprise", "strata": {}}
    assert audit.after == {"kind": "enterprise", "strata": {"技术": 2, "金融": 2}}
    expert = make_person("expert")
    assert client.get(url, headers=login(expert)).status_code == 404
    assert client.put(f"{url}/enterprise", headers=login(expert), json={"strata": {}}).status_code == 404

    second = login(make_person("staff"))
    secret = "the committer's secret, offline"
    from scoring.core.draw import commitment_of

    made = client.post(f"{url[:-7]}/draw-commitments", headers=staff,
                       json={"kind": "enterprise", "commitment": commitment_of(secret)})  # fmt: skip
    assert made.status_code == 201 and made.json()["strata"] == {"技术": 2, "金融": 2}
    late = client.put(f"{url}/enterprise", headers=staff, json={"strata": {"管理": 1}})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "commitment_exists")
    cid = made.json()["id"]
    client.post(f"/api/v1/draw-commitments/{cid}/contribution", headers=second, json={"value": "dice 6 2 5"})
    drawn = client.post(f"/api/v1/draw-commitments/{cid}/reveal", headers=staff, json={"secret": secret})
    assert drawn.status_code == 200, drawn.text
    members = drawn.json()["record"]["result"]["members"]
    assert [by_field[m] for m in members].count("金融") >= 2 and [by_field[m] for m in members].count(
        "技术"
    ) >= 2


def test_a_short_stratum_is_named_by_its_field(
    client: TestClient,
    session: Session,
    scenario: Scenario,
    make_person: Callable[..., Person],
    login: Callable[[Person], dict[str, str]],
) -> None:
    from scoring.core.draw import commitment_of

    _fields(session, scenario, [["金融"]] + [["技术"]] * 7)
    staff, second = {**login(scenario.staff), "Accept-Language": "en"}, login(make_person("staff"))
    base = f"/api/v1/rounds/{scenario.round.id}"
    assert (
        client.put(f"{base}/strata/enterprise", headers=staff, json={"strata": {"金融": 2}}).status_code
        == 200
    )
    commitment = {"kind": "enterprise", "commitment": commitment_of("s" * 20)}
    cid = client.post(f"{base}/draw-commitments", headers=staff, json=commitment).json()["id"]
    client.post(f"/api/v1/draw-commitments/{cid}/contribution", headers=second, json={"value": "dice 6 2 5"})
    short = client.post(f"/api/v1/draw-commitments/{cid}/reveal", headers=staff, json={"secret": "s" * 20})
    assert short.status_code == 409
    assert short.json()["error"]["code"] == "stratum_short"
    assert short.json()["error"]["fields"] == {"strata.金融": "1 expert(s) missing"}
    assert session.scalars(select(Panel)).all() == []


def test_the_pages_run_commit_contribute_reveal_with_the_secret_shown_once(
    session: Session, page_as: Page, scenario: Scenario, make_person: Callable[..., Person]
) -> None:
    alice, bob = page_as(scenario.staff), page_as(make_person("staff"))
    panels = f"/staff/rounds/{scenario.round.id}/panels"
    assert 'name="seed"' not in alice.get(panels).text  # no form takes a seed
    strata = _post(
        alice, f"/staff/rounds/{scenario.round.id}/strata", {"kind": "enterprise", "strata": "产业经济=0"}
    )
    assert strata.status_code == 422  # type: ignore[attr-defined]
    assert "专家组领域构成 · 产业经济" in strata.text  # type: ignore[attr-defined]  # the field, in words
    ok = _post(
        alice, f"/staff/rounds/{scenario.round.id}/strata", {"kind": "enterprise", "strata": "产业经济：3"}
    )
    assert ok.headers["location"].endswith("?done=strata")  # type: ignore[attr-defined]
    rnd = session.get(Round, scenario.round.id)
    session.refresh(rnd)
    assert rnd is not None and rnd.strata == {"enterprise": {"产业经济": 3}}
    assert 'value="产业经济=3"' in alice.get(panels).text

    committed = _post(alice, f"/staff/rounds/{scenario.round.id}/draw/commit", {"kind": "enterprise"})
    found = re.search(r"<code data-secret>([0-9a-f]{32})</code>", committed.text)  # type: ignore[attr-defined]
    assert found
    secret = found.group(1)
    row = session.scalars(select(DrawCommitment)).one()
    assert row.strata == {"产业经济": 3} and row.status == "committed"
    again = alice.get(panels).text
    assert secret not in again and "data-secret" not in again  # shown once, stored only as its hash
    assert f'action="/staff/draw-commitments/{row.id}/contribute"' not in again  # not by the committer
    refused = _post(alice, f"/staff/draw-commitments/{row.id}/contribute", {"value": "my own value"})
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert f'action="/staff/draw-commitments/{row.id}/contribute"' in bob.get(panels).text
    assert (
        _post(bob, f"/staff/draw-commitments/{row.id}/contribute", {"value": "bob's dice"}).status_code == 303
    )  # type: ignore[attr-defined]
    wrong = _post(alice, f"/staff/draw-commitments/{row.id}/reveal", {"secret": "f" * 32})
    assert wrong.status_code == 422 and ">承诺的秘密值</a>" in wrong.text  # type: ignore[attr-defined]
    assert session.scalars(select(Panel)).all() == []
    drawn = _post(alice, f"/staff/draw-commitments/{row.id}/reveal", {"secret": secret})
    assert drawn.headers["location"].endswith("?done=drawn")  # type: ignore[attr-defined]
    page = alice.get(panels).text
    panel = session.scalars(select(Panel)).one()
    assert f'data-seed="{panel.seed}"' in page and 'data-replay="match"' in page
    assert "随机种子由事先承诺的秘密值、第二名工作人员的贡献值和审计链头共同生成。" in page
