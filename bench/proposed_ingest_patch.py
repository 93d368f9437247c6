"""Proposed speed-ups of ingest/parse.py, ingest/validate.py, ingest/plausibility.py and
core/bulk.py (formerly ingest/store.py), applied
at run time so that they can be measured without editing src/:

    uv run python bench/bench_import.py --preload bench/proposed_ingest_patch.py
    uv run python bench/proposed_ingest_patch.py --pytest     # the test suite with them applied

Each change wraps or replaces one small function and gives the same results; the edit to make
in src/ is written beside it. Once the changes are made in src/, delete this file. Measured
effect: docs/benchmarks.md.
"""

from __future__ import annotations

import inspect
import io
import re
import sys
import textwrap
from typing import Any

import polars as pl

from industry_brain.ingest import parse, plausibility, service, validate

# --- 1. parse._map_unique: call fn once per distinct value, not once per cell -----------------
# (5M 月份 cells hold 12 distinct values: 45 s -> 0.3 s; dates and townships alike.)
# In src since b5f7553; kept here so that older checkouts measure the same.


def _map_unique(text: pl.Expr, fn: Any, dtype: pl.DataType) -> pl.Expr:
    def apply(s: pl.Series) -> pl.Series:
        keys = s.drop_nulls().unique()
        values = keys.map_elements(fn, return_dtype=dtype, skip_nulls=True)
        return s.replace_strict(keys, values, default=None, return_dtype=dtype)

    return text.map_batches(apply, return_dtype=dtype)


# --- 2. validate: the totals test and the parsers. Polars does not eliminate common
# sub-expressions through when/then/otherwise and coalesce (and eager with_columns/filter
# eliminate none), so an expression that reuses an intermediate text is evaluated as a tree that
# repeats it: clean() (a 95-pattern replace_many and a strip) and the regexes run many times a
# cell. The totals test cost ~16 s per million rows and ran twice (once per filter); the industry
# parser 4-7 s per million cells.
# In src, validate.py: `is_total = _is_total_or_footer(frame, layout)` returning the mask below
# (a Series; validate's two filters then use it as they use the expression now), and _typed as
# below, or parsers that materialise their intermediate text once.

_original_total = validate._is_total_or_footer
DISTINCT_MIN_ROWS = 10_000  # below this, parsing each cell costs less than finding the distinct ones
_original_typed = validate._typed


def _is_total_or_footer(frame: pl.DataFrame, layout: Any) -> pl.Series:
    """The same test, as a mask computed once, and only on the rows that can be totals or notes:
    those whose lead cells hold a mark's characters (with blanks or colons between, which the
    test removes). Other rows are not totals whatever else they hold."""
    from industry_brain.ingest.validate import FOOTER_MARKS, ROW, TOTAL_MARKS

    cells = [c for c in frame.columns if c != ROW]
    gap = r"[\s:：]*"
    marks = "|".join(gap.join(re.escape(ch) for ch in m) for m in (*TOTAL_MARKS, *FOOTER_MARKS))
    maybe = frame.select(
        pl.any_horizontal([pl.col(c).str.contains(marks).fill_null(False) for c in cells[:4]])
    ).to_series()
    mask = pl.Series("mask", [False] * frame.height, dtype=pl.Boolean)
    if maybe.any():
        some = frame.filter(maybe)
        found = some.lazy().select(_original_total(some, layout)).collect().to_series()
        mask = mask.scatter(maybe.arg_true(), found.fill_null(False))
    return mask


