"""Cluster analytics as Ibis expressions: facts and cluster definitions in, figures out.

Pure: no I/O, no backend-specific code, so DuckDB, SQLite, PostgreSQL and PySpark compute the
same numbers (tests/test_clusters_engines.py). docs/clusters.md states every rule in words.

Inputs
- facts: the per-year enterprise facts (ingest.facts.FACT_COLUMNS; at least credit_code,
  industry_code — the GB/T 4754-2017 class, 4 digits — year, above_scale, output_wan,
  value_added_wan, and the column a location quotient is measured on).
- definitions: (cluster_id, industry_prefix), one row per code a cluster names; a code at
  division (2 digits), group (3) or class (4) level takes every class that starts with it.
- reference: (year, industry_code, value), the reference area's figures by GB/T code, with an
  optional row whose industry_code is `total` (see `location_quotients`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

TOTAL = "total"
WAN_PER_YI = 10_000.0
# What a location quotient may be measured on, and how the district's side is summed.
MEASURES = {
    "output": ("output_wan", True),  # 规上工业总产值: above-scale enterprises only
    "value_added": ("value_added_wan", True),  # 规上工业增加值
    "employees": ("employees", False),  # 年平均职工人数: every enterprise
    "enterprises": (None, False),  # number of enterprises
    "revenue": ("revenue_wan", False),  # 营业收入: every enterprise
}


def cluster_members(facts: ir.Table, definitions: ir.Table, titled: ir.Table | None = None) -> ir.Table:
    """(cluster_id, credit_code, year): each enterprise whose class starts with one of a
    cluster's codes, once per cluster and year however many of its codes it matches.

    `titled` (cluster_id, credit_code), where given, adds the enterprises a cluster takes for a
    title it names (Cluster.titles), in every year they have facts."""
    joined = facts.join(
        definitions, facts.industry_code.cast("string").startswith(definitions.industry_prefix)
    )
    members = joined.select("cluster_id", "credit_code", "year")
    if titled is not None:
        by_title = facts.join(titled, "credit_code").select("cluster_id", "credit_code", "year")
        members = members.union(by_title)
    return members.distinct()


def minimal_definitions(definitions: ir.Table) -> ir.Table:
    """definitions without codes another code of the same cluster already covers ("344" under
    "34"): they add no member, and would ask a reference for a finer level than it needs."""
    d2 = definitions.select(cluster_id2="cluster_id", prefix2="industry_prefix")
    covered = definitions.join(
        d2,
        (definitions.cluster_id == d2.cluster_id2)
        & definitions.industry_prefix.startswith(d2.prefix2)
        & (definitions.industry_prefix != d2.prefix2),
    ).select("cluster_id", "industry_prefix")
    return (
        definitions.select("cluster_id", "industry_prefix")
        .distinct()
        .anti_join(covered, ["cluster_id", "industry_prefix"])
    )


def _member_facts(facts: ir.Table, definitions: ir.Table, titled: ir.Table | None) -> ir.Table:
    members = cluster_members(facts, definitions, titled)
    return members.join(facts, ["credit_code", "year"])


def _above(t: ir.Table) -> ir.BooleanValue:
    return t.above_scale.fill_null(0) == 1


def _above_sum(t: ir.Table, column: str) -> ir.FloatingValue:
    return ibis.ifelse(_above(t), t[column].cast("float64"), ibis.null("float64")).sum().fill_null(0)


def district_totals(facts: ir.Table) -> ir.Table:
    """(year, district_output, district_value_added) over above-scale enterprises, in 亿元."""
    return facts.group_by("year").aggregate(
        district_output=_above_sum(facts, "output_wan") / WAN_PER_YI,
        district_value_added=_above_sum(facts, "value_added_wan") / WAN_PER_YI,
    )


def cluster_aggregates(facts: ir.Table, definitions: ir.Table, titled: ir.Table | None = None) -> ir.Table:
    """Per cluster and year: output and value added of its above-scale members (亿元),
    enterprises (all, above-scale), growth of output on the year before (a fraction; null
    where the year before has no output), and share of the area's above-scale output."""
    m = _member_facts(facts, definitions, titled)
    agg = m.group_by(["cluster_id", "year"]).aggregate(
        output=_above_sum(m, "output_wan") / WAN_PER_YI,
        value_added=_above_sum(m, "value_added_wan") / WAN_PER_YI,
        enterprises=m.credit_code.nunique(),
        enterprises_above_scale=ibis.ifelse(_above(m), m.credit_code, ibis.null("string")).nunique(),
    )
    prev = agg.select("cluster_id", year=(agg.year + 1).cast(agg.year.type()), output_previous=agg.output)
    agg = agg.left_join(prev, ["cluster_id", "year"]).select(~ibis.selectors.endswith("_right"))
    totals = district_totals(facts)
    agg = agg.left_join(totals, "year").select(~ibis.selectors.endswith("_right"))
    growth = ibis.ifelse(agg.output_previous > 0, agg.output / agg.output_previous - 1, ibis.null("float64"))
    share = ibis.ifelse(agg.district_output > 0, agg.output / agg.district_output, ibis.null("float64"))
    return agg.mutate(growth=growth, share=share).order_by(["cluster_id", "year"])


