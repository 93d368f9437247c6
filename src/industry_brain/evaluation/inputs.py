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
from industry_brain.core.settings import Settings, get_settings
from industry_brain.ingest.facts import FACT_COLUMNS
from industry_brain.ingest.parse import industry, parse_date
from industry_brain.reference import credit_code_columns

TEXT = ("credit_code", "name", "industry_code", "established")
INTEGER = ("year", "above_scale", "safety_accident", "env_violation")
FLAGS = ("above_scale", "safety_accident", "env_violation")
SCHEMA: pl.Schema = pl.Schema(
    {c: (pl.String() if c in TEXT else pl.Int64() if c in INTEGER else pl.Float64()) for c in FACT_COLUMNS}
)


def arrow_schema() -> pa.Schema:
    return pl.DataFrame(schema=SCHEMA).to_arrow().schema


def read_facts(path: Path, *, settings: Settings | None = None) -> pl.DataFrame:
    """A facts file as the typed frame; refuses it with the first bad cell named."""
    return read_facts_file(path, settings=settings)[0]


def read_facts_file(path: Path, *, settings: Settings | None = None) -> tuple[pl.DataFrame, bool]:
    """A facts file as the typed frame, and whether the file itself holds exactly that frame
    (a Parquet file in the canonical schema whose cells conform changed nothing), so that an
    engine may read the file instead of the frame. A workbook is scanned and read under the
    read budget of `settings` (ingest/budget.py), as an import is."""
    name = path.name
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            # typed columns stay typed: conform casts a number column without a text round trip
            raw = pl.read_parquet(path)
        elif suffix == ".csv":
            raw = pl.read_csv(path, infer_schema=False)
        elif suffix in (".xlsx", ".xls"):
            from industry_brain.ingest.reader import read_first_sheet

            raw = read_first_sheet(path, settings or get_settings())
        else:
            raise FileRejected(name, f"不支持的事实表格式 {suffix}：请用 .csv、.xlsx 或 .parquet")
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(name, f"无法读取事实表：{exc}") from exc
    typed = conform(raw, name)
    _refuse_non_finite(typed, name)
    return typed, suffix == ".parquet" and _unchanged(raw, typed)


def _refuse_non_finite(typed: pl.DataFrame, name: str) -> None:
    """A facts file's NaN or inf (which the float cast reads as numbers) refuses the file, as the
    importer rejects them (core/figures.py): the engines would rank them."""
    for c, dtype in typed.schema.items():
        if dtype != pl.Float64:
            continue
        bad = typed.with_row_index().filter(~pl.col(c).is_finite().fill_null(True))
        if bad.height:
            row = bad.row(0, named=True)
            raise FileRejected(name, f"第 {row['index'] + 2} 行 {c} 列：“{row[c]}”不是有限的数字")


def _unchanged(raw: pl.DataFrame, typed: pl.DataFrame) -> bool:
    """True when `raw` has the canonical schema and conform changed none of its cells."""
    if any(raw.schema[c] != SCHEMA[c] for c in FACT_COLUMNS):
        return False
    exact = [c for c in FACT_COLUMNS if c in TEXT or c in INTEGER]
    return bool(
        raw.select(pl.col(c).eq_missing(typed[c]).all() for c in exact).row(0) == (True,) * len(exact)
    )


