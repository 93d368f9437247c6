"""sign-in counter: attempts per user name and address, counted atomically before the check

The sign-in limit counted committed failures after the password check, so parallel attempts
all passed the count (100 parallel wrong passwords got 19 tries against a limit of 5). One
row per user name and address, incremented by an upsert that returns the new count, gives
every attempt its own number on SQLite and PostgreSQL and across server processes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_counter",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("username", "address", name=op.f("pk_sign_in_counter")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_counter")
