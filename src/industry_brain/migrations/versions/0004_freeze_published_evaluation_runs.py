"""freeze published evaluation runs: the run row itself, and rows moved between runs

0003 froze a published run's results and inputs but not the run's own row, so raw SQL could move
the run back to draft, change its results and publish it again, or rewrite its method snapshot
and hash; and its UPDATE triggers looked only at the row's old run, so a draft's rows could be
moved into a published run. Now, once a run is no longer a draft:

- its row cannot be deleted, and an UPDATE may only move its status forward, published →
  superseded, or published → final setting finalized_at; every other column stays as it was
  (an UPDATE that changes nothing is let through);
- a result or input row may be updated only if both its old and its new run are drafts.

The application's own steps pass: 公示 changes a draft (draft → published with published_at,
published_by and deadline), an accepted appeal supersedes the published run and publishes the new
draft, 终审 moves a published run to final with finalized_at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:51:28.910440
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("evaluation_result", "evaluation_input")
MESSAGE = "published evaluation runs are never changed"

# Every column of evaluation_run but status and finalized_at: once published, never changed.
# (A column added to evaluation_run later must be added here by the migration that adds it.)
FROZEN = (
    "id",
    "year",
    "method_id",
    "method_version",
    "method_fingerprint",
    "method_yaml",
    "input_hash",
    "input_source",
    "engine",
    "version",
    "parent_id",
    "enterprises",
    "created_at",
    "created_by",
    "published_at",
    "published_by",
    "deadline",
)


def _allowed(same: str) -> str:
    """The UPDATEs a non-draft run admits, as a boolean that is never NULL; `same` is the
    dialect's null-safe equality ('IS' or 'IS NOT DISTINCT FROM')."""
    frozen = "\n                AND ".join(f"NEW.{c} {same} OLD.{c}" for c in FROZEN)
    return f"""(
                {frozen}
                AND (
                    (NEW.status {same} OLD.status AND NEW.finalized_at {same} OLD.finalized_at)
                    OR (OLD.status {same} 'published' AND NEW.status {same} 'superseded'
                        AND NEW.finalized_at {same} OLD.finalized_at)
                    OR (OLD.status {same} 'published' AND NEW.status {same} 'final'
                        AND NEW.finalized_at IS NOT NULL)
                )
            )"""


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_rows_update(condition: str) -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_update")
        op.execute(f"""
            CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
            WHEN {condition}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def _sqlite_upgrade() -> None:
    op.execute(f"""
        CREATE TRIGGER evaluation_run_frozen_delete BEFORE DELETE ON evaluation_run
        WHEN OLD.status <> 'draft'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """)
    op.execute(f"""
        CREATE TRIGGER evaluation_run_frozen_update BEFORE UPDATE ON evaluation_run
        WHEN OLD.status <> 'draft' AND NOT {_allowed("IS")}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """)
    _sqlite_rows_update(
        "EXISTS (SELECT 1 FROM evaluation_run WHERE id IN (OLD.run_id, NEW.run_id) AND status <> 'draft')"
    )


def _sqlite_downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS evaluation_run_frozen_update")
    op.execute("DROP TRIGGER IF EXISTS evaluation_run_frozen_delete")
    _sqlite_rows_update("(SELECT status FROM evaluation_run WHERE id = OLD.run_id) <> 'draft'")  # 0003's


# --- PostgreSQL ----------------------------------------------------------------------------------


def _postgres_upgrade() -> None:
    op.execute(f"""
        CREATE FUNCTION evaluation_run_frozen() RETURNS trigger AS $$
        BEGIN
            IF OLD.status = 'draft' THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            IF NOT {_allowed("IS NOT DISTINCT FROM")} THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE TRIGGER evaluation_run_frozen BEFORE UPDATE OR DELETE ON evaluation_run
        FOR EACH ROW EXECUTE FUNCTION evaluation_run_frozen()
    """)
    # The rows' triggers (0003) call evaluation_frozen(); an UPDATE now checks both runs.
    op.execute(f"""
        CREATE OR REPLACE FUNCTION evaluation_frozen() RETURNS trigger AS $$
        DECLARE
            runs integer[];
        BEGIN
            IF TG_OP = 'INSERT' THEN
                runs := ARRAY[NEW.run_id];
            ELSIF TG_OP = 'UPDATE' THEN
                runs := ARRAY[OLD.run_id, NEW.run_id];
            ELSE
                runs := ARRAY[OLD.run_id];
            END IF;
            IF EXISTS (SELECT 1 FROM evaluation_run WHERE id = ANY(runs) AND status <> 'draft') THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$ LANGUAGE plpgsql
    """)


def _postgres_downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS evaluation_run_frozen ON evaluation_run")
    op.execute("DROP FUNCTION IF EXISTS evaluation_run_frozen()")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION evaluation_frozen() RETURNS trigger AS $$
        DECLARE
            target integer := CASE WHEN TG_OP = 'INSERT' THEN NEW.run_id ELSE OLD.run_id END;
        BEGIN
            IF (SELECT status FROM evaluation_run WHERE id = target) <> 'draft' THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$ LANGUAGE plpgsql
    """)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_downgrade()
    else:
        _sqlite_downgrade()
