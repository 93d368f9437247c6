"""After the demo's files are imported: what a district has on its platform on day one.

This spans domains (evaluation, projects, users), so it lives here, not inside any of them: the
newest year evaluated under the default method and published for 公示, seed 004's 73 projects
as the project pool, and one account per role so that every page can be tried.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from industry_brain.core.db import transaction
from industry_brain.core.settings import Settings

DEMO_METHOD = "huangyan-2022"
PUBLICATION_DAYS = 30  # 公示期: the demo's run stays open for appeals this long


def evaluate_and_publish(engine: Engine, settings: Settings, *, year: int) -> dict[str, Any]:
    """Evaluate `year` from the record and publish the run for 公示."""
    from industry_brain.evaluation.method import load_method
    from industry_brain.evaluation.service import facts_for, run_evaluation
    from industry_brain.evaluation.workflow import publish

    today = dt.date.today()
    with transaction(engine) as session:
        summary, _ = run_evaluation(
            session,
            year=year,
            method=load_method(DEMO_METHOD),
            settings=settings,
            facts=facts_for(session, year=year, settings=settings),
            input_source="database",
            user="demo",
        )
        assert summary.run_id is not None
        publish(
            session,
            run_id=summary.run_id,
            deadline=today + dt.timedelta(days=PUBLICATION_DAYS),
            user="demo",
            today=today,
        )
    return {"run_id": summary.run_id, "year": year, "method": DEMO_METHOD, "grades": summary.grades}


def load_projects(engine: Engine) -> int:
    """Seed 004's annex of 73 projects as the demo's project pool; returns how many."""
    from industry_brain.projects.seed import load_seed_projects

    with transaction(engine) as session:
        summary = load_seed_projects(session)
    return int(summary.inserted + summary.updated)
