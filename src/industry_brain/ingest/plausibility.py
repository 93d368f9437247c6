"""Warnings that keep a row but flag it: a figure far from the same period last year."""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.settings import Settings
from industry_brain.ingest.models import ImportBatch, Record
from industry_brain.ingest.templates import FIELD_BY_NAME, Kind, Template
from industry_brain.ingest.validate import ROW


def _previous(period: str) -> str:
    """Same period one year earlier: 2024 -> 2023, 2024-02 -> 2023-02."""
    return f"{int(period[:4]) - 1:04d}{period[4:]}"


def plausibility_warnings(
    session: Session,
    *,
    batch: ImportBatch,
    accepted: pl.DataFrame,
    template: Template,
    settings: Settings,
) -> list[dict[str, object]]:
    quantities = [
        n for n in accepted.columns if n in FIELD_BY_NAME and FIELD_BY_NAME[n].kind is Kind.quantity
    ]
    key = [k for k in template.key if k in accepted.columns]
    if not quantities or not key or accepted.is_empty() or not batch.period:
        return []
    current = accepted.with_columns(
        pl.col("period").map_elements(_previous, return_dtype=pl.String).alias("prev")
    )
    prev_periods = current["prev"].unique().to_list()
    columns = [getattr(Record, c) for c in [*key, "period", *quantities]]
    stmt = (
        select(*columns)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.source == batch.source,
            ImportBatch.template == template.name,
            ImportBatch.status == "active",
            Record.period.in_(prev_periods),
        )
    )
    before = pl.DataFrame(
        session.execute(stmt).all(),
        schema=[*key, "prev", *quantities],
        orient="row",
        infer_schema_length=None,
    )
    if before.is_empty():
        return []
    joined = current.join(before, on=[*key, "prev"], how="inner", suffix="_prev")
    out: list[dict[str, object]] = []
    k = settings.plausibility_factor
    for name in quantities:
        now, then = pl.col(name), pl.col(f"{name}_prev")
        odd = joined.filter(
            (then.abs() > 0) & (now.abs() > 0) & (((now / then).abs() >= k) | ((now / then).abs() <= 1 / k))
        )
        header = FIELD_BY_NAME[name].header
        for row, value, old, prev in odd.select(ROW, name, f"{name}_prev", "prev").iter_rows():
            out.append(
                {
                    "row": row,
                    "column": header,
                    "value": f"{value:g}",
                    "message": f"{header} {value:g} 与上年同期（{prev}）的 {old:g} 相差 {k:g} 倍以上，请核实",
                }
            )
    return out
