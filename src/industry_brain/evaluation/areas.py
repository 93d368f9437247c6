"""The 亩均 evaluation of towns (镇街) and zones (园区): an area's indicator is its evaluated
members' sums, Σ numerator ÷ Σ denominator, scored with the method's above-scale items and
ranked; and grade movement between two runs (a transition matrix and who moved).

Areas, decided (docs/evaluation-policies.md):
- members are the enterprises the method evaluates (grade A–D; T members are left out) whose
  master record names the area; enterprises with no township (or zone) are left out and counted;
- a member counts in an indicator when that indicator is defined for it (numerator present,
  denominator present and > 0), as in the pool-aggregate benchmark;
- land: with `land="own"` (default) an area's land is its members' own land; a tenant's tax,
  value added and the rest count, its rented land does not, because that land is a landlord's
  own land already (counting both would count a plot twice). `land="evaluated"` sums the land
  each member was evaluated on (own, or rented for tenants);
- benchmarks: a `constant` item uses the published constant; `pool_aggregate` the ratio of sums
  over all areas (the whole district's Σ ÷ Σ); `pool_mean` the mean of the areas' indicators;
  `multiple` applies; `by_division` is ignored (an area spans industries);
- an undefined area item gets the mean item score of the areas that have it (or 0 with
  `imputation: zero`); rank 1 is the highest total (ties share a rank).

The area evaluation is an Ibis expression (`area_expression`), run on DuckDB by
`evaluate_areas`; movement is a small polars comparison of two result tables.
"""

from __future__ import annotations

import uuid
from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.evaluation.analytics import NOT_EVALUATED, _pools
from industry_brain.evaluation.inputs import SCHEMA
from industry_brain.evaluation.method import INDICATORS, Method
from industry_brain.ingest.facts import FACT_COLUMNS

AREA_COLUMNS = {"township": "township_code", "zone": "zone"}
LAND_MODES = ("own", "evaluated")
UNASSIGNED = {"township": "未归属镇街", "zone": "未归属园区"}


def area_name(code: str | None, by: str) -> str:
    """A township's name from the division table; a zone is named by itself."""
    if code is None or code == "":
        return UNASSIGNED.get(by, "未归属")
    if by == "township":
        from industry_brain.reference.divisions import divisions

        found = divisions().get(code)
        return found.name if found else f"未知镇街（{code}）"
    return code


def _check(by: str, land: str) -> str:
    if by not in AREA_COLUMNS:
        raise ConfigurationError(f"未知的区域类型“{by}”；可用：{', '.join(AREA_COLUMNS)}")
    if land not in LAND_MODES:
        raise ConfigurationError(f"未知的用地口径“{land}”；可用：{', '.join(LAND_MODES)}")
    return AREA_COLUMNS[by]


def _member_operand(t: ir.Table, column: str, land: str) -> ir.FloatingValue:
    if column != "land":
        return t[column].cast("float64")
    if land == "own":
        return ibis.ifelse(t.pool == "tenant", ibis.literal(0.0), t.land_mu.cast("float64"))
    return t.land.cast("float64")


def _member_defined(
    t: ir.Table, num: ir.FloatingValue, den: ir.FloatingValue, column: str
) -> ir.BooleanValue:
    if column == "land":  # evaluated members always have land (a tenant's own land is 0 by rule)
        return num.notnull() & den.notnull()
    return num.notnull() & den.notnull() & (den > 0)


