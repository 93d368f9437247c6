"""The alert rules on every engine, on hand-worked monthly panels: they must agree.

Each case is worked by hand in its comment; the same expected rows are asserted on DuckDB,
SQLite, PostgreSQL and PySpark (pattern of test_evaluation_engines.py)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from industry_brain.monitoring.alerts_compute import compute_states
from industry_brain.monitoring.rules import load_rules, parse_rules
from monitoring_alerts_fixtures import months, panel, power_series

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed")
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]


@pytest.fixture(params=ENGINES)
def states(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None

    def go(frame, rules=None, month=None):
        rules = rules or load_rules().rules
        out = compute_states(frame, rules, engine=engine, postgres_url=url, month=month)
        return {(r["credit_code"], r["rule"], r["month"]): r for r in out.to_dicts()}

    return go


def _flat(value=100.0):
    return {m: value for m in months("2022-01", "2024-12")}


def _mixed_panel():
    # E1: 100 万kWh a month; March-April 2024 at 50 (-50%), May missing, June 10, July back.
    e1 = _flat()
    e1.update({"2024-03": 50.0, "2024-04": 50.0, "2024-05": None, "2024-06": 10.0})
    # FEST: a factory that closes for the festival: the dip moves with 正月初一
    # (2022-02-01: split; 2023-01-22: January; 2024-02-10: February); 1-2月 combined are 160 each year
    fest = _flat()
    fest.update({"2022-01": 80.0, "2022-02": 80.0, "2023-01": 60.0, "2023-02": 100.0})
    fest.update({"2024-01": 100.0, "2024-02": 60.0})
    return power_series("E1", e1) + power_series("FEST", fest, batch=8)


def test_power_rules_by_hand(states):
    got = states(panel(_mixed_panel()))
    s = {k: v["state"] for k, v in got.items() if k[0] == "E1"}
    # -50% <= -30%: pending in March, firing in April (two months in a row); the missing May is
    # no-data, not a drop nor a recovery; July is back to 100 (0% >= -15%): resolved
    assert [s.get(("E1", "power_yoy_drop", m)) for m in months("2024-02", "2024-08")] == [
        None,
        "pending",
        "firing",
        "no_data",
        "firing",
        "resolved",
        None,
    ]
    # stoppage: June's 10 is 0.1 of its norm (mean of June 2022 and 2023 = 100) < 0.2, but one
    # month alone is pending (the rule asks for two); July is back
    assert s[("E1", "suspected_stoppage", "2024-06")] == "pending"
    assert ("E1", "suspected_stoppage", "2024-03") not in s  # 0.5 of the norm: in the band
    june = got[("E1", "suspected_stoppage", "2024-06")]
    assert (june["observed"], june["expected"], june["norm_years_used"]) == (10.0, 100.0, 2)
    # one alert across the months: the first month is its identity
    assert {got[("E1", "power_yoy_drop", m)]["first_month"] for m in ("2024-04", "2024-06", "2024-07")} == {
        "2024-03"
    }
    march = got[("E1", "power_yoy_drop", "2024-03")]
    assert (march["observed"], march["expected"], march["measure_value"]) == (50.0, 100.0, -50.0)
    assert (march["obs_batch_id"], march["obs_row"], march["exp_batch_id"], march["exp_row"]) == (
        7,
        28,
        7,
        16,
    )


def test_a_stoppage_of_two_months_fires_in_the_second(states):
    stop = _flat()
    stop.update({"2024-06": 10.0, "2024-07": 5.0, "2024-08": 100.0})  # 0.1, then 0.05 of the norm
    got = states(panel(power_series("STOP", stop)))
    assert [
        got.get(("STOP", "suspected_stoppage", m), {}).get("state") for m in months("2024-05", "2024-08")
    ] == [
        None,
        "pending",
        "firing",
        "resolved",
    ]
    assert got[("STOP", "suspected_stoppage", "2024-07")]["first_month"] == "2024-06"


def test_a_decline_that_keeps_going_against_a_lower_level(states):
    going = _flat()
    going.update({"2024-03": 90.0, "2024-04": 80.0, "2024-05": 70.0, "2024-06": 60.0, "2024-07": 100.0})
    lower = _flat()
    lower.update({m: 80.0 for m in months("2024-03", "2024-12")})  # -20% every month, not deepening
    got = states(panel(power_series("GO", going) + power_series("LOW", lower, batch=9)))
    s = {k: v["state"] for k, v in got.items() if k[1] == "power_decline_3m"}
    # -10% (not yet -20%), -20%, -30%, -40%: each at least 3 points deeper; the third is firing
    assert [s.get(("GO", "power_decline_3m", m)) for m in months("2024-03", "2024-07")] == [
        None,
        "pending",
        "pending",
        "firing",
        "resolved",
    ]
    # the step down in March is one deeper month (pending); the level then stays: never firing
    assert {m: v for (c, _, m), v in s.items() if c == "LOW"} == {"2024-03": "pending"}


def test_spring_festival_alone_raises_nothing(states):
    got = states(panel(_mixed_panel()))
    assert [k for k in got if k[0] == "FEST"] == []
    # compared alone, February 2024 (60) on February 2023 (100) would be -40%, beyond -30%:
    # the rule compared 1-2月 combined instead (160 on 160) and says so
    only = states(panel(_mixed_panel()), month="2024-02")
    assert ("FEST", "power_yoy_drop", "2024-02") not in only


def test_festival_comparison_is_recorded(states):
    # a real fall in 1-2月 2024 (80 on 160 = -50%) fires in February, on the combined figures
    fest = _flat()
    fest.update({"2023-01": 60.0, "2023-02": 100.0, "2024-01": 50.0, "2024-02": 30.0})
    got = states(panel(power_series("F2", fest)))
    feb = got[("F2", "power_yoy_drop", "2024-02")]
    assert (feb["observed"], feb["expected"], feb["measure_value"], feb["calendar"]) == (
        80.0,
        160.0,
        -50.0,
        "jan_feb_combined",
    )
    assert ("F2", "power_yoy_drop", "2024-01") not in got  # January is not compared alone


def test_scale_threshold_run_rate(states):
    # working days of 2024 by the 放假安排 (counted by hand): to April 83, June 123, July 146
    # (July 23), August 168 (August 22), the year 251; the rules judge from June
    rows = []
    for i, m in enumerate(months("2024-01", "2024-08")):
        n = i + 1
        # ABOVE: 规上, 150万 a month, no last year: by working days:
        # Jun 900/123*251 = 1836.6, Jul 1050/146*251 = 1805.1, Aug 1200/168*251 = 1792.9 < 1900
        rows.append({"credit_code": "ABOVE", "month": m, "above_scale": 1, "sales_ytd_wan": 150.0 * n})
        # BELOW: 规下, 200万 a month: Jun 1200/123*251 = 2448.8 >= 2100, a 小升规 candidate
        rows.append({"credit_code": "BELOW", "month": m, "above_scale": 0, "sales_ytd_wan": 200.0 * n})
    for m in months("2023-01", "2024-08"):
        # PACE: 200 a month in 2023 (2400 in the year), 150 in 2024: at its own pace
        # 150n / 200n * 2400 = 1800 < 1900
        n = int(m[5:])
        rows.append(
            {
                "credit_code": "PACE",
                "month": m,
                "above_scale": 1,
                "sales_ytd_wan": (200.0 if m < "2024" else 150.0) * n,
            }
        )
    got = states(panel(rows))
    assert [
        got.get(("ABOVE", "exit_scale_warning", m), {}).get("state") for m in months("2024-04", "2024-08")
    ] == [None, None, "pending", "pending", "firing"]  # not judged before June
    assert got[("ABOVE", "exit_scale_warning", "2024-06")]["observed"] == pytest.approx(900 / 123 * 251)
    assert got[("ABOVE", "exit_scale_warning", "2024-08")]["observed"] == pytest.approx(1200 / 168 * 251)
    assert got[("ABOVE", "exit_scale_warning", "2024-08")]["calendar"] == "workday_run_rate"
    assert got[("BELOW", "scale_up_candidate", "2024-08")]["state"] == "firing"
    assert got[("BELOW", "scale_up_candidate", "2024-06")]["observed"] == pytest.approx(1200 / 123 * 251)
    pace = got[("PACE", "exit_scale_warning", "2024-08")]
    assert (pace["state"], pace["calendar"]) == ("firing", "own_pace_run_rate")
    assert pace["observed"] == pytest.approx(1800.0)
    assert ("ABOVE", "scale_up_candidate", "2024-08") not in got  # applies to 规下 only
    assert ("BELOW", "exit_scale_warning", "2024-08") not in got


def test_output_up_power_down_and_tax(states):
    rows = []
    for m in months("2023-01", "2024-06"):
        y2024 = m >= "2024"
        n = int(m[5:])
        rows.append(
            {
                "credit_code": "DQ",
                "month": m,
                "above_scale": 1,
                # output +30% while power -10%: a gap of 40 points >= 30
                "output_wan": 130.0 if y2024 else 100.0,
                "electricity_wan_kwh": 90.0 if y2024 else 100.0,
                # the month's tax halves: -50% <= -50%
                "tax_wan": 5.0 if y2024 else 10.0,
                "stats_batch_id": 3,
                "stats_row": n + 1,
                "tax_batch_id": 4,
                "tax_row": n + 1,
            }
        )
    got = states(panel(rows))
    mar = got[("DQ", "output_power_divergence", "2024-03")]
    assert mar["state"] == "firing"
    assert (mar["observed"], mar["expected"], mar["measure_value"]) == pytest.approx((30.0, -10.0, 40.0))
    assert got[("DQ", "tax_drop", "2024-02")]["state"] == "pending"  # 10 on 20 in 1-2月 combined
    assert got[("DQ", "tax_drop", "2024-02")]["calendar"] == "jan_feb_combined"
    assert got[("DQ", "tax_drop", "2024-03")]["state"] == "firing"  # the second month
    assert ("DQ", "tax_drop", "2024-01") not in got  # the festival moved: January waits for 1-2月
    assert got[("DQ", "tax_drop", "2024-02")]["source"] == "tax"


DATED = """
version: 1
rules:
  - id: drop
    name: 用电下降
    kind: yoy_change
    measure: electricity_wan_kwh
    severity: warning
    min_months: 1
    receivers: [{kind: town}]
    params:
      - {from: "2020-01", fire_pct: -30, clear_pct: -15, min_base: 1}
      - {from: "2024-06", fire_pct: -20, clear_pct: -10, min_base: 1}
"""


def test_a_changed_threshold_applies_from_its_month(states):
    values = _flat()
    values.update({m: 75.0 for m in months("2024-03", "2024-08")})  # -25% from March
    rules = parse_rules(DATED, file="dated.yaml").rules
    got = states(panel(power_series("E9", values)), rules)
    # -25% is inside -30% until May; from June the -20% threshold fires; back to 100 in September
    assert sorted(m for (_, _, m) in got) == months("2024-06", "2024-09")
    assert got[("E9", "drop", "2024-09")]["state"] == "resolved"
    assert got[("E9", "drop", "2024-06")]["fire_at"] == -20.0
