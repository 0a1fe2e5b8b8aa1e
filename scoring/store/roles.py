"""PostgreSQL roles: the privileges of the restricted service role, which can append to the audit
trail but never change it, its triggers or the schema (the schema owner runs the migrations)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Tables the service may only read and append to.
APPEND_ONLY = ("audit_events", "audit_checkpoints")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def service_grants(role: str) -> list[str]:
    """The SQL an owner runs after every `db upgrade` to give the service role exactly its rights."""
    if not _ROLE.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    append_only = ", ".join(APPEND_ONLY)
    return [
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {append_only} FROM {role}",
        f"REVOKE ALL ON alembic_version FROM {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def grant_service(connection: Connection, role: str) -> None:
    """Apply service_grants(role) on this connection (run it as the schema owner)."""
    for statement in service_grants(role):
        connection.execute(text(statement))
