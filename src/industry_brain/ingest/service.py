"""Importing a departmental file: the one service behind the CLI, the API and the demo.

The whole import happens in the caller's transaction: the service flushes, the boundary commits.
A file that cannot be read raises FileRejected before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core import bulk
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.settings import Settings
from industry_brain.enterprises.service import update_master
from industry_brain.ingest.header import Layout
from industry_brain.ingest.models import ImportBatch, Reject
from industry_brain.ingest.plausibility import plausibility_warnings, unmapped_accounts
from industry_brain.ingest.schemas import ImportResult, RejectOut
from industry_brain.ingest.sheets import read_and_check
from industry_brain.ingest.templates import SOURCES
from industry_brain.ingest.validate import ROW, Parsed

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_arguments(source: str, period: str | None) -> None:
    if source not in SOURCES:
        raise ConfigurationError(f"未知的数据来源“{source}”；可用：{', '.join(SOURCES)}")
    if period is not None and not _PERIOD.match(period):
        raise ConfigurationError(f"期间“{period}”格式错误：应为 YYYY 或 YYYY-MM")


def import_file(
    session: Session,
    *,
    path: Path,
    source: str,
    settings: Settings,
    period: str | None = None,
    supplement: bool = False,
    user: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Import one file of `source`; see docs/importing.md for every rule."""
    check_arguments(source, period)
    path = Path(path)
    # Which sheets, their headers, and every row's checks (ingest/sheets.py); nothing is written.
    found = read_and_check(path, source=source, settings=settings, period=period, sheet=sheet)
    layout, parsed = found.layout, found.parsed
    sha = file_sha256(path)
    same = _active_identical(session, source, layout.template.name, parsed.period, sha, found.sheet_label)
    if same is not None:
        return _result(session, same, unchanged=True)
    # A file with nothing acceptable must not wipe out good data: it is kept (with its rejects
    # to send back) beside the active batch instead of replacing it.
    keep_old = parsed.accepted.is_empty() and not supplement
    batch = _new_batch(session, path, sha, source, layout, parsed, user, supplement or keep_old)
    batch.sheet = found.sheet_label
    superseded = [] if supplement or keep_old else _supersede(session, batch)
    _store(session, batch, parsed)
    if keep_old and _active_others(session, batch):
        parsed.warnings.append(
            {
                "row": None,
                "column": None,
                "value": None,
                "message": "文件没有可接收的行，未替代同期已导入的批次",
            }
        )
    warnings = (
        parsed.warnings
        + unmapped_accounts(session, accepted=parsed.accepted)
        + plausibility_warnings(
            session, batch=batch, accepted=parsed.accepted, template=layout.template, settings=settings
        )
    )
    bulk.insert_dicts(session, "batch_warning", [{"batch_id": batch.id, **w} for w in warnings])
    batch.warnings = len(warnings)
    update_master(session, source=batch.source, batch_id=batch.id, accepted=parsed.accepted)
    session.flush()
    result = _result(session, batch)
    result.superseded = superseded
    return result


def _active_identical(
    session: Session, source: str, template: str, period: str, sha: str, sheet: str | None
) -> ImportBatch | None:
    return session.scalars(
        select(ImportBatch).where(
            ImportBatch.source == source,
            ImportBatch.template == template,
            ImportBatch.period == period,
            ImportBatch.file_sha256 == sha,
            ImportBatch.sheet == sheet,  # the same workbook, another --sheet, is another file
            ImportBatch.status == "active",
        )
    ).first()


def _new_batch(
    session: Session,
    path: Path,
    sha: str,
    source: str,
    layout: Layout,
    parsed: Parsed,
    user: str | None,
    supplement: bool,
) -> ImportBatch:
    columns = [
        {"header": c.header, "field": c.field, "unit": c.unit, "factor": c.factor}
        for c in layout.columns
        if c.header
    ]
    batch = ImportBatch(
        source=source,
        template=layout.template.name,
        period=parsed.period,
        status="active",
        supplement=int(supplement),
        file_name=path.name,
        file_sha256=sha,
        file_bytes=path.stat().st_size,
        sheet=None,
        header_row=layout.header_row,
        columns=json.dumps(columns, ensure_ascii=False),
        rows_read=parsed.rows_read,
        rows_accepted=parsed.accepted.height,
        rows_rejected=parsed.rows_rejected,
        rows_skipped=parsed.rows_skipped,
        warnings=0,
        imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        imported_by=user,
    )
    session.add(batch)
    session.flush()
    return batch


def _active_others(session: Session, batch: ImportBatch) -> bool:
    return (
        session.scalars(
            select(ImportBatch.id).where(
                ImportBatch.source == batch.source,
                ImportBatch.template == batch.template,
                ImportBatch.period == batch.period,
                ImportBatch.status == "active",
                ImportBatch.id != batch.id,
            )
        ).first()
        is not None
    )


def _supersede(session: Session, batch: ImportBatch) -> list[int]:
    older = session.scalars(
        select(ImportBatch).where(
            ImportBatch.source == batch.source,
            ImportBatch.template == batch.template,
            ImportBatch.period == batch.period,
            ImportBatch.status == "active",
            ImportBatch.id != batch.id,
        )
    ).all()
    for old in older:
        old.status = "superseded"
        old.superseded_by = batch.id
    return [o.id for o in older]


def _store(session: Session, batch: ImportBatch, parsed: Parsed) -> None:
    records = parsed.accepted.rename({ROW: "row"}).with_columns(
        pl.lit(batch.id, dtype=pl.Int64).alias("batch_id")
    )
    bulk.insert_frame(session, "record", records)
    bulk.insert_dicts(session, "reject", [{"batch_id": batch.id, **r} for r in parsed.rejects])


def _result(session: Session, batch: ImportBatch, unchanged: bool = False) -> ImportResult:
    rejects = session.scalars(
        select(Reject).where(Reject.batch_id == batch.id).order_by(Reject.row, Reject.id)
    ).all()
    return ImportResult(
        batch_id=batch.id,
        source=batch.source,
        template=batch.template,
        period=batch.period,
        file=batch.file_name,
        rows_read=batch.rows_read,
        rows_accepted=batch.rows_accepted,
        rows_rejected=batch.rows_rejected,
        rows_skipped=batch.rows_skipped,
        rejects=[RejectOut(r.row, r.column, r.value, r.reason, r.sheet) for r in rejects],
        warnings=batch.warnings,
        unchanged=unchanged,
    )
