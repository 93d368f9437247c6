"""The nowcast and its backtest on hand-worked series, on every engine.

Output (万元, one area): every month 100 in 2022 and 2023, 110 in 2024, 121 in Jan-Apr 2025.
Electricity: every month 50 in 2024; 2025 Jan-Apr 50, 50, 50, 65.

Nowcast at April 2025:
- g_out = 484 / 440 - 1 = 10%; electricity 累计 215 / 200 - 1 = 7.5%, the last three months
  without January and February (Mar-Apr) 115 / 100 - 1 = 15%: the turn is +7.5 points, so the
  rest of the year grows 17.5%.
- projected = 484 + (1320 - 440) × 1.175 = 1518, +15% on 1320;
- baseline = 1320 × 1320 / 1200 = 1452 (+10%).
Backtest of 2024 at June: g_out = 660 / 600 - 1 = 10%, no 2023 electricity (no turn):
projected = 660 + (1200 - 600) × 1.1 = 1320 = the actual, error 0; the baseline carries 2023's
0% growth: 1200, error 120 / 1320 = 9.091%.
"""

from __future__ import annotations

import importlib.util
import os

import polars as pl
import pytest

from industry_brain.monitoring import nowcast_analytics as na
from industry_brain.monitoring.engine import run

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed")
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]
SERIES = {
    "area_kind": pl.String,
    "area_id": pl.String,
    "year": pl.Int64,
    "month_no": pl.Int64,
    "value": pl.Float64,
}


def series(values: dict[int, list[float]]) -> pl.DataFrame:
    rows = [("district", "district", y, m, v) for y, vs in values.items() for m, v in enumerate(vs, start=1)]
    return pl.DataFrame(rows, schema=SERIES, orient="row")


OUTPUT = series({2022: [100.0] * 12, 2023: [100.0] * 12, 2024: [110.0] * 12, 2025: [121.0] * 4})
POWER = series({2024: [50.0] * 12, 2025: [50.0, 50.0, 50.0, 65.0]})


def cutoffs(*pairs):
    return pl.DataFrame(list(pairs), schema={"cut_year": pl.Int64, "cut_month": pl.Int64}, orient="row")


@pytest.fixture(params=ENGINES)
def compute(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None

    def go(build, cuts):
        frames = {"output": OUTPUT, "electricity": POWER, "cutoffs": cuts}
        return run(build, frames, engine=engine, postgres_url=url)

    return go


def test_nowcast_of_april(compute):
    got = compute(na.nowcast, cutoffs((2025, 4))).to_dicts()
    (r,) = got
    assert r["output_growth"] == pytest.approx(0.10)
    assert r["electricity_turn"] == pytest.approx(0.075)
    assert r["projected"] == pytest.approx(1518.0)
    assert r["projected_growth_pct"] == pytest.approx(15.0)
    assert r["baseline"] == pytest.approx(1452.0)
    assert r["baseline_growth_pct"] == pytest.approx(10.0)
    assert r["actual"] is None  # 2025 is not complete


def test_january_alone_is_not_projected(compute):
    (r,) = compute(na.nowcast, cutoffs((2025, 1))).to_dicts()
    assert r["projected"] is None and r["baseline"] == pytest.approx(1452.0)


def test_backtest_of_2024(compute):
    def build(output, electricity, cutoffs):
        return na.backtest_errors(na.nowcast(output, electricity, cutoffs))

    (r,) = compute(build, cutoffs((2024, 6))).to_dicts()
    assert r["cases"] == 1
    assert r["mape"] == pytest.approx(0.0)
    assert r["baseline_mape"] == pytest.approx(120 / 1320 * 100)
