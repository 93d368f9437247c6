"""Matching as Ibis expressions: every enterprise against every policy as of a date, in one
query per figures year over the record, on any backend (DuckDB, SQLite, PostgreSQL, PySpark).

Input `record`: one row per enterprise and year with RECORD_COLUMNS (the facts, the master
record's township and zone, the 亩均 grade and the declared figures; `build_record` makes it
from the facts of two years). Input `titles`: credit_code, title, title_level, title_year.

`match_year` returns one wide row per enterprise with a record in the figures year: the values
the conditions read (once per field, whichever policies read it) and, per policy, each
condition's verdict, the result, the amount and how it was capped and cut (Layout names the
columns). engine.long_of reads one policy's columns back as MATCH_COLUMNS: result (eligible,
eligible_zero, not_eligible, unknown), amount_wan and, per condition i, c{i}_num / c{i}_text
(the enterprise's value), c{i}_pass (1, 0, or null when the value is missing) and c{i}_missing
(the stored figures that are missing), and amount_missing (those the amount formula reads, when
they leave the result unknown). The trace (policies/trace.py) is these columns read
back, not a second computation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir

from industry_brain.policies import expr
from industry_brain.policies.fields import FIELDS, TITLE_LEVELS, needs
from industry_brain.policies.format import MAX_CONDITIONS, Condition, Policy

TEXT = ("credit_code", "name", "industry_code", "township_code", "zone", "mu_grade")
RECORD_COLUMNS = (
    "credit_code", "name", "year", "industry_code", "township_code", "zone", "above_scale",
    "above_scale_prev", "revenue_wan", "revenue_prev_wan", "output_wan", "output_prev_wan",
    "value_added_wan", "tax_wan", "rd_spend_wan", "employees", "land_mu", "energy_tce",
    "safety_accident", "env_violation", "mu_grade", "tech_investment_wan",
)  # fmt: skip
RESULTS = ("eligible", "eligible_zero", "not_eligible", "unknown")
HEAD = (
    "credit_code", "name", "township_code", "policy", "policy_version", "year", "result",
    "amount_wan", "amount_raw_wan", "capped", "budget_factor", "amount_missing",
)  # fmt: skip
MATCH_COLUMNS = HEAD + tuple(
    f"c{i}_{part}" for i in range(MAX_CONDITIONS) for part in ("num", "text", "pass", "missing")
)


def record_schema() -> dict[str, str]:
    return {c: ("string" if c in TEXT else "int64" if c == "year" else "float64") for c in RECORD_COLUMNS}


def build_record(facts: ir.Table, attrs: ir.Table, extra: ir.Table) -> ir.Table:
    """RECORD_COLUMNS from the facts of several years (the previous year's revenue, output and
    scale joined on), `attrs` (credit_code, township_code, zone) and `extra` (credit_code, year,
    mu_grade, tech_investment_wan)."""
    prev = facts.select(
        credit_code=facts.credit_code,
        pyear=facts.year.cast("int64") + 1,
        above_scale_prev=facts.above_scale.cast("float64"),
        revenue_prev_wan=facts.revenue_wan.cast("float64"),
        output_prev_wan=facts.output_wan.cast("float64"),
    )
    f = facts.mutate(year=facts.year.cast("int64"))
    j = f.left_join(prev, [f.credit_code == prev.credit_code, f.year == prev.pyear])
    j = j.select(*[c for c in f.columns], "above_scale_prev", "revenue_prev_wan", "output_prev_wan")
    j = j.left_join(attrs, j.credit_code == attrs.credit_code).select(*j.columns, "township_code", "zone")
    j = j.left_join(extra, [j.credit_code == extra.credit_code, j.year == extra.year.cast("int64")])
    j = j.select(*[c for c in j.columns if c in RECORD_COLUMNS], "mu_grade", "tech_investment_wan")
    cast = record_schema()
    return j.select(**{c: j[c].cast(cast[c]) for c in RECORD_COLUMNS})


def field_values(t: ir.Table) -> dict[str, Any]:
    """Every field of FIELDS as an Ibis value over `t`; derived ones null when an input is."""

    def pct(a: Any, b: Any) -> Any:
        # a × 100 ÷ b, not a ÷ b × 100: 29 ÷ 100 × 100 is 28.999... in floating point, a miss.
        return ibis.ifelse(b > 0, a * 100.0 / b, ibis.null("float64"))

    out: dict[str, Any] = {f: t[f] for f in FIELDS if f in t.columns}
    out["rd_ratio"] = pct(t.rd_spend_wan, t.revenue_wan)
    out["revenue_growth"] = pct(t.revenue_wan - t.revenue_prev_wan, t.revenue_prev_wan)
    out["output_growth"] = pct(t.output_wan - t.output_prev_wan, t.output_prev_wan)
    return out


def _missing(t: ir.Table, fields: list[str]) -> Any:
    """The missing stored figures among `fields`, comma-separated ('' when none)."""
    parts = [ibis.ifelse(t[f].isnull(), f + ",", "") for f in fields if f in t.columns]
    return reduce(lambda a, b: a + b, parts, ibis.literal(""))


def _held(titles: ir.Table, specs: dict[TitleSpec, int], year: int) -> ir.Table:
    """Per credit code and title condition kind k, the best level (t<k>_level) and newest year
    (t<k>_year) of the titles kind k accepts in `year`, null when none: one aggregate over the
    titles with a filter per kind, so the record takes one join whatever the number of kinds."""
    rank = ibis.cases(*[(titles.title_level == lv, k) for k, lv in enumerate(TITLE_LEVELS)], else_=9)
    when = titles.title_year.cast("int64")
    aggs: dict[str, Any] = {}
    for (accepted, levels, within), k in specs.items():
        ok = titles.title.isin(list(accepted)) & (when <= year)
        if levels:
            ok &= titles.title_level.isin(list(levels))
        if within:
            ok &= when > year - within
        aggs[f"best{k}"], aggs[f"newest{k}"] = rank.min(where=ok), when.max(where=ok)
    g = titles.group_by(titles.credit_code.name("hc")).aggregate(**aggs)
    out: dict[str, Any] = {"hc": g.hc}
    for k in specs.values():
        best = g[f"best{k}"]
        names = [(best == i, lv) for i, lv in enumerate(TITLE_LEVELS)]
        out[f"t{k}_level"] = ibis.cases((best.isnull(), ibis.null("string")), *names, else_="未注明级别")
        out[f"t{k}_year"] = g[f"newest{k}"]
    return g.select(**out)


def _required(policy: Policy, c: Condition, params: dict[str, tuple[dt.date, Any]]) -> Any:
    return params[c.param][1] if c.param else c.value


def _compare(value: Any, op: str, required: Any) -> Any:
    if op in ("in", "not in"):
        hit = value.isin([str(x) for x in required]) if isinstance(required, list) else value == required
        return hit if op == "in" else ~hit
    lit = ibis.literal(required) if isinstance(required, str) else ibis.literal(float(required), "float64")
    return {
        ">=": value >= lit,
        ">": value > lit,
        "<=": value <= lit,
        "<": value < lit,
        "==": value == lit,
        "!=": value != lit,
    }[op]


TitleSpec = tuple[tuple[str, ...], tuple[str, ...], int | None]  # titles, levels, within_years


def title_spec(c: Condition) -> TitleSpec:
    return (c.title, c.levels, c.within_years)


@dataclass(frozen=True)
class Layout:
    """The columns of match_year's wide table. Shared by every policy: credit_code, name,
    township_code; per field a condition reads, v_<field> (its value, float64 or string) and
    m_<field> (the stored figures it needs that are missing, comma-separated, '' when none);
    per title condition kind k, tl<k> (the best level held) and ty<k> (the newest year). Per
    policy j: p<j>_c<i> (condition i: 1, 0, or null when its value is missing), p<j>_r (the
    result as its index in RESULTS), p<j>_raw, p<j>_amount, p<j>_capped (only when the policy
    caps the amount), p<j>_factor (only when it has a budget), and, when the amount formula reads
    figures, p<j>_am (those missing, for an unknown result). Fewer columns: each one read back
    costs as much as the engine's work on it."""

    year: int
    policies: tuple[Policy, ...]
    titles: dict[TitleSpec, int]

    def value_columns(self, c: Condition) -> tuple[str | None, str | None, str | None]:
        """(number, text, missing) columns of condition `c`'s value; None where it has none."""
        if c.title:
            k = self.titles[title_spec(c)]
            return f"ty{k}", f"tl{k}", None
        assert c.field is not None
        numeric = FIELDS[c.field].kind != "text"
        return (f"v_{c.field}" if numeric else None), (None if numeric else f"v_{c.field}"), f"m_{c.field}"


