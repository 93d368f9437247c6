"""Alembic environment: the engine is handed in by industry_brain.core.db.migrate."""

from alembic import context

from industry_brain.core.db import Base
from industry_brain.registry import load_all_models

load_all_models()
config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
