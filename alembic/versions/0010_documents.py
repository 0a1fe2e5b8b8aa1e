"""documents: issued official documents (bytes, hash, document number, who and when), panel discussions

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-29 14:40:00

An issued document is kept as the exact bytes that were hashed, so a later download is the document
as issued, whatever the data or the templates become. The kind's CHECK is written out from
scoring.core.vocabulary.DocumentKind as it stands today.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from scoring.store.db import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("document_no", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('notice', 'designation', 'review_report', 'score_sheet', 'rectification', 'revocation')",
            name=op.f("ck_issued_documents_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_issued_documents_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_issued_documents_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_documents")),
        sa.UniqueConstraint("document_no", name=op.f("uq_issued_documents_document_no")),
    )
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_documents_round_id"), ["round_id"], unique=False)
    op.create_table(
        "panel_discussions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('kept', 'reopened')", name=op.f("ck_panel_discussions_outcome")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_panel_discussions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_panel_discussions_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_panel_discussions_round_id_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"], ["sheets.id"], name=op.f("fk_panel_discussions_sheet_id_sheets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_discussions")),
    )
    with op.batch_alter_table("panel_discussions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_discussions_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_panel_discussions_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("panel_discussions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_discussions_round_id"))
        batch_op.drop_index(batch_op.f("ix_panel_discussions_application_id"))
    op.drop_table("panel_discussions")
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_documents_round_id"))
    op.drop_table("issued_documents")
