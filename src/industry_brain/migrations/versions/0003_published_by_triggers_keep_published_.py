"""published_by; database triggers keep published runs unchanged

A published or final run's results and inputs are its record before the enterprises it graded;
the service never changes them, and these triggers make the database refuse it too, whoever
connects (a raw UPDATE, a script, a careless migration).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:25:44
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("evaluation_result", "evaluation_input")
MESSAGE = "published evaluation runs are never changed"


def _sqlite_upgrade() -> None:
    for table in TABLES:
        for action, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            op.execute(f"""
                CREATE TRIGGER {table}_frozen_{action.lower()} BEFORE {action} ON {table}
                WHEN (SELECT status FROM evaluation_run WHERE id = {row}.run_id) <> 'draft'
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
            """)


def _postgres_upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION evaluation_frozen() RETURNS trigger AS $$
        DECLARE
            target integer := CASE WHEN TG_OP = 'INSERT' THEN NEW.run_id ELSE OLD.run_id END;
        BEGIN
            IF (SELECT status FROM evaluation_run WHERE id = target) <> 'draft' THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$ LANGUAGE plpgsql
    """)
    for table in TABLES:
        op.execute(f"""
            CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION evaluation_frozen()
        """)


def upgrade() -> None:
    with op.batch_alter_table("evaluation_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_by", sa.String(length=100), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        op.execute("DROP FUNCTION IF EXISTS evaluation_frozen()")
    else:
        for table in TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{action}")
    with op.batch_alter_table("evaluation_run", schema=None) as batch_op:
        batch_op.drop_column("published_by")
