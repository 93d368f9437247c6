"""Building the demo: generate the departments' files, import them the normal way, summarise.

This spans domains (demo data, ingest, enterprises), so it lives here, not inside one of them.
"""

from __future__ import annotations

import datetime as dt

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select

from industry_brain.core.db import transaction

from industry_brain.registry import open_database
from industry_brain.core.settings import get_settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.models import ImportBatch
from industry_brain.ingest.service import import_file

DB_NAME = "industry_brain.db"


def build_demo(
    *, directory: Path, seed: int = 2020, scale: float = 1.0, progress: Console | None = None
) -> dict[str, Any]:
    from industry_brain.demo.generator import generate

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    db_path = (directory / DB_NAME).resolve()
    for stale in (db_path, db_path.with_name(DB_NAME + "-wal"), db_path.with_name(DB_NAME + "-shm")):
        stale.unlink(missing_ok=True)  # the same seed must give the same district
    if progress is not None:
        progress.print("生成演示区企业与部门文件 …", highlight=False)
    district = generate(directory, seed=seed, scale=scale)
    settings = get_settings(database_url=f"sqlite:///{db_path}")
    engine = open_database(settings.database_url)
    files = []
    with Progress(console=progress, disable=progress is None, transient=True) as bar:
        task = bar.add_task("导入部门文件", total=len(district.files))
        for demo_file in district.files:
            with transaction(engine) as session:
                result = import_file(
                    session,
                    path=demo_file.path,
                    source=demo_file.source,
                    period=demo_file.period,
                    settings=settings,
                    user="demo",
                )
            files.append(
                {
                    **{k: v for k, v in result.to_json().items() if k != "rejects"},
                    "expected_rejects": demo_file.expected_rejects,
                }
            )
            bar.advance(task)
    platform = _stage_platform(
        engine, settings, year=max(district.years), progress=progress, files=directory / "files", seed=seed
    )
    with transaction(engine) as session:
        from industry_brain.plans.store import current_packs

        # the shipped plan packs, stored in the catalogue as `plans add` stores one
        plans = len(current_packs(session))
    with transaction(engine) as session:
        enterprises = session.scalar(select(func.count()).select_from(Enterprise)) or 0
        batches = session.scalar(select(func.count()).select_from(ImportBatch)) or 0
    engine.dispose()
    return {
        "database": settings.database_url,
        "directory": str(directory.resolve()),
        "seed": seed,
        "years": list(district.years),
        "enterprises": enterprises,
        "batches": batches,
        "plans": plans,
        "rows_accepted": sum(f["rows_accepted"] for f in files),
        "rejected_rows": sum(f["rows_rejected"] for f in files),
        "rows_skipped": sum(f["rows_skipped"] for f in files),
        "warnings": sum(f["warnings"] for f in files),
        "files": files,
        **platform,
    }


def _stage_platform(
    engine: Any, settings: Any, *, year: int, progress: Console | None, files: Path, seed: int
) -> dict[str, Any]:
    """The newest year evaluated and published, the seed's projects, 标准地 commitments reviewed
    against the newest year, one account per role."""
    from industry_brain.demo.commitments import load_commitments
    from industry_brain.demo.platform import demo_accounts, evaluate_and_publish, load_projects

    if progress is not None:
        progress.print(f"评价 {year} 年并公示，载入项目库与标准地承诺，创建演示账号 …", highlight=False)
    return {
        "evaluation": evaluate_and_publish(engine, settings, year=year),
        **load_projects(engine, files=files, seed=seed, as_of=dt.date.today()),
        **load_commitments(engine, settings, files=files, year=year),
        "accounts": demo_accounts(engine, year=year),
    }
