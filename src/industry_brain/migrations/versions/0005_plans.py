"""plans: plan packs loaded, indicator actuals, task reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_actual_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actual_batch")),
    )
    with op.batch_alter_table("plan_actual_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_actual_batch_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_actual",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(length=60), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("reported_by", sa.String(length=100), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["plan_actual_batch.id"], name=op.f("fk_plan_actual_batch_id_plan_actual_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actual")),
    )
    with op.batch_alter_table("plan_actual", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_actual_plan_indicator", ["plan_id", "indicator_id", "period"], unique=False
        )

    op.create_table(
        "plan_task_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(length=60), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("reported_by", sa.String(length=100), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["plan_actual_batch.id"],
            name=op.f("fk_plan_task_report_batch_id_plan_actual_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_task_report")),
    )
    with op.batch_alter_table("plan_task_report", schema=None) as batch_op:
        batch_op.create_index("ix_plan_task_report_plan_task", ["plan_id", "task_id", "period"], unique=False)


def downgrade() -> None:
    op.drop_table("plan_task_report")
    op.drop_table("plan_actual")
    op.drop_table("plan_actual_batch")
