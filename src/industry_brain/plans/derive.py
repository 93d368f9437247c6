"""Plan indicators computed from the enterprise record, as pure Ibis (facts in, (year, value) out).

`facts` is the per-year enterprise facts table (ingest.facts.FACT_COLUMNS). Each key of
plans.catalogue.DERIVATIONS has one expression here; the formula text there is what users see.
The same expressions run on DuckDB, SQLite, PostgreSQL and PySpark (tests/test_plans_derive.py).
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from industry_brain.core.errors import ConfigurationError
from industry_brain.plans.catalogue import CLUSTER_KEYS, DERIVATIONS, TITLE_KEYS

WAN_PER_YI = 10_000.0
OUTPUT_THRESHOLDS_WAN = {
    "count_output_over_1e8": 10_000.0,
    "count_output_over_1e9": 100_000.0,
    "count_output_over_1e10": 1_000_000.0,
}


def _above(t: ir.Table) -> ir.BooleanValue:
    return t.above_scale.fill_null(0) == 1


def _f(column: ir.Column) -> ir.FloatingValue:
    return column.cast("float64")


def _sum_above(t: ir.Table, column: str) -> ir.FloatingValue:
    """Σ column over above-scale enterprises; null in a year where none reports it."""
    return ibis.ifelse(_above(t), _f(t[column]), ibis.null("float64")).sum()


def _land(t: ir.Table) -> ir.FloatingValue:
    """Own land, or rented land for an enterprise without its own (as the evaluation counts it)."""
    own = t.land_mu.fill_null(0) > 0
    return ibis.ifelse(own, _f(t.land_mu), _f(t.rented_mu))


def _ratio(t: ir.Table, num: ir.FloatingValue, den: ir.FloatingValue, scale: float = 1.0) -> ir.Table:
    """Σ num ÷ Σ den per year over above-scale enterprises with both figures and den > 0."""
    counts = _above(t) & num.notnull() & den.notnull() & (den > 0)
    n = ibis.ifelse(counts, num, ibis.null("float64")).sum()
    d = ibis.ifelse(counts, den, ibis.null("float64")).sum()
    return t.group_by("year").aggregate(value=ibis.ifelse(d > 0, n / d * scale, ibis.null("float64")))


def _per_year(t: ir.Table, value: ir.Value) -> ir.Table:
    return t.group_by("year").aggregate(value=value)


def _sum_key(column: str) -> Callable[[ir.Table], ir.Table]:
    return lambda t: _per_year(t, _sum_above(t, column) / WAN_PER_YI)


def _count_over(threshold: float) -> Callable[[ir.Table], ir.Table]:
    def build(t: ir.Table) -> ir.Table:
        hit = _f(t.output_wan).fill_null(0) >= threshold
        return _per_year(t, ibis.ifelse(hit, t.credit_code, ibis.null("string")).nunique().cast("float64"))

    return build


def _count_above(t: ir.Table) -> ir.Table:
    return _per_year(t, ibis.ifelse(_above(t), t.credit_code, ibis.null("string")).nunique().cast("float64"))


def _rd_intensity(t: ir.Table) -> ir.Table:
    # An enterprise that reports no R&D spent none; one without revenue cannot be weighed.
    return _ratio(t, _f(t.rd_spend_wan).fill_null(0), _f(t.revenue_wan), 100.0)


_SIMPLE: dict[str, Callable[[ir.Table], ir.Table]] = {
    "output_above_scale": _sum_key("output_wan"),
    "value_added_above_scale": _sum_key("value_added_wan"),
    "revenue_above_scale": _sum_key("revenue_wan"),
    "count_above_scale": _count_above,
    **{key: _count_over(v) for key, v in OUTPUT_THRESHOLDS_WAN.items()},
    "mu_tax_above_scale": lambda t: _ratio(t, _f(t.tax_wan), _land(t)),
    "mu_output_above_scale": lambda t: _ratio(t, _f(t.output_wan), _land(t)),
    "mu_value_added_above_scale": lambda t: _ratio(t, _f(t.value_added_wan), _land(t)),
    "rd_intensity": _rd_intensity,
    "energy_per_value_added": lambda t: _ratio(t, _f(t.energy_tce), _f(t.value_added_wan)),
}


def _sum_all(t: ir.Table, column: str) -> ir.FloatingValue:
    return _f(t[column]).sum()


def _cluster_sum(
    facts: ir.Table, definitions: ir.Table, cluster_id: str, titled: ir.Table | None, key: str
) -> ir.Table:
    from industry_brain.clusters.analytics import cluster_members

    own = definitions.filter(definitions.cluster_id == cluster_id)
    own_titled = None if titled is None else titled.filter(titled.cluster_id == cluster_id)
    members = cluster_members(facts, own, own_titled).select("credit_code", "year")
    m = members.join(facts, ["credit_code", "year"])
    if key == "cluster_output":
        return _per_year(m, _sum_all(m, "output_wan") / WAN_PER_YI)
    column = "value_added_wan" if key == "cluster_value_added" else "output_wan"
    # A cluster whose members in a year are all below scale has a 规上 figure of 0, not none.
    return _per_year(m, _sum_above(m, column).fill_null(0) / WAN_PER_YI)


def _count_titled(facts: ir.Table, titles: ir.Table, title: str) -> ir.Table:
    """Enterprises holding `title` by the end of each year the facts cover (a title without a
    year counts in every year)."""
    years = facts.select("year").distinct()
    held = titles.filter(titles.title == title)
    pairs = years.cross_join(held)
    pairs = pairs.filter(pairs.title_year.isnull() | (pairs.title_year <= pairs.year))
    return pairs.group_by("year").aggregate(value=pairs.credit_code.nunique().cast("float64"))


def derive(
    facts: ir.Table,
    key: str,
    *,
    cluster_id: str | None = None,
    definitions: ir.Table | None = None,
    titled: ir.Table | None = None,
    title: str | None = None,
    titles: ir.Table | None = None,
) -> ir.Table:
    """(year, value) of derivation `key` for every year of `facts`.

    Cluster keys need `cluster_id` and `definitions` (cluster_id, industry_prefix), optionally
    `titled` (cluster_id, credit_code); title keys need `title` and `titles` (credit_code,
    title, title_year)."""
    if key in _SIMPLE:
        return _SIMPLE[key](facts).select("year", "value")
    if key in CLUSTER_KEYS:
        if cluster_id is None or definitions is None:
            raise ConfigurationError(f"{key} 需要集群定义 (needs a cluster and its definitions)")
        return _cluster_sum(facts, definitions, cluster_id, titled, key).select("year", "value")
    if key in TITLE_KEYS:
        if title is None or titles is None:
            raise ConfigurationError(f"{key} 需要称号名单 (needs the titles list)")
        return _count_titled(facts, titles, title).select("year", "value")
    known = ", ".join(DERIVATIONS)
    raise ConfigurationError(f"未知的计算口径 {key!r} (known: {known})")
