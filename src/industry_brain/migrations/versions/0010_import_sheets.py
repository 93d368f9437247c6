"""import sheets: the workbook sheet of each record, reject and warning

A department's workbook may hold its data on several sheets (a sheet per township) imported as
one batch; a row number alone no longer says where a figure came from.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("record", "reject", "batch_warning")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("sheet", sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sheet")
