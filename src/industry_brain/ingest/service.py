"""Importing a departmental file: the one service behind the CLI, the API and the demo.

The whole import happens in the caller's transaction: the service flushes, the boundary commits.
A file that cannot be read raises FileRejected before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core import bulk
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.settings import Settings
from industry_brain.enterprises.service import update_master
from industry_brain.ingest.cumulative import check_cumulative
from industry_brain.ingest.header import Layout
from industry_brain.ingest.models import ImportBatch, Reject
from industry_brain.ingest.months import merge_plans, merge_results, split_months
from industry_brain.ingest.plausibility import plausibility_warnings, unmapped_accounts
from industry_brain.ingest.schemas import ImportResult, RejectOut
from industry_brain.ingest.sheets import Found, read_and_check
from industry_brain.ingest.supersede import (
    MODES,
    ConfirmationNeeded,
    Mode,
    Plan,
    active_batches,
    compare,
    decide,
    restore_batch,
    restored_records,
)
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


def preview_import(
    session: Session,
    *,
    path: Path,
    source: str,
    settings: Settings,
    period: str | None = None,
    mode: Mode = "auto",
    sheet: str | None = None,
) -> Plan:
    """What importing the file would do, without writing anything (the dry run)."""
    check_arguments(source, period)
    found = _read(session, Path(path), source, settings, period, sheet)
    plans = [
        _plan(session, Path(path), part, settings, mode, confirmed=False) for part in split_months(found)
    ]
    return plans[0] if len(plans) == 1 else merge_plans(plans, found.parsed.period)


def _read(
    session: Session, path: Path, source: str, settings: Settings, period: str | None, sheet: str | None
) -> Found:
    """The file read and every row checked (sheets.py), then the 累计 checks that need the
    months already imported (cumulative.py); nothing is written."""
    found = read_and_check(path, source=source, settings=settings, period=period, sheet=sheet)
    found.parsed = check_cumulative(session, found.layout, found.parsed)
    return found


def _plan(
    session: Session, path: Path, found: Found, settings: Settings, mode: Mode, confirmed: bool
) -> Plan:
    layout, parsed = found.layout, found.parsed
    template = layout.template
    plan = Plan(
        action="new",
        source=template.source,
        template=template.name,
        period=parsed.period,
        file=path.name,
        rows_read=parsed.rows_read,
        rows_accepted=parsed.accepted.height,
        rows_rejected=parsed.rows_rejected,
    )
    if mode not in MODES:
        raise ConfigurationError(f"未知的导入方式“{mode}”；可用：{', '.join(MODES)}")
    sha = file_sha256(path)
    same = _active_identical(session, template.source, template.name, parsed.period, sha, found.sheet_label)
    active = active_batches(session, source=template.source, template=template.name, period=parsed.period)
    active = [b for b in active if same is None or b.id != same.id]
    if same is not None and not (mode == "replace" and active):
        plan.action = "unchanged"
        return plan
    plan.active_batches = [b.id for b in active]
    added, changed, removed, kept, before = compare(
        session, template=template, accepted=parsed.accepted, batches=active
    )
    plan.added, plan.changed, plan.removed, plan.unchanged_count = added, changed, removed, kept
    plan.enterprises_before, plan.enterprises_in_file = before, len(added) + len(changed) + kept
    if parsed.accepted.is_empty() and mode != "supplement":
        plan.action, plan.removed = ("keep" if active else "new"), []
    elif active:
        plan.action = "replace"
    return decide(plan, mode=mode, max_loss_share=settings.supersede_max_loss_share, confirmed=confirmed)


def import_file(
    session: Session,
    *,
    path: Path,
    source: str,
    settings: Settings,
    period: str | None = None,
    supplement: bool = False,
    mode: Mode = "auto",
    confirmed: bool = False,
    user: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Import one file of `source`; see docs/importing.md for every rule. `mode` "auto" replaces
    the active batch of the period unless that would empty most of it (then it supplements);
    ConfirmationNeeded when it would take figures away and `confirmed` is not set."""
    check_arguments(source, period)
    path = Path(path)
    found = _read(session, path, source, settings, period, sheet)
    sha = file_sha256(path)
    chosen: Mode = "supplement" if supplement else mode
    parts = split_months(found)
    if len(parts) == 1:
        return _import_found(session, path, sha, parts[0], settings, chosen, confirmed, user)
    # A file of several months: a batch per month (ingest/months.py), none written unless
    # every month may be.
    plans = [_plan(session, path, part, settings, chosen, confirmed) for part in parts]
    if any(p.needs_confirmation for p in plans):
        raise ConfirmationNeeded(merge_plans(plans, found.parsed.period))
    # Accounts no map names are a note on the file, once, with its first month; the master
    # record is updated once from the whole file (the months name the same enterprises).
    unmapped = unmapped_accounts(session, accepted=found.parsed.accepted)
    results = [
        _import_found(
            session, path, sha, part, settings, chosen, confirmed, user,
            _Month(unmapped if i == 0 else [], plan),
        )
        for i, (part, plan) in enumerate(zip(parts, plans, strict=True))
    ]  # fmt: skip
    first = next((r for r in results if not r.unchanged), None)
    if first is not None:
        update_master(session, source=source, batch_id=first.batch_id, accepted=found.parsed.accepted)
    return merge_results(results, found.parsed.period)


