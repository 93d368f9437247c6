"""The enterprise master record: keeping it up to date from imports, and reading it."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core import bulk
from industry_brain.enterprises.models import Enterprise
from industry_brain.enterprises.precedence import MASTER_ATTRIBUTES, PRECEDENCE

SOURCES = tuple(dict.fromkeys(s for order in PRECEDENCE.values() for s in order))

_ALL = 50_000


def source_rank(attribute: str, source: str | None) -> int:
    """Lower wins. A source not named in the precedence ranks after every named one."""
    order = PRECEDENCE.get(attribute, ())
    return order.index(source) if source in order else len(order) + (0 if source else 1)


def _existing(session: Session, codes: list[str]) -> pl.DataFrame:
    cols = ["credit_code", *[c for a in MASTER_ATTRIBUTES for c in (a, f"{a}_source")]]
    stmt = select(*[getattr(Enterprise, c) for c in cols])
    if len(codes) <= _ALL:
        rows: list[tuple[object, ...]] = []
        for i in range(0, len(codes), 900):
            rows += session.execute(stmt.where(Enterprise.credit_code.in_(codes[i : i + 900]))).all()
    else:
        rows = list(session.execute(stmt).all())
    schema = {c: (pl.Date if c == "established" else pl.String) for c in cols}
    return pl.DataFrame(rows, schema=schema, orient="row")


def update_master(session: Session, *, source: str, batch_id: int, accepted: pl.DataFrame) -> int:
    """Creates the enterprises a batch names and takes its attributes where its source ranks
    at least as high as the source that gave the current value. Returns enterprises touched."""
    if "credit_code" not in accepted.columns or accepted.is_empty():
        return 0
    attrs = [a for a in MASTER_ATTRIBUTES if a in accepted.columns]
    # Within a file the last row of a code wins (land files list one row per parcel).
    new = (
        accepted.filter(pl.col("credit_code").is_not_null())
        .select("credit_code", *attrs)
        .unique("credit_code", keep="last", maintain_order=True)
    )
    old = _existing(session, new["credit_code"].to_list())
    merged = new.join(old, on="credit_code", how="left", suffix="_old")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    updates = []
    for a in attrs:
        old_col = f"{a}_old" if f"{a}_old" in merged.columns else a
        ranks = {s: source_rank(a, s) for s in SOURCES}
        old_rank = (
            pl.col(f"{a}_source").replace_strict(ranks, default=None, return_dtype=pl.Int64).fill_null(10_000)
        )
        take = pl.col(a).is_not_null() & (pl.lit(source_rank(a, source)) <= old_rank)
        updates += [
            pl.when(take).then(pl.col(a)).otherwise(pl.col(old_col)).alias(f"n_{a}"),
            pl.when(take).then(pl.lit(source)).otherwise(pl.col(f"{a}_source")).alias(f"n_{a}_source"),
        ]
    known = pl.col("credit_code").is_in(old["credit_code"].implode())
    merged = merged.with_columns(updates)
    _insert_new(session, merged.filter(~known), attrs, batch_id, now)
    _update_old(session, merged.filter(known), attrs, now)
    return merged.height


def _insert_new(
    session: Session, frame: pl.DataFrame, attrs: list[str], batch_id: int, now: dt.datetime
) -> None:
    cols = [pl.col("credit_code")]
    for a in attrs:
        cols += [pl.col(f"n_{a}").alias(a), pl.col(f"n_{a}_source").alias(f"{a}_source")]
    rows = frame.select(*cols).with_columns(
        pl.lit(batch_id).alias("first_batch_id"), pl.lit(now).alias("updated_at")
    )
    bulk.insert_frame(session, "enterprise", rows)


def _update_old(session: Session, frame: pl.DataFrame, attrs: list[str], now: dt.datetime) -> None:
    if frame.is_empty() or not attrs:  # a file naming codes only (a monthly tax list) changes no attribute
        return
    changed = pl.any_horizontal(
        [
            pl.col(f"n_{a}_source").ne_missing(pl.col(f"{a}_source"))
            | pl.col(f"n_{a}").cast(pl.String).ne_missing(pl.col(f"{a}_old").cast(pl.String))
            for a in attrs
        ]
    )
    frame = frame.filter(changed)
    if frame.is_empty():
        return
    sets = ", ".join(f"{a} = :{a}, {a}_source = :{a}_source" for a in attrs)
    from sqlalchemy import text

    params = [
        {
            "credit_code": r["credit_code"],
            "updated_at": now,
            **{a: r[f"n_{a}"] for a in attrs},
            **{f"{a}_source": r[f"n_{a}_source"] for a in attrs},
        }
        for r in frame.iter_rows(named=True)
    ]
    session.execute(
        text(f"UPDATE enterprise SET {sets}, updated_at = :updated_at WHERE credit_code = :credit_code"),
        params,
    )
