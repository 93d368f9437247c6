"""Each enterprise's figures for a year, resolved across sources by the stated precedence.

Per source: the newest active batch's rows for a code and period; yearly rows over monthly ones,
monthly rows summed (employees averaged); parcels summed; power readings mapped from 户号 to
the enterprise through the account map. Across sources: PRECEDENCE decides, and where another
source differs by more than `conflict_tolerance` the pair is a conflict. docs/data-model.md
states every rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from industry_brain.core.db import column_rows
from industry_brain.core.readcache import ReadCache, has_pending_changes
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.corrections import CORRECTION_SOURCE
from industry_brain.ingest.models import ImportBatch, Record
from industry_brain.ingest.templates import PRECEDENCE

FACT_COLUMNS = (
    "credit_code",
    "name",
    "industry_code",
    "year",
    "above_scale",
    "established",
    "land_mu",
    "rented_mu",
    "tax_wan",
    "value_added_wan",
    "revenue_wan",
    "output_wan",
    "energy_tce",
    "emission_t",
    "employees",
    "rd_spend_wan",
    "electricity_wan_kwh",
    "safety_accident",
    "env_violation",
)
# The figures resolved from the sources; the other columns come from the master record.
FIGURES = tuple(
    c for c in FACT_COLUMNS if c not in ("credit_code", "name", "industry_code", "year", "established")
)
# Sources whose list names only enterprises with an event: absence from a year's list means 0.
EVENT_LISTS = {"safety_accident": "safety", "env_violation": "environment"}
ABOVE_SCALE_REVENUE_WAN = 2000.0
_PERIODIC = ("stats", "tax", "power", "land", "environment", "safety", CORRECTION_SOURCE)


def _year_records(session: Session, year: int) -> pl.DataFrame:
    cols = ["batch_id", "credit_code", "account_no", "parcel_id", "period", *FIGURES]
    stmt = (
        select(ImportBatch.source, *[getattr(Record, c) for c in cols])
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.status == "active",
            ImportBatch.template != "power_accounts",
            ImportBatch.source.in_(_PERIODIC),
            or_(Record.period == str(year), Record.period.like(f"{year}-%")),
        )
    )
    schema = {
        "source": pl.String,
        "batch_id": pl.Int64,
        "credit_code": pl.String,
        "account_no": pl.String,
        "parcel_id": pl.String,
        "period": pl.String,
        **{f: pl.Float64 for f in FIGURES},
    }
    return pl.DataFrame(column_rows(session, stmt), schema=schema, orient="row")


def account_map(session: Session) -> pl.DataFrame:
    """户号 -> credit code, from the newest active account-map batch naming each account."""
    stmt = (
        select(Record.account_no, Record.credit_code, Record.batch_id)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(ImportBatch.template == "power_accounts", ImportBatch.status == "active")
    )
    frame = pl.DataFrame(
        session.execute(stmt).all(),
        orient="row",
        schema={"account_no": pl.String, "mapped": pl.String, "batch_id": pl.Int64},
    )
    return frame.sort("batch_id").unique("account_no", keep="last").drop("batch_id")


def _map_accounts(records: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    joined = records.join(accounts, on="account_no", how="left")
    return joined.with_columns(pl.coalesce("credit_code", "mapped").alias("credit_code")).drop("mapped")


def _per_source(records: pl.DataFrame) -> pl.DataFrame:
    """One row per (source, credit_code) with that source's figures for the year."""
    recs = records.filter(pl.col("credit_code").is_not_null())
    # The newest batch decides per account and per parcel, so a supplement naming a second
    # power account or parcel adds to the first instead of replacing it.
    key = ["source", "credit_code", "period", "account_no", "parcel_id"]
    newest = pl.col("batch_id") == pl.col("batch_id").max().over(key)
    recs = recs.filter(newest).with_columns((pl.col("period").str.len_chars() == 4).alias("yearly"))
    has_yearly = pl.col("yearly").any().over("source", "credit_code")
    recs = recs.filter(pl.col("yearly") | ~has_yearly)
    flows = [f for f in FIGURES if f not in ("employees", "above_scale")]
    return recs.group_by("source", "credit_code").agg(
        *[pl.when(pl.col(f).is_not_null().any()).then(pl.col(f).sum()).alias(f) for f in flows],
        pl.col("employees").mean(),
        pl.col("above_scale").max(),
    )