def _region_values(facts: ir.Table, measure: str) -> ir.Table:
    """facts with `value`: the enterprise's contribution to `measure` (null if it does not count)."""
    column, above_only = MEASURES[measure]
    value = ibis.literal(1.0) if column is None else facts[column].cast("float64")
    if above_only:
        value = ibis.ifelse(_above(facts), value, ibis.null("float64"))
    return facts.mutate(value=value)


def location_quotients(
    facts: ir.Table,
    definitions: ir.Table,
    reference: ir.Table,
    *,
    measure: str = "output",
    titled: ir.Table | None = None,
) -> ir.Table:
    """LQ = (e_ci / e_c) / (E_i / E) per cluster and year (METHODS.md 4.1).

    e_ci: the cluster's members' `measure` in the area of the facts; e_c: every enterprise's.
    E_i: the reference rows whose code starts with one of the cluster's codes, summed; E: the
    reference's `total` row, or the sum of its other rows where it has none. A cluster code
    that no reference row falls under (the reference is coarser than the cluster) leaves E_i
    unknown: LQ is null and `reference_covered` is false, never a guess.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    definitions = minimal_definitions(definitions)
    region = _region_values(facts, measure)
    e_c = region.group_by("year").aggregate(region_total=region.value.sum())
    members = cluster_members(facts, definitions, titled).join(region, ["credit_code", "year"])
    e_ci = members.group_by(["cluster_id", "year"]).aggregate(region_value=members.value.sum().fill_null(0))

    rows = reference.filter(reference.industry_code != TOTAL)
    explicit = (
        reference.filter(reference.industry_code == TOTAL)
        .group_by("year")
        .aggregate(explicit_total=reference.value.cast("float64").sum())
    )
    summed = rows.group_by("year").aggregate(summed_total=rows.value.cast("float64").sum())
    big_e = summed.left_join(explicit, "year").select(~ibis.selectors.endswith("_right"))
    big_e = big_e.select("year", reference_total=ibis.coalesce(big_e.explicit_total, big_e.summed_total))

    under = definitions.join(rows, rows.industry_code.cast("string").startswith(definitions.industry_prefix))
    # E_i per year: each reference row once per cluster, even if two cluster codes cover it.
    distinct_rows = under.select("cluster_id", "year", "industry_code", "value").distinct()
    big_e_i = distinct_rows.group_by(["cluster_id", "year"]).aggregate(
        reference_value=distinct_rows.value.cast("float64").sum()
    )
    covered = under.group_by(["cluster_id", "year"]).aggregate(codes_covered=under.industry_prefix.nunique())
    needed = definitions.group_by("cluster_id").aggregate(codes=definitions.industry_prefix.nunique())

    out = e_ci.join(e_c, "year")
    for right, keys in ((big_e_i, ["cluster_id", "year"]), (covered, ["cluster_id", "year"])):
        out = out.left_join(right, keys).select(~ibis.selectors.endswith("_right"))
    out = out.left_join(needed, "cluster_id").select(~ibis.selectors.endswith("_right"))
    out = out.left_join(big_e, "year").select(~ibis.selectors.endswith("_right"))
    full = out.codes_covered.fill_null(0) == out.codes
    defined = full & (out.region_total > 0) & (out.reference_value > 0) & (out.reference_total > 0)
    lq = (out.region_value / out.region_total) / (out.reference_value / out.reference_total)
    return out.select(
        "cluster_id",
        "year",
        "region_value",
        "region_total",
        "reference_value",
        "reference_total",
        reference_covered=full,
        lq=ibis.ifelse(defined, lq, ibis.null("float64")),
    ).order_by(["cluster_id", "year"])
