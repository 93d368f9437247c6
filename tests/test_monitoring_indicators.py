"""Area indicators on hand-worked numbers (tests/monitoring_indicator_fixtures.py), on every
engine: 当月, 累计, 同口径 and naive growth, 拉动, the town ranking.

Worked, March 2025, output, above scale:
- 当月 = A 130 + B 180 + C 50 = 360; last year's set: A 100 + B 200 + D 80 = 380.
- 同口径 {A, B}: 310 / 300 - 1 = +3.333…%; naive 360 / 380 - 1 = -5.263…%.
- 累计 = 360 + 560 + 150 = 1070; 同口径 920 / 900 - 1 = +2.222…%; naive 1070 / 1140 - 1 = -6.140…%.
- 拉动 of T1 (A, B): (310 - 300) / 300 × 100 = +3.333 pp; of T2: no comparable enterprise, 0 pp
  (naive: (50 - 80) / 380 × 100 = -7.895 pp, and T1 naive (310 - 300) / 380 = +2.632 pp; the
  two sum to the district's naive -5.263%).
- cluster 气动 (344x: A; D last year): 同口径 130 / 100 - 1 = +30%, 拉动 30 / 300 = +10 pp;
  naive 130 / 180 - 1 = -27.778%.
- all enterprises: 同口径 {A, B, E}: (130 + 180 + 12) / (100 + 200 + 10) - 1 = +3.871%;
  E's 累计 is the sum of its months: 2025 33, 2024 27.
- electricity (A only; no 累计 column): month 33 / 30 - 1 = +10%; 累计 63 / 60 - 1 = +5%.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from industry_brain.monitoring import analytics
from industry_brain.monitoring.engine import run
from monitoring_indicator_fixtures import explicit, panel, prefixes

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed")
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]


def _indicators(engine, url, month_no=3):
    def build(panel, prefixes, explicit):
        members = analytics.area_members(panel, prefixes, explicit)
        return analytics.area_indicators(panel, members, year=2025, month_no=month_no)

    frame = run(
        build,
        {"panel": panel(), "prefixes": prefixes(), "explicit": explicit()},
        engine=engine,
        postgres_url=url,
    )
    return {(r["area_kind"], r["area_id"], r["indicator"], r["scale"]): r for r in frame.to_dicts()}


@pytest.fixture(scope="module", params=ENGINES)
def march(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None
    return _indicators(engine, url)


def test_district_output_comparable_and_naive(march):
    d = march[("district", "district", "output", "above")]
    assert d["month_value"] == pytest.approx(360.0)
    assert d["ytd_value"] == pytest.approx(1070.0)
    assert d["yoy_pct"] == pytest.approx(10 / 300 * 100)
    assert d["naive_yoy_pct"] == pytest.approx((360 / 380 - 1) * 100)
    assert d["ytd_yoy_pct"] == pytest.approx((920 / 900 - 1) * 100)
    assert d["naive_ytd_yoy_pct"] == pytest.approx((1070 / 1140 - 1) * 100)
    assert d["contribution_pp"] == pytest.approx(d["yoy_pct"])
    assert (d["enterprises"], d["comparable_enterprises"]) == (3, 2)


def test_township_contributions_sum_to_the_district(march):
    t1 = march[("township", "T1", "output", "above")]
    t2 = march[("township", "T2", "output", "above")]
    assert t1["contribution_pp"] == pytest.approx(10 / 300 * 100)
    assert t2["contribution_pp"] == pytest.approx(0.0)
    assert t2["yoy_pct"] is None  # no enterprise of T2 reports in both years
    assert t1["naive_contribution_pp"] == pytest.approx(10 / 380 * 100)
    assert t2["naive_contribution_pp"] == pytest.approx(-30 / 380 * 100)
    assert t2["naive_yoy_pct"] == pytest.approx(-37.5)
    total = t1["naive_contribution_pp"] + t2["naive_contribution_pp"]
    assert total == pytest.approx(march[("district", "district", "output", "above")]["naive_yoy_pct"])


def test_cluster_division_and_chain(march):
    c = march[("cluster", "pneu", "output", "above")]
    assert c["yoy_pct"] == pytest.approx(30.0)
    assert c["contribution_pp"] == pytest.approx(10.0)
    assert c["naive_yoy_pct"] == pytest.approx((130 / 180 - 1) * 100)
    assert march[("division", "18", "output", "above")]["yoy_pct"] == pytest.approx(-10.0)
    chain = march[("chain", "c1", "output", "above")]
    assert chain["month_value"] == pytest.approx(230.0)  # B 180 + C 50
    assert chain["contribution_pp"] == pytest.approx(-20 / 300 * 100)


def test_all_enterprises_and_sum_of_months(march):
    d = march[("district", "district", "output", "all")]
    assert d["yoy_pct"] == pytest.approx((322 / 310 - 1) * 100)
    assert d["month_value"] == pytest.approx(372.0)
    e_town = march[("township", "T2", "output", "all")]
    assert e_town["ytd_value"] == pytest.approx(150 + 33)  # C's file figure + E's months
    assert e_town["ytd_yoy_pct"] == pytest.approx((33 / 27 - 1) * 100)  # E alone is comparable


def test_electricity_ytd_is_the_sum_of_the_months(march):
    d = march[("district", "district", "electricity", "above")]
    assert d["yoy_pct"] == pytest.approx(10.0)
    assert d["ytd_value"] == pytest.approx(63.0)
    assert d["ytd_yoy_pct"] == pytest.approx(5.0)


def test_a_missing_figure_is_no_data_not_zero(march):
    # nobody reported tax: no value, no growth — not 0 and not -100%
    d = march[("district", "district", "tax", "above")]
    assert d["month_value"] is None
    assert d["yoy_pct"] is None


def test_town_ranking_fastest_first():
    def build(panel, prefixes, explicit):
        members = analytics.area_members(panel, prefixes, explicit)
        ind = analytics.area_indicators(panel, members, year=2025, month_no=3)
        return analytics.ranking(ind, by="naive_yoy_pct")

    frame = run(build, {"panel": panel(), "prefixes": prefixes(), "explicit": explicit()})
    ranked = {r["area_id"]: r["rank"] for r in frame.to_dicts()}
    assert ranked == {"T1": 1, "T2": 2}  # T1 +3.3%, T2 -37.5%


def test_february_is_also_shown_as_1_2():
    """February, all enterprises, electricity (A only): the month 18 / 20 - 1 = -10%; 1-2月
    (12 + 18) / (10 + 20) - 1 = 0%, shown as its own period with the months combined."""
    from industry_brain.monitoring.indicators import to_rows

    def build(panel, prefixes, explicit):
        members = analytics.area_members(panel, prefixes, explicit)
        return analytics.area_indicators(panel, members, year=2025, month_no=2, scales=("all",))

    frame = run(build, {"panel": panel(), "prefixes": prefixes(), "explicit": explicit()})
    rows = to_rows(frame, {}, month_no=2)
    power = {r["period"]: r for r in rows if r["area_kind"] == "district" and r["indicator"] == "electricity"}
    assert set(power) == {"2月", "1-2月"}
    assert (power["2月"]["month_value"], power["2月"]["yoy_pct"]) == (18.0, -10.0)
    assert (power["1-2月"]["month_value"], power["1-2月"]["yoy_pct"]) == (30.0, 0.0)


def test_a_month_missing_from_the_months_so_far_leaves_the_ytd_unknown():
    """Electricity (no 累计 column: 累计 is the sum of the months). Enterprise A reports Jan-Mar
    both years (10+10+10 → 11+11+11: 累计 +10%); B reports January and March of 2025 but not
    February (2024: 20 each month). Summing B's two months (20+22 = 42 against 60) would read
    as a 30% fall that is only a missing report: B's 累计 is unknown, so the district's
    累计 is A's alone, 33 against 30 (+10%), on the comparable set."""
    from industry_brain.monitoring.panel import panel_frame

    rows = []
    for year, a, b in ((2024, 10.0, 20.0), (2025, 11.0, 22.0)):
        for m in (1, 2, 3):
            rows.append({"credit_code": "A", "month": f"{year}-{m:02d}", "year": year, "month_no": m,
                         "township_code": "T1", "industry_code": "C341", "above_scale": 1,
                         "electricity_wan_kwh": a})  # fmt: skip
            if not (year == 2025 and m == 2):
                rows.append({"credit_code": "B", "month": f"{year}-{m:02d}", "year": year, "month_no": m,
                             "township_code": "T1", "industry_code": "C341", "above_scale": 1,
                             "electricity_wan_kwh": b})  # fmt: skip

    def build(panel, prefixes, explicit):
        members = analytics.area_members(panel, prefixes, explicit)
        return analytics.area_indicators(panel, members, year=2025, month_no=3, scales=("above",))

    frame = run(build, {"panel": panel_frame(rows), "prefixes": prefixes(), "explicit": explicit()})
    d = next(
        r for r in frame.to_dicts()
        if r["area_kind"] == "district" and r["indicator"] == "electricity"
    )  # fmt: skip
    assert d["ytd_value"] == pytest.approx(33.0)
    assert d["ytd_yoy_pct"] == pytest.approx(10.0)
