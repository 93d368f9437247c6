"""appeal attachments: the 证明材料 an appeal carries (the files live in settings.evidence_dir)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeal_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appeal_id", sa.Integer(), sa.ForeignKey("appeal.id"), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False, unique=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
    )
    op.create_index("ix_appeal_attachment_appeal_id", "appeal_attachment", ["appeal_id"])


def downgrade() -> None:
    op.drop_index("ix_appeal_attachment_appeal_id", table_name="appeal_attachment")
    op.drop_table("appeal_attachment")