def match_year(
    policies: list[Policy], record: ir.Table, titles: ir.Table, *, as_of: dt.date
) -> tuple[ir.Table, Layout]:
    """Every policy of `policies` (all in force on `as_of`, all with the same figures year) for
    every enterprise with a record in that year, in one query over the record: each condition,
    the result and the amount, the parameters in force on `as_of` applied. The record is read
    once and a field's value and missing figures computed once, whichever policies use it; the
    Layout names the columns (engine.long_of reads one policy's back as MATCH_COLUMNS)."""
    year = policies[0].figures_year_for(as_of)
    specs: dict[TitleSpec, int] = {}
    for p in policies:
        for c in p.conditions:
            if c.title:
                specs.setdefault(title_spec(c), len(specs))
    layout = Layout(year=year, policies=tuple(policies), titles=specs)
    base = _base(record, titles, layout)
    totals = _totals(record, titles, layout, as_of)
    if totals is not None:
        # joined to the narrow record, not to the wide match: a join's columns are resolved
        # one by one when the query is built, and the match has a hundred and more
        base = base.cross_join(totals)
    t = _capped(_results(_conditions(base, layout, as_of), layout), layout, as_of)
    return _finish(t, layout, as_of), layout


def _base(record: ir.Table, titles: ir.Table, layout: Layout) -> ir.Table:
    """The record of the figures year with the titles held and the derived fields."""
    t = record.filter(record.year == layout.year)
    if layout.titles:
        h = _held(titles, layout.titles, layout.year)
        t = t.left_join(h, t.credit_code == h.hc).drop("hc")
    derived = {f: v for f, v in field_values(t).items() if f not in t.columns}
    return t.mutate(**derived)


