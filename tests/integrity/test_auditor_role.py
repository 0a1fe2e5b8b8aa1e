"""The auditor reads the audit trail, draw records, verification and reconciliation, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scoring.core.actors import Role
from scoring.core.permissions.integrity import can_checkpoint, can_read_evidence
from scoring.store.models import AuditEvent
from tests.conftest import Person
from tests.integrity.conftest import Install

READERS = {Role.AUDITOR, Role.STAFF, Role.ADMIN}
READS = [
    "/api/v1/integrity/verify",
    "/api/v1/integrity/reconciliation",
    "/api/v1/integrity/checkpoints",
    "/api/v1/integrity/audit",
]


def _person(make_person: Callable[..., Person], make_org: Callable[..., object], role: Role) -> Person:
    if role is Role.APPLICANT:
        return make_person("applicant", org=make_org())
    if role is Role.COUNTY:
        return make_person("county", district="长安区")
    return make_person(role.value)


@pytest.mark.parametrize("role", list(Role))
def test_the_predicates_per_role(role: Role) -> None:
    from scoring.core.actors import Actor

    actor = Actor(user_id=1, username="x", role=role)
    assert can_read_evidence(actor) is (role in READERS)
    assert can_checkpoint(actor) is (role in (Role.STAFF, Role.ADMIN))


@pytest.mark.parametrize("role", list(Role))
def test_integrity_reads_are_for_auditors_and_staff_only(
    client: TestClient,
    login: Callable[[Person], dict[str, str]],
    make_person: Callable[..., Person],
    make_org: Callable[..., object],
    role: Role,
) -> None:
    headers = login(_person(make_person, make_org, role))
    for path in READS:
        assert client.get(path, headers=headers).status_code == (200 if role in READERS else 404), path
    written = client.post("/api/v1/integrity/checkpoints", headers=headers)
    assert written.status_code == (201 if role in (Role.STAFF, Role.ADMIN) else 404)


# Readable by every logged-in user (the call, the rubrics, one's own account) or by anyone.
OPEN_TO_ALL = re.compile(
    r"^/api/v1/(me|rubrics(/\{kind\})?|rounds(/\{round_id\})?|public/.*|integrity/(verify|reconciliation|"
    r"checkpoints|audit)|rounds/\{round_id\}/draw-records(/replay)?|auth/logout)$"
)
NOT_AN_ACTION = {("post", "/api/v1/auth/token"), ("post", "/api/v1/public/objections")}


def test_the_auditor_can_do_nothing_else_and_changes_nothing(install: Install) -> None:
    from api.app import create_app
    from tests.integrity import demo_copies

    app = create_app(demo_copies.settings_for(install.url, install.var))
    with TestClient(app, raise_server_exceptions=False) as client:
        token = client.post(
            "/api/v1/auth/token",
            json={"username": "auditor", "password": install.template.passwords["auditor"]},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with install.session() as s:
            before = s.scalar(select(func.count()).select_from(AuditEvent))
        allowed: list[str] = []
        for path, ops in app.openapi()["paths"].items():
            for method in ops:
                if (
                    (method, path) in NOT_AN_ACTION
                    or not path.startswith("/api/v1/")
                    or path.endswith("logout")
                    or path.startswith("/api/v1/inbox")  # the caller's own notifications, not evidence
                ):
                    continue
                url = re.sub(r"\{[a-z_]+\}", "1", path)
                resp = client.request(method.upper(), url, headers=headers, json={})
                if resp.status_code < 400:
                    assert method == "get", f"{method} {path}: {resp.status_code}"
                    if OPEN_TO_ALL.match(path):
                        allowed.append(f"{method} {path}")
                    else:  # a list scoped to the caller: nothing in it for an auditor
                        assert resp.json().get("items") == [], f"{path}: {resp.text[:200]}"
                elif method != "get":
                    assert resp.status_code in (403, 404, 405, 422), f"{method} {path}: {resp.status_code}"
        assert {
            "get /api/v1/integrity/audit",
            "get /api/v1/integrity/reconciliation",
            "get /api/v1/integrity/verify",
            "get /api/v1/rounds/{round_id}/draw-records",
            "get /api/v1/rounds/{round_id}/draw-records/replay",
        } <= set(allowed)
    with install.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == before  # nothing was changed
    assert install.cli("verify", "--state").exit_code == 0


def test_the_auditor_logs_in_to_the_pages_and_is_refused_the_staff_pages(
    client: TestClient, make_person: Callable[..., Person]
) -> None:
    from tests.web.conftest import web_login

    auditor = make_person("auditor")
    web_login(client, auditor.username)
    home = client.get("/")
    assert home.status_code == 200 and "审计员" in home.text
    assert client.get("/staff/audit").status_code in (403, 404)
    assert client.get("/public/anchors").status_code == 200