def _typed(frame: pl.DataFrame, layout: Any, county: str) -> pl.DataFrame:
    """_typed, with each field parsed once per distinct source value where a column repeats
    (行业代码 has ~600 values in 1M rows, 所属镇街 12, 月份 12, 是否规上 2) and joined back.

    Polars does not eliminate common sub-expressions through when/then/coalesce, so a parser
    whose intermediate text is used several times is expanded into a tree that repeats it: the
    industry parser costs 4-7 s a million rows, the number parser ~1.6 s a column. Parsers are
    row-wise functions of their source cells, so parsing the distinct cells gives the same
    values. Columns of mostly distinct values (codes, names, figures) are parsed as before, but
    lazily (which at least shares clean()). The result has the same columns in the same order.
    In src: the same in validate._typed, or better, parsers that materialise their intermediate
    text once (e.g. the industry parser as a function applied to the distinct values).
    """
    import dataclasses

    by_field = layout.by_field()
    year = by_field.get("year")
    out = frame
    wide: list[str] = []
    for name, column in by_field.items():
        roots = [f"c{column.index}"]
        if name == "month" and year is not None:
            roots.append(f"c{year.index}")
        fields = {name, "year"} if len(roots) > 1 else {name}
        if frame.height < DISTINCT_MIN_ROWS or frame.n_unique(subset=roots) > frame.height // 4:
            wide.append(name)
            continue
        sub = dataclasses.replace(layout, columns=[c for c in layout.columns if c.field in fields])
        keys = frame.select(roots).unique()
        table = _original_typed(keys.lazy(), sub, county).collect()  # type: ignore[arg-type, attr-defined]
        table = table.select(*roots, f"v_{name}", f"e_{name}")
        out = out.join(table, on=roots, how="left", nulls_equal=True, maintain_order="left")
    if wide:
        fields = set(wide) | ({"year"} if "month" in wide and year is not None else set())
        sub = dataclasses.replace(layout, columns=[c for c in layout.columns if c.field in fields])
        added = _original_typed(frame.lazy(), sub, county).collect()  # type: ignore[arg-type, attr-defined]
        out = out.with_columns(added.select([f"{p}_{n}" for n in wide for p in ("v", "e")]))
    order = [*frame.columns, *[f"{p}_{n}" for n in by_field for p in ("v", "e")]]
    return out.select(order)


# --- 3. validate._data_frame: the blank-row test without the full-width pass ------------------
# clean(x) is null exactly where x is null or blank once stripped: full-width forms are never
# blank, and polars' strip_chars() strips U+3000 like the space it becomes.
# In src since b5f7553; kept here so that older checkouts measure the same.


def _data_frame(grid: Any, layout: Any) -> pl.DataFrame:
    from industry_brain.ingest.validate import ROW

    start = layout.header_offset + 1
    body = grid.frame.slice(start)
    first = grid.first_row + start
    body = body.with_columns(pl.int_range(first, first + body.height, dtype=pl.Int64).alias(ROW))
    cells = [c for c in body.columns if c != ROW]
    blank = pl.all_horizontal([pl.col(c).str.strip_chars().replace("", None).is_null() for c in cells])
    return body.filter(~blank)


# --- 4. validate._code_errors: check each distinct code once ----------------------------------
# (5M power rows name 280k codes.) In src: replace _code_errors with this.


def _code_errors(frame: pl.DataFrame) -> pl.DataFrame:
    if "v_credit_code" not in frame.columns:
        return frame
    codes = frame["v_credit_code"].drop_nulls().unique().to_frame()
    wrong = codes.filter(~parse.credit_code_check(pl.col("v_credit_code")).fill_null(False))
    wrong_list = wrong["v_credit_code"].to_list()
    from industry_brain.reference.credit_code import problem

    reasons = {c: problem(c) or "统一社会信用代码无效" for c in wrong_list}
    code = pl.col("v_credit_code")
    return frame.with_columns(
        pl.when(code.is_in(pl.Series(wrong_list, dtype=pl.String).implode()).fill_null(False))
        .then(code.replace_strict(reasons, default=None, return_dtype=pl.String))
        .otherwise(pl.col("e_credit_code"))
        .alias("e_credit_code")
    )


# --- 5. plausibility: the previous period of each distinct period, not of each row ------------
# (map_elements over 5M rows: 6 s.) In src, plausibility.plausibility_warnings:
#     previous = {p: _previous(p) for p in accepted["period"].unique().to_list()}
#     current = accepted.with_columns(
#         pl.col("period").replace_strict(previous, return_dtype=pl.String).alias("prev"))
# Applied here by rewriting that one line of the current source, so the rest stays as it is.

_OLD_PREV = 'pl.col("period").map_elements(_previous, return_dtype=pl.String).alias("prev")'
_NEW_PREV = (
    'pl.col("period").replace_strict({p: _previous(p) for p in accepted["period"].unique().to_list()},'
    ' return_dtype=pl.String).alias("prev")'
)


def _patched_plausibility() -> Any:
    source = textwrap.dedent(inspect.getsource(plausibility.plausibility_warnings))
    if _OLD_PREV not in source:
        return plausibility.plausibility_warnings  # already changed in src (or changed otherwise)
    namespace = dict(vars(plausibility))
    exec(compile(source.replace(_OLD_PREV, _NEW_PREV), plausibility.__file__, "exec"), namespace)
    return namespace["plausibility_warnings"]


