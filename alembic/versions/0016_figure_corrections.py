"""figure corrections: a dated correction of a base's figures for a year already evaluated, kept beside
the figures the submitted evaluation read

Revision ID: 0016
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "base_figure_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_id"], ["bases.id"], name=op.f("fk_base_figure_corrections_base_id_bases")
        ),
        sa.ForeignKeyConstraint(
            ["declared_by_id"], ["users.id"], name=op.f("fk_base_figure_corrections_declared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_base_figure_corrections")),
    )
    op.create_index(
        op.f("ix_base_figure_corrections_base_id"), "base_figure_corrections", ["base_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_base_figure_corrections_base_id"), table_name="base_figure_corrections")
    op.drop_table("base_figure_corrections")
