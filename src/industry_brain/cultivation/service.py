"""Tiers and pools: the one place their queries and logic live.

Tiers are computed, not stored: the year's resolved facts (ingest.facts.resolve_year) and the
titles records go through cultivation.analytics on an Ibis engine (DuckDB in-process by default).
Every function narrows the enterprises to the caller's scope before computing, so a town's
counts are its own township's and an enterprise sees only itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import ibis.expr.types as ir
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.core.settings import get_settings
from industry_brain.cultivation import analytics
from industry_brain.cultivation.rules import tier_rules
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.facts import FACT_COLUMNS, data_stamp, resolve_year
from industry_brain.ingest.models import ImportBatch, Record

TITLE_SCHEMA = pl.Schema(
    {"credit_code": pl.String(), "title": pl.String(), "title_level": pl.String(), "title_year": pl.Int64()}
)


def visible_codes(session: Session, *, scope: Scope) -> set[str] | None:
    """The credit codes `scope` may see; None when it sees every enterprise."""
    if scope.district_wide:
        return None
    clause = scope.enterprise_clause(Enterprise.credit_code, Enterprise.township_code)
    return set(session.scalars(select(Enterprise.credit_code).where(clause)))


def _only(frame: pl.DataFrame, codes: set[str] | None) -> pl.DataFrame:
    return frame if codes is None else frame.filter(pl.col("credit_code").is_in(sorted(codes)))


def facts_of(session: Session, *, years: list[int], scope: Scope) -> pl.DataFrame:
    tolerance = get_settings().conflict_tolerance
    frames = [resolve_year(session, year=y, tolerance=tolerance)[0] for y in sorted(set(years))]
    facts = pl.concat([f.with_columns(pl.col("year").cast(pl.Int64)) for f in frames], how="vertical_relaxed")
    return _only(facts.select(FACT_COLUMNS), visible_codes(session, scope=scope))


def titles_of(session: Session, *, scope: Scope) -> pl.DataFrame:
    """The titles records of the active titles batches (one row per code, title and level)."""
    stmt = (
        select(Record.credit_code, Record.title, Record.title_level, Record.title_year)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.template == "titles", ImportBatch.status == "active", Record.credit_code.is_not(None)
        )
    )
    frame = pl.DataFrame(session.execute(stmt).all(), schema=TITLE_SCHEMA, orient="row")
    return _only(frame.unique(), visible_codes(session, scope=scope))


def run(
    build: Callable[[ir.Table, ir.Table], ir.Table],
    facts: pl.DataFrame,
    titles: pl.DataFrame,
    *,
    engine: str = "duckdb",
    postgres_url: str | None = None,
) -> pl.DataFrame:
    """Register facts and titles on `engine`, evaluate `build(facts, titles)`, drop them again
    (they are confidential), and return the result."""
    from industry_brain.evaluation.engines import connect
    from industry_brain.evaluation.inputs import facts_table_name

    con = connect(engine, postgres_url=postgres_url)
    names = [facts_table_name(), facts_table_name()]
    temp = con.name == "postgres"
    try:
        f = con.create_table(names[0], facts.to_arrow(), overwrite=True, temp=temp)
        t = con.create_table(names[1], titles.cast(TITLE_SCHEMA).to_arrow(), overwrite=True, temp=temp)
        return pl.from_arrow(build(f, t).to_pyarrow())  # type: ignore[return-value]
    finally:
        for name in names:
            with contextlib.suppress(Exception):
                con.drop_table(name, force=True)
        con.disconnect()


# Tiers are computed from every enterprise's facts of a year: seconds on a district. The tiers
# page, the cockpit tile and the plans' derived indicators read them per request, so they are
# kept per scope and state of the data (the rules are fixed for the life of the process).
_KEPT: ReadCache[Any] = ReadCache(size=64)


def _kept(session: Session, scope: Scope, what: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    stamp = data_stamp(session)
    key = None if stamp is None else (*what, scope.role, scope.township_code, scope.credit_code, *stamp)
    return _KEPT.get_or_compute(key, compute)


def _names(session: Session, codes: set[str] | None = None) -> dict[str, str | None]:
    """Enterprise names by credit code: of `codes` only where given (a pool's members), else all."""
    stmt = select(Enterprise.credit_code, Enterprise.name)
    if codes is not None:
        if not codes:
            return {}
        stmt = stmt.where(Enterprise.credit_code.in_(sorted(codes)))
    return {c: n for c, n in session.execute(stmt)}


def tiers_of_year(session: Session, *, year: int, scope: Scope) -> pl.DataFrame:
    """Every enterprise's tiers in `year`: credit_code, name, tier, tier_name, kind, level, since."""
    return _kept(session, scope, ("tiers", year), lambda: _tiers_of_year(session, year=year, scope=scope))


def _tiers_of_year(session: Session, *, year: int, scope: Scope) -> pl.DataFrame:
    """Every enterprise's tiers in `year`: credit_code, name, tier, tier_name, kind, level, since."""
    rules = tier_rules()
    facts = facts_of(session, years=[year], scope=scope)
    titles = titles_of(session, scope=scope)
    tiers = run(lambda f, t: analytics.assign_tiers(f, t, rules, year=year), facts, titles)
    names = _names(session)
    tier_names = rules.tier_names()
    return tiers.with_columns(
        pl.col("credit_code").replace_strict(names, default=None, return_dtype=pl.String).alias("name"),
        pl.col("tier").replace_strict(tier_names, default=None, return_dtype=pl.String).alias("tier_name"),
    ).sort("tier", "level", "credit_code", nulls_last=True)


def tier_counts(session: Session, *, year: int, scope: Scope) -> list[dict[str, Any]]:
    """Enterprises per tier in `year` within `scope` (see _tier_counts)."""
    kept = _kept(session, scope, ("counts", year), lambda: _tier_counts(session, year=year, scope=scope))
    return [dict(r) for r in kept]


def _tier_counts(session: Session, *, year: int, scope: Scope) -> list[dict[str, Any]]:
    """Enterprises per tier in `year` within `scope`: a list of {tier, name, kind, level, count}
    in the rules' order; a title appears once per level and once with level None (any level).

    Plans' derivations may call this; tiers with no enterprise are listed with count 0."""
    rules = tier_rules()
    facts = facts_of(session, years=[year], scope=scope)
    titles = titles_of(session, scope=scope)
    counts = run(
        lambda f, t: analytics.tier_counts(analytics.assign_tiers(f, t, rules, year=year)), facts, titles
    )
    found = {(r["tier"], r["level"]): r["count"] for r in counts.to_dicts()}
    out = []
    for tier, name in rules.tier_names().items():
        kind = "scale" if tier == "above_scale" else "title" if tier not in rules.ladder() else "output"
        levels: list[str | None] = [None]
        if kind == "title":
            named: set[str] = {lv for (t, lv) in found if t == tier and isinstance(lv, str)}
            ordered: list[str] = sorted(named, key=_level_order)
            levels.extend(ordered)
        for level in levels:
            out.append(
                {
                    "tier": tier,
                    "name": name,
                    "kind": kind,
                    "level": level,
                    "count": found.get((tier, level), 0),
                }
            )
    return out


def _level_order(level: str) -> int:
    levels = tier_rules().levels
    return levels.index(level) if level in levels else len(levels)


def tier_movement(session: Session, *, year_from: int, year_to: int, scope: Scope) -> list[dict[str, Any]]:
    """Who moved up or down between two years: size ladder and titles (analytics.movement)."""
    if year_from == year_to:
        raise IndustryBrainError("--from 与 --to 须为不同年份")
    kept = _kept(
        session,
        scope,
        ("movement", year_from, year_to),
        lambda: _tier_movement(session, year_from=year_from, year_to=year_to, scope=scope),
    )
    return [dict(r) for r in kept]


def _tier_movement(session: Session, *, year_from: int, year_to: int, scope: Scope) -> list[dict[str, Any]]:
    rules = tier_rules()
    facts = facts_of(session, years=[year_from, year_to], scope=scope)
    titles = titles_of(session, scope=scope)
    moved = run(
        lambda f, t: analytics.movement(f, t, rules, year_from=year_from, year_to=year_to), facts, titles
    )
    names, tier_names = _names(session), rules.tier_names()
    tier_names["below_scale"] = "规下"

    def label(v: str | None) -> str | None:
        if v is None:
            return None
        tier, _, level = v.partition("@")
        return f"{tier_names.get(tier, tier)}（{level}）" if level else tier_names.get(tier, tier)

    rows = [
        {
            **r,
            "name": names.get(r["credit_code"]),
            "from_name": label(r["from_tier"]),
            "to_name": label(r["to_tier"]),
        }
        for r in moved.to_dicts()
    ]
    return sorted(
        rows, key=lambda r: (r["direction"] != "up", r["change"], r["credit_code"], r["to_tier"] or "")
    )
