"""base figure evidence: attachments belong to an application or to a base's figures of a year

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:52:45.952954

The unused per-evaluation owner (evaluation_id) goes: evidence for a performance evaluation is the
base's, for a year, and every evaluator of that year reads the same files.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("figures_year", sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_attachments_evaluation_id"))
        batch_op.create_index(batch_op.f("ix_attachments_base_id"), ["base_id"], unique=False)
        batch_op.drop_constraint(batch_op.f("fk_attachments_evaluation_id_evaluations"), type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_attachments_base_id_bases"), "bases", ["base_id"], ["id"])
        batch_op.drop_column("evaluation_id")


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluation_id", sa.INTEGER(), nullable=True))
        batch_op.drop_constraint(batch_op.f("fk_attachments_base_id_bases"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_evaluation_id_evaluations"), "evaluations", ["evaluation_id"], ["id"]
        )
        batch_op.drop_index(batch_op.f("ix_attachments_base_id"))
        batch_op.create_index(batch_op.f("ix_attachments_evaluation_id"), ["evaluation_id"], unique=False)
        batch_op.drop_column("figures_year")
        batch_op.drop_column("base_id")
