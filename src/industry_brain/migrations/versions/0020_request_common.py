"""request_common: 共性问题 grouping 涉企问题 cases of one cause (a case in at most one)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_common",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_request_common_category", "request_common", ["category"])
    op.create_table(
        "request_common_case",
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("enterprise_request.id"),
            primary_key=True,
            nullable=False,
        ),
        sa.Column("common_id", sa.Integer(), sa.ForeignKey("request_common.id"), nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_request_common_case_common_id", "request_common_case", ["common_id"])


def downgrade() -> None:
    op.drop_index("ix_request_common_case_common_id", table_name="request_common_case")
    op.drop_table("request_common_case")
    op.drop_index("ix_request_common_category", table_name="request_common")
    op.drop_table("request_common")