def area_expression(
    facts: ir.Table, method: Method, *, year: int, by: str = "township", land: str = "own"
) -> ir.Table:
    """One row per area: area_code, members, the sums, each above-scale indicator, its item
    score, the total score and the rank. `facts` is the facts format plus the area column
    (township_code or zone); rows with an empty area are left out."""
    column = _check(by, land)
    t = _pools(facts.filter(facts.year == year), method, year)
    t = t.filter((t.pool != NOT_EVALUATED) & t[column].notnull() & (t[column] != ""))
    items = method.sets["above_scale"]
    sums: dict[str, Any] = {
        "members": t.credit_code.count(),
        "above_scale_members": (t.above_scale.fill_null(0) == 1).sum(),
        "tenants": (t.pool == "tenant").sum(),
        "land_mu": _member_operand(t, "land", land).sum(),
    }
    for item in items:
        num_col, den_col = INDICATORS[item.indicator]
        num, den = _member_operand(t, num_col, land), _member_operand(t, den_col, land)
        defined = _member_defined(t, num, den, den_col)
        sums[f"num_{item.indicator}"] = ibis.ifelse(defined, num, ibis.null("float64")).sum()
        sums[f"den_{item.indicator}"] = ibis.ifelse(defined, den, ibis.null("float64")).sum()
        for c in (num_col, den_col):
            if c != "land" and c not in sums:
                sums[c] = t[c].cast("float64").sum()
    a = t.group_by(area_code=t[column].cast("string")).aggregate(**sums)
    values = {}
    for item in items:
        num, den = a[f"num_{item.indicator}"], a[f"den_{item.indicator}"]
        values[item.indicator] = ibis.ifelse(
            num.notnull() & den.notnull() & (den > 0), num / den, ibis.null("float64")
        )
    a = a.mutate(**values)
    raw = {}
    for item in items:
        bm = item.benchmark
        name = item.indicator
        if bm.rule == "constant":
            bench: Any = ibis.literal(float(bm.value or 0))
        elif bm.rule == "pool_aggregate":
            defined = a[name].notnull()
            bench = (
                ibis.ifelse(defined, a[f"num_{name}"], ibis.null("float64")).sum().over()
                / ibis.ifelse(defined, a[f"den_{name}"], ibis.null("float64")).sum().over()
            )
        else:
            bench = a[name].mean().over()
        bench = bench * bm.multiple
        score = a[name] / bench * item.weight
        if item.cap is not None:
            score = ibis.least(score, ibis.literal(item.cap))
        raw[f"bm_{name}"] = bench
        raw[f"raw_{name}"] = ibis.ifelse(
            a[name].notnull(),
            ibis.ifelse(bench.notnull() & (bench > 0), score, ibis.literal(0.0)),
            ibis.null("float64"),
        )
    a = a.mutate(**raw)
    scored = {}
    for item in items:
        name = item.indicator
        fill = (
            a[f"raw_{name}"].mean().over().fill_null(0.0)
            if method.imputation == "pool_mean"
            else ibis.literal(0.0)
        )
        scored[f"score_{name}"] = a[f"raw_{name}"].fill_null(fill)
    a = a.mutate(**scored)
    imputed = [
        ibis.ifelse(a[i.indicator].isnull(), ibis.literal(i.indicator), ibis.literal("")) for i in items
    ]
    total = reduce(lambda x, y: x + y, [a[f"score_{i.indicator}"] for i in items])
    a = a.mutate(score=total, imputed_parts=reduce(lambda x, y: x.concat(",").concat(y), imputed))
    a = a.mutate(rank=ibis.rank().over(order_by=ibis.desc("score")) + 1)
    names = [i.indicator for i in items]
    operands = [
        c
        for c in sums
        if c not in ("members", "above_scale_members", "tenants", "land_mu")
        and not c.startswith(("num_", "den_"))
    ]
    return a.select(
        "area_code",
        "members",
        "above_scale_members",
        "tenants",
        "land_mu",
        *operands,
        *names,
        *[f"bm_{n}" for n in names],
        *[f"score_{n}" for n in names],
        "score",
        "rank",
        "imputed_parts",
    ).order_by(["rank", "area_code"])


def evaluate_areas(
    facts: pl.DataFrame, method: Method, *, year: int, by: str = "township", land: str = "own"
) -> pl.DataFrame:
    """The area evaluation of `facts` (the facts format plus a township_code or zone column) on
    DuckDB: area_code, area_name, members, sums, indicators, benchmarks (bm_*), item scores,
    score, rank and `imputed` (the items an area had no data for)."""
    from industry_brain.evaluation.engines import connect

    column = _check(by, land)
    if column not in facts.columns:
        raise IndustryBrainError(
            f"事实表缺少 {column} 列，无法按{'镇街' if by == 'township' else '园区'}汇总"
        )
    frame = facts.select(*FACT_COLUMNS, pl.col(column).cast(pl.String)).cast(dict(SCHEMA))  # type: ignore[arg-type]
    con = connect("duckdb")
    try:
        table = con.create_table(f"area_facts_{uuid.uuid4().hex[:8]}", frame.to_arrow(), overwrite=True)
        out: pl.DataFrame = pl.from_arrow(
            area_expression(table, method, year=year, by=by, land=land).to_pyarrow()
        )  # type: ignore[assignment]
    finally:
        con.disconnect()
    imputed = [",".join(p for p in s.split(",") if p) for s in out["imputed_parts"].to_list()]
    names = [area_name(c, by) for c in out["area_code"].to_list()]
    out = out.drop("imputed_parts").with_columns(
        area_name=pl.Series(names, dtype=pl.String), imputed=pl.Series(imputed, dtype=pl.String)
    )
    return out.select("area_code", "area_name", pl.exclude("area_code", "area_name"))


def unassigned(facts: pl.DataFrame, by: str) -> int:
    """How many enterprise-years have no township (or zone) and so are in no area."""
    column = AREA_COLUMNS[by]
    return facts.filter(pl.col(column).is_null() | (pl.col(column) == "")).height


# --- the master record ---------------------------------------------------------------------------


