"""plan packs: the packs a district holds, one row per version (plans add / remove / drafts)

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-07 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_pack",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("retired_by", sa.String(length=100), nullable=True),
        sa.UniqueConstraint("plan_id", "version", name="uq_plan_pack_plan_id_version"),
    )
    op.create_index("ix_plan_pack_plan_id", "plan_pack", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_pack_plan_id", table_name="plan_pack")
    op.drop_table("plan_pack")
