"""policies: declared figures, match runs, matches with their traces (免申即享), payments

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_figure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_policy_figure_credit_code", "policy_figure", ["credit_code"])
    op.create_table(
        "policy_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("policy_id", sa.String(length=80), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("policy_yaml", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("figures_year", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("budget_wan", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
    )
    op.create_index("ix_policy_run_policy_id", "policy_run", ["policy_id"])
    op.create_table(
        "policy_match",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("policy_run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("township_code", sa.String(length=9), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("amount_wan", sa.Float(), nullable=True),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("department_reason", sa.Text(), nullable=True),
        sa.Column("department_by", sa.String(length=100), nullable=True),
        sa.Column("department_at", sa.DateTime(), nullable=True),
        sa.Column("enterprise_reason", sa.Text(), nullable=True),
        sa.Column("enterprise_by", sa.String(length=100), nullable=True),
        sa.Column("enterprise_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_policy_match_run_id", "policy_match", ["run_id"])
    op.create_index("ix_policy_match_credit_code", "policy_match", ["credit_code"])
    op.create_index("ix_policy_match_status", "policy_match", ["status"])
    op.create_table(
        "policy_payment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "match_id", sa.Integer(), sa.ForeignKey("policy_match.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("amount_wan", sa.Float(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("voucher", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_policy_payment_match_id", "policy_payment", ["match_id"])


def downgrade() -> None:
    op.drop_index("ix_policy_payment_match_id", table_name="policy_payment")
    op.drop_table("policy_payment")
    for ix in ("status", "credit_code", "run_id"):
        op.drop_index(f"ix_policy_match_{ix}", table_name="policy_match")
    op.drop_table("policy_match")
    op.drop_index("ix_policy_run_policy_id", table_name="policy_run")
    op.drop_table("policy_run")
    op.drop_index("ix_policy_figure_credit_code", table_name="policy_figure")
    op.drop_table("policy_figure")