def _corrections(records: pl.DataFrame) -> pl.DataFrame:
    """Accepted appeals' figures, long: the newest correction per enterprise and field.

    Each correction is a batch holding one figure, so unlike a department's batches a newer one
    replaces only its own field."""
    long = records.filter(pl.col("source") == CORRECTION_SOURCE).unpivot(
        index=["source", "credit_code", "batch_id"],
        on=list(FIGURES),
        variable_name="field",
        value_name="value",
    )
    long = long.filter(pl.col("value").is_not_null()).sort("batch_id")
    return long.unique(["credit_code", "field"], keep="last").drop("batch_id")


def _long(per_source: pl.DataFrame, corrections: pl.DataFrame) -> pl.DataFrame:
    long = per_source.unpivot(
        index=["source", "credit_code"], on=list(FIGURES), variable_name="field", value_name="value"
    )
    long = pl.concat([long.filter(pl.col("value").is_not_null()), corrections.select(long.columns)])
    ranks = [
        {"field": f, "source": s, "rank": i} for f, order in PRECEDENCE.items() for i, s in enumerate(order)
    ]
    rank_frame = pl.DataFrame(ranks, schema={"field": pl.String, "source": pl.String, "rank": pl.Int64})
    # A correction outranks every department (see ingest/corrections.py).
    rank_frame = pl.concat(
        [
            rank_frame,
            pl.DataFrame(
                {"field": list(FIGURES), "source": CORRECTION_SOURCE, "rank": -1}, schema=rank_frame.schema
            ),
        ]
    )
    return long.join(rank_frame, on=["field", "source"], how="left").with_columns(
        pl.col("rank").fill_null(99)
    )


# A year's facts are read by many tiles and pages; resolved once per state of the record.
_YEARS: ReadCache[tuple[pl.DataFrame, pl.DataFrame]] = ReadCache(size=16)


def data_stamp(session: Session) -> tuple[Any, ...] | None:
    """What changes whenever a year's facts may change: the active batches (a supersession or a
    restore changes the set), the newest batch and record, and the master record's last update.
    None for a session with pending changes, whose reads must not be shared."""
    if has_pending_changes(session):
        return None
    batches = session.execute(
        select(
            func.count(), func.coalesce(func.sum(ImportBatch.id), 0), func.max(ImportBatch.imported_at)
        ).where(ImportBatch.status == "active")
    ).one()
    newest = session.execute(
        select(
            select(func.max(ImportBatch.id)).scalar_subquery(),
            select(func.max(Record.id)).scalar_subquery(),
            select(func.max(Enterprise.updated_at)).scalar_subquery(),
        )
    ).one()
    bind = session.get_bind()
    return (str(bind.engine.url), *batches, *newest)


