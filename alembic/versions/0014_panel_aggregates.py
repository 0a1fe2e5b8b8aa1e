"""panel aggregates: one row per application with sheets, what the ranking reads instead of every sheet

Revision ID: 0014
Revises: 0011

The backfill computes every existing application's aggregate from its sheets with the same code the
application uses (scoring.store.models.aggregates.compute, which selects named columns only) and
inserts through this migration's own table definition.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "'regional', 'university', 'enterprise'"


def upgrade() -> None:
    op.create_table(
        "panel_aggregates",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sheets_expected", sa.Integer(), nullable=False),
        sa.Column("sheets_submitted", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("outlier_threshold", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_panel_aggregates_kind")),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )
    op.create_index("ix_panel_aggregates_round_kind", "panel_aggregates", ["round_id", "kind"])

    from scoring.store.models.aggregates import PanelAggregate, compute

    conn = op.get_bind()
    rows = list(compute(conn).values())
    if rows:
        table = sa.table(
            "panel_aggregates",
            *(sa.column(name, PanelAggregate.__table__.c[name].type) for name in rows[0]),
        )
        conn.execute(sa.insert(table), rows)


def downgrade() -> None:
    op.drop_index("ix_panel_aggregates_round_kind", table_name="panel_aggregates")
    op.drop_table("panel_aggregates")
