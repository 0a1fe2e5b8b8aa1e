"""round end: a sheet's own scoring deadline; a round's cooling-off period after a revocation

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-29 15:00:00

A sheet's deadline is the later of its own and the round's: staff extend one expert's time, or give
the replacement of a no-show its own, without moving everyone else's. A revoked base's organisation may apply for that kind again only
after the round's cooling-off period (2 years unless the round says otherwise).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sheets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cooling_off_years", sa.Integer(), server_default="2", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("cooling_off_years")
    with op.batch_alter_table("sheets", schema=None) as batch_op:
        batch_op.drop_column("deadline")
