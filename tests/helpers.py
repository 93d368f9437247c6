"""Writing departmental files for tests, as departments' tools write them."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import Engine, func, select

from industry_brain.core.db import transaction
from industry_brain.core.settings import Settings
from industry_brain.ingest.models import BatchWarning, ImportBatch, Record, Reject
from industry_brain.ingest.schemas import ImportResult
from industry_brain.ingest.service import import_file
from industry_brain.reference.credit_code import complete, org_check_character

Row = Sequence[Any]


def code(n: int, area: str = "330213") -> str:
    """The n-th valid test credit code (91 = enterprise; body digits from n)."""
    body8 = f"{n:08d}"
    return complete(f"91{area}{body8}{org_check_character(body8)}")


def write_xlsx(
    path: Path, rows: Sequence[Row], *, titles: Sequence[str] = (), merge_title: bool = True
) -> Path:
    with xlsxwriter.Workbook(str(path)) as book:
        ws = book.add_worksheet("数据")
        width = max(len(r) for r in rows)
        for i, t in enumerate(titles):
            if merge_title and width > 1:
                ws.merge_range(i, 0, i, width - 1, t)
            else:
                ws.write(i, 0, t)
        for i, r in enumerate(rows, start=len(titles)):
            for j, v in enumerate(r):
                if isinstance(v, dt.date):
                    ws.write_datetime(
                        i,
                        j,
                        dt.datetime(v.year, v.month, v.day),
                        book.add_format({"num_format": "yyyy-mm-dd"}),
                    )
                elif v is not None:
                    ws.write(i, j, v)
    return path


def write_csv(
    path: Path, rows: Sequence[Row], *, encoding: str = "utf-8", titles: Sequence[str] = ()
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        for t in titles:
            writer.writerow([t])
        for r in rows:
            writer.writerow(["" if v is None else v for v in r])
    return path


def run_import(
    engine: Engine, settings: Settings, path: Path, source: str, period: str | None = None, **kw: Any
) -> ImportResult:
    with transaction(engine) as session:
        return import_file(session, path=path, source=source, period=period, settings=settings, **kw)


def counts(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (ImportBatch, Record, Reject, BatchWarning)
        }
