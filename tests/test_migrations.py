"""The migrated schema is the schema the models declare, on SQLite and PostgreSQL.

Migrations are written by hand (each domain its own revision); this catches a column, table,
index or type that the models have and the migration forgot, or the other way round.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from industry_brain.core.db import Base
from industry_brain.registry import load_all_models


def _differences(engine: Engine) -> list[object]:
    load_all_models()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    # alembic's own version table is not a model
    return [d for d in diff if "alembic_version" not in repr(d)]


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert _differences(engine) == []
