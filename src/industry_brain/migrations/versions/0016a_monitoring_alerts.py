"""monitoring alerts: alerts per enterprise, rule and episode, their months with the trace, silences

Revision ID: 0016a
Revises: 0016
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016a"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitoring_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("first_month", sa.String(length=7), nullable=False),
        sa.Column("last_month", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("township_code", sa.String(length=12)),
        sa.Column("receivers", sa.Text(), nullable=False),
        sa.Column("acked_at", sa.DateTime()),
        sa.Column("acked_by", sa.String(length=100)),
        sa.Column("ack_comment", sa.Text()),
        sa.Column("dismissed_at", sa.DateTime()),
        sa.Column("dismissed_by", sa.String(length=100)),
        sa.Column("dismiss_reason", sa.String(length=20)),
        sa.Column("dismiss_comment", sa.Text()),
        sa.UniqueConstraint("credit_code", "rule", "first_month", name="uq_monitoring_alert_episode"),
    )
    op.create_index("ix_monitoring_alert_credit_code", "monitoring_alert", ["credit_code"])
    op.create_index("ix_monitoring_alert_rule", "monitoring_alert", ["rule"])
    op.create_index("ix_monitoring_alert_township_code", "monitoring_alert", ["township_code"])
    op.create_table(
        "monitoring_alert_month",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("monitoring_alert.id"), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("observed", sa.Float()),
        sa.Column("expected", sa.Float()),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("alert_id", "month", name="uq_monitoring_alert_month"),
    )
    op.create_index("ix_monitoring_alert_month_alert_id", "monitoring_alert_month", ["alert_id"])
    op.create_index("ix_monitoring_alert_month_month", "monitoring_alert_month", ["month"])
    op.create_table(
        "monitoring_silence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
    )
    op.create_index("ix_monitoring_silence_credit_code", "monitoring_silence", ["credit_code"])


def downgrade() -> None:
    op.drop_table("monitoring_silence")
    op.drop_table("monitoring_alert_month")
    op.drop_table("monitoring_alert")
