"""Facts for the evaluation: reading a facts file (csv, xlsx, parquet) into the canonical typed
table, with errors that name the file, row and column, and handing it to an Ibis backend."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from industry_brain.core.errors import FileRejected
from industry_brain.ingest.facts import FACT_COLUMNS
from industry_brain.ingest.parse import industry, parse_date
from industry_brain.reference.credit_code import is_valid

TEXT = ("credit_code", "name", "industry_code", "established")
INTEGER = ("year", "above_scale", "safety_accident", "env_violation")
FLAGS = ("above_scale", "safety_accident", "env_violation")
SCHEMA: pl.Schema = pl.Schema(
    {c: (pl.String() if c in TEXT else pl.Int64() if c in INTEGER else pl.Float64()) for c in FACT_COLUMNS}
)


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
    for c in FACT_COLUMNS:
        if c in TEXT:
            continue
        bad = frame.with_row_index().filter(pl.col(c).is_not_null() & typed[c].is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise FileRejected(name, f"第 {row['index'] + first_row} 行 {c} 列：“{row[c]}”不是数字")
    # The industry code as the importer reads it (a 4-digit GB/T 4754 class: "C3311" and 3311.0
    # are 3311, a 3-digit number is padded only where that gives a class), and `established` as
    # ISO text, which the engine compares with the cut-off date as text.
    code, code_error = industry(pl.col("industry_code"))
    dates = {text: _iso_date(text) for text in typed["established"].drop_nulls().unique()}
    typed = typed.with_columns(
        code.alias("industry_code"),
        code_error.alias("_code_error"),
        pl.col("established")
        .replace_strict(dates, default=None, return_dtype=pl.String)
        .alias("_established"),
    )
    bad = typed.with_row_index().filter(pl.col("_code_error").is_not_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise FileRejected(name, f"第 {row['index'] + first_row} 行 industry_code 列：{row['_code_error']}")
    bad = typed.with_row_index().filter(
        pl.col("established").is_not_null() & pl.col("_established").is_null()
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise FileRejected(
            name, f"第 {row['index'] + first_row} 行 established 列：“{row['established']}”不是日期"
        )
    typed = typed.with_columns(pl.col("_established").alias("established")).select(FACT_COLUMNS)
    _check_rows(typed, name, first_row)
    return typed


def _iso_date(text: str) -> str | None:
    """A date cell as YYYY-MM-DD: every form parse_date reads (2019-03-01, 2019/3/1, 2019.3.1,
    2019年3月1日, 20190301, an Excel serial), with a time of day (even fractional seconds, as a
    timestamp column written as text has) ignored."""
    value = parse_date(re.sub(r"(\d:\d{2}:\d{2})\.\d+$", r"\1", text))
    return value.isoformat() if value else None


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


def facts_table_name() -> str:
    return f"facts_{uuid.uuid4().hex[:8]}"


def to_backend(frame: pl.DataFrame, con: Any, table: str | None = None) -> Any:
    """Register the facts with an Ibis backend and return the table.

    The facts are confidential, so they never outlive the connection in a server or on disk: on
    PostgreSQL a temporary table (private to the session, gone when it ends), on PySpark a
    temporary view (saveAsTable would write parquet under the warehouse directory). The caller
    still drops it (`drop_facts`) when done, whatever happens."""
    name = table or facts_table_name()
    arrow = frame.select(FACT_COLUMNS).cast(SCHEMA).to_arrow()
    if con.name == "pyspark":
        import ibis

        return con.create_view(name, ibis.memtable(arrow), overwrite=True)
    return con.create_table(name, arrow, overwrite=True, temp=con.name == "postgres")


def drop_facts(con: Any, table: str) -> None:
    """Drop what `to_backend` made, if it is there."""
    if con.name == "pyspark":
        con.drop_view(table, force=True)
    else:
        con.drop_table(table, force=True)
