"""Tiers, movement and pool candidates as Ibis expressions: tables in, tables out, any backend.

Inputs: `facts`, the resolved per-year facts (ingest.facts.FACT_COLUMNS, several years allowed),
and `titles`, the titles records (credit_code, title, title_level, title_year). The rules come
from cultivation.rules; docs/cultivation.md states each one in words.
"""

from __future__ import annotations

from functools import reduce

import ibis
import ibis.expr.types as ir

from industry_brain.cultivation.rules import Criterion, Pool, TierRules

TIER_COLUMNS = ("credit_code", "year", "tier", "kind", "level", "since")
NO_LEVEL = "未注明"


def _tier_rows(t: ir.Table, tier: str, kind: str, year: int) -> ir.Table:
    return t.select(
        credit_code=t.credit_code.cast("string"),
        year=ibis.literal(year, "int64"),
        tier=ibis.literal(tier, "string"),
        kind=ibis.literal(kind, "string"),
        level=ibis.null("string"),
        since=ibis.null("int64"),
    )


def above_scale(t: ir.Table, rules: TierRules) -> ir.BooleanValue:
    """The statistics office's 是否规上 where given, else revenue ≥ the threshold."""
    by_revenue = t.revenue_wan.cast("float64") >= rules.above_scale_revenue_wan
    return ibis.ifelse(t.above_scale.isnull(), by_revenue.fill_null(False), t.above_scale == 1)


def held_titles(titles: ir.Table, rules: TierRules, *, year: int) -> ir.Table:
    """(credit_code, tier, title, level, since): the titles counted in `year`."""
    known = {t.title: t.id for t in rules.title_tiers}
    held = titles.filter(titles.title.isin(list(known)), titles.title_year.cast("int64") <= year)
    if rules.valid_years is not None:
        held = held.filter(held.title_year.cast("int64") > year - rules.valid_years)
    tier = ibis.cases(
        *[(held.title == title, tid) for title, tid in known.items()], else_=ibis.null("string")
    )
    held = held.mutate(tier=tier, level=held.title_level.cast("string").fill_null(NO_LEVEL))
    return held.group_by(["credit_code", "tier", "title", "level"]).agg(
        since=held.title_year.cast("int64").min()
    )


def assign_tiers(facts: ir.Table, titles: ir.Table, rules: TierRules, *, year: int) -> ir.Table:
    """One row per enterprise and tier it is in for `year` (TIER_COLUMNS). Output tiers are
    cumulative: a 12亿 enterprise is in 亿元以上 and in 10亿元以上, as the plans count them."""
    f = facts.filter(facts.year == year)
    parts = [_tier_rows(f.filter(above_scale(f, rules)), "above_scale", "scale", year)]
    for tier in rules.output_tiers:
        rows = f.filter(f.output_wan.cast("float64") >= tier.min_output_wan)
        parts.append(_tier_rows(rows, tier.id, "output", year))
    held = held_titles(titles, rules, year=year)
    parts.append(
        held.select(
            credit_code=held.credit_code.cast("string"),
            year=ibis.literal(year, "int64"),
            tier=held.tier,
            kind=ibis.literal("title", "string"),
            level=held.level,
            since=held.since,
        )
    )
    return reduce(lambda a, b: a.union(b), parts)


def tier_counts(tiers: ir.Table) -> ir.Table:
    """(tier, kind, level, count): enterprises per tier; for titles one row per level and one
    with level null counting holders of any level once."""
    per_level = tiers.group_by(["tier", "kind", "level"]).agg(count=tiers.credit_code.nunique())
    titled = tiers.filter(tiers.kind == "title")
    any_level = titled.group_by(["tier", "kind"]).agg(count=titled.credit_code.nunique())
    any_level = any_level.select("tier", "kind", level=ibis.null("string"), count=any_level["count"])
    return per_level.union(any_level)


def _top_rank(tiers: ir.Table, facts: ir.Table, rules: TierRules, year: int) -> ir.Table:
    ladder = rules.ladder()
    rank = ibis.cases(*[(tiers.tier == t, i + 1) for i, t in enumerate(ladder)], else_=0)
    ranked = tiers.filter(tiers.tier.isin(list(ladder))).mutate(rank=rank)
    top = ranked.group_by("credit_code").agg(rank=ranked["rank"].max())
    present = facts.filter(facts.year == year).select(credit_code=facts.credit_code.cast("string")).distinct()
    joined = present.left_join(top, present.credit_code == top.credit_code)
    return joined.select(credit_code=present.credit_code, rank=joined["rank"].fill_null(0))


