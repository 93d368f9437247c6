"""差别化政策: grades turned into money and quotas, per enterprise and per town.

Rates are method parameters (`policy` in the method file). Per enterprise of a run:

- electricity surcharge (元) = electricity_wan_kwh × 10,000 kWh × the grade's rate (元/kWh);
  a D that was also D in the two previous years pays `electricity_surcharge_d_three_years`
  instead ("D three years running"; see `previous_grades`);
- water surcharge (元) = water_t × the grade's rate (元/吨), only when a `water_t` column is
  given (the facts format has no water figure); otherwise the rate alone is stated;
- land-use-tax adjustment (元) = own land (亩) × a base (元/亩/年) × the grade's percentage ÷ 100,
  only when a base is given; otherwise the percentage alone is stated;
- energy-quota change (tce) = energy_tce × the grade's percentage ÷ 100 (negative is a cut).

A grade without a rate gets 0 (no adjustment). T (not evaluated) gets no rate and no amount.
docs/evaluation-policies.md states every rule and where the shipped rates come from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.evaluation.method import Method
from industry_brain.evaluation.models import EvaluationResult, EvaluationRun

KWH_PER_WAN_KWH = 10_000
GRADES = ("A", "B", "C", "D")
AMOUNT_COLUMNS = (
    "electricity_surcharge_yuan",
    "water_surcharge_yuan",
    "land_tax_adjustment_yuan",
    "energy_quota_change_tce",
)
POLICY_COLUMNS = (
    "credit_code",
    "name",
    "pool",
    "grade",
    "grade_prev1",
    "grade_prev2",
    "d_three_years",
    "electricity_wan_kwh",
    "electricity_rate_yuan_per_kwh",
    "electricity_surcharge_yuan",
    "water_t",
    "water_rate_yuan_per_t",
    "water_surcharge_yuan",
    "land_mu",
    "land_tax_adjustment_pct",
    "land_tax_base_yuan_per_mu",
    "land_tax_adjustment_yuan",
    "energy_tce",
    "energy_quota_change_pct",
    "energy_quota_change_tce",
)


def method_family(method_id: str) -> str:
    """Methods of one family differ only in their year: huangyan-2021 and huangyan-2022 are
    `huangyan`; an id without a trailing -YYYY is its own family."""
    return re.sub(r"-\d{4}$", "", method_id)


def _rate(rates: Mapping[str, float]) -> pl.Expr:
    """The grade's rate; 0 for a grade without one; null for T."""
    expr: Any = pl.when(pl.col("grade") == "T").then(None)
    for grade in GRADES:
        expr = expr.when(pl.col("grade") == grade).then(pl.lit(float(rates.get(grade, 0.0))))
    return expr.otherwise(None).cast(pl.Float64)


def _amount(quantity: pl.Expr, rate: str, factor: float = 1.0) -> pl.Expr:
    """quantity × rate × factor; 0 where the rate is 0 (nothing to pay, known or not)."""
    return (
        pl.when(pl.col(rate).is_null())
        .then(None)
        .when(pl.col(rate) == 0)
        .then(0.0)
        .otherwise(quantity * pl.col(rate) * factor)
        .cast(pl.Float64)
    )


