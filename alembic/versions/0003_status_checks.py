"""status checks: every status, kind, grade and pool column holds one of its enum's values

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:00:00

The values are written out as they stand today (scoring.core.lifecycle / scoring.core.vocabulary):
a later change of an enum needs its own migration, and tests/foundation/test_migrations.py compares
these constraints with the models' `enum_check(...)` so the two cannot drift apart unnoticed.
SQLite cannot add a constraint to a table in place, so each table is rebuilt in batch mode.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> [(constraint name without the ck_<table>_ prefix, condition)]
CHECKS: dict[str, list[tuple[str, str]]] = {
    "applications": [
        ("kind", "kind IN ('regional', 'university', 'enterprise')"),
        (
            "status",
            "status IN ('draft', 'submitted', 'returned', 'recommended', 'not_recommended', 'accepted', 'under_review', 'scored', 'shortlisted', 'not_designated', 'designated')",
        ),
    ],
    "auth_sessions": [
        ("kind", "kind IN ('api', 'web')"),
    ],
    "bases": [
        ("kind", "kind IN ('regional', 'university', 'enterprise')"),
        ("status", "status IN ('active', 'rectifying', 'revoked')"),
    ],
    "campaigns": [
        ("status", "status IN ('open', 'closed')"),
    ],
    "evaluations": [
        ("grade", "grade IN ('excellent', 'pass', 'fail')"),
        ("purpose", "purpose IN ('regular', 're_evaluation')"),
        ("status", "status IN ('assigned', 'declined', 'draft', 'submitted')"),
    ],
    "experts": [
        ("pool", "pool IN ('expert', 'evaluator')"),
    ],
    "objections": [
        ("status", "status IN ('open', 'upheld', 'dismissed')"),
    ],
    "organisations": [
        ("kind", "kind IN ('government', 'university', 'enterprise', 'evaluator', 'other')"),
    ],
    "panels": [
        ("kind", "kind IN ('regional', 'university', 'enterprise')"),
    ],
    "rectifications": [
        ("status", "status IN ('open', 'passed', 'failed', 'closed')"),
    ],
    "revocations": [
        ("status", "status IN ('proposed', 'confirmed')"),
    ],
    "rounds": [
        (
            "status",
            "status IN ('draft', 'open', 'recommending', 'reviewing', 'deciding', 'notice', 'published')",
        ),
    ],
    "rubric_versions": [
        ("kind", "kind IN ('regional', 'university', 'enterprise')"),
        ("purpose", "purpose IN ('designation', 'performance')"),
    ],
    "sheets": [
        ("status", "status IN ('assigned', 'declined', 'draft', 'submitted')"),
    ],
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)


def downgrade() -> None:
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
