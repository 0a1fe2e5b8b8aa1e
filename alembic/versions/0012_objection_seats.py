"""objection seats: an upheld objection leaves its seat vacant or backfills it; the changed list's
own approval and the four-eyes supplementary notice (补充公示) of the entries it added

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_STATUSES = "list_status IN ('none', 'changed', 'approved', 'proposed', 'notice')"
SEATS = "seat IN ('vacant', 'backfill')"


def upgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("list_status", sa.String(16), server_default="none", nullable=False))
        batch.add_column(sa.Column("list_revision", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("list_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revision_adds", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("revision_document_no", sa.String(100), nullable=True))
        batch.add_column(sa.Column("revision_approval_date", sa.Date(), nullable=True))
        for column in ("revision_approved_by_id", "revision_proposed_by_id", "revision_confirmed_by_id"):
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(op.f(f"fk_rounds_{column}_users"), "users", [column], ["id"])
        batch.add_column(sa.Column("revision_proposed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revision_notice_starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("revision_notice_ends_on", sa.Date(), nullable=True))
        batch.create_check_constraint(op.f("ck_rounds_list_status"), LIST_STATUSES)
    with op.batch_alter_table("objections") as batch:
        batch.add_column(sa.Column("seat", sa.String(16), nullable=True))
        batch.add_column(sa.Column("backfill_application_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_objections_backfill_application_id_applications"),
            "applications",
            ["backfill_application_id"],
            ["id"],
        )
        batch.create_check_constraint(op.f("ck_objections_seat"), SEATS)


def downgrade() -> None:
    with op.batch_alter_table("objections") as batch:
        batch.drop_constraint(op.f("ck_objections_seat"), type_="check")
        batch.drop_constraint(op.f("fk_objections_backfill_application_id_applications"), type_="foreignkey")
        batch.drop_column("backfill_application_id")
        batch.drop_column("seat")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_constraint(op.f("ck_rounds_list_status"), type_="check")
        for column in ("revision_approved_by_id", "revision_proposed_by_id", "revision_confirmed_by_id"):
            batch.drop_constraint(op.f(f"fk_rounds_{column}_users"), type_="foreignkey")
        for column in (
            "revision_notice_ends_on", "revision_notice_starts_on", "revision_proposed_at",
            "revision_confirmed_by_id", "revision_proposed_by_id", "revision_approved_by_id",
            "revision_approval_date", "revision_document_no", "revision_adds", "list_changed_at",
            "list_revision", "list_status",
        ):  # fmt: skip
            batch.drop_column(column)
