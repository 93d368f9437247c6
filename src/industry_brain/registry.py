"""The platform assembled: every domain's tables and session guards, above the domains.

core knows no domain; the entry points (the CLI, the web app, the demo, migrations, tests) open
the database through here, so Base.metadata knows every table and the evaluation guard is
installed before any session flushes.
"""

from __future__ import annotations

from sqlalchemy import Engine

from industry_brain.core import db


def load_all_models() -> None:
    """Import every domain's models so Base.metadata knows every table, and install the guards."""
    from industry_brain.clusters import models as _clusters  # noqa: F401
    from industry_brain.commitments import models as _commitments  # noqa: F401
    from industry_brain.core import auth_models as _auth  # noqa: F401
    from industry_brain.core import job_models as _jobs  # noqa: F401
    from industry_brain.cultivation import models as _cultivation  # noqa: F401
    from industry_brain.enterprises import models as _enterprises  # noqa: F401
    from industry_brain.evaluation import models as _evaluation  # noqa: F401
    from industry_brain.evaluation.guard import install_guard
    from industry_brain.ingest import models as _ingest  # noqa: F401
    from industry_brain.monitoring import models as _monitoring  # noqa: F401
    from industry_brain.plans import models as _plans  # noqa: F401
    from industry_brain.policies import models as _policies  # noqa: F401
    from industry_brain.projects import models as _projects  # noqa: F401
    from industry_brain.requests import models as _requests

    install_guard()
    _requests.install_history_guard()


def open_database(url: str) -> Engine:
    """Engine for `url` with every domain's tables known, migrated to the newest schema."""
    load_all_models()
    return db.open_database(url)