def resolve_year(session: Session, *, year: int, tolerance: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(facts, conflicts) for `year`; facts has exactly FACT_COLUMNS."""
    stamp = data_stamp(session)
    key = None if stamp is None else (*stamp, year, tolerance)
    return _YEARS.get_or_compute(key, lambda: _resolve_year(session, year=year, tolerance=tolerance))


def _resolve_year(session: Session, *, year: int, tolerance: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    records = _map_accounts(_year_records(session, year), account_map(session))
    departments = records.filter(pl.col("source") != CORRECTION_SOURCE)
    long = _long(_per_source(departments), _corrections(records.filter(pl.col("credit_code").is_not_null())))
    chosen = long.sort("rank", "source").unique(["credit_code", "field"], keep="first")
    conflicts = _conflicts(long, chosen, tolerance, year)
    wide = chosen.pivot(on="field", index="credit_code", values="value")
    for f in FIGURES:
        if f not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(f))
    present = _sources_with_batches(session, year)
    facts = _finish(session, wide, year, present)
    names = facts.select("credit_code", "name")
    return facts, conflicts.join(names, on="credit_code", how="left").select(
        "credit_code",
        "name",
        "year",
        "field",
        "chosen_source",
        "chosen_value",
        "other_source",
        "other_value",
        "difference",
    )


@dataclass(frozen=True)
class EnterpriseFigures:
    """One enterprise's figures, resolved year by year (see resolve_enterprise).

    candidates: year, field, source, value, rank - every source's figure for a field (a lower
        rank decides; a correction ranks -1, a source the precedence does not name 99);
    chosen: year, field, source, value - the deciding source's figure, one row per field;
    files: year, source, files, batch_ids - the files (sorted) and batches each source's
        records of the year came from, also for a year whose records hold no figure.
    """

    credit_code: str
    candidates: pl.DataFrame
    chosen: pl.DataFrame
    files: pl.DataFrame

    def years(self) -> list[int]:
        """Every year with records, newest first."""
        return sorted(set(self.files.get_column("year").to_list()), reverse=True)


def resolve_enterprise(
    session: Session, *, credit_code: str, years: Iterable[int] | None = None
) -> EnterpriseFigures:
    """One enterprise's figures in `years` (every year when None), resolved by exactly the
    rules of resolve_year (per source, then PRECEDENCE, corrections first) on this
    enterprise's records only, so a profile and `export facts` never disagree. The figures
    derived in the facts table (above_scale from revenue, zeros of event lists) are not added.
    One indexed query, two more only for an enterprise with power accounts (see
    _enterprise_records). No scope check: callers check the scope first."""
    records = _enterprise_records(session, credit_code, None if years is None else sorted(set(years)))
    # The year stands in for the credit code: the per-source and precedence rules group by
    # year here exactly as they group by enterprise in resolve_year.
    frame = records.with_columns(pl.col("period").str.slice(0, 4).alias("credit_code"))
    departments = frame.filter(pl.col("source") != CORRECTION_SOURCE).drop("file")
    long = _long(_per_source(departments), _corrections(frame.drop("file")))
    as_year = pl.col("credit_code").cast(pl.Int32).alias("year")
    candidates = long.select(as_year, "field", "source", "value", "rank")
    chosen = (
        long.sort("rank", "source")
        .unique(["credit_code", "field"], keep="first")
        .select(as_year, "field", "source", "value")
    )
    files = frame.group_by(as_year, "source").agg(
        pl.col("file").unique().sort().alias("files"), pl.col("batch_id").unique().sort().alias("batch_ids")
    )
    return EnterpriseFigures(credit_code=credit_code, candidates=candidates, chosen=chosen, files=files)


def _in_years(years: list[int]) -> ColumnElement[bool]:
    return or_(false(), *[or_(Record.period == str(y), Record.period.like(f"{y}-%")) for y in years])


def _enterprise_records(session: Session, credit_code: str, years: list[int] | None) -> pl.DataFrame:
    """The enterprise's records from active periodic batches, power readings mapped through
    the account map as resolve_year maps them (the newest mapping of an account decides).
    One indexed query by credit code (its account-map rows name its power accounts), and a
    second only for readings filed under those accounts; not one query with OR, which SQLite
    answers with a full scan."""
    cols = ["batch_id", "account_no", "parcel_id", "period", *FIGURES]
    base = (
        select(
            ImportBatch.template,
            ImportBatch.source,
            ImportBatch.file_name,
            *[getattr(Record, c) for c in cols],
        )
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(ImportBatch.status == "active", ImportBatch.source.in_(_PERIODIC))
    )
    readings = base
    if years is not None:
        readings = base.where(_in_years(years))  # an account map holds no figures of a year
        base = base.where(or_(ImportBatch.template == "power_accounts", _in_years(years)))
    found = session.execute(base.where(Record.credit_code == credit_code)).all() if years != [] else []
    named = sorted({r.account_no for r in found if r.template == "power_accounts" and r.account_no})
    rows: list[Any] = [r[1:] for r in found if r.template != "power_accounts"]
    if accounts := _accounts_of(session, credit_code, named):
        unmapped = readings.where(
            Record.credit_code.is_(None),
            Record.account_no.in_(accounts),
            ImportBatch.template != "power_accounts",
        )
        rows += [r[1:] for r in session.execute(unmapped).all()]
    schema = {
        "source": pl.String,
        "file": pl.String,
        "batch_id": pl.Int64,
        "account_no": pl.String,
        "parcel_id": pl.String,
        "period": pl.String,
        **{f: pl.Float64 for f in FIGURES},
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _accounts_of(session: Session, credit_code: str, named: list[str]) -> list[str]:
    """Of the power accounts (户号) `named` beside the enterprise's code, those whose newest
    active mapping names the enterprise."""
    if not named:
        return []
    maps = session.execute(
        select(Record.account_no, Record.credit_code, Record.batch_id)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.status == "active",
            ImportBatch.template == "power_accounts",
            Record.account_no.in_(named),
        )
    ).all()
    newest: dict[str, tuple[int, str | None]] = {}
    for account, code, batch in maps:
        if account is None:
            continue
        if account not in newest or batch >= newest[account][0]:
            newest[account] = (batch, code)
    return [a for a, (_, code) in newest.items() if code == credit_code]


def _conflicts(long: pl.DataFrame, chosen: pl.DataFrame, tolerance: float, year: int) -> pl.DataFrame:
    pick = chosen.select(
        "credit_code", "field", pl.col("source").alias("chosen_source"), pl.col("value").alias("chosen_value")
    )
    others = long.join(pick, on=["credit_code", "field"]).filter(pl.col("source") != pl.col("chosen_source"))
    scale = pl.max_horizontal(pl.col("value").abs(), pl.col("chosen_value").abs())
    diff = (pl.col("value") - pl.col("chosen_value")).abs() / scale
    return (
        others.with_columns(diff.fill_nan(0).alias("difference"))
        .filter(pl.col("difference") > tolerance)
        .select(
            "credit_code",
            pl.lit(year).alias("year"),
            "field",
            "chosen_source",
            "chosen_value",
            pl.col("source").alias("other_source"),
            pl.col("value").alias("other_value"),
            "difference",
        )
        .sort("credit_code", "field", "other_source")
    )


def _sources_with_batches(session: Session, year: int) -> set[str]:
    """Sources with an active batch for the year, even one without rows: an empty accident
    list says there were no accidents."""
    stmt = select(ImportBatch.source).where(
        ImportBatch.status == "active",
        or_(ImportBatch.period == str(year), ImportBatch.period.like(f"{year}-%")),
    )
    return set(session.scalars(stmt.distinct()).all())


def _finish(session: Session, wide: pl.DataFrame, year: int, present: set[str]) -> pl.DataFrame:
    master = pl.DataFrame(
        column_rows(
            session,
            select(Enterprise.credit_code, Enterprise.name, Enterprise.industry_code, Enterprise.established),
        ),
        orient="row",
        schema={
            "credit_code": pl.String,
            "name": pl.String,
            "industry_code": pl.String,
            "established": pl.Date,
        },
    )
    facts = wide.join(master, on="credit_code", how="left")
    derived = (pl.col("revenue_wan") >= ABOVE_SCALE_REVENUE_WAN).cast(pl.Float64)
    facts = facts.with_columns(pl.coalesce("above_scale", derived).alias("above_scale"))
    for field, source in EVENT_LISTS.items():
        known = pl.lit(0.0) if source in present else pl.lit(None, dtype=pl.Float64)
        facts = facts.with_columns(
            pl.when(pl.col(field) > 0).then(1.0).otherwise(pl.coalesce(pl.col(field) * 0, known)).alias(field)
        )
    ints = ["above_scale", "safety_accident", "env_violation"]
    return (
        facts.with_columns(
            pl.lit(year, dtype=pl.Int32).alias("year"),
            *[pl.col(c).cast(pl.Int8) for c in ints],
            pl.col("established").dt.strftime("%Y-%m-%d"),
        )
        .select(FACT_COLUMNS)
        .sort("credit_code")
    )
