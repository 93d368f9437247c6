"""commitments: 标准地 commitments, stored 达产复核 reviews with traces, rectification (整改)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("parcel_id", sa.String(length=60), nullable=False, unique=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("area_mu", sa.Float(), nullable=False),
        sa.Column("committed_investment_per_mu", sa.Float(), nullable=True),
        sa.Column("committed_output_per_mu", sa.Float(), nullable=True),
        sa.Column("committed_tax_per_mu", sa.Float(), nullable=True),
        sa.Column("committed_energy_per_wan", sa.Float(), nullable=True),
        sa.Column("committed_emission", sa.Text(), nullable=True),
        sa.Column("committed_plot_ratio", sa.Float(), nullable=True),
        sa.Column("completion_date", sa.Date(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=True),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=True),
        sa.Column("previous", sa.Text(), nullable=True),
    )
    op.create_index("ix_commitment_credit_code", "commitment", ["credit_code"])
    op.create_table(
        "commitment_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "commitment_id", sa.Integer(), sa.ForeignKey("commitment.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("figures_year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
    )
    op.create_index("ix_commitment_review_commitment_id", "commitment_review", ["commitment_id"])
    op.create_table(
        "commitment_rectification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("commitment_review.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_commitment_rectification_review_id", "commitment_rectification", ["review_id"])


def downgrade() -> None:
    op.drop_index("ix_commitment_rectification_review_id", table_name="commitment_rectification")
    op.drop_table("commitment_rectification")
    op.drop_index("ix_commitment_review_commitment_id", table_name="commitment_review")
    op.drop_table("commitment_review")
    op.drop_index("ix_commitment_credit_code", table_name="commitment")
    op.drop_table("commitment")
