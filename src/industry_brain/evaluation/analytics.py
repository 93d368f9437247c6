"""The 亩均 evaluation as one Ibis expression: facts in, results out, on any Ibis backend.

Pure: no I/O, no backend-specific code. Every rule is the issue-3 reference method, with its
parameters taken from the Method (docs/evaluation-methods.md states each rule in words).
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir

from industry_brain.evaluation.method import INDICATORS, Item, Method

NOT_EVALUATED = "not_evaluated"
VETO_ORDER = ("safety_accident", "env_violation", "low_efficiency")


def _pools(t: ir.Table, method: Method, year: int) -> ir.Table:
    own = t.land_mu.fill_null(0) > 0
    rented = t.rented_mu.fill_null(0) > 0
    # `established` is ISO text (YYYY-MM-DD: inputs.conform parses every date form a facts file
    # may carry and refuses the rest), so comparing it with the ISO cut-off as text compares
    # dates, alike on every engine (SQLite has no date type to cast to).
    cutoff = dt.date(year - method.new_enterprise_years, 12, 31).isoformat()
    division = t.industry_code.cast("string").substr(0, 2)
    reason = ibis.cases(
        (division.isin(list(method.utility_divisions)), "utility"),
        (t.established.cast("string").substr(0, 10) > cutoff, "new"),
        (t.tax_wan.isnull(), "no_tax"),
        (~own & ~rented, "no_land"),
        else_=ibis.null("string"),
    )
    scale = t.above_scale.fill_null(0) == 1
    # bound first, so the pool's cases test the bound reason instead of repeating its cases
    t = t.mutate(reason=reason)
    pool = ibis.cases(
        (t.reason.notnull(), NOT_EVALUATED),
        (~own, "tenant"),
        (scale, "above_scale"),
        (t.land_mu >= method.below_scale_split_mu, "below_scale_3mu_plus"),
        else_="below_scale_under_3mu",
    )
    return t.mutate(
        pool=pool,
        division=division,
        iset=ibis.ifelse(scale, "above_scale", "below_scale"),
        land=ibis.ifelse(own, t.land_mu, t.rented_mu),
    )


def _operand(t: ir.Table, column: str) -> ir.FloatingValue:
    return (t.land if column == "land" else t[column]).cast("float64")


def _defined(t: ir.Table, indicator: str) -> ir.BooleanValue:
    num, den = (_operand(t, c) for c in INDICATORS[indicator])
    return num.notnull() & den.notnull() & (den > 0)


def _indicators(t: ir.Table, method: Method) -> ir.Table:
    values = {}
    for name in method.indicators():
        num, den = (_operand(t, c) for c in INDICATORS[name])
        # `den > 0` is null where den is, and num / den is null where num is: the value is
        # defined exactly where `_defined` says, with one test per row instead of three
        values[name] = ibis.ifelse(den > 0, num / den, ibis.null("float64"))
    return t.mutate(**values)


def _whole(group: list[str]) -> Any:
    """The whole of each group as a window, its rows in credit-code order. The order makes the
    sums and means exact to the last digit from run to run and whatever the engine's threads
    or the file's row groups: floats added in another order give another last digit, and an
    engine without an order adds them as its threads happen to deliver the rows."""
    return ibis.window(group_by=group, order_by="credit_code", rows=(None, None))


def _benchmark(t: ir.Table, item: Item, iset: str) -> ir.FloatingValue:
    bm = item.benchmark
    if bm.rule == "constant":
        return ibis.literal(float(bm.value or 0) * bm.multiple)
    group = ["pool", "iset", "division"] if bm.by_division else ["pool", "iset"]
    defined = _defined(t, item.indicator) & (t.iset == iset)
    num, den = (_operand(t, c) for c in INDICATORS[item.indicator])
    if bm.rule == "pool_aggregate":
        over = _whole(group)
        value = ibis.ifelse(defined, num, ibis.null("float64")).sum().over(over) / ibis.ifelse(
            defined, den, ibis.null("float64")
        ).sum().over(over)
    else:  # pool_mean
        value = ibis.ifelse(defined, t[item.indicator], ibis.null("float64")).mean().over(_whole(group))
    return value * bm.multiple


def _raw_item(t: ir.Table, method: Method, name: str) -> ir.FloatingValue:
    """indicator ÷ benchmark × weight (capped) under the row's set; 0 where the benchmark is not
    positive; null where the indicator is undefined or outside the row's set."""
    cases = []
    for iset, items in method.sets.items():
        item = next((i for i in items if i.indicator == name), None)
        if item is None:
            continue
        bm = _benchmark(t, item, iset)
        score = t[name] / bm * item.weight
        if item.cap is not None:
            score = ibis.least(score, ibis.literal(item.cap))
        cases.append((t.iset == iset, ibis.ifelse(bm.notnull() & (bm > 0), score, ibis.literal(0.0))))
    raw = ibis.cases(*cases, else_=ibis.null("float64"))
    return ibis.ifelse(t[name].notnull(), raw, ibis.null("float64"))


def _items(t: ir.Table, method: Method) -> ir.Table:
    """score_<indicator>: the raw item, or for an undefined indicator the mean raw item of the
    pool members with the same set that have it (0 if none)."""
    t = t.mutate(**{f"raw_{n}": _raw_item(t, method, n) for n in method.indicators()})
    scored = {}
    for name in method.indicators():
        in_set = t.iset.isin(
            [s for s, items in method.sets.items() if any(i.indicator == name for i in items)]
        )
        fill = (
            t[f"raw_{name}"].mean().over(_whole(["pool", "iset"])).fill_null(0.0)
            if method.imputation == "pool_mean"
            else ibis.literal(0.0)
        )
        scored[f"score_{name}"] = ibis.cases(
            (~in_set | (t.pool == NOT_EVALUATED), ibis.null("float64")),
            (t[name].notnull(), t[f"raw_{name}"]),
            else_=fill,
        )
        scored[f"imputed_{name}"] = in_set & t[name].isnull()
    return t.mutate(**scored)