def policy_amounts(
    results: pl.DataFrame,
    facts: pl.DataFrame,
    method: Method,
    *,
    previous_grades: Mapping[str, Sequence[str | None]] | None = None,
    land_tax_base_yuan_per_mu: float | None = None,
) -> pl.DataFrame:
    """Per enterprise of `results` (one run): its grade and every differentiated-policy rate
    and amount (columns POLICY_COLUMNS).

    `facts`: the run's facts (credit_code, land_mu, energy_tce, electricity_wan_kwh; an optional
    `water_t` column, tonnes of water a year). `previous_grades`: credit_code → [grade in year − 1,
    grade in year − 2] (None where it had no result). `land_tax_base_yuan_per_mu`: the
    land-use-tax base in 元/亩/年; without it the adjustment is stated as a percentage only."""
    policy = method.policy
    prev = previous_grades or {}
    codes = results["credit_code"].to_list()
    history = pl.DataFrame(
        {
            "credit_code": codes,
            "grade_prev1": [_nth(prev.get(c), 0) for c in codes],
            "grade_prev2": [_nth(prev.get(c), 1) for c in codes],
        },
        schema={"credit_code": pl.String, "grade_prev1": pl.String, "grade_prev2": pl.String},
    )
    wanted = ["credit_code", "land_mu", "energy_tce", "electricity_wan_kwh"]
    has_water = "water_t" in facts.columns
    figures = facts.select(*wanted, *(["water_t"] if has_water else [])).unique("credit_code", keep="first")
    if not has_water:
        figures = figures.with_columns(pl.lit(None, dtype=pl.Float64).alias("water_t"))
    frame = (
        results.select("credit_code", "name", "pool", "grade")
        .join(history, on="credit_code", how="left")
        .join(figures, on="credit_code", how="left")
        .with_columns(pl.col("water_t").cast(pl.Float64))
    )
    three = (
        (pl.col("grade") == "D")
        & (pl.col("grade_prev1") == "D").fill_null(False)
        & (pl.col("grade_prev2") == "D").fill_null(False)
    )
    electricity = _rate(policy.electricity_surcharge_yuan_per_kwh)
    if policy.electricity_surcharge_d_three_years is not None:
        electricity = (
            pl.when(three).then(pl.lit(policy.electricity_surcharge_d_three_years)).otherwise(electricity)
        )
    base = None if land_tax_base_yuan_per_mu is None else float(land_tax_base_yuan_per_mu)
    frame = frame.with_columns(
        d_three_years=three,
        electricity_rate_yuan_per_kwh=electricity,
        water_rate_yuan_per_t=_rate(policy.water_surcharge_yuan_per_t),
        land_tax_adjustment_pct=_rate(policy.land_tax_adjustment_pct),
        land_tax_base_yuan_per_mu=pl.lit(base, dtype=pl.Float64),
        energy_quota_change_pct=_rate(policy.energy_quota_change_pct),
    )
    frame = frame.with_columns(
        electricity_surcharge_yuan=_amount(
            pl.col("electricity_wan_kwh"), "electricity_rate_yuan_per_kwh", KWH_PER_WAN_KWH
        ),
        water_surcharge_yuan=(
            _amount(pl.col("water_t"), "water_rate_yuan_per_t") if has_water else pl.lit(None, pl.Float64)
        ),
        land_tax_adjustment_yuan=(
            _amount(pl.col("land_mu").fill_null(0.0) * base, "land_tax_adjustment_pct", 0.01)
            if base is not None
            else pl.lit(None, pl.Float64)
        ),
        energy_quota_change_tce=_amount(pl.col("energy_tce"), "energy_quota_change_pct", 0.01),
    )
    return frame.select(POLICY_COLUMNS)


def _nth(grades: Sequence[str | None] | None, i: int) -> str | None:
    return grades[i] if grades is not None and len(grades) > i else None


def _total(column: str) -> pl.Expr:
    """A sum that stays empty when every member's figure is empty (e.g. no water data)."""
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).otherwise(None)


