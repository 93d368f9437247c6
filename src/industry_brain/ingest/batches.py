"""Reading import batches and their rejects (for listing, review and sending back)."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.ingest.models import ImportBatch, Reject

REASON_COLUMN = "错误原因"
ROW_COLUMN = "原行号"


def list_batches(session: Session, *, source: str | None = None) -> list[dict[str, Any]]:
    stmt = select(ImportBatch).order_by(ImportBatch.id)
    if source:
        stmt = stmt.where(ImportBatch.source == source)
    return [
        {
            "batch_id": b.id,
            "source": b.source,
            "template": b.template,
            "period": b.period,
            "status": b.status,
            "superseded_by": b.superseded_by,
            "supplement": bool(b.supplement),
            "file": b.file_name,
            "sha256": b.file_sha256,
            "rows_read": b.rows_read,
            "rows_accepted": b.rows_accepted,
            "rows_rejected": b.rows_rejected,
            "rows_skipped": b.rows_skipped,
            "warnings": b.warnings,
            "imported_at": b.imported_at,
            "imported_by": b.imported_by,
        }
        for b in session.scalars(stmt)
    ]


def get_batch(session: Session, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise IndustryBrainError(f"批次 {batch_id} 不存在")
    return batch


def rejects_table(session: Session, *, batch_id: int) -> tuple[pl.DataFrame, str]:
    """The rejected rows as the department sent them, in the file's own column order, with the
    row number and every reason. Fixed and sent back, it imports with --supplement."""
    batch = get_batch(session, batch_id)
    headers = [c["header"] for c in json.loads(batch.columns)]
    rejects = session.scalars(
        select(Reject).where(Reject.batch_id == batch_id).order_by(Reject.row, Reject.id)
    ).all()
    rows: dict[tuple[str | None, int], dict[str, Any]] = {}
    for r in rejects:  # a row is a sheet and a row number: a batch may read several sheets
        entry = rows.setdefault((r.sheet, r.row), {ROW_COLUMN: r.row, **json.loads(r.raw), REASON_COLUMN: []})
        where = f"{r.column}：" if r.column else ""
        entry[REASON_COLUMN].append(where + r.reason)
    columns = [ROW_COLUMN, *headers, REASON_COLUMN]
    data = [
        {c: ("；".join(e[c]) if c == REASON_COLUMN else e.get(c)) for c in columns} for e in rows.values()
    ]
    schema = {c: (pl.Int64 if c == ROW_COLUMN else pl.String) for c in columns}
    title = (
        f"退回修改：批次 {batch.id}（{batch.source}，期间 {batch.period or '-'}，文件 {batch.file_name}）"
        f"共 {len(rows)} 行未通过校验；修改后用 --supplement 重新导入"
    )
    return pl.DataFrame(data, schema=schema, orient="row"), title
