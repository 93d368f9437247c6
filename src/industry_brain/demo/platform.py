"""After the demo's files are imported: what a district has on its platform on day one.

This spans domains (evaluation, projects, users), so it lives here, not inside any of them: the
newest year evaluated under the default method and published for 公示, seed 004's 73 projects
as the project pool, and one account per role so that every page can be tried.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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


def load_projects(engine: Engine, *, files: Path, seed: int, as_of: dt.date) -> dict[str, Any]:
    """Seed 004's annex of 73 projects as the demo's project pool, then the units' progress
    report as of `as_of` (written into `files` and imported the normal way)."""
    from industry_brain.demo.project_progress import write_progress
    from industry_brain.projects.importer import import_projects, parse_file
    from industry_brain.projects.seed import load_seed_projects, seed_data_path

    report = files / f"项目进度_{as_of:%Y%m%d}.xlsx"
    write_progress(parse_file(seed_data_path()), report, seed=seed, as_of=as_of)
    with transaction(engine) as session:
        summary = load_seed_projects(session)
        load = import_projects(session, path=report, user="demo")
    return {"projects": int(summary.inserted + summary.updated), "progress_report": str(report),
            "milestones": load.milestones}


DEMO_UNIT = "区经信局"  # the department account's unit: the one the seeds name most often


def demo_accounts(engine: Engine, *, year: int) -> list[dict[str, Any]]:
    """One account per role. The town account covers the township with the most enterprises;
    the enterprise account is that township's largest above-scale enterprise of `year`."""
    from sqlalchemy import func, select

    from industry_brain.core.auth import create_demo_accounts
    from industry_brain.enterprises.models import Enterprise
    from industry_brain.ingest.models import ImportBatch, Record

    with transaction(engine) as session:
        township = session.execute(
            select(Enterprise.township_code, func.count())
            .where(Enterprise.township_code.is_not(None))
            .group_by(Enterprise.township_code)
            .order_by(func.count().desc(), Enterprise.township_code)
        ).first()
        assert township is not None and township[0] is not None, "the demo district has no townships"
        largest = session.scalar(
            select(Record.credit_code)
            .join(ImportBatch, ImportBatch.id == Record.batch_id)
            .join(Enterprise, Enterprise.credit_code == Record.credit_code)
            .where(
                ImportBatch.source == "stats",
                ImportBatch.status == "active",
                Record.period == str(year),
                Enterprise.township_code == township[0],
                Record.output_wan.is_not(None),
            )
            .order_by(Record.output_wan.desc(), Record.credit_code)
            .limit(1)
        )
        assert largest is not None, "the demo district has no enterprise with output"
        return create_demo_accounts(session, township_code=township[0], credit_code=largest, unit=DEMO_UNIT)
