"""Running the monitoring analytics on an Ibis engine: frames registered, an expression
computed, the temporary tables dropped (the panel holds confidential enterprise figures)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

PANEL_SCHEMA: dict[str, Any] = {
    "credit_code": pl.String,
    "month": pl.String,
    "year": pl.Int64,
    "month_no": pl.Int64,
    "township_code": pl.String,
    "industry_code": pl.String,
    "above_scale": pl.Int64,
    "output_wan": pl.Float64,
    "output_ytd_wan": pl.Float64,
    "sales_wan": pl.Float64,
    "sales_ytd_wan": pl.Float64,
    "export_wan": pl.Float64,
    "export_ytd_wan": pl.Float64,
    "employees": pl.Float64,
    "tax_wan": pl.Float64,
    "tax_ytd_wan": pl.Float64,
    "electricity_wan_kwh": pl.Float64,
}
PREFIX_SCHEMA = {"area_kind": pl.String, "area_id": pl.String, "industry_prefix": pl.String}
EXPLICIT_SCHEMA = {"area_kind": pl.String, "area_id": pl.String, "credit_code": pl.String}


def analytic_panel(frame: pl.DataFrame) -> pl.DataFrame:
    """The panel's columns the analytics read, with their types (a missing column is NULL)."""
    cols = [
        pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
        for c, t in PANEL_SCHEMA.items()
    ]
    return frame.select(cols)


def _register(con: Any, frame: pl.DataFrame, prefix: str) -> tuple[Any, str]:
    import ibis

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    arrow = frame.to_arrow()
    if con.name == "pyspark":
        return con.create_view(name, ibis.memtable(arrow), overwrite=True), name
    return con.create_table(name, arrow, overwrite=True, temp=con.name == "postgres"), name


def run(
    build: Callable[..., Any],
    frames: Mapping[str, pl.DataFrame | None],
    *,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> pl.DataFrame:
    """`build(**tables)` computed on `engine`, where tables are `frames` registered there (a
    None frame is passed as None)."""
    from industry_brain.evaluation.engines import connect

    con = connect(engine, postgres_url=postgres_url)
    names: list[str] = []
    try:
        tables: dict[str, Any] = {}
        for key, frame in frames.items():
            if frame is None:
                tables[key] = None
                continue
            tables[key], name = _register(con, frame, key)
            names.append(name)
        return pl.from_arrow(build(**tables).to_pyarrow())  # type: ignore[return-value]
    finally:
        for name in names:
            with contextlib.suppress(Exception):
                if con.name == "pyspark":
                    con.drop_view(name, force=True)
                else:
                    con.drop_table(name, force=True)
        if engine != "pyspark":  # the Spark session is shared by the process
            con.disconnect()
