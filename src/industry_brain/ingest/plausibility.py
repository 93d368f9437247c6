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
    # One to twelve distinct periods in millions of rows: map those, not every row.
    previous = {p: _previous(p) for p in accepted["period"].drop_nulls().unique().to_list()}
    current = accepted.with_columns(
        pl.col("period").replace_strict(previous, return_dtype=pl.String).alias("prev")
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
        # typed: a column the earlier file left empty (a 快报 of 累计 only) is no number to divide
        schema={**{c: pl.String for c in [*key, "prev"]}, **{q: pl.Float64 for q in quantities}},
        orient="row",
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
        # several sheets: a row number is only a place together with its sheet
        sheet = pl.col("sheet") if "sheet" in odd.columns else pl.lit(None, dtype=pl.String)
        for row, value, old, prev, in_sheet in odd.select(
            ROW, name, f"{name}_prev", "prev", sheet.alias("sheet")
        ).iter_rows():
            out.append(
                {
                    "row": row,
                    "sheet": in_sheet,
                    "column": header,
                    "value": f"{value:g}",
                    "message": f"{header} {value:g} 与上年同期（{prev}）的 {old:g} 相差 {k:g} 倍以上，请核实",
                }
            )
    return out


def unmapped_accounts(session: Session, *, accepted: pl.DataFrame) -> list[dict[str, object]]:
    """Power readings whose 户号 no account map names (yet): they reach no enterprise's figures
    until a map naming them is imported, so say so instead of letting them vanish."""
    if "account_no" not in accepted.columns or "electricity_wan_kwh" not in accepted.columns:
        return []
    own = accepted["credit_code"] if "credit_code" in accepted.columns else None
    orphans = accepted if own is None else accepted.filter(pl.col("credit_code").is_null())
    if orphans.is_empty():
        return []
    mapped = set(
        session.scalars(
            select(Record.account_no)
            .join(ImportBatch, ImportBatch.id == Record.batch_id)
            .where(ImportBatch.template == "power_accounts", ImportBatch.status == "active")
        ).all()
    )
    missing = orphans.filter(~pl.col("account_no").is_in(list(mapped)))
    if "sheet" not in missing.columns:
        missing = missing.with_columns(pl.lit(None, dtype=pl.String).alias("sheet"))
    # the account's first row, in sheet order when the file had several sheets
    by_account = (
        missing.sort("sheet", ROW, nulls_last=True, maintain_order=True)
        .group_by("account_no", maintain_order=True)
        .agg(pl.col("sheet").first(), pl.col(ROW).first(), pl.len())
    )
    return [
        {
            "row": row,
            "sheet": sheet,
            "column": "户号",
            "value": account,
            "message": f"户号 {account} 尚无对应企业（{n} 条读数）；导入用电户号对应关系后计入",
        }
        for account, sheet, row, n in by_account.select("account_no", "sheet", ROW, "len").iter_rows()
    ]
