"""Facts for the evaluation: reading a facts file (csv, xlsx, parquet) into the canonical typed
table, with errors that name the file, row and column, and handing it to an Ibis backend."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from industry_brain.core.errors import FileRejected
from industry_brain.enterprises.facts import FACT_COLUMNS
from industry_brain.reference.credit_code import is_valid

TEXT = ("credit_code", "name", "industry_code", "established")
INTEGER = ("year", "above_scale", "safety_accident", "env_violation")
FLAGS = ("above_scale", "safety_accident", "env_violation")
SCHEMA: pl.Schema = pl.Schema({
    c: (pl.String() if c in TEXT else pl.Int64() if c in INTEGER else pl.Float64()) for c in FACT_COLUMNS
})


def arrow_schema() -> pa.Schema:
    return pl.DataFrame(schema=SCHEMA).to_arrow().schema


def read_facts(path: Path) -> pl.DataFrame:
    """A facts file as the typed frame; refuses it with the first bad cell named."""
    name = path.name
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            raw = pl.read_parquet(path)
            raw = raw.with_columns(pl.all().cast(pl.String))
        elif suffix == ".csv":
            raw = pl.read_csv(path, infer_schema=False)
        elif suffix in (".xlsx", ".xls"):
            raw = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        else:
            raise FileRejected(name, f"不支持的事实表格式 {suffix}：请用 .csv、.xlsx 或 .parquet")
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(name, f"无法读取事实表：{exc}") from exc
    return conform(raw, name)


def conform(raw: pl.DataFrame, name: str, first_row: int = 2) -> pl.DataFrame:
    """Check and type a frame in the facts format; `first_row` is the file row of row 0."""
    missing = [c for c in FACT_COLUMNS if c not in raw.columns]
    if missing:
        raise FileRejected(name, f"缺少列：{', '.join(missing)}（事实表格式见 docs/data-model.md）")
    frame = raw.select(FACT_COLUMNS).with_columns(
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in FACT_COLUMNS
    )
    typed = frame.with_columns(
        pl.col(c).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
        if c in INTEGER
        else pl.col(c).cast(pl.Float64, strict=False)
        if c not in TEXT
        else pl.col(c)
        for c in FACT_COLUMNS
    )
    typed = typed.with_columns(
        pl.col("industry_code").str.replace(r"\.0+$", "").str.zfill(4), pl.col("established").str.slice(0, 10)
    )
    for c in FACT_COLUMNS:
        if c in TEXT:
            continue
        bad = frame.with_row_index().filter(pl.col(c).is_not_null() & typed[c].is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise FileRejected(name, f"第 {row['index'] + first_row} 行 {c} 列：“{row[c]}”不是数字")
    _check_rows(typed, name, first_row)
    return typed


def _check_rows(typed: pl.DataFrame, name: str, first_row: int) -> None:
    indexed = typed.with_row_index()
    checks: list[tuple[pl.Expr, str, str]] = [
        (pl.col("credit_code").is_null(), "credit_code", "缺少统一社会信用代码"),
        (pl.col("year").is_null(), "year", "缺少年份"),
        *[(~pl.col(f).is_in([0, 1]) & pl.col(f).is_not_null(), f, "应为 1 或 0") for f in FLAGS],
        *[
            (pl.col(c) < 0, c, "不能为负数")
            for c in ("land_mu", "rented_mu", "energy_tce", "emission_t", "employees", "electricity_wan_kwh")
        ],
    ]
    for expr, column, reason in checks:
        bad = indexed.filter(expr)
        if bad.height:
            row = bad.row(0, named=True)
            raise FileRejected(
                name, f"第 {row['index'] + first_row} 行 {column} 列：{reason}（值 {row[column]!r}）"
            )
    codes = indexed.filter(
        pl.col("credit_code").map_elements(lambda c: not is_valid(c), return_dtype=pl.Boolean)
    )
    if codes.height:
        row = codes.row(0, named=True)
        raise FileRejected(
            name,
            f"第 {row['index'] + first_row} 行 credit_code 列：“{row['credit_code']}”"
            "不是有效的统一社会信用代码",
        )
    dup = indexed.filter(pl.len().over("credit_code", "year") > 1)
    if dup.height:
        row = dup.row(0, named=True)
        raise FileRejected(
            name, f"第 {row['index'] + first_row} 行：{row['credit_code']} 在 {row['year']} 年出现多次"
        )


def to_backend(frame: pl.DataFrame, con: Any, table: str | None = None) -> Any:
    """Register the facts with an Ibis backend as a table and return it."""
    name = table or f"facts_{uuid.uuid4().hex[:8]}"
    arrow = frame.select(FACT_COLUMNS).cast(SCHEMA).to_arrow()
    return con.create_table(name, arrow, overwrite=True)
