"""monitoring: the monthly reports' columns (本年累计, 销售产值, 出口交货值, 税金累计) and when a
batch was superseded (the monthly panel replays the data as known at a date)

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

RECORD_COLUMNS = (
    "output_ytd_wan",
    "sales_wan",
    "sales_ytd_wan",
    "export_wan",
    "export_ytd_wan",
    "tax_ytd_wan",
)


def upgrade() -> None:
    with op.batch_alter_table("record") as batch:
        for name in RECORD_COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
    with op.batch_alter_table("import_batch") as batch:
        batch.add_column(sa.Column("superseded_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batch") as batch:
        batch.drop_column("superseded_at")
    with op.batch_alter_table("record") as batch:
        for name in RECORD_COLUMNS:
            batch.drop_column(name)
