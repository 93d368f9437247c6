"""政策沙盘: a draft version of a policy (a changed threshold or amount) matched beside the live
one on the same record and date: who gains and who loses eligibility, and what it costs, by
cluster, township, tier (规上/规下) and 亩均 grade. Both versions go through the same engine;
the diff is a join of the two results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import GRADES
from industry_brain.core.scope import Scope
from industry_brain.cultivation.service import visible_codes
from industry_brain.policies import record as records
from industry_brain.policies.engine import evaluate
from industry_brain.policies.format import Policy, catalogue
from industry_brain.reference.divisions import township_name

DIMENSIONS = ("cluster", "township", "tier", "mu_grade")


def _clusters(session: Session, record: pl.DataFrame) -> pl.DataFrame:
    """(credit_code, cluster): each enterprise's clusters by its industry class (several allowed),
    those of every plan in the database, the district's own included."""
    from industry_brain.clusters.service import definitions_frame, list_clusters

    clusters = list_clusters(session)
    names = {c.id: c.name for c in clusters}
    defs = definitions_frame(clusters)
    pairs = record.select("credit_code", "industry_code").unique().join(defs, how="cross")
    pairs = pairs.filter(pl.col("industry_code").str.starts_with(pl.col("industry_prefix")))
    return pairs.select(
        "credit_code", pl.col("cluster_id").replace_strict(names, default=None).alias("cluster")
    ).unique()


def compare(
    live: Policy | None,
    draft: Policy,
    record: pl.DataFrame,
    titles: pl.DataFrame,
    *,
    as_of: dt.date,
    engine: str = "duckdb",
) -> pl.DataFrame:
    """Per enterprise: live_result, live_wan, draft_result, draft_wan, change (gained, lost, same)."""
    cols = ["credit_code", "result", "amount_wan"]
    d = evaluate([draft], record, titles, as_of=as_of, engine=engine).select(cols)
    if live is not None and live.in_force(as_of):
        lv = evaluate([live], record, titles, as_of=as_of, engine=engine).select(cols)
    else:
        lv = d.select(
            "credit_code",
            pl.lit("not_eligible").alias("result"),
            pl.lit(None, pl.Float64).alias("amount_wan"),
        )
    j = lv.rename({"result": "live_result", "amount_wan": "live_wan"}).join(
        d.rename({"result": "draft_result", "amount_wan": "draft_wan"}),
        on="credit_code",
        how="full",
        coalesce=True,
    )
    was, now = pl.col("live_result") == "eligible", pl.col("draft_result") == "eligible"
    change = (
        pl.when(now & ~was)
        .then(pl.lit("gained"))
        .when(was & ~now)
        .then(pl.lit("lost"))
        .otherwise(pl.lit("same"))
    )
    return j.with_columns(
        change.alias("change"), pl.col("live_wan").fill_null(0.0), pl.col("draft_wan").fill_null(0.0)
    )


def sandbox(
    session: Session, *, draft: Policy, as_of: dt.date, scope: Scope, engine: str = "duckdb"
) -> dict[str, Any]:
    """The draft against the live policy of the same id on `as_of`, within `scope`."""
    if not draft.in_force(as_of):
        raise IndustryBrainError(f"草案在 {as_of.isoformat()} 不在有效期内")
    live = catalogue().get(draft.id)
    year = draft.figures_year_for(as_of)
    record = records.record_of(session, year=year)
    diff = compare(live, draft, record, records.titles_all(session), as_of=as_of, engine=engine)
    seen = visible_codes(session, scope=scope)
    if seen is not None:
        diff = diff.filter(pl.col("credit_code").is_in(sorted(seen)))
    attrs = record.select(
        "credit_code",
        "name",
        pl.col("township_code")
        .map_elements(township_name, return_dtype=pl.String, skip_nulls=False)
        .alias("township"),
        pl.when(pl.col("above_scale") == 1)
        .then(pl.lit("规上企业"))
        .otherwise(pl.lit("规下企业"))
        .alias("tier"),
        pl.col("mu_grade").replace_strict(GRADES, default="未评价").alias("mu_grade"),
    )
    diff = diff.join(attrs, on="credit_code", how="left")
    out: dict[str, Any] = {
        "policy": draft.id,
        "live_version": live.version if live else None,
        "draft_version": draft.version,
        "as_of": as_of.isoformat(),
        "cost": _cost(diff),
        "gained": _people(diff, "gained"),
        "lost": _people(diff, "lost"),
        "by": {},
    }
    clusters = _clusters(session, record)
    for dim in DIMENSIONS:
        frame = (
            diff.join(clusters, on="credit_code", how="left").with_columns(
                pl.col("cluster").fill_null("不属于任何集群")
            )
            if dim == "cluster"
            else diff
        )
        out["by"][dim] = _grouped(frame, dim)
    return out


def _cost(diff: pl.DataFrame) -> dict[str, float]:
    live, draft = float(diff["live_wan"].sum()), float(diff["draft_wan"].sum())
    return {"live_wan": round(live, 2), "draft_wan": round(draft, 2), "delta_wan": round(draft - live, 2)}


def _people(diff: pl.DataFrame, change: str) -> list[dict[str, Any]]:
    rows = diff.filter(pl.col("change") == change).sort("credit_code")
    return rows.select(
        "credit_code", "name", "township", "live_result", "draft_result", "live_wan", "draft_wan"
    ).to_dicts()


def _grouped(frame: pl.DataFrame, dim: str) -> list[dict[str, Any]]:
    g = frame.group_by(dim).agg(
        gained=(pl.col("change") == "gained").sum(),
        lost=(pl.col("change") == "lost").sum(),
        live_wan=pl.col("live_wan").sum().round(2),
        draft_wan=pl.col("draft_wan").sum().round(2),
    )
    g = g.with_columns((pl.col("draft_wan") - pl.col("live_wan")).round(2).alias("delta_wan"))
    return (
        g.filter((pl.col("gained") + pl.col("lost") > 0) | (pl.col("delta_wan") != 0))
        .sort(dim)
        .rename({dim: "group"})
        .to_dicts()
    )
