"""The cooling-off period after a revocation is a round setting: shown with its default of 2 years,
validated as a whole number of years from 0 to 10 (errors name the field), editable until applications
close, and every change audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import AuditEvent, Round
from tests.conftest import Person, count
from tests.onboarding.test_pages_round_setup import round_form
from tests.onboarding.test_round_setup_api import create, setup_body, transition
from tests.web.conftest import page_csrf

EN = {"Accept-Language": "en"}


def test_the_new_round_form_shows_the_default_of_two_years(
    page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    page = page_as(make_person("staff")).get("/staff/rounds/new")
    assert page.status_code == 200
    assert "撤销称号后的限制申报期（年）" in page.text
    assert 'name="cooling_off_years" type="number" min="0" max="10" step="1" value="2"' in page.text
    assert "默认 2 年。" in page.text


def test_a_round_created_in_the_pages_keeps_the_years_given_and_audits_them(
    session: Session, page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    staff = page_as(make_person("staff"))
    resp = staff.post(
        "/staff/rounds/new",
        data={**round_form(cooling_off_years="3"), "csrf_token": page_csrf(staff)},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    rnd = session.scalars(select(Round).where(Round.title == "2027年度页面创建的评选")).one()
    assert rnd.cooling_off_years == 3
    created = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.create", AuditEvent.entity_id == str(rnd.id))
    ).one()
    assert created.after["cooling_off_years"] == 3
    setup = staff.get(f"/staff/rounds/{rnd.id}/setup")
    assert 'name="cooling_off_years" type="number" min="0" max="10" step="1" value="3"' in setup.text


def test_a_round_created_without_the_field_gets_two_years(
    session: Session, page_as: Callable[[Person], TestClient], make_person: Callable[..., Person]
) -> None:
    staff = page_as(make_person("staff"))
    form = round_form()
    resp = staff.post(
        "/staff/rounds/new", data={**form, "csrf_token": page_csrf(staff)}, follow_redirects=False
    )
    assert resp.status_code == 303, resp.text
    rnd = session.scalars(select(Round).where(Round.title == "2027年度页面创建的评选")).one()
    assert rnd.cooling_off_years == 2


@pytest.mark.parametrize("bad", ["11", "-1", "1.5", "两年"])
def test_a_bad_number_of_years_is_refused_naming_the_field_and_nothing_is_created(
    session: Session, page_as: Callable[[Person], TestClient], make_person: Callable[..., Person], bad: str
) -> None:
    staff = page_as(make_person("staff"))
    before = count(session, "rounds")
    resp = staff.post(
        "/staff/rounds/new", data={**round_form(cooling_off_years=bad), "csrf_token": page_csrf(staff)}
    )
    assert resp.status_code == 422
    assert '<span class="field-error" id="e-cooling_off_years">' in resp.text
    assert "撤销称号后的限制申报期" in resp.text  # the error summary names the field in words
    assert f'value="{bad}"' in resp.text  # what was typed is kept
    assert count(session, "rounds") == before


def test_staff_change_the_years_until_applications_close_then_they_are_frozen(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = {**login(make_person("staff")), **EN}
    created = create(client, staff)
    assert created["cooling_off_years"] == 2
    rid = created["id"]
    transition(client, staff, rid, "open")
    version = client.get(f"/api/v1/rounds/{rid}/setup", headers=staff).json()["version"]
    ok = client.patch(
        f"/api/v1/rounds/{rid}/setup", json={"version": version, "cooling_off_years": 0}, headers=staff
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["cooling_off_years"] == 0
    edit = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(rid), AuditEvent.action == "round.edit")
    ).all()[-1]
    assert (edit.before, edit.after) == ({"cooling_off_years": 2}, {"cooling_off_years": 0})
    transition(client, staff, rid, "close_applications")
    version = client.get(f"/api/v1/rounds/{rid}/setup", headers=staff).json()["version"]
    frozen = client.patch(
        f"/api/v1/rounds/{rid}/setup", json={"version": version, "cooling_off_years": 5}, headers=staff
    )
    assert frozen.status_code == 409
    assert frozen.json()["error"]["fields"] == {"cooling_off_years": "is frozen once applications close"}
    session.expire_all()
    assert session.get(Round, rid).cooling_off_years == 0


def test_the_api_names_the_field_of_a_bad_value(
    client: TestClient, session: Session, make_person: Callable[..., Person], login: Callable[..., Any]
) -> None:
    staff = {**login(make_person("staff")), **EN}
    before = count(session, "rounds")
    resp = client.post("/api/v1/rounds/setup", json=setup_body(cooling_off_years=11), headers=staff)
    assert resp.status_code == 422
    assert list(resp.json()["error"]["fields"]) == ["cooling_off_years"]
    assert count(session, "rounds") == before


def test_only_staff_set_up_a_round(
    client: TestClient,
    make_person: Callable[..., Person],
    make_org: Callable[..., Any],
    login: Callable[..., Any],
) -> None:
    applicant = login(make_person("applicant", org=make_org(kind="enterprise")))
    resp = client.post("/api/v1/rounds/setup", json=setup_body(cooling_off_years=0), headers=applicant)
    assert resp.status_code == 403
