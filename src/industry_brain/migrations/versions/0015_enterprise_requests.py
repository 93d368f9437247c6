"""enterprise requests (涉企问题): cases, their append-only history and attachments

The history is the record of who did what to a case; triggers make the database refuse an
UPDATE or DELETE of it, whoever connects.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

MESSAGE = "the history of an enterprise request is append-only"


def _cases() -> None:
    op.create_table(
        "enterprise_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("township_code", sa.String(length=9), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("lead_unit", sa.String(length=100), nullable=False),
        sa.Column("co_units", sa.Text(), nullable=False),
        sa.Column("chain_id", sa.String(length=80), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=True),
        sa.Column("clock_start", sa.Date(), nullable=False),
        sa.Column("accept_due", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("co_due", sa.Date(), nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("extension_pending", sa.Integer(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("rating", sa.String(length=10), nullable=True),
        sa.Column("redo_count", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("rules_from", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    for column in ("credit_code", "township_code", "state", "lead_unit", "due"):
        op.create_index(f"ix_enterprise_request_{column}", "enterprise_request", [column])


def _history() -> None:
    op.create_table(
        "request_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("enterprise_request.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=10), nullable=True),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.UniqueConstraint("request_id", "seq", name="uq_request_event_request_id"),
    )
    op.create_index("ix_request_event_request_id", "request_event", ["request_id"])
    op.create_table(
        "request_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("enterprise_request.id"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("request_event.id"), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False, unique=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_request_attachment_request_id", "request_attachment", ["request_id"])


def _triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION request_event_frozen() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER request_event_frozen BEFORE UPDATE OR DELETE ON request_event
            FOR EACH ROW EXECUTE FUNCTION request_event_frozen()
        """)
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER request_event_frozen_{action.lower()} BEFORE {action} ON request_event
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """)


def upgrade() -> None:
    _cases()
    _history()
    _triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS request_event_frozen ON request_event")
        op.execute("DROP FUNCTION IF EXISTS request_event_frozen()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS request_event_frozen_{action}")
    op.drop_table("request_attachment")
    op.drop_table("request_event")
    for column in ("credit_code", "township_code", "state", "lead_unit", "due"):
        op.drop_index(f"ix_enterprise_request_{column}", table_name="enterprise_request")
    op.drop_table("enterprise_request")