# Number types whose values a cast to Float64 keeps as their text would give them; a Float32
# is not one (its text "0.1" is not the Float64 of its value), nor is a Boolean (its text is
# "true", not a number).
_PLAIN = (pl.Float64, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def _number(raw: pl.DataFrame, c: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Column `c` as a number, whether its cell holds anything, and the cell as text."""
    text = pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
    plain = raw.schema[c] in _PLAIN
    value = (pl.col(c) if plain else text).cast(pl.Float64, strict=False)
    value = value.cast(pl.Int64, strict=False) if c in INTEGER else value
    return value, pl.col(c).is_not_null() if plain else text.is_not_null(), text


def conform(raw: pl.DataFrame, name: str, first_row: int = 2) -> pl.DataFrame:
    """Check and type a frame in the facts format; `first_row` is the file row of row 0."""
    missing = [c for c in FACT_COLUMNS if c not in raw.columns]
    if missing:
        raise FileRejected(name, f"缺少列：{', '.join(missing)}（事实表格式见 docs/data-model.md）")
    raw = raw.select(FACT_COLUMNS)
    numbers = {c: _number(raw, c) for c in FACT_COLUMNS if c not in TEXT}
    typed = raw.with_columns(
        numbers[c][0] if c in numbers else pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
        for c in FACT_COLUMNS
    )
    bad = _first_rows(
        raw.with_columns(typed[c].alias(f"_{c}") for c in numbers),
        [present & pl.col(f"_{c}").is_null() for c, (_, present, _text) in numbers.items()],
    )
    for (c, (_, _present, text)), at in zip(numbers.items(), bad, strict=True):
        if at is not None:
            cell = raw.slice(at, 1).select(text).item()
            raise FileRejected(name, f"第 {at + first_row} 行 {c} 列：“{cell}”不是数字")
    # The industry code as the importer reads it (a 4-digit GB/T 4754 class: "C3311" and 3311.0
    # are 3311, a 3-digit number is padded only where that gives a class), and `established` as
    # ISO text, which the engine compares with the cut-off date as text.
    typed = typed.with_columns(_by_distinct(typed["industry_code"], _industry_codes))
    dates = {text: _iso_date(text) for text in typed["established"].drop_nulls().unique()}
    typed = typed.with_columns(
        pl.col("established")
        .replace_strict(dates, default=None, return_dtype=pl.String)
        .alias("_established"),
    )
    code_at, date_at = _first_rows(
        typed,
        [
            pl.col("_code_error").is_not_null(),
            pl.col("established").is_not_null() & pl.col("_established").is_null(),
        ],
    )
    if code_at is not None:
        error = typed["_code_error"][code_at]
        raise FileRejected(name, f"第 {code_at + first_row} 行 industry_code 列：{error}")
    if date_at is not None:
        cell = typed["established"][date_at]
        raise FileRejected(name, f"第 {date_at + first_row} 行 established 列：“{cell}”不是日期")
    typed = typed.with_columns(pl.col("_established").alias("established")).select(FACT_COLUMNS)
    _check_rows(typed, name, first_row)
    return typed


def _industry_codes(cells: pl.DataFrame) -> pl.DataFrame:
    code, error = industry(pl.col("cell"))
    return cells.select("cell", code.alias("industry_code"), error.alias("_code_error"))


def _by_distinct(column: pl.Series, parse: Any) -> list[pl.Series]:
    """`parse` (a frame of distinct `cell`s -> the same frame with its result columns) applied to
    the distinct values of `column` and joined back: an industry column of 5M rows holds a few
    thousand codes."""
    cells = pl.DataFrame({"cell": column.unique()})
    parsed = parse(cells)
    joined = pl.DataFrame({"cell": column}).join(
        parsed, on="cell", how="left", maintain_order="left", nulls_equal=True
    )
    return [joined[c] for c in parsed.columns if c != "cell"]


def _iso_date(text: str) -> str | None:
    """A date cell as YYYY-MM-DD: every form parse_date reads (2019-03-01, 2019/3/1, 2019.3.1,
    2019年3月1日, 20190301, an Excel serial), with a time of day (even fractional seconds, as a
    timestamp column written as text has) ignored."""
    value = parse_date(re.sub(r"(\d:\d{2}:\d{2})\.\d+$", r"\1", text))
    return value.isoformat() if value else None


def _first_rows(frame: pl.DataFrame, conditions: list[pl.Expr]) -> list[int | None]:
    """The first row where each condition holds (None where none does), in one pass."""
    firsts = frame.select(c.arg_true().first().alias(f"c{i}") for i, c in enumerate(conditions))
    return list(firsts.row(0))


def _check_rows(typed: pl.DataFrame, name: str, first_row: int) -> None:
    """The row rules, each as a column expression; the first rule broken is reported, at its
    first row, as each rule would be if checked alone in this order."""
    negatives = ("land_mu", "rented_mu", "energy_tce", "emission_t", "employees", "electricity_wan_kwh")
    checks: list[tuple[pl.Expr, str, str]] = [
        (pl.col("credit_code").is_null(), "credit_code", "缺少统一社会信用代码"),
        (pl.col("year").is_null(), "year", "缺少年份"),
        *[(~pl.col(f).is_in([0, 1]) & pl.col(f).is_not_null(), f, "应为 1 或 0") for f in FLAGS],
        *[(pl.col(c) < 0, c, "不能为负数") for c in negatives],
    ]
    rules = [
        *[expr for expr, _, _ in checks],
        ~credit_code_columns.valid(pl.col("credit_code")),
        pl.len().over("credit_code", "year") > 1,
    ]
    found = _first_rows(typed, rules)
    for (_, column, reason), at in zip(checks, found, strict=False):
        if at is not None:
            value = typed[column][at]
            raise FileRejected(name, f"第 {at + first_row} 行 {column} 列：{reason}（值 {value!r}）")
    code_at, dup_at = found[len(checks) :]
    if code_at is not None:
        raise FileRejected(
            name,
            f"第 {code_at + first_row} 行 credit_code 列：“{typed['credit_code'][code_at]}”"
            "不是有效的统一社会信用代码",
        )
    if dup_at is not None:
        row = typed.row(dup_at, named=True)
        raise FileRejected(
            name, f"第 {dup_at + first_row} 行：{row['credit_code']} 在 {row['year']} 年出现多次"
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
