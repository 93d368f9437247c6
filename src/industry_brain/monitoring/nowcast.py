"""The nowcast of the year (预计全年) and its backtest, from the database's monthly panel, for
the district, each cluster and each township (the arithmetic: monitoring.nowcast_analytics)."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.monitoring import analytics
from industry_brain.monitoring import nowcast_analytics as na
from industry_brain.monitoring.engine import run
from industry_brain.monitoring.indicators import (
    INDICATOR_NAMES,
    MonitoringForbidden,
    area_definitions,
    area_name,
    load_panel,
)

NOWCAST_KINDS = ("district", "cluster", "township")
CUTOFF_SCHEMA = {"cut_year": pl.Int64, "cut_month": pl.Int64}


def _project(
    panel: pl.DataFrame,
    prefixes: pl.DataFrame,
    cutoffs: pl.DataFrame,
    *,
    indicator: str,
    engine: str,
    url: str | None,
) -> pl.DataFrame:
    def build(panel: Any, prefixes: Any, cutoffs: Any) -> Any:
        return _project_expr(panel, prefixes, cutoffs, indicator)

    frames = {
        "panel": panel,
        "prefixes": prefixes.filter(pl.col("area_kind") == "cluster"),
        "cutoffs": cutoffs,
    }
    return run(build, frames, engine=engine, postgres_url=url)


def _check(indicator: str) -> None:
    if indicator not in INDICATOR_NAMES:
        raise IndustryBrainError(f"指标“{indicator}”未知；可用：{', '.join(INDICATOR_NAMES)}")


def _pct(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def nowcast(
    session: Session,
    *,
    year: int,
    scope: Scope,
    settings: Any,
    indicator: str = "output",
    engine: str = "duckdb",
    through: int | None = None,
) -> dict[str, Any]:
    """The projection of `year` at its latest month with data (up to month `through` when
    given, as the plans' progress as of a month asks): {year, month, indicator, rows},
    each row area, area_kind, area_id, ytd_value, projected_value, projected_growth_pct,
    baseline_value, baseline_growth_pct, last_year_value (万元; electricity 万千瓦时)."""
    _check(indicator)
    panel = load_panel(session, first=f"{year - 2}-01", last=f"{year}-12")
    months = panel.filter((pl.col("year") == year) & pl.col(MEASURE[indicator]).is_not_null())
    if through is not None:
        months = months.filter(pl.col("month_no") <= through)
    if months.is_empty():
        raise IndustryBrainError(f"{year}年还没有{INDICATOR_NAMES[indicator]}的月度数据，无法预计全年")
    month = int(months["month_no"].max())  # type: ignore[arg-type]
    prefixes, _, names = area_definitions(session, settings, year)
    cut = pl.DataFrame([(year, month)], schema=CUTOFF_SCHEMA, orient="row")
    url = settings.database_url if engine == "postgres" else None
    frame = _project(panel, prefixes, cut, indicator=indicator, engine=engine, url=url)
    order = {k: i for i, k in enumerate(NOWCAST_KINDS)}
    rows = [
        {
            "area": area_name(names, r["area_kind"], r["area_id"]),
            "area_kind": r["area_kind"],
            "area_id": r["area_id"],
            "ytd_value": _pct(r["ytd"]),
            "last_year_value": _pct(r["full_prev"]),
            "projected_value": _pct(r["projected"]),
            "projected_growth_pct": _pct(r["projected_growth_pct"]),
            "baseline_value": _pct(r["baseline"]),
            "baseline_growth_pct": _pct(r["baseline_growth_pct"]),
        }
        for r in sorted(frame.to_dicts(), key=lambda r: (order[r["area_kind"]], r["area_id"]))
    ]
    if not (scope.district_wide or scope.role == "department"):
        if scope.role != "town":
            raise MonitoringForbidden("企业账号只能查看本企业的数据，不能查看区域预计")
        rows = [r for r in rows if r["area_kind"] == "township" and r["area_id"] == scope.township_code]
    return {"year": year, "month": month, "indicator": indicator, "rows": rows}


MEASURE = {name: cols[0] for name, cols in analytics.MEASURES.items()}


def backtest(
    session: Session, *, settings: Any, indicator: str = "output", engine: str = "duckdb"
) -> dict[str, Any]:
    """The projection replayed at every month 1-11 of every year whose output and the year
    before are complete, against what the year turned out to be: {indicator, years, rows (per
    kind of area and month: cases, mape, baseline_mape), overall (per kind)}."""
    _check(indicator)
    panel = load_panel(session, first="1900-01", last="9999-12")
    have = (
        panel.filter(pl.col(MEASURE[indicator]).is_not_null())
        .group_by("year")
        .agg(pl.col("month_no").n_unique())
    )
    full = sorted(int(y) for y, n in have.iter_rows() if n == 12)
    years = [y for y in full if y - 1 in full]
    if not years:
        raise IndustryBrainError(
            f"数据中没有连续两个完整年度的{INDICATOR_NAMES[indicator]}月度数据，无法回测"
        )
    prefixes, _, _ = area_definitions(session, settings)
    cut = pl.DataFrame([(y, m) for y in years for m in range(1, 12)], schema=CUTOFF_SCHEMA, orient="row")
    url = settings.database_url if engine == "postgres" else None

    def build(panel: Any, prefixes: Any, cutoffs: Any) -> Any:
        return na.backtest_errors(_project_expr(panel, prefixes, cutoffs, indicator))

    frames = {"panel": panel, "prefixes": prefixes.filter(pl.col("area_kind") == "cluster"), "cutoffs": cut}
    errors = run(build, frames, engine=engine, postgres_url=url).sort("area_kind", "cut_month")
    rows = [
        {
            "area_kind": r["area_kind"],
            "month": int(r["cut_month"]),
            "cases": int(r["cases"]),
            "mape": _pct(r["mape"]),
            "baseline_mape": _pct(r["baseline_mape"]),
        }
        for r in errors.to_dicts()
    ]
    overall = (
        errors.group_by("area_kind")
        .agg(
            cases=pl.col("cases").sum(),
            mape=(pl.col("mape") * pl.col("cases")).sum() / pl.col("cases").sum(),
            baseline_mape=(pl.col("baseline_mape") * pl.col("cases")).sum() / pl.col("cases").sum(),
        )
        .sort("area_kind")
    )
    summary = [
        {"area_kind": k, "cases": int(c), "mape": _pct(m), "baseline_mape": _pct(b)}
        for k, c, m, b in overall.iter_rows()
    ]
    return {"indicator": indicator, "years": years, "rows": rows, "overall": summary}


def _project_expr(panel: Any, prefixes: Any, cutoffs: Any, indicator: str) -> Any:
    members = analytics.area_members(panel, prefixes)
    members = members.filter(members.area_kind.isin(list(NOWCAST_KINDS)))
    cols = ["area_kind", "area_id", "year", "month_no", "value"]
    target = analytics.monthly_series(panel, members, indicator=indicator).select(cols)
    power = analytics.monthly_series(panel, members, indicator="electricity").select(cols)
    return na.nowcast(target, power, cutoffs)
