"""clusters: chains, chain nodes, membership corrections

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_membership_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.String(length=80), nullable=False),
        sa.Column("chain_version", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=80), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("action", sa.String(length=6), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_membership_override")),
    )
    op.create_index(
        "ix_chain_membership_override_chain",
        "chain_membership_override",
        ["chain_id", "chain_version", "node_id", "credit_code"],
    )


def downgrade() -> None:
    op.drop_index("ix_chain_membership_override_chain", table_name="chain_membership_override")
    op.drop_table("chain_membership_override")
