"""The restricted service role (PostgreSQL): it appends to the audit trail but cannot change it, switch
its triggers off or alter the schema; the owner role can, which is what checkpoints and anchors are for."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.store import audit
from scoring.store.roles import grant_service, service_grants
from tests.conftest import is_postgres

REFUSED = [
    ("UPDATE audit_events SET actor = 'x'", "permission denied for table audit_events"),
    ("DELETE FROM audit_events", "permission denied for table audit_events"),
    ("TRUNCATE audit_events", "permission denied for table audit_events"),
    ("UPDATE audit_checkpoints SET mac = 'x'", "permission denied for table audit_checkpoints"),
    ("DELETE FROM audit_checkpoints", "permission denied for table audit_checkpoints"),
    ("ALTER TABLE audit_events DISABLE TRIGGER USER", "must be owner of table audit_events"),
    ("DROP TRIGGER audit_events_no_update ON audit_events", "must be owner of"),
    ("DROP FUNCTION audit_events_refuse()", "must be owner of function"),
    ("CREATE TABLE shadow (id int)", "permission denied for schema public"),
    ("ALTER TABLE sheets ADD COLUMN shadow int", "must be owner of table sheets"),
    ("UPDATE alembic_version SET version_num = 'x'", "permission denied for table alembic_version"),
]


@pytest.fixture
def service_role(session: Session) -> str:
    if not is_postgres(session):
        pytest.skip("database roles exist on PostgreSQL only")
    role = f"sc_service_probe_{secrets.token_hex(4)}"  # created in the test transaction, rolled back
    session.execute(text("RESET ROLE"))
    session.execute(text(f"CREATE ROLE {role} NOLOGIN"))
    grant_service(session.connection(), role)
    session.execute(text(f"SET ROLE {role}"))
    return role


def test_the_service_role_appends_to_the_trail_and_works_the_tables(
    session: Session, service_role: str
) -> None:
    event = audit.record(session, actor=SYSTEM, action="probe.append", entity="probe", entity_id=1)
    assert event.id > 0
    session.execute(text("UPDATE sheets SET comments = comments"))  # ordinary tables: read and write
    assert session.execute(text("SELECT current_user")).scalar_one() == service_role


@pytest.mark.parametrize(("statement", "error"), REFUSED, ids=[s for s, _ in REFUSED])
def test_the_service_role_cannot_alter_the_trail_its_triggers_or_the_schema(
    session: Session, service_role: str, statement: str, error: str
) -> None:
    with pytest.raises(DBAPIError, match=error), session.begin_nested():
        session.execute(text(statement))


def test_the_grants_name_only_plain_roles() -> None:
    with pytest.raises(ValueError, match="not a plain role name"):
        service_grants("svc; DROP TABLE users")
    assert service_grants("svc")[3] == (
        "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events, audit_checkpoints FROM svc"
    )
