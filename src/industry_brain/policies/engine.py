"""Running the match on an Ibis engine: tables in (polars), the stacked matches out (polars)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import ibis
import polars as pl

from industry_brain.policies import analytics
from industry_brain.policies.analytics import RESULTS
from industry_brain.policies.format import MAX_CONDITIONS, Policy

TITLE_SCHEMA = pl.Schema(
    {"credit_code": pl.String(), "title": pl.String(), "title_level": pl.String(), "title_year": pl.Int64()}
)
_PL = {"string": pl.String(), "int64": pl.Int64(), "float64": pl.Float64()}


def record_frame(rows: list[dict] | pl.DataFrame) -> pl.DataFrame:
    """A record table with every RECORD_COLUMN (absent ones null), typed."""
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, infer_schema_length=None)
    schema = analytics.record_schema()
    cols = [
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(_PL[t]).alias(c)
        for c in analytics.RECORD_COLUMNS
        for t in [schema[c]]
    ]
    return frame.select(cols)


def evaluate(
    policies: list[Policy],
    record: pl.DataFrame,
    titles: pl.DataFrame,
    *,
    as_of: dt.date,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> pl.DataFrame:
    """analytics.MATCH_COLUMNS for every policy in force on `as_of` and every enterprise of
    `record`; the tables are dropped from the engine after (they are confidential)."""
    from industry_brain.evaluation.engines import connect
    from industry_brain.evaluation.inputs import facts_table_name

    live = [p for p in policies if p.in_force(as_of)]
    if not live or record.is_empty():
        return pl.DataFrame(schema=_match_schema(0))
    con = connect(engine, postgres_url=postgres_url)
    names = [facts_table_name(), facts_table_name()]
    temp = con.name == "postgres"
    try:
        r = con.create_table(names[0], record_frame(record).to_arrow(), overwrite=True, temp=temp)
        t = con.create_table(
            names[1],
            titles.cast(TITLE_SCHEMA).select(list(TITLE_SCHEMA)).to_arrow(),
            overwrite=True,
            temp=temp,
        )
        return run(live, r, t, as_of=as_of)
    finally:
        for name in names:
            with contextlib.suppress(Exception):
                con.drop_table(name, force=True)
        con.disconnect()


def run(live: list[Policy], record: Any, titles: Any, *, as_of: dt.date) -> pl.DataFrame:
    """The matches of the policies `live` (in force on `as_of`) over the engine's tables
    `record` and `titles`: one query per figures year (analytics.match_year), each policy read
    back as MATCH_COLUMNS, stacked by policy id and each policy's rows by credit code: sorted as
    every list shows them, at the cost of sorting one year's enterprises once (the engine
    returns them in no order), not millions of match rows."""
    years: dict[int, list[Policy]] = {}
    for p in live:
        years.setdefault(p.figures_year_for(as_of), []).append(p)
    width = max(len(p.conditions) for p in live)
    parts: list[tuple[str, pl.DataFrame]] = []
    for group in years.values():
        query, layout = analytics.match_year(group, record, titles, as_of=as_of)
        with _unfused():
            arrow = query.to_pyarrow()
        wide = pl.from_arrow(arrow)
        assert isinstance(wide, pl.DataFrame)
        wide = wide.sort("credit_code")
        parts += [(p.id, long_of(wide, layout, j, width)) for j, p in enumerate(group)]
    return stack([part for _, part in sorted(parts, key=lambda x: x[0])], width)


_FUSING = threading.Lock()
_unfusing = [0]


@contextlib.contextmanager
def _unfused() -> Iterator[None]:
    """Ibis's compiler left from merging each projection into the next (options.sql.fuse_selects)
    while a match compiles. Merging rewrites the whole expression graph once per layer, half of
    the compile of a match's few hundred columns, and the engines merge the layers themselves
    (DuckDB, PostgreSQL, SQLite and Spark plan nested selects as one). A global option, so it is
    counted: a query compiled meanwhile in another thread is only left unmerged, still correct."""
    with _FUSING:
        _unfusing[0] += 1
        ibis.options.sql.fuse_selects = False
    try:
        yield
    finally:
        with _FUSING:
            _unfusing[0] -= 1
            if not _unfusing[0]:
                ibis.options.sql.fuse_selects = True


def long_of(wide: pl.DataFrame, layout: analytics.Layout, j: int, width: int) -> pl.DataFrame:
    """Policy `j` of a wide match as MATCH_COLUMNS up to `width` conditions. Built from the wide
    frame's columns themselves (a select over a frame of some 200 columns costs milliseconds
    for planning alone; taking a column costs nothing), constants repeated."""
    p = layout.policies[j]
    schema = _match_schema(width)
    n, at = wide.height, f"p{j}_"

    def col(name: str | None, as_name: str, constant: Any = None) -> pl.Series:
        if name is None:
            return pl.Series(as_name, [constant], dtype=schema[as_name]).new_from_index(0, n)
        return wide.get_column(name).cast(schema[as_name]).alias(as_name)

    result = wide.get_column(f"{at}r").replace_strict(
        list(range(len(RESULTS))), list(RESULTS), return_dtype=pl.String
    )
    parts = [
        col("credit_code", "credit_code"),
        col("name", "name"),
        col("township_code", "township_code"),
        col(None, "policy", p.id),
        col(None, "policy_version", p.version),
        col(None, "year", layout.year),
        result.alias("result"),
        col(f"{at}amount", "amount_wan"),
        col(f"{at}raw", "amount_raw_wan"),
        col(f"{at}capped" if f"{at}capped" in wide.columns else None, "capped", 0),
        col(f"{at}factor", "budget_factor") if f"{at}factor" in wide.columns else _eligible_one(result),
        col(f"{at}am" if f"{at}am" in wide.columns else None, "amount_missing", ""),
    ]
    for i in range(width):
        num, text, miss = layout.value_columns(p.conditions[i]) if i < len(p.conditions) else (None,) * 3
        verdict = f"{at}c{i}" if i < len(p.conditions) else None
        parts += [
            col(num, f"c{i}_num"),
            col(text, f"c{i}_text"),
            col(verdict, f"c{i}_pass"),
            col(miss, f"c{i}_missing", "" if i < len(p.conditions) else None),
        ]
    return pl.DataFrame(parts)


def _eligible_one(result: pl.Series) -> pl.Series:
    """The budget factor of a policy without a budget: 1 where eligible, else null."""
    one = pl.Series("budget_factor", [1.0], dtype=pl.Float64).new_from_index(0, len(result))
    return one.zip_with(
        result == "eligible", pl.Series([None], dtype=pl.Float64).new_from_index(0, len(result))
    )


def stack(parts: list[pl.DataFrame], width: int = MAX_CONDITIONS) -> pl.DataFrame:
    """The per-policy matches as one table, part after part and without copying (the parts'
    chunks are kept): sorting or copying millions of rows here would cost more than the match
    itself."""
    schema = _match_schema(width)
    names = list(schema)
    frames = [part if part.columns == names else part.select(names) for part in parts]
    return pl.concat([pl.DataFrame(schema=schema), *frames], how="vertical", rechunk=False)


def _match_schema(width: int = MAX_CONDITIONS) -> dict[str, pl.DataType]:
    out: dict[str, pl.DataType] = {}
    for c in analytics.MATCH_COLUMNS:
        if c[0] == "c" and c[1:2].isdigit() and int(c[1:].split("_")[0]) >= width:
            continue
        if c.endswith(("_num", "amount_wan", "amount_raw_wan", "budget_factor")):
            out[c] = pl.Float64()
        elif c.endswith("_pass") or c == "capped":
            out[c] = pl.Int32()
        elif c in ("year", "policy_version"):
            out[c] = pl.Int64()
        else:
            out[c] = pl.String()
    return out
