"""Set-based reads of the match frame (analytics.MATCH_COLUMNS, one row per enterprise and
policy): the near-miss flag, the summary per policy and the rows a page lists. A district's
frame holds tens of thousands of rows; what is counted or filtered is done here, in columns,
and the trace (policies/trace.py) is built only for the rows a person reads.

`near_miss` says what trace.trace says in its `near_miss` field, as a column: exactly one
condition failed, on a number, within trace.NEAR_MISS of its threshold (tests check the two
agree row by row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from industry_brain.policies.analytics import RESULTS
from industry_brain.policies.fields import FIELDS
from industry_brain.policies.format import Policy
from industry_brain.policies.trace import NEAR_MISS, required_of

SUMMARY_COUNTS = (*RESULTS, "near_miss")


def _near_miss_of(policy: Policy, as_of: dt.date) -> pl.Expr:
    failed: list[pl.Expr] = []
    near: list[pl.Expr] = []
    for i, c in enumerate(policy.conditions):
        fail = (pl.col(f"c{i}_pass") == 0).fill_null(False)
        failed.append(fail.cast(pl.Int32))
        required = required_of(policy, c, as_of)
        numeric = c.field is not None and FIELDS[c.field].kind != "text"
        if numeric and isinstance(required, int | float) and not isinstance(required, bool) and required:
            gap = (pl.lit(float(required)) - pl.col(f"c{i}_num").round(4)).round(4).abs()
            near.append(fail & (gap <= NEAR_MISS * abs(float(required))).fill_null(False))
    if not near:
        return pl.lit(False)
    return (pl.sum_horizontal(failed) == 1) & pl.any_horizontal(near)


def with_near_miss(frame: pl.DataFrame, policies: Sequence[Policy], as_of: dt.date) -> pl.DataFrame:
    """`frame` with a boolean `near_miss` column, policy by policy: each policy's expression over
    its own rows (a frame sorted by policy holds each in one run of rows, a zero-copy slice), not
    every policy's over every row."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(False).alias("near_miss"))
    by_id = {p.id: p for p in policies}
    runs = frame.select(pl.col("policy").rle()).unnest("policy")
    if runs.height > 4 * max(len(by_id), 1):  # not grouped by policy: one pass per policy instead
        flag: Any = pl.lit(False)
        for p in policies:
            flag = pl.when(pl.col("policy") == p.id).then(_near_miss_of(p, as_of)).otherwise(flag)
        return frame.with_columns(flag.alias("near_miss"))
    flags, offset = [], 0
    for length, pid in runs.iter_rows():
        part = frame.slice(offset, length)
        near = _near_miss_of(by_id[pid], as_of) if pid in by_id else pl.lit(False)
        flags.append(
            part.with_columns(near.alias("near_miss")).get_column("near_miss")
        )  # a literal broadcast
        offset += length
    return frame.with_columns(pl.concat(flags))


def summary(frame: pl.DataFrame, policies: Sequence[Policy]) -> list[dict[str, Any]]:
    """Per policy (by id): how many enterprises in each result, how many near misses, and the
    eligible amount (万元, the sum of the rounded amounts, to 2 decimals)."""
    if frame.is_empty():
        return []
    names = {p.id: p.name for p in policies}
    counts = [(pl.col("result") == r).sum().alias(r) for r in RESULTS]
    if "near_miss" in frame.columns:
        counts.append(pl.col("near_miss").sum().alias("near_miss"))
    got = (
        frame.group_by("policy")
        .agg(*counts, pl.col("amount_wan").fill_null(0.0).sum().round(2).alias("amount_wan"))
        .sort("policy")
    )
    return [
        {"policy": r["policy"], "policy_name": names.get(r["policy"], r["policy"]), **r}
        | {k: int(r.get(k) or 0) for k in SUMMARY_COUNTS}
        for r in got.to_dicts()
    ]


def listed(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows a district's list shows: every result but not_eligible, and the near misses."""
    keep = pl.col("result") != "not_eligible"
    if "near_miss" in frame.columns:
        keep = keep | pl.col("near_miss")
    return frame.filter(keep)