def movement(
    facts: ir.Table, titles: ir.Table, rules: TierRules, *, year_from: int, year_to: int
) -> ir.Table:
    """(credit_code, change, from_tier, to_tier, direction): who moved on the size ladder
    (规下 < 规上 < 亿元 < 10亿 < 50亿 < 100亿) between two years, among enterprises with figures
    in both; and who gained or lost a title (tier at a level)."""
    ladder = ("below_scale", *rules.ladder())
    a = _top_rank(assign_tiers(facts, titles, rules, year=year_from), facts, rules, year_from)
    b = _top_rank(assign_tiers(facts, titles, rules, year=year_to), facts, rules, year_to)
    j = a.inner_join(b, a.credit_code == b.credit_code)
    j = j.select(credit_code=a.credit_code, r1=a["rank"], r2=b["rank"]).filter(lambda t: t.r1 != t.r2)

    def name(r: ir.IntegerValue) -> ir.StringValue:
        return ibis.cases(*[(r == i, tier) for i, tier in enumerate(ladder)], else_=ibis.null("string"))

    size = j.select(
        credit_code=j.credit_code,
        change=ibis.literal("size", "string"),
        from_tier=name(j.r1),
        to_tier=name(j.r2),
        direction=ibis.ifelse(j.r2 > j.r1, "up", "down"),
    )
    h1 = held_titles(titles, rules, year=year_from).select("credit_code", "tier", "level")
    h2 = held_titles(titles, rules, year=year_to).select("credit_code", "tier", "level")
    keys = ["credit_code", "tier", "level"]
    gained = h2.anti_join(h1, keys)
    lost = h1.anti_join(h2, keys)

    def titled(t: ir.Table, direction: str) -> ir.Table:
        label = t.tier.concat("@", t.level)
        none = ibis.null("string")
        return t.select(
            credit_code=t.credit_code.cast("string"),
            change=ibis.literal("title", "string"),
            from_tier=none if direction == "up" else label,
            to_tier=label if direction == "up" else none,
            direction=ibis.literal(direction, "string"),
        )

    return size.union(titled(gained, "up")).union(titled(lost, "down"))


def _criterion(t: ir.Table, c: Criterion, held: ir.Table, i: int) -> tuple[ir.Table, ir.BooleanValue]:
    if c.kind in ("titles_any", "titles_none"):
        conds = [
            (held.title == ref.title) & (held.level == ref.level if ref.level else ibis.literal(True))
            for ref in c.titles
        ]
        holders = held.filter(reduce(lambda x, y: x | y, conds)).select("credit_code").distinct()
        flag = f"_title_{i}"
        holders = holders.mutate(**{flag: ibis.literal(True)}).rename({f"{flag}_code": "credit_code"})
        t = t.left_join(holders, t.credit_code == holders[f"{flag}_code"]).drop(f"{flag}_code")
        has = t[flag].fill_null(False)
        return t, has if c.kind == "titles_any" else ~has
    value = t[c.field].cast("float64")
    if c.bands:
        threshold = ibis.cases(
            *[(t.revenue_wan <= b.max_revenue_wan, b.value) for b in c.bands[:-1]], else_=c.bands[-1].value
        )
    else:
        threshold = ibis.literal(c.value, "float64")
    test = {
        "ge": value >= threshold,
        "gt": value > threshold,
        "le": value <= threshold,
        "lt": value < threshold,
        "eq": value == threshold,
    }[c.op or "eq"]
    return t, test.fill_null(False)


def pool_frame(facts: ir.Table, rules: TierRules, *, year: int) -> ir.Table:
    """The year's facts with the fields criteria test: above_scale by the tier rule, R&D
    intensity, and growth of revenue and output over the year before."""
    now = facts.filter(facts.year == year)
    prev = facts.filter(facts.year == year - 1).select(
        p_code=facts.credit_code,
        p_revenue=facts.revenue_wan.cast("float64"),
        p_output=facts.output_wan.cast("float64"),
    )
    t = now.left_join(prev, now.credit_code == prev.p_code)
    rev, out = t.revenue_wan.cast("float64"), t.output_wan.cast("float64")
    growth = lambda cur, old: ibis.ifelse(old > 0, (cur - old) / old, ibis.null("float64"))  # noqa: E731
    return t.mutate(
        above_scale=ibis.ifelse(above_scale(t, rules), 1, 0),
        rd_intensity=ibis.ifelse(rev > 0, t.rd_spend_wan.cast("float64") / rev, ibis.null("float64")),
        revenue_growth=growth(rev, t.p_revenue),
        output_growth=growth(out, t.p_output),
    ).drop("p_code")


def candidates(facts: ir.Table, titles: ir.Table, rules: TierRules, pool: Pool, *, year: int) -> ir.Table:
    """The enterprises meeting every criterion of `pool` in `year`, with the fields tested."""
    t = pool_frame(facts, rules, year=year)
    held = held_titles(titles, rules, year=year)
    keep = []
    for i, c in enumerate(pool.criteria):
        t, test = _criterion(t, c, held, i)
        keep.append(test)
    t = t.filter(reduce(lambda x, y: x & y, keep))
    fields = ["revenue_wan", "output_wan", "rd_spend_wan", "rd_intensity", "revenue_growth", "output_growth"]
    return t.select("credit_code", "name", "industry_code", "above_scale", *fields)
