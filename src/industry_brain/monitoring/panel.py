"""The monthly panel: one row per enterprise and month, every monthly source side by side.

The contract of the monitoring package (docs/monitoring-panel.md): the columns are
PANEL_COLUMNS, a figure a source did not report is NULL (no data), never 0, and `as_of` replays
the data as it was known at a date. Sources: `stats-monthly` (规上工业企业月报), `tax-monthly`
(入库税金) and `power` (户号 readings mapped to enterprises through the account map).

Per source and (enterprise or 户号, month) the newest live batch decides, as in ingest/facts.py:
a supplement naming a second account adds to the first. A month's figure a file did not give
is derived from 本年累计 (this month's less last month's; January's is its 累计), and a 累计 a
file did not give is the sum of the year's months when every month is there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.facts import ABOVE_SCALE_REVENUE_WAN
from industry_brain.ingest.models import ImportBatch, Record

# The panel's figures: what an alert rule may test (monitoring/rules.py).
FIGURES = (
    "output_wan",
    "output_ytd_wan",
    "sales_wan",
    "sales_ytd_wan",
    "export_wan",
    "export_ytd_wan",
    "employees",
    "tax_wan",
    "tax_ytd_wan",
    "electricity_wan_kwh",
)
PANEL_COLUMNS = (
    "credit_code",
    "month",
    "year",
    "month_no",
    "township_code",
    "industry_code",
    "above_scale",
    *FIGURES,
    "stats_batch_id",
    "stats_row",
    "tax_batch_id",
    "tax_row",
    "power_batch_id",
    "power_row",
)
_FLOATS = (
    "output_wan",
    "output_ytd_wan",
    "sales_wan",
    "sales_ytd_wan",
    "export_wan",
    "export_ytd_wan",
    "employees",
    "tax_wan",
    "tax_ytd_wan",
    "electricity_wan_kwh",
)
SCHEMA = pl.Schema(
    {
        "credit_code": pl.String,
        "month": pl.String,
        "year": pl.Int32,
        "month_no": pl.Int32,
        "township_code": pl.String,
        "industry_code": pl.String,
        "above_scale": pl.Int8,
        **{c: pl.Float64 for c in _FLOATS},
        **{c: pl.Int64 for c in PANEL_COLUMNS if c.endswith(("_batch_id", "_row"))},
    }
)
STATS_MONTHLY = "stats-monthly"
TAX_MONTHLY = "tax-monthly"
# (当月, 本年累计) pairs of each monthly source: the month derives from 累计 and back.
STATS_PAIRS = (
    ("output_wan", "output_ytd_wan"),
    ("sales_wan", "sales_ytd_wan"),
    ("export_wan", "export_ytd_wan"),
)
TAX_PAIRS = (("tax_wan", "tax_ytd_wan"),)


def panel_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A panel from partial dicts: missing columns NULL, year and month_no from `month` when not
    given, dtypes as monthly_panel's. The fixture builder of hand-worked cases."""
    frame = pl.DataFrame([{c: r.get(c) for c in PANEL_COLUMNS} for r in rows], schema=SCHEMA, orient="row")
    return frame.with_columns(
        pl.coalesce("year", pl.col("month").str.slice(0, 4).cast(pl.Int32)).alias("year"),
        pl.coalesce("month_no", pl.col("month").str.slice(5, 2).cast(pl.Int32)).alias("month_no"),
    )


def panel_table(frame: pl.DataFrame, con: Any) -> Any:
    """The panel registered on an Ibis connection (duckdb, sqlite, postgres, pyspark). On
    PostgreSQL a temporary table, on PySpark a temporary view: enterprise figures are
    confidential and must not outlive the connection."""
    import uuid

    import ibis

    name = f"monthly_panel_{uuid.uuid4().hex[:8]}"
    arrow = frame.select(PANEL_COLUMNS).cast(SCHEMA).to_arrow()
    if con.name == "pyspark":
        return con.create_view(name, ibis.memtable(arrow), overwrite=True)
    return con.create_table(name, arrow, overwrite=True, temp=con.name == "postgres")


def live_batches(session: Session, *, sources: tuple[str, ...], as_of: dt.datetime | None) -> pl.DataFrame:
    """id, source, template of the batches live at `as_of` (active now when None): imported by
    then and not yet superseded. A batch superseded before superseded_at existed is taken as
    superseded when its successor was imported."""
    if as_of is not None and as_of.tzinfo is not None:  # batches are stamped in naive UTC
        as_of = as_of.astimezone(dt.UTC).replace(tzinfo=None)
    later = aliased(ImportBatch)
    stmt = (
        select(
            ImportBatch.id,
            ImportBatch.source,
            ImportBatch.template,
            ImportBatch.status,
            ImportBatch.imported_at,
            ImportBatch.superseded_at,
            later.imported_at,
        )
        .outerjoin(later, later.id == ImportBatch.superseded_by)
        .where(ImportBatch.source.in_(sources))
    )
    out = []
    for bid, source, template, status, imported, gone, successor in session.execute(stmt):
        if as_of is None:
            live = status == "active"
        else:
            ended = gone if gone is not None else (successor if status == "superseded" else None)
            live = imported <= as_of and (ended is None or ended > as_of)
        if live:
            out.append((bid, source, template))
    return pl.DataFrame(
        out, schema={"id": pl.Int64, "source": pl.String, "template": pl.String}, orient="row"
    )


