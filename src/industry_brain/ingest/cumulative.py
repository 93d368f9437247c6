"""本年累计 checks of the monthly reports (stats-monthly, tax-monthly).

A 累计 runs from January to the report's month, so it never goes down within a year: a row
whose 累计 is below the enterprise's previous month's (in the same file, or else in the active
batch of that month) is a reject naming the column, both figures and where the earlier one
came from. January starts the year again. The month a file gives only as 累计 is derived when
read (monitoring/panel.py `derive_months`), so a corrected earlier month changes it too.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.ingest.header import Layout
from industry_brain.ingest.models import ImportBatch, Record
from industry_brain.ingest.templates import CUMULATIVE_PAIRS, FIELD_BY_NAME
from industry_brain.ingest.validate import ROW, Parsed

# Rounding of a department's figures: a 累计 lower by less than this (万元) is the same figure.
TOLERANCE_WAN = 0.005


def previous_month(period: str) -> str | None:
    """'2024-03' -> '2024-02'; January has none (the 累计 starts again)."""
    year, month = int(period[:4]), int(period[5:7])
    return None if month == 1 else f"{year:04d}-{month - 1:02d}"


def _stored(
    session: Session, source: str, codes: list[str], periods: list[str], ytd: list[str]
) -> pl.DataFrame:
    """The active batches' 累计 of these enterprises and months (the newest batch per pair)."""
    schema: dict[str, Any] = {"credit_code": pl.String, "period": pl.String, "batch_id": pl.Int64}
    schema |= {c: pl.Float64 for c in ytd}
    if not codes or not periods:
        return pl.DataFrame(schema=schema)
    stmt = (
        select(Record.credit_code, Record.period, Record.batch_id, *[getattr(Record, c) for c in ytd])
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.source == source,
            ImportBatch.status == "active",
            Record.period.in_(periods),
            Record.credit_code.in_(codes),
        )
    )
    frame = pl.DataFrame(session.execute(stmt).all(), schema=schema, orient="row")
    return frame.sort("batch_id").unique(["credit_code", "period"], keep="last")


def _previous(session: Session, source: str, accepted: pl.DataFrame, ytd: list[str]) -> pl.DataFrame:
    """Each row with its previous month's 累计 (`prev_<col>`) and where it came from."""
    rows = accepted.with_columns(
        pl.col("period").map_elements(previous_month, return_dtype=pl.String).alias("__prev")
    )
    in_file = rows.select(
        "credit_code",
        pl.col("period").alias("__prev"),
        *[pl.col(c).alias(f"prev_{c}") for c in ytd],
        pl.col(ROW).alias("__prev_row"),
    ).unique(["credit_code", "__prev"], keep="first")
    rows = rows.join(in_file, on=["credit_code", "__prev"], how="left")
    missing = rows.filter(pl.col("__prev").is_not_null() & pl.col("__prev_row").is_null())
    stored = _stored(
        session,
        source,
        missing["credit_code"].unique().to_list(),
        missing["__prev"].unique().to_list(),
        ytd,
    ).select(
        "credit_code",
        pl.col("period").alias("__prev"),
        pl.col("batch_id").alias("__prev_batch"),
        *[pl.col(c).alias(f"db_{c}") for c in ytd],
    )
    rows = rows.join(stored, on=["credit_code", "__prev"], how="left")
    return rows.with_columns(
        [
            pl.coalesce(f"prev_{c}", pl.when(pl.col("__prev_row").is_null()).then(pl.col(f"db_{c}"))).alias(
                f"prev_{c}"
            )
            for c in ytd
        ]
    )


def check_cumulative(session: Session, layout: Layout, parsed: Parsed) -> Parsed:
    """The rows whose 累计 went down moved from `parsed.accepted` to its rejects."""
    pairs = CUMULATIVE_PAIRS.get(layout.template.name)
    accepted = parsed.accepted
    if not pairs or accepted.is_empty() or "credit_code" not in accepted.columns:
        return parsed
    ytd = [y for _, y in pairs if y in accepted.columns]
    if not ytd:
        return parsed
    rows = _previous(session, layout.template.source, accepted, ytd)
    columns = layout.by_field()
    rejects: list[dict[str, object]] = []
    bad_rows: set[tuple[Any, int]] = set()
    for c in ytd:
        down = rows.filter(pl.col(c) < pl.col(f"prev_{c}") - TOLERANCE_WAN)
        for r in down.iter_rows(named=True):
            rejects.append(_reject(r, c, columns, layout))
            bad_rows.add((r.get("sheet"), r[ROW]))
    if not rejects:
        return parsed
    keep = [(s, n) not in bad_rows for s, n in zip(_sheets(accepted), accepted[ROW].to_list(), strict=True)]
    parsed.accepted = accepted.filter(pl.Series(keep))
    parsed.rejects = parsed.rejects + rejects
    return parsed


def _sheets(frame: pl.DataFrame) -> list[Any]:
    return frame["sheet"].to_list() if "sheet" in frame.columns else [None] * frame.height


def _reject(row: dict[str, Any], ytd: str, columns: dict[str, Any], layout: Layout) -> dict[str, object]:
    column = columns[ytd]
    shown = row[ytd] / column.factor
    if row["__prev_row"] is not None:
        where = f"本文件第 {row['__prev_row']} 行"
    else:
        where = f"已导入批次 {row['__prev_batch']}"
    label = FIELD_BY_NAME[ytd].header
    reason = (
        f"{label} {row[ytd]:g} 万元小于上月（{row['__prev']}，{where}）的 {row[f'prev_{ytd}']:g} 万元："
        "本年累计不应减少，请核对本月或上月的累计数"
    )
    raw = {c.header: _shown(row.get(c.field), c.factor) for c in layout.columns if c.field and c.header}
    if "month" in columns:
        raw[columns["month"].header] = row["period"]
    out: dict[str, object] = {
        "row": row[ROW],
        "column": column.header,
        "value": f"{shown:g}",
        "reason": reason,
        "raw": json.dumps({k: v for k, v in raw.items() if v is not None}, ensure_ascii=False),
    }
    if "sheet" in row:
        out["sheet"] = row["sheet"]
    return out


def _shown(value: Any, factor: float) -> Any:
    """A canonical figure back in the file's unit (the row as the department sent it)."""
    if isinstance(value, float) and factor not in (0, 1.0):
        return round(value / factor, 6)
    return value
