"""cultivation and projects: tiers, pools, projects, milestones

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:40:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pool_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool", sa.String(length=40), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("admitted_at", sa.DateTime(), nullable=False),
        sa.Column("admitted_by", sa.String(length=100), nullable=False),
        sa.Column("admit_reason", sa.Text(), nullable=False),
        sa.Column("candidate_year", sa.Integer(), nullable=True),
        sa.Column("exited_at", sa.DateTime(), nullable=True),
        sa.Column("exited_by", sa.String(length=100), nullable=True),
        sa.Column("exit_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_membership")),
    )
    with op.batch_alter_table("pool_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_membership_pool"), ["pool"], unique=False)
        batch_op.create_index(batch_op.f("ix_pool_membership_credit_code"), ["credit_code"], unique=False)

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("stage_since", sa.Date(), nullable=True),
        sa.Column("investment_planned_yi", sa.Float(), nullable=True),
        sa.Column("investment_done_yi", sa.Float(), nullable=True),
        sa.Column("land_mu", sa.Float(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("township_code", sa.String(length=9), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("responsible_unit", sa.String(length=200), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("name", "code", name="uq_project_name_code"),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_township_code"), ["township_code"], unique=False)

    op.create_table(
        "project_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=True),
        sa.Column("done_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_milestone_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_milestone")),
        sa.UniqueConstraint("project_id", "name", name="uq_project_milestone_project_id"),
    )
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_milestone_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    op.drop_table("project_milestone")
    op.drop_table("project")
    op.drop_table("pool_membership")