def _conditions(t: ir.Table, layout: Layout, as_of: dt.date) -> ir.Table:
    """The shared values and, per policy, each condition's verdict and the raw amount."""
    cols: dict[str, Any] = {c: t[c] for c in ("credit_code", "name", "township_code") if c in t.columns}
    used = sorted({c.field for p in layout.policies for c in p.conditions if c.field})
    for f in used:
        cols[f"v_{f}"] = t[f].cast("float64") if FIELDS[f].kind != "text" else t[f].cast("string")
        cols[f"m_{f}"] = _missing(t, list(needs(f)))
    for k in layout.titles.values():
        cols[f"tl{k}"], cols[f"ty{k}"] = t[f"t{k}_level"], t[f"t{k}_year"].cast("float64")
    cols |= {c: t[c] for c in t.columns if c.startswith("p") and c.endswith("_total")}  # budgets' totals
    fields = {f: t[f] for f in FIELDS if f in t.columns}
    for j, p in enumerate(layout.policies):
        params = p.params_at(as_of)
        names: dict[str, Any] = {**fields, **{k: v for k, (_, v) in params.items()}}
        for i, c in enumerate(p.conditions):
            if c.title:
                level = t[f"t{layout.titles[title_spec(c)]}_level"]
                names[f"{c.id}_level"] = level
                ok = level.notnull()
            else:
                assert c.field is not None and c.op is not None
                # a comparison with a missing value is null, and so is its verdict
                ok = _compare(t[c.field], c.op, _required(p, c, params))
            cols[f"p{j}_c{i}"] = ok.cast("int32")
        amount, read = _amount(p, names)
        # Through decimal and back: a cast to the type a value already has is dropped by ibis,
        # and PostgreSQL would return a bare literal such as 100.0 as numeric, not as a double.
        cols[f"p{j}_raw"] = amount.cast("decimal(24, 8)").cast("float64")
        if read:
            cols[f"p{j}_am"] = _missing(t, read)
    return t.select(**cols)


def _results(t: ir.Table, layout: Layout) -> ir.Table:
    out: dict[str, Any] = {}
    for j, p in enumerate(layout.policies):
        passes = [t[f"p{j}_c{i}"] for i in range(len(p.conditions))]
        fail = reduce(lambda a, b: a | b, [x.fill_null(1) == 0 for x in passes])
        unknown = reduce(lambda a, b: a | b, [x.isnull() for x in passes])
        raw = t[f"p{j}_raw"]
        # known-not-met first, then missing figures, then a zero amount (indices in RESULTS)
        out[f"p{j}_r"] = ibis.cases((fail, 2), (unknown | raw.isnull(), 3), (raw <= 0, 1), else_=0).cast(
            "int32"
        )
        if f"p{j}_am" in t.columns:
            out[f"p{j}_am"] = ibis.ifelse(raw.isnull() & ~fail, t[f"p{j}_am"], "")
    return t.mutate(**out)