@dataclass(frozen=True)
class _Month:
    """One month of a file of several months: the file's unmapped-account notes (worked out
    once for all its months) and the month's plan (worked out before anything was written)."""

    unmapped: list[dict[str, object]]
    plan: Plan


def _import_found(
    session: Session,
    path: Path,
    sha: str,
    found: Found,
    settings: Settings,
    mode: Mode,
    confirmed: bool,
    user: str | None,
    month: _Month | None = None,
) -> ImportResult:
    """One batch: the file, or one month of a file of several months."""
    layout, parsed = found.layout, found.parsed
    source = layout.template.source
    same = _active_identical(session, source, layout.template.name, parsed.period, sha, found.sheet_label)
    if same is not None:
        return _identical(session, same, mode)
    plan = _plan(session, path, found, settings, mode, confirmed) if month is None else month.plan
    if plan.needs_confirmation:
        raise ConfirmationNeeded(plan)
    # A file with nothing acceptable must not wipe out good data: it is kept (with its rejects
    # to send back) beside the active batch instead of replacing it.
    keep_old = plan.action == "keep"
    supplements = plan.action in ("supplement", "keep") or parsed.accepted.is_empty()
    batch = _new_batch(session, path, sha, source, layout, parsed, user, supplements)
    batch.sheet = found.sheet_label
    superseded = _supersede(session, batch) if plan.action == "replace" else []
    _store(session, batch, parsed)
    if keep_old:
        parsed.warnings.append(
            {
                "row": None,
                "column": None,
                "value": None,
                "message": "文件没有可接收的行，未替代同期已导入的批次",
            }
        )
    elif plan.action == "supplement" and plan.reason and mode == "auto":
        parsed.warnings.append({"row": None, "column": None, "value": None, "message": plan.reason})
    warnings = (
        parsed.warnings
        + (unmapped_accounts(session, accepted=parsed.accepted) if month is None else month.unmapped)
        + plausibility_warnings(
            session, batch=batch, accepted=parsed.accepted, template=layout.template, settings=settings
        )
    )
    bulk.insert_dicts(session, "batch_warning", [{"batch_id": batch.id, **w} for w in warnings])
    batch.warnings = len(warnings)
    if month is None:
        update_master(session, source=batch.source, batch_id=batch.id, accepted=parsed.accepted)
    session.flush()
    result = _result(session, batch)
    result.superseded = superseded
    result.action = plan.action
    result.note = plan.reason
    return result


def _identical(session: Session, same: ImportBatch, mode: Mode) -> ImportResult:
    """The same file again changes nothing, unless it was taken as a supplement and now is
    said to replace the batch: then it supersedes the batches beside it."""
    others = _supersede(session, same) if mode == "replace" else []
    if not others:
        return _result(session, same, unchanged=True)
    same.supplement = 0
    session.flush()
    result = _result(session, same)
    result.superseded, result.action = others, "replace"
    return result


def restore(session: Session, *, batch_id: int) -> dict[str, Any]:
    """Puts a superseded batch back (ingest/supersede.py) and gives the master record the
    restored rows' attributes again."""
    outcome = restore_batch(session, batch_id=batch_id)
    for restored in outcome["restored"]:
        records = restored_records(session, batch_id=restored)
        update_master(session, source=outcome["source"], batch_id=restored, accepted=records)
    session.flush()
    return outcome


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
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for old in older:
        old.status = "superseded"
        old.superseded_by = batch.id
        old.superseded_at = now
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
        action="unchanged" if unchanged else "new",
    )