# --- 6. core/bulk.py (was ingest/store.py) insert_frame -------------------------------------
# a. SQLite: rows zipped from column lists (the same Python values as iter_rows(), less CPU), and
#    a 256 MiB page cache while the rows go in (restored after): the indexes of a table of
#    millions of rows take keys in random order, and with the default 2 MB cache SQLite keeps
#    spilling and re-reading index pages (1M random credit codes: 18 s -> 11 s, +200 MB).
# b. PostgreSQL: COPY ... (FORMAT csv) of CSV that polars writes, 50,000 rows at a time, instead
#    of psycopg write_row per row (client CPU for 1M rows: 2.4 s -> 0.35 s). Every text is
#    quoted (quote_style="non_numeric"), so '' stays '' and only a missing value is NULL; floats
#    are written in their shortest round-trip form; checked value for value against write_row
#    (NaN, inf, -0.0, 5e-324, quotes, newlines, \\N, NULL, Chinese). Frames with other column
#    types (Float32, nested, time-zoned) and non-UTF-8 connections keep write_row.
# c. enterprise rows sorted by credit_code before the insert (its primary key): B-tree appends
#    instead of random inserts (1M new enterprises: 15 s -> 9.6 s on SQLite). This changes only
#    the physical row order (SQLite rowid), which no query relies on without ORDER BY.
# The code to put in src is this function and its helpers, as they are.

try:
    from industry_brain.core import bulk as _bulk
except ImportError:  # before the move of ingest/store.py to core/bulk.py
    from industry_brain.ingest import store as _bulk  # type: ignore[no-redef]

SQLITE_BULK_CACHE_KIB = 256 * 1024
_CSV_TYPES = (
    pl.String,
    pl.Float64,
    pl.Null,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
)


def insert_frame(session: Any, table: str, frame: pl.DataFrame) -> None:
    """Append `frame` (columns named as the table's) to `table`."""
    if frame.is_empty():
        return
    frame = _bulk._rows_for_db(frame, table)
    if table == "enterprise" and "credit_code" in frame.columns:
        frame = frame.sort("credit_code")  # 6c
    connection = session.connection()
    columns = frame.columns
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        if _csv_safe(frame) and str(raw.info.encoding).replace("-", "").lower() == "utf8":
            _copy_postgres_csv(raw, table, frame)
        else:
            _bulk._copy_postgres(connection, table, columns, frame.iter_rows())
        return
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders})'
    cursor = raw.cursor()
    big = frame.height >= _bulk.BATCH_ROWS
    if big:
        cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_BULK_CACHE_KIB}")
    try:
        for chunk in frame.iter_slices(_bulk.BATCH_ROWS):
            cursor.executemany(sql, zip(*(s.to_list() for s in chunk.get_columns()), strict=True))
    finally:
        if big:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")


def _csv_safe(frame: pl.DataFrame) -> bool:
    return all(
        dtype in _CSV_TYPES
        or (isinstance(dtype, pl.Datetime) and dtype.time_zone is None and dtype.time_unit in ("us", "ms"))
        for dtype in frame.schema.values()
    )


def _copy_postgres_csv(raw: Any, table: str, frame: pl.DataFrame) -> None:
    quoted = ", ".join(f'"{c}"' for c in frame.columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN (FORMAT csv)') as copy:
        for chunk in frame.iter_slices(_bulk.BATCH_ROWS):
            buffer = io.BytesIO()
            chunk.write_csv(buffer, include_header=False, null_value="", quote_style="non_numeric")
            copy.write(buffer.getvalue())


def apply() -> None:
    parse._map_unique = _map_unique
    validate._is_total_or_footer = _is_total_or_footer
    validate._typed = _typed
    validate._data_frame = _data_frame
    validate._code_errors = _code_errors
    fast = _patched_plausibility()
    plausibility.plausibility_warnings = fast
    service.plausibility_warnings = fast
    _bulk.insert_frame = insert_frame


apply()

if __name__ == "__main__" and "--pytest" in sys.argv:
    import pytest

    DISTINCT_MIN_ROWS = 0  # so that the tests' small files take the distinct-value path too
    extra = sys.argv[sys.argv.index("--pytest") + 1 :]
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *(extra or ["tests/"])]))