def _records(session: Session, batch_ids: list[int], columns: tuple[str, ...], monthly: bool) -> pl.DataFrame:
    schema: dict[str, Any] = {
        "batch_id": pl.Int64,
        "row": pl.Int64,
        "period": pl.String,
        "credit_code": pl.String,
        "account_no": pl.String,
        **{c: pl.Float64 for c in columns},
    }
    if not batch_ids:
        return pl.DataFrame(schema=schema)
    stmt = select(*[getattr(Record, c) for c in schema]).where(
        Record.batch_id.in_(batch_ids), Record.period.like("____-__" if monthly else "____")
    )
    return pl.DataFrame(session.execute(stmt).all(), schema=schema, orient="row")


def _ids(batches: pl.DataFrame, source: str, template: str | None = None) -> list[int]:
    chosen = batches.filter(pl.col("source") == source)
    if template is not None:
        chosen = chosen.filter(pl.col("template") == template)
    return chosen.get_column("id").to_list()


def _newest(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return frame.filter(pl.col("batch_id") == pl.col("batch_id").max().over(key))


def derive_months(frame: pl.DataFrame, pairs: tuple[tuple[str, str], ...], key: str) -> pl.DataFrame:
    """Each (当月, 累计) pair completed from the other within `key` and year: a missing month is
    this 累计 less last month's (January's is its 累计; without last month, NULL), a missing 累计
    the sum of the year's months when every month up to this one is there."""
    year, month_no = pl.col("period").str.slice(0, 4), pl.col("period").str.slice(5, 2).cast(pl.Int32)
    frame = frame.with_columns(year.alias("__y"), month_no.alias("__m")).sort(key, "period")
    group = [key, "__y"]
    follows = pl.col("__m").shift(1).over(group) == pl.col("__m") - 1
    exprs = []
    for month, ytd in pairs:
        previous = pl.when(follows).then(pl.col(ytd).shift(1).over(group))
        # rounded to 6 decimals: a difference of two 2-decimal figures, without float noise
        from_ytd = pl.when(pl.col("__m") == 1).then(pl.col(ytd)).otherwise((pl.col(ytd) - previous).round(6))
        complete = (pl.col(month).is_not_null().cum_sum().over(group) == pl.col("__m")) & (
            pl.col("__m") == pl.int_range(1, pl.len() + 1).over(group)
        )
        summed = pl.when(complete).then(pl.col(month).cum_sum().over(group))
        exprs += [pl.coalesce(month, from_ytd).alias(month), pl.coalesce(ytd, summed).alias(ytd)]
    return frame.with_columns(exprs).drop("__y", "__m")


def _stats(session: Session, batches: pl.DataFrame) -> pl.DataFrame:
    cols = ("above_scale", "employees", *[c for pair in STATS_PAIRS for c in pair])
    recs = _records(session, _ids(batches, STATS_MONTHLY), cols, monthly=True)
    recs = _newest(recs.filter(pl.col("credit_code").is_not_null()), ["credit_code", "period"])
    recs = derive_months(recs, STATS_PAIRS, "credit_code")
    return recs.select(
        "credit_code",
        pl.col("period").alias("month"),
        pl.col("above_scale").alias("stats_above_scale"),
        *cols[1:],
        pl.col("batch_id").alias("stats_batch_id"),
        pl.col("row").alias("stats_row"),
    )


def _tax(session: Session, batches: pl.DataFrame) -> pl.DataFrame:
    recs = _records(session, _ids(batches, TAX_MONTHLY), ("tax_wan", "tax_ytd_wan"), monthly=True)
    recs = _newest(recs.filter(pl.col("credit_code").is_not_null()), ["credit_code", "period"])
    recs = derive_months(recs, TAX_PAIRS, "credit_code")
    return recs.select(
        "credit_code",
        pl.col("period").alias("month"),
        "tax_wan",
        "tax_ytd_wan",
        pl.col("batch_id").alias("tax_batch_id"),
        pl.col("row").alias("tax_row"),
    )


def _power(session: Session, batches: pl.DataFrame) -> pl.DataFrame:
    maps = _account_rows(session, _ids(batches, "power", "power_accounts"))
    accounts = (
        maps.filter(pl.col("account_no").is_not_null())
        .sort("batch_id")
        .unique("account_no", keep="last")
        .select("account_no", pl.col("credit_code").alias("mapped"))
    )
    recs = _records(session, _ids(batches, "power", "power"), ("electricity_wan_kwh",), monthly=True)
    recs = recs.join(accounts, on="account_no", how="left").with_columns(
        pl.coalesce("credit_code", "mapped").alias("credit_code")
    )
    recs = recs.filter(pl.col("credit_code").is_not_null())
    # Per 户号 the newest batch; a reading without a 户号 stands for itself.
    recs = _newest(
        recs.with_columns(pl.coalesce("account_no", pl.col("row").cast(pl.String))), ["account_no", "period"]
    )
    value = pl.col("electricity_wan_kwh")
    return (
        recs.sort("batch_id", "row")
        .group_by("credit_code", "period", maintain_order=True)
        .agg(
            pl.when(value.is_not_null().any()).then(value.sum()).alias("electricity_wan_kwh"),
            pl.col("batch_id").first().alias("power_batch_id"),
            pl.col("row").first().alias("power_row"),
        )
        .rename({"period": "month"})
    )


def _account_rows(session: Session, batch_ids: list[int]) -> pl.DataFrame:
    """The account map's rows (a snapshot: its period is empty)."""
    schema = {"batch_id": pl.Int64, "account_no": pl.String, "credit_code": pl.String}
    if not batch_ids:
        return pl.DataFrame(schema=schema)
    stmt = select(Record.batch_id, Record.account_no, Record.credit_code).where(
        Record.batch_id.in_(batch_ids)
    )
    return pl.DataFrame(session.execute(stmt).all(), schema=schema, orient="row")


def _yearly_scale(session: Session, batches: pl.DataFrame) -> pl.DataFrame:
    """credit_code, year, flag: 规上 by the yearly statistics (its flag, else 营业收入 >= 2000万元)."""
    recs = _records(session, _ids(batches, "stats"), ("above_scale", "revenue_wan"), monthly=False)
    recs = _newest(recs.filter(pl.col("credit_code").is_not_null()), ["credit_code", "period"])
    derived = (pl.col("revenue_wan") >= ABOVE_SCALE_REVENUE_WAN).cast(pl.Float64)
    return recs.select(
        "credit_code",
        pl.col("period").cast(pl.Int32).alias("year"),
        pl.coalesce("above_scale", derived).alias("yearly_flag"),
    ).filter(pl.col("yearly_flag").is_not_null())


def _master(session: Session) -> pl.DataFrame:
    stmt = select(Enterprise.credit_code, Enterprise.township_code, Enterprise.industry_code)
    schema = {"credit_code": pl.String, "township_code": pl.String, "industry_code": pl.String}
    return pl.DataFrame(session.execute(stmt).all(), schema=schema, orient="row")


def _above_scale(panel: pl.DataFrame, yearly: pl.DataFrame) -> pl.DataFrame:
    """The month's stats flag; a stats-monthly row without one is 规上 (the 月报 is of 规上
    enterprises); else the newest yearly statistics up to that year; else 0."""
    if yearly.is_empty():
        flags = panel.with_columns(pl.lit(None, dtype=pl.Float64).alias("yearly_flag"))
    else:
        flags = panel.sort("year").join_asof(
            yearly.sort("year"), on="year", by="credit_code", strategy="backward", check_sortedness=False
        )
    in_report = pl.when(pl.col("stats_batch_id").is_not_null()).then(pl.lit(1.0))
    flag = pl.coalesce("stats_above_scale", in_report, "yearly_flag", pl.lit(0.0))
    return flags.with_columns(flag.cast(pl.Int8).alias("above_scale"))


def monthly_panel(
    session: Session, *, as_of: dt.datetime | None = None, months: tuple[str, str] | None = None
) -> pl.DataFrame:
    """One row per (credit_code, month) with any monthly report, PANEL_COLUMNS in order, sorted
    by enterprise and month. `as_of`: the batches live then (imported by then, not superseded by
    then). `months`: an inclusive 'YYYY-MM' range (months before it in its first year are still
    read, to derive the first month from 累计)."""
    sources = (STATS_MONTHLY, TAX_MONTHLY, "power", "stats")
    batches = live_batches(session, sources=sources, as_of=as_of)
    key = ["credit_code", "month"]
    parts = [_stats(session, batches), _tax(session, batches), _power(session, batches)]
    panel = parts[0].join(parts[1], on=key, how="full", coalesce=True)
    panel = panel.join(parts[2], on=key, how="full", coalesce=True)
    panel = panel.with_columns(
        pl.col("month").str.slice(0, 4).cast(pl.Int32).alias("year"),
        pl.col("month").str.slice(5, 2).cast(pl.Int32).alias("month_no"),
    )
    if months is not None:
        panel = panel.filter(pl.col("month").is_between(pl.lit(months[0]), pl.lit(months[1])))
    panel = _above_scale(panel, _yearly_scale(session, batches))
    panel = panel.join(_master(session), on="credit_code", how="left")
    return panel.select(PANEL_COLUMNS).cast(SCHEMA).sort("credit_code", "month")