def _joined(flags: list[tuple[str, ir.BooleanValue]]) -> ir.StringValue:
    """'a,b' for the names whose flag is true, '' for none; portable (no array types): every
    name with a leading comma, then the first comma dropped."""
    parts = [ibis.ifelse(flag, "," + name, "") for name, flag in flags]
    return reduce(lambda a, b: a.concat(b), parts).substr(1)


# The pools as small integers: the rank's partition key. A pool's name would do the same, but
# DuckDB partitions and sorts on a fixed-width integer far faster than on text: the window took
# a quarter less time (docs/benchmarks.md, "Evaluation (issue 3)").
POOL_KEYS = {
    "above_scale": 0,
    "below_scale_3mu_plus": 1,
    "below_scale_under_3mu": 2,
    NOT_EVALUATED: 3,
    "tenant": 4,
}


def _vetoes(t: ir.Table, method: Method) -> list[tuple[str, ir.BooleanValue]]:
    low = method.vetoes.get("low_efficiency") or {}
    flags = [
        (
            "safety_accident",
            ibis.literal(bool(method.vetoes.get("safety_accident"))) & (t.safety_accident.fill_null(0) == 1),
        ),
        (
            "env_violation",
            ibis.literal(bool(method.vetoes.get("env_violation"))) & (t.env_violation.fill_null(0) == 1),
        ),
        (
            "low_efficiency",
            ibis.literal(bool(low))
            & (t.pool != "tenant")
            & (t.land_mu.fill_null(0) >= float(low.get("min_land_mu", 0)))
            & (t.tax_wan.cast("float64") / t.land_mu < float(low.get("max_tax_per_mu", 0))),
        ),
    ]
    return [(name, flag.fill_null(False)) for name, flag in flags]


def _totals(t: ir.Table, method: Method) -> ir.Table:
    """score, vetoed, vetoes, imputed and the pool key: everything of a row that does not need
    its rank. `vetoed` is the flag the grade tests, so the vetoes text is built once."""
    score = reduce(lambda a, b: a + b, [t[f"score_{n}"].fill_null(0.0) for n in method.indicators()])
    evaluated = t.pool != NOT_EVALUATED
    flags = _vetoes(t, method)
    return t.mutate(
        score=ibis.ifelse(evaluated, score, ibis.null("float64")),
        vetoed=evaluated & reduce(lambda a, b: a | b, [f for _, f in flags]),
        vetoes=ibis.ifelse(evaluated, _joined(flags), ""),
        imputed=ibis.ifelse(evaluated, _joined([(n, t[f"imputed_{n}"]) for n in method.indicators()]), ""),
        pool_key=ibis.cases(*[(t.pool == pool, key) for pool, key in POOL_KEYS.items()], else_=-1),
    )


def _grades(t: ir.Table, method: Method) -> ir.Table:
    t = _totals(t, method)
    # The rank and the pool size over the same window (partition and order): one sort.
    order = ibis.desc("score")
    t = t.mutate(
        r=ibis.rank().over(group_by="pool_key", order_by=order),
        n=t.credit_code.count().over(group_by="pool_key", order_by=order),
    )
    p = t.r.cast("float64") / t.n.cast("float64")
    by_pool = []
    for pool in ("above_scale", "below_scale_3mu_plus", "below_scale_under_3mu", "tenant"):
        g = method.thresholds(pool)
        by_pool.append(
            (t.pool == pool, ibis.cases((p < g.A, "A"), (p < g.B, "B"), (p < g.C, "C"), else_="D"))
        )
    evaluated = t.pool != NOT_EVALUATED
    return t.mutate(
        grade=ibis.cases((~evaluated, "T"), (t.vetoed, "D"), *by_pool, else_="T"),
        rank=ibis.ifelse(evaluated, t.r + 1, ibis.null("int64")),
    )


def result_columns(method: Method) -> list[str]:
    names = method.indicators()
    return [
        "credit_code",
        "name",
        "pool",
        "grade",
        "score",
        "rank",
        *names,
        *[f"score_{n}" for n in names],
        "imputed",
        "vetoes",
        "reason",
    ]


def evaluate(facts: ir.Table, method: Method, *, year: int) -> ir.Table:
    """One row per enterprise of `year` in `facts` (the facts format), with pool, grade, score,
    rank, indicators, item scores, imputed items, vetoes and the reason of a T grade."""
    t = facts.filter(facts.year == year)
    t = _grades(_items(_indicators(_pools(t, method, year), method), method), method)
    return t.select(result_columns(method)).order_by(["pool", "rank", "credit_code"])


def benchmarks(facts: ir.Table, method: Method, *, year: int) -> ir.Table:
    """The benchmark each enterprise's items were scored against: one row per enterprise of
    `year` with credit_code, pool, iset and bm_<indicator> (null outside its set and for T).
    The same expressions as `evaluate`, so an explanation states the benchmark actually used."""
    t = _indicators(_pools(facts.filter(facts.year == year), method, year), method)
    columns = {}
    for name in method.indicators():
        cases = []
        for iset, items in method.sets.items():
            item = next((i for i in items if i.indicator == name), None)
            if item is not None:
                cases.append((t.iset == iset, _benchmark(t, item, iset)))
        value = ibis.cases(*cases, else_=ibis.null("float64"))
        columns[f"bm_{name}"] = ibis.ifelse(t.pool == NOT_EVALUATED, ibis.null("float64"), value)
    return t.mutate(**columns).select("credit_code", "pool", "iset", "division", *columns)
