"""freeze decided appeals: once accepted or rejected, an appeal row is never changed or deleted

The application already refuses it when the session flushes (evaluation/guard.py); the triggers
hold raw SQL, scripts and later migrations to the same rule, as 0003 and 0004 do for runs. A
pending appeal may still change: review decides it, and an accepted appeal on the same run moves
the others to the new version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 13:20:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MESSAGE = "decided appeals are never changed"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION appeal_frozen() RETURNS trigger AS $$
            BEGIN
                IF OLD.status <> 'pending' THEN
                    RAISE EXCEPTION '{MESSAGE}';
                END IF;
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER appeal_frozen BEFORE UPDATE OR DELETE ON appeal
            FOR EACH ROW EXECUTE FUNCTION appeal_frozen()
        """)
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER appeal_frozen_{event.lower()} BEFORE {event} ON appeal
            WHEN OLD.status <> 'pending'
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS appeal_frozen ON appeal")
        op.execute("DROP FUNCTION IF EXISTS appeal_frozen()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS appeal_frozen_{event}")
