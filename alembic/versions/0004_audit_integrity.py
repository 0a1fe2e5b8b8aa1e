"""audit integrity: keyed checkpoints of the audit chain (append-only like the trail); committed draws

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import scoring.store.db
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("at", scoring.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoints_seq"), ["seq"], unique=False)
    op.create_table(
        "draw_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("strata", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("reserves", sa.Integer(), nullable=True),
        sa.Column("committed_by_id", sa.Integer(), nullable=True),
        sa.Column("committed_at", scoring.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("contribution", sa.String(length=200), nullable=True),
        sa.Column("contributed_by_id", sa.Integer(), nullable=True),
        sa.Column("contributed_at", scoring.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["committed_by_id"], ["users.id"], name=op.f("fk_draw_commitments_committed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contributed_by_id"], ["users.id"], name=op.f("fk_draw_commitments_contributed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_draw_commitments_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_draw_commitments_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_commitments")),
        sa.UniqueConstraint("round_id", "kind", name=op.f("uq_draw_commitments_round_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_checkpoints_no_{verb.lower()} BEFORE {verb} ON audit_checkpoints "
                f"BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only ({verb} refused)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_update ON audit_checkpoints")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoints_refuse()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_delete")
    op.drop_table("draw_commitments")
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_seq"))
    op.drop_table("audit_checkpoints")


_PG_GUARD = """
CREATE FUNCTION audit_checkpoints_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse();
"""