def town_totals(amounts: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """Per township: enterprises, the count of each grade, D three years running, and the sums
    of electricity and every amount. `areas`: credit_code → township_code (the master record);
    enterprises without one are totalled under an empty code named 未归属镇街."""
    from industry_brain.evaluation.areas import area_name

    joined = amounts.join(areas.select("credit_code", "township_code"), on="credit_code", how="left")
    totals = (
        joined.group_by("township_code")
        .agg(
            pl.len().alias("enterprises"),
            *[(pl.col("grade") == g).sum().alias(g) for g in (*GRADES, "T")],
            pl.col("d_three_years").sum().alias("d_three_years"),
            _total("electricity_wan_kwh").alias("electricity_wan_kwh"),
            *[_total(c).alias(c) for c in AMOUNT_COLUMNS],
        )
        .sort("township_code", nulls_last=True)
    )
    names = [area_name(c, "township") for c in totals["township_code"].to_list()]
    return totals.with_columns(township_name=pl.Series(names, dtype=pl.String)).select(
        "township_code", "township_name", pl.exclude("township_code", "township_name")
    )


# --- the service: stored runs -------------------------------------------------------------------


STATUS_PREFERENCE = {"final": 2, "published": 1}


def latest_run(session: Session, *, year: int, family: str) -> EvaluationRun | None:
    """The run of `year` for a method of `family`: the newest final run; failing that the newest
    published one; failing that the newest draft. Superseded runs never count."""
    runs = session.scalars(
        select(EvaluationRun).where(EvaluationRun.year == year, EvaluationRun.status != "superseded")
    ).all()
    runs = [r for r in runs if method_family(r.method_id) == family]
    if not runs:
        return None
    return max(runs, key=lambda r: (STATUS_PREFERENCE.get(r.status, 0), r.id))


def previous_grades(
    session: Session, run: EvaluationRun
) -> tuple[dict[str, list[str | None]], dict[int, int | None]]:
    """credit_code → [grade in year − 1, grade in year − 2] from the runs `latest_run` picks, and
    which runs those were (year → run id, None where there was none)."""
    family = method_family(run.method_id)
    chosen: dict[int, int | None] = {}
    grades: dict[str, list[str | None]] = {}
    for i, year in enumerate((run.year - 1, run.year - 2)):
        prior = latest_run(session, year=year, family=family)
        chosen[year] = prior.id if prior else None
        if prior is None:
            continue
        rows = session.execute(
            select(EvaluationResult.credit_code, EvaluationResult.grade).where(
                EvaluationResult.run_id == prior.id
            )
        ).all()
        for code, grade in rows:
            grades.setdefault(code, [None, None])[i] = grade
    return grades, chosen


@dataclass
class PolicyReport:
    run_id: int
    year: int
    method_id: str
    source: str | None
    rates: dict[str, Any]
    previous_runs: dict[int, int | None]
    amounts: pl.DataFrame
    towns: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "year": self.year,
            "method": self.method_id,
            "source": self.source,
            "rates": self.rates,
            "previous_runs": {str(k): v for k, v in self.previous_runs.items()},
            "notes": self.notes,
            "enterprises": self.amounts.to_dicts(),
            "towns": self.towns.to_dicts(),
        }


def policy_report(
    session: Session,
    *,
    run_id: int,
    land_tax_base_yuan_per_mu: float | None = None,
    water: pl.DataFrame | None = None,
) -> PolicyReport:
    """Differentiated-policy amounts of a stored run, per enterprise and per town.
    `water`: credit_code, water_t (tonnes a year), when a water figure is available."""
    from dataclasses import asdict

    from industry_brain.evaluation.areas import enterprise_areas
    from industry_brain.evaluation.service import get_run, method_of, run_inputs, run_results

    run = get_run(session, run_id)
    method = method_of(run)
    results = run_results(session, run, method)
    facts = run_inputs(session, run)
    if water is not None:
        facts = facts.join(
            water.select(pl.col("credit_code").cast(pl.String), pl.col("water_t").cast(pl.Float64)),
            on="credit_code",
            how="left",
        )
    grades, chosen = previous_grades(session, run)
    amounts = policy_amounts(
        results, facts, method, previous_grades=grades, land_tax_base_yuan_per_mu=land_tax_base_yuan_per_mu
    )
    towns = town_totals(amounts, enterprise_areas(session))
    policy = method.policy
    source = method.sources.get(policy.source or "", policy.source)
    notes = []
    if water is None:
        notes.append("未提供用水量，差别化水价只列费率，不计金额")
    if land_tax_base_yuan_per_mu is None:
        notes.append("未提供城镇土地使用税基数（元/亩/年），土地使用税调整只列百分比，不计金额")
    missing = [str(y) for y, rid in chosen.items() if rid is None]
    if missing and policy.electricity_surcharge_d_three_years is not None:
        notes.append(f"{'、'.join(missing)} 年无同系列方法的评价批次，无法认定连续三年D类")
    unknown = amounts.filter(
        pl.col("electricity_surcharge_yuan").is_null()
        & (pl.col("electricity_rate_yuan_per_kwh").fill_null(0) != 0)
    ).height
    if unknown:
        notes.append(f"{unknown} 户企业应加收电价但缺少用电量，未计金额")
    rates = {k: v for k, v in asdict(policy).items() if k != "source"}
    return PolicyReport(run.id, run.year, run.method_id, source, rates, chosen, amounts, towns, notes)
