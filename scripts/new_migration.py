"""Generate an Alembic migration from the models: uv run python scripts/new_migration.py "message"."""

import sys
import tempfile
from pathlib import Path

from alembic import command

from industry_brain.core.db import _alembic_config, make_engine, migrate

with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
    migrate(engine)  # compare the models with a database at the current head
    command.revision(
        _alembic_config(engine),
        message=sys.argv[1],
        autogenerate=True,
        rev_id=sys.argv[2] if len(sys.argv) > 2 else None,
    )
