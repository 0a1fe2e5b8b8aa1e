"""The auditor's pages, in Chinese and read-only: verification with an anchor, reconciliation, the trail
and the draw records with their replay; every other role is refused them, and the auditor everyone else's."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoring.core.actors import Role
from scoring.services.admin import integrity
from scoring.services.review import draw_record
from scoring.store.models import DrawCommitment, Panel, Sheet
from tests.conftest import Person
from tests.review.conftest import Scenario

Page = Callable[[Person], TestClient]


@pytest.fixture
def drawn(session: Session, scenario: Scenario, make_person: Callable[..., Person]) -> Panel:
    row = draw_record.draw_committed(
        session, committer=scenario.staff.actor, contributor=make_person("staff").actor,
        round_id=scenario.round.id, kind="enterprise", secret="the first staff member's secret",
        contribution="the second one's value",
    )  # fmt: skip
    panel = session.get(Panel, row.panel_id)
    assert panel is not None
    return panel


def test_the_auditor_sees_verification_reconciliation_and_anchors_in_chinese(
    session: Session,
    page_as: Page,
    make_person: Callable[..., Person],
    drawn: Panel,
) -> None:
    auditor = page_as(make_person("auditor"))
    page = auditor.get("/auditor")
    assert page.status_code == 200
    assert 'data-chain="ok"' in page.text and "审计日志完整" in page.text
    # The fixtures insert rows without the services, so the replay finds them: the page lists each one.
    recon = integrity.reconcile_state(session, actor=make_person("auditor").actor)
    assert f'data-reconciliation="{len(recon.differences)}"' in page.text
    assert len(re.findall(r"<tr data-difference=", page.text)) == len(recon.differences)
    assert 'href="/auditor/rounds/' in page.text and 'method="post"' not in page.text.split("<main")[-1]
    cp = integrity.write_checkpoint(session, actor=make_person("staff").actor)
    assert cp is not None
    good = auditor.get("/auditor", params={"anchor": cp.anchor})
    assert 'data-anchor-result="ok"' in good.text
    forged = f"{cp.seq}:{'0' * 64}"
    bad = auditor.get("/auditor", params={"anchor": forged})
    assert 'data-anchor-result="anchor_mismatch"' in bad.text
    malformed = auditor.get("/auditor", params={"anchor": "12-abc"})
    assert malformed.status_code == 422 and 'data-anchor-result="refused"' in malformed.text


def test_the_auditor_reads_the_trail_and_the_draw_records_with_their_replay(
    session: Session,
    page_as: Page,
    make_person: Callable[..., Person],
    drawn: Panel,
) -> None:
    auditor = page_as(make_person("auditor"))
    trail = auditor.get("/auditor/trail", params={"entity": "draw"})
    actions = re.findall(r"<td><code>(draw\.[a-z]+)</code></td>", trail.text)
    assert actions == ["draw.commit", "draw.contribute", "draw.reveal"]
    draws = auditor.get(f"/auditor/rounds/{drawn.round_id}/draws")
    assert draws.status_code == 200
    assert f'data-replay="match" data-panel="{drawn.id}"' in draws.text
    assert f'data-seed="{drawn.seed}"' in draws.text and "按记录重新抽取，结果完全一致。" in draws.text
    # Altering the stored record is seen by the replay, and the page says so.
    row = session.scalars(select(DrawCommitment)).one()
    session.execute(update(DrawCommitment).values(record=(row.record or {}) | {"seed": drawn.seed + 1}))
    session.expire_all()
    assert 'data-replay="mismatch"' in auditor.get(f"/auditor/rounds/{drawn.round_id}/draws").text


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.AUDITOR])
def test_every_other_role_is_refused_the_auditor_pages(
    page_as: Page,
    make_person: Callable[..., Person],
    make_org: Callable[..., object],
    drawn: Panel,
    role: Role,
) -> None:
    if role is Role.APPLICANT:
        person = make_person("applicant", org=make_org())
    elif role is Role.COUNTY:
        person = make_person("county", district="长安区")
    else:
        person = make_person(role.value)
    client = page_as(person)
    for url in ("/auditor", "/auditor/trail", f"/auditor/rounds/{drawn.round_id}/draws"):
        assert client.get(url, follow_redirects=False).status_code in (403, 404), (role, url)


def test_the_auditor_is_refused_everyone_elses_pages_with_their_ids(
    session: Session,
    page_as: Page,
    make_person: Callable[..., Person],
    scenario: Scenario,
    drawn: Panel,
) -> None:
    auditor = page_as(make_person("auditor"))
    app_id = scenario.applications[0].id
    sheet_id = session.scalar(select(Sheet.id).where(Sheet.panel_id == drawn.id).limit(1))
    for url in (
        "/staff", f"/staff/rounds/{drawn.round_id}", f"/staff/rounds/{drawn.round_id}/panels",
        "/staff/audit", "/staff/experts", f"/applicant/applications/{app_id}", "/county", "/expert",
        f"/expert/sheets/{sheet_id}", "/evaluator", "/admin/accounts", "/admin/organisations",
    ):  # fmt: skip
        assert auditor.get(url, follow_redirects=False).status_code in (403, 404), url