def _amount(policy: Policy, names: dict[str, Any]) -> tuple[Any, list[str]]:
    a = policy.amount
    known = policy.names()
    tree, read = expr.parse(a.formula, known)
    value = expr.compile_expr(tree, names)
    for case in reversed(a.cases):
        when, r1 = expr.parse(case.when, known)
        form, r2 = expr.parse(case.formula, known)
        value = ibis.ifelse(
            expr.compile_expr(when, names).fill_null(False), expr.compile_expr(form, names), value
        )
        read |= r1 | r2
    stored = sorted({s for f in read if f in FIELDS for s in needs(f)})
    return value, stored


def _cap(value: Any, params: dict[str, tuple[dt.date, Any]]) -> float | None:
    if value is None:
        return None
    return float(params[value][1]) if isinstance(value, str) else float(value)


def _capped(t: ir.Table, layout: Layout, as_of: dt.date) -> ir.Table:
    """Per policy, the amount of an eligible enterprise after its cap (p<j>_x), and whether the
    cap cut it."""
    capped: dict[str, Any] = {}
    for j, p in enumerate(layout.policies):
        cap = _cap(p.amount.cap_per_enterprise, p.params_at(as_of))
        x = ibis.ifelse(t[f"p{j}_r"] == 0, t[f"p{j}_raw"], 0.0)
        if cap is not None:  # without a cap, capped is 0 throughout (engine.long_of writes it)
            capped[f"p{j}_capped"] = ibis.ifelse(x > cap, 1, 0).cast("int32")
        capped[f"p{j}_x"] = x if cap is None else ibis.ifelse(x > cap, cap, x)
    return t.mutate(**capped)


def _budgets(layout: Layout, as_of: dt.date) -> dict[int, float]:
    found = {j: _cap(p.amount.budget_per_year, p.params_at(as_of)) for j, p in enumerate(layout.policies)}
    return {j: b for j, b in found.items() if b is not None}


def _totals(record: ir.Table, titles: ir.Table, layout: Layout, as_of: dt.date) -> ir.Table | None:
    """One row: the year's total capped amount (p<j>_total) of each policy with a budget.

    Computed by the same expressions over a record without the names, so that it is a query of
    its own: a window over the match, or an aggregate of it, would make the engine hold every
    column of the match at once (DuckDB copied all of them, single-threaded: the costliest step
    of a match), where this reads only what the budgeted policies need."""
    budgets = _budgets(layout, as_of)
    if not budgets:
        return None
    sub = Layout(year=layout.year, policies=tuple(layout.policies[j] for j in budgets), titles=layout.titles)
    narrow = _base(record.drop("name"), titles, sub)
    t = _capped(_results(_conditions(narrow, sub, as_of), sub), sub, as_of)
    return t.aggregate(**{f"p{j}_total": t[f"p{k}_x"].sum() for k, j in enumerate(budgets)})


def _finish(t: ir.Table, layout: Layout, as_of: dt.date) -> ir.Table:
    """The year's budget (按比例核减) and the rounding, per policy."""
    budgets = _budgets(layout, as_of)
    out: dict[str, Any] = {}
    for j, p in enumerate(layout.policies):
        budget = budgets.get(j)
        factor: Any = ibis.literal(1.0, "float64")
        if budget is not None:
            # Over the year's budget every amount is cut in the same proportion (按比例核减).
            total = t[f"p{j}_total"]
            factor = ibis.ifelse(total > budget, budget / total, 1.0).cast("float64")
        scale = 10.0**p.amount.decimals
        # Half up; the 1e-9 keeps 2.005 (2.00499... in binary) from rounding down.
        units = (t[f"p{j}_x"] * factor * scale + 0.5 + 1e-9).floor().cast("float64")
        amount = (units / scale).cast("float64")
        r = t[f"p{j}_r"]
        out[f"p{j}_amount"] = ibis.cases((r == 0, amount), (r == 1, 0.0), else_=ibis.null("float64")).cast(
            "float64"
        )
        if budget is not None:  # without a budget, 1 where eligible (engine.long_of writes it)
            out[f"p{j}_factor"] = ibis.ifelse(r == 0, factor, ibis.null("float64"))
    keep = [c for c in t.columns if not (c.startswith("p") and c.endswith(("_x", "_total")))]
    return t.select(*keep, **out)