def enterprise_areas(session: Session) -> pl.DataFrame:
    """credit_code, township_code, zone of every enterprise in the master record."""
    from industry_brain.enterprises.models import Enterprise

    rows = session.execute(select(Enterprise.credit_code, Enterprise.township_code, Enterprise.zone)).all()
    return pl.DataFrame(
        rows, schema={"credit_code": pl.String, "township_code": pl.String, "zone": pl.String}, orient="row"
    )


def areas_for_year(
    session: Session, *, year: int, method: Method, settings: Any, by: str = "township", land: str = "own"
) -> tuple[pl.DataFrame, int]:
    """The area evaluation of a year's facts in the database, each enterprise placed by its
    master record; and how many evaluated-year enterprises had no area."""
    from industry_brain.evaluation.service import facts_for

    facts = facts_for(session, year=year, settings=settings)
    if facts.is_empty():
        raise IndustryBrainError(f"{year} 年没有企业数据可供评价")
    facts = facts.join(enterprise_areas(session), on="credit_code", how="left")
    return evaluate_areas(facts, method, year=year, by=by, land=land), unassigned(facts, by)


# --- movement between grades -------------------------------------------------------------------

ORDER = {"A": 4, "B": 3, "C": 2, "D": 1}
FROM_ROWS = ("A", "B", "C", "D", "T", "new")
TO_COLUMNS = ("A", "B", "C", "D", "T", "left")
MOVE_ORDER = {"up": 0, "down": 1, "from_T": 2, "to_T": 3, "new": 4, "left": 5}
MOVE_LABELS = {
    "up": "升档",
    "down": "降档",
    "to_T": "转为不参评",
    "from_T": "转为参评",
    "new": "新增",
    "left": "退出",
}


def grade_movement(previous: pl.DataFrame, current: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Movement between two runs' results (credit_code, name, grade, score, rank each).

    Returns the transition matrix (a row per `from_grade` A, B, C, D, T, new — enterprises absent
    from `previous`; a column per grade A, B, C, D, T, left — enterprises absent from
    `current`; each cell a count) and the enterprises whose grade changed: credit_code, name,
    from_grade, to_grade, move (up, down, to_T, from_T, new, left), steps (+ up, − down among
    A–D), and both scores and ranks."""
    cols = ["credit_code", "name", "grade", "score", "rank"]
    before = previous.select(cols).rename({c: f"{c}_from" for c in cols[1:]})
    after = current.select(cols).rename({c: f"{c}_to" for c in cols[1:]})
    both = before.join(after, on="credit_code", how="full", coalesce=True).with_columns(
        from_grade=pl.col("grade_from").fill_null("new"),
        to_grade=pl.col("grade_to").fill_null("left"),
        name=pl.coalesce("name_to", "name_from"),
    )
    counts = {(f, t): n for f, t, n in both.group_by("from_grade", "to_grade").len().iter_rows()}
    matrix = pl.DataFrame(
        [{"from_grade": f, **{t: counts.get((f, t), 0) for t in TO_COLUMNS}} for f in FROM_ROWS],
        schema={"from_grade": pl.String, **dict.fromkeys(TO_COLUMNS, pl.Int64)},
    )
    order = pl.col("from_grade").replace_strict(ORDER, default=None, return_dtype=pl.Int64)
    order_to = pl.col("to_grade").replace_strict(ORDER, default=None, return_dtype=pl.Int64)
    move = (
        pl.when(pl.col("from_grade") == "new")
        .then(pl.lit("new"))
        .when(pl.col("to_grade") == "left")
        .then(pl.lit("left"))
        .when(pl.col("to_grade") == "T")
        .then(pl.lit("to_T"))
        .when(pl.col("from_grade") == "T")
        .then(pl.lit("from_T"))
        .when(order_to > order)
        .then(pl.lit("up"))
        .otherwise(pl.lit("down"))
    )
    moves = (
        both.filter(pl.col("from_grade") != pl.col("to_grade"))
        .with_columns(move=move, steps=order_to - order)
        .select(
            "credit_code",
            "name",
            "from_grade",
            "to_grade",
            "move",
            "steps",
            "score_from",
            "score_to",
            "rank_from",
            "rank_to",
        )
        .sort(pl.col("move").replace_strict(MOVE_ORDER, default=9), -pl.col("steps").abs(), "credit_code")
    )
    return matrix, moves


def movement_between(session: Session, *, from_run: int, to_run: int) -> dict[str, Any]:
    """Grade movement between two stored runs."""
    from industry_brain.evaluation.service import get_run, run_results

    first, second = get_run(session, from_run), get_run(session, to_run)
    matrix, moves = grade_movement(run_results(session, first), run_results(session, second))
    return {
        "from": {"run_id": first.id, "year": first.year, "method": first.method_id},
        "to": {"run_id": second.id, "year": second.year, "method": second.method_id},
        "matrix": matrix,
        "moves": moves,
    }
