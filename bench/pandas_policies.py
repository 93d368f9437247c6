"""The same matching as `industry-brain policies match`, written as a pandas job: read the facts
from the database, build each enterprise's record of the figures year, apply every policy's
conditions and amount (caps, the year's budget, the rounding) and count the results per policy.

    uv run --no-sync python bench/pandas_policies.py DATABASE.sqlite AS_OF [POLICY.yaml ...]

The policy files are read with the platform's parser (the rules are data); everything after is
pandas. It handles what bench/policies_db.py stores: one batch per source and year, so no
precedence between sources is needed. Prints one JSON line: the seconds after imports and, per
policy, the counts per result and the eligible amount (what the command's summary prints).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from industry_brain.policies.format import Policy, parse_policy, shipped

LEVELS = ("国家级", "省级", "市级", "区级")
SQL = {
    "facts": "SELECT b.source, b.period, r.credit_code, r.above_scale, r.revenue_wan, r.output_wan,"
    " r.tax_wan, r.rd_spend_wan, r.safety_accident, r.env_violation FROM record r JOIN import_batch b"
    " ON b.id = r.batch_id WHERE b.status = 'active' AND b.period IN (?, ?)",
    "master": "SELECT credit_code, name, township_code, zone, industry_code FROM enterprise",
    "titles": "SELECT r.credit_code, r.title, r.title_level, r.title_year FROM record r JOIN import_batch b"
    " ON b.id = r.batch_id WHERE b.status = 'active' AND b.template = 'titles'",
    "grades": "SELECT e.credit_code, e.grade AS mu_grade FROM evaluation_result e WHERE e.run_id ="
    " (SELECT max(id) FROM evaluation_run WHERE year = ? AND status = 'final') AND e.grade != 'T'",
    "declared": "SELECT credit_code, value AS tech_investment_wan FROM policy_figure WHERE year = ?"
    " AND field = 'tech_investment_wan' ORDER BY id",
}


def year_facts(facts: pd.DataFrame, year: int) -> pd.DataFrame:
    f = facts[facts.period == str(year)]
    stats = f[f.source == "stats"].drop(columns=["source", "period", "safety_accident", "env_violation"])
    out = stats.set_index("credit_code").astype("Float64")
    out["above_scale"] = out.above_scale.fillna((out.revenue_wan >= 2000).astype("Float64"))
    for field, source in (("safety_accident", "safety"), ("env_violation", "environment")):
        listed = set(f.loc[(f.source == source) & (f[field] > 0), "credit_code"])
        present = (f.source == source).any()
        out[field] = pd.Series(out.index.isin(listed), index=out.index).astype("Float64")
        if not present:
            out[field] = pd.NA
    return out


def record(con: sqlite3.Connection, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    facts = pd.read_sql(SQL["facts"], con, params=(str(year), str(year - 1)))
    now, prev = year_facts(facts, year), year_facts(facts, year - 1)
    rec = now.join(
        prev[["above_scale", "revenue_wan", "output_wan"]].rename(
            columns=lambda c: c.replace("_wan", "_prev_wan") if c != "above_scale" else "above_scale_prev"
        )
    )
    rec = rec.join(pd.read_sql(SQL["master"], con).set_index("credit_code"))
    rec = rec.join(pd.read_sql(SQL["grades"], con, params=(year,)).set_index("credit_code"))
    declared = pd.read_sql(SQL["declared"], con, params=(year,)).drop_duplicates("credit_code", keep="last")
    rec = rec.join(declared.set_index("credit_code").astype("Float64"))
    for c in ("name", "township_code", "zone", "industry_code", "mu_grade"):
        rec[c] = rec[c].astype("string")
    pct = lambda a, b: (a * 100.0 / b).where(b > 0)  # noqa: E731
    rec["rd_ratio"] = pct(rec.rd_spend_wan, rec.revenue_wan)
    rec["revenue_growth"] = pct(rec.revenue_wan - rec.revenue_prev_wan, rec.revenue_prev_wan)
    rec["output_growth"] = pct(rec.output_wan - rec.output_prev_wan, rec.output_prev_wan)
    return rec, pd.read_sql(SQL["titles"], con)


def held(rec: pd.DataFrame, titles: pd.DataFrame, c, year: int) -> pd.Series:  # type: ignore[no-untyped-def]
    """The best level of the titles condition `c` accepts, per enterprise (NA: none)."""
    t = titles[titles.title.isin(c.title) & (titles.title_year <= year)]
    if c.levels:
        t = t[t.title_level.isin(c.levels)]
    if c.within_years:
        t = t[t.title_year > year - c.within_years]
    rank = t.title_level.map({lv: k for k, lv in enumerate(LEVELS)}).fillna(9)
    best = (
        rank.groupby(t.credit_code).min().map(lambda k: LEVELS[int(k)] if k < len(LEVELS) else "未注明级别")
    )
    return best.reindex(rec.index).astype("string")


def compare(v: pd.Series, op: str, want) -> pd.Series:  # type: ignore[no-untyped-def]
    if op in ("in", "not in"):
        hit = v.isin([str(x) for x in want]) if isinstance(want, list) else v == want
        hit = hit.astype("boolean").mask(v.isna())
        return hit if op == "in" else ~hit
    w = want if isinstance(want, str) else float(want)
    ops = {">=": v.ge, ">": v.gt, "<=": v.le, "<": v.lt, "==": v.eq, "!=": v.ne}
    return ops[op](w).astype("boolean")


def value(tree: ast.expr, names: dict, index: pd.Index):  # type: ignore[no-untyped-def]
    """An amount formula over pandas: nulls as SQL has them (a null test takes the else branch)."""
    c = lambda n: value(n, names, index)  # noqa: E731
    s = lambda x: x if isinstance(x, pd.Series) else pd.Series(x, index=index)  # noqa: E731
    if isinstance(tree, ast.Constant):
        return float(tree.value) if isinstance(tree.value, int | float) else tree.value
    if isinstance(tree, ast.Name):
        v = names[tree.id]
        return float(v) if isinstance(v, int | float) else v
    if isinstance(tree, ast.BinOp):
        a, b = c(tree.left), c(tree.right)
        if isinstance(tree.op, ast.Div):
            return s(a / b).where(s(b) != 0) if isinstance(b, pd.Series) or b != 0 else s(np.nan)
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(tree.op)]
    if isinstance(tree, ast.UnaryOp):
        v = c(tree.operand)
        return -v if isinstance(tree.op, ast.USub) else ~v
    if isinstance(tree, ast.BoolOp):
        parts = [s(c(v)).astype("boolean") for v in tree.values]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if isinstance(tree.op, ast.And) else (out | p)
        return out
    if isinstance(tree, ast.Compare):
        a, b = s(c(tree.left)), c(tree.comparators[0])
        name = type(tree.ops[0]).__name__
        ops = {"Eq": a.eq, "NotEq": a.ne, "Lt": a.lt, "LtE": a.le, "Gt": a.gt, "GtE": a.ge}
        return ops[name](b).astype("boolean")
    assert isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name)
    args = [s(c(a)) for a in tree.args]
    if tree.func.id == "when":
        return args[1].astype("Float64").where(args[0].fillna(False).astype(bool), args[2].astype("Float64"))
    frame = pd.concat(args, axis=1).astype("Float64")
    picked = frame.min(axis=1) if tree.func.id == "min" else frame.max(axis=1)
    return picked.mask(frame.isna().any(axis=1))


def match(p: Policy, rec: pd.DataFrame, titles: pd.DataFrame, as_of: dt.date) -> dict:
    year = p.figures_year_for(as_of)
    params = {k: v for k, (_, v) in p.params_at(as_of).items()}
    names: dict = {f: rec[f] for f in rec.columns} | params
    verdicts = []
    for c in p.conditions:
        if c.title:
            level = held(rec, titles, c, year)
            names[f"{c.id}_level"] = level
            verdicts.append(level.notna().astype("boolean"))
        else:
            want = params[c.param] if c.param else c.value
            verdicts.append(compare(rec[c.field], c.op, want))
    ok = pd.concat(verdicts, axis=1)
    fail = (ok == False).any(axis=1)  # noqa: E712
    unknown = ok.isna().any(axis=1)
    raw = value(ast.parse(p.amount.formula, mode="eval").body, names, rec.index)
    for case in reversed(p.amount.cases):
        when = value(ast.parse(case.when, mode="eval").body, names, rec.index)
        form = value(ast.parse(case.formula, mode="eval").body, names, rec.index)
        raw = (
            pd.Series(form, index=rec.index)
            .astype("Float64")
            .where(pd.Series(when, index=rec.index).fillna(False).astype(bool), raw)
        )
    raw = pd.Series(raw, index=rec.index).astype("Float64").round(8)
    result = np.select(
        [fail, unknown | raw.isna(), (raw <= 0).fillna(False)],
        ["not_eligible", "unknown", "eligible_zero"],
        "eligible",
    )
    x = raw.where(result == "eligible", 0.0).fillna(0.0).astype(float)
    cap = p.amount.cap_per_enterprise
    if cap is not None:
        x = x.clip(upper=float(params[cap] if isinstance(cap, str) else cap))
    factor = 1.0
    budget = p.amount.budget_per_year
    if budget is not None:
        budget = float(params[budget] if isinstance(budget, str) else budget)
        factor = budget / x.sum() if x.sum() > budget else 1.0
    scale = 10.0**p.amount.decimals
    amount = np.floor(x * factor * scale + 0.5 + 1e-9) / scale
    counts = pd.Series(result).value_counts()
    return {
        "policy": p.id,
        **{r: int(counts.get(r, 0)) for r in ("eligible", "eligible_zero", "not_eligible", "unknown")},
        "amount_wan": round(float(amount[result == "eligible"].sum()), 2),
    }


def main() -> None:
    db, as_of = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
    files = [Path(f) for f in sys.argv[3:]]
    policies = [parse_policy(f.read_text(encoding="utf-8"), f.name) for f in files] or list(
        shipped().values()
    )
    start, cpu = time.perf_counter(), time.process_time()
    live = [p for p in policies if p.in_force(as_of)]
    con = sqlite3.connect(db)
    got = []
    for year in sorted({p.figures_year_for(as_of) for p in live}):
        rec, titles = record(con, year)
        got += [match(p, rec, titles, as_of) for p in live if p.figures_year_for(as_of) == year]
    con.close()
    done = {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    print(json.dumps(done | {"summary": sorted(got, key=lambda r: r["policy"])}))


if __name__ == "__main__":
    main()
