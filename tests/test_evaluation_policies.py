"""差别化政策: grades into money and quotas, per enterprise and per town, by hand-worked numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from evaluation_fixtures import frame
from helpers import code
from industry_brain.core.db import transaction
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.policies import (
    latest_run,
    method_family,
    policy_amounts,
    policy_report,
    town_totals,
)
from industry_brain.evaluation.report_cli import report_app
from industry_brain.evaluation.service import get_run, run_evaluation

runner = CliRunner()
HUANGYAN = load_method("huangyan-2022")
RICH = dataclasses.replace(
    HUANGYAN,
    policy=dataclasses.replace(
        HUANGYAN.policy,
        water_surcharge_yuan_per_t={"C": 0.5, "D": 1.0},
        land_tax_adjustment_pct={"A": -50.0, "D": 100.0},
        energy_quota_change_pct={"A": 5.0, "C": -5.0, "D": -10.0},
    ),
)


def results_and_facts() -> tuple[pl.DataFrame, pl.DataFrame]:
    grades = ["A", "B", "C", "D", "D", "D", "T"]
    results = pl.DataFrame(
        {
            "credit_code": [code(i) for i in range(1, 8)],
            "name": [f"企业{i}" for i in range(1, 8)],
            "pool": ["above_scale"] * 6 + ["not_evaluated"],
            "grade": grades,
        }
    )
    facts = pl.DataFrame(
        {
            "credit_code": [code(i) for i in range(1, 8)],
            "land_mu": [20.0, 10.0, 8.0, 20.0, 5.0, 6.0, 3.0],
            "energy_tce": [1000.0, 500.0, 400.0, 1000.0, None, 300.0, 50.0],
            "electricity_wan_kwh": [100.0, 50.0, 40.0, 100.0, 100.0, None, 10.0],
        }
    )
    return results, facts


PREVIOUS = {
    code(4): ["D", "C"],  # D this year and last, C before: not three years
    code(5): ["D", "D"],  # D three years running
    code(6): ["D", "D"],  # also, but its electricity is unknown
}


def test_electricity_surcharge_by_grade_and_three_years_running():
    results, facts = results_and_facts()
    a = policy_amounts(results, facts, HUANGYAN, previous_grades=PREVIOUS)
    by = {r["credit_code"]: r for r in a.iter_rows(named=True)}
    # a D using 100 万千瓦时 pays 100 × 10,000 × 0.3 = 300,000 元
    assert by[code(4)]["electricity_rate_yuan_per_kwh"] == 0.3
    assert by[code(4)]["electricity_surcharge_yuan"] == pytest.approx(300_000)
    assert not by[code(4)]["d_three_years"]
    # D three years running: 100 × 10,000 × 0.4 = 400,000 元
    assert by[code(5)]["d_three_years"] and by[code(5)]["electricity_rate_yuan_per_kwh"] == 0.4
    assert by[code(5)]["electricity_surcharge_yuan"] == pytest.approx(400_000)
    assert (by[code(5)]["grade_prev1"], by[code(5)]["grade_prev2"]) == ("D", "D")
    # an A, B or C pays nothing under the shipped rates; a D of unknown electricity: unknown
    for n in (1, 2, 3):
        assert by[code(n)]["electricity_rate_yuan_per_kwh"] == 0
        assert by[code(n)]["electricity_surcharge_yuan"] == 0
    assert by[code(6)]["electricity_surcharge_yuan"] is None
    # T: no rate, no amount
    assert by[code(7)]["electricity_rate_yuan_per_kwh"] is None
    assert by[code(7)]["electricity_surcharge_yuan"] is None
    # the shipped method states no water, land-tax or energy-quota rates: 0, nothing to compute
    assert by[code(4)]["energy_quota_change_tce"] == 0
    assert by[code(4)]["water_surcharge_yuan"] is None and by[code(4)]["land_tax_adjustment_yuan"] is None


def test_without_previous_years_no_one_is_d_three_years_running():
    results, facts = results_and_facts()
    a = policy_amounts(results, facts, HUANGYAN)
    assert a["d_three_years"].sum() == 0
    assert a.filter(pl.col("grade") == "D")["electricity_rate_yuan_per_kwh"].to_list() == [0.3] * 3
    # no three-year rate in the method: a D three years running pays the D rate
    plain = dataclasses.replace(
        HUANGYAN, policy=dataclasses.replace(HUANGYAN.policy, electricity_surcharge_d_three_years=None)
    )
    b = policy_amounts(results, facts, plain, previous_grades=PREVIOUS)
    assert b.filter(pl.col("credit_code") == code(5))["electricity_surcharge_yuan"][0] == pytest.approx(
        300_000
    )


def test_water_land_tax_and_energy_quota():
    results, facts = results_and_facts()
    a = policy_amounts(results, facts, RICH, previous_grades=PREVIOUS)
    by = {r["credit_code"]: r for r in a.iter_rows(named=True)}
    # energy quota: A +5% of 1000 tce = +50; C −5% of 400 = −20; D −10% of 1000 = −100
    assert by[code(1)]["energy_quota_change_tce"] == pytest.approx(50)
    assert by[code(2)]["energy_quota_change_tce"] == 0
    assert by[code(3)]["energy_quota_change_tce"] == pytest.approx(-20)
    assert by[code(4)]["energy_quota_change_tce"] == pytest.approx(-100)
    assert by[code(5)]["energy_quota_change_tce"] is None  # energy unknown
    # water: the rate is stated, the amount only with a water figure
    assert by[code(4)]["water_rate_yuan_per_t"] == 1.0 and by[code(4)]["water_surcharge_yuan"] is None
    # land-use tax: a percentage only, until a base is given
    assert by[code(4)]["land_tax_adjustment_pct"] == 100 and by[code(4)]["land_tax_adjustment_yuan"] is None
    water = facts.with_columns(water_t=pl.Series([1000.0, 2000.0, 3000.0, 4000.0, None, 0.0, 10.0]))
    b = policy_amounts(results, water, RICH, previous_grades=PREVIOUS, land_tax_base_yuan_per_mu=8.0)
    by = {r["credit_code"]: r for r in b.iter_rows(named=True)}
    assert by[code(3)]["water_surcharge_yuan"] == pytest.approx(1500)  # C: 3000 t × 0.5
    assert by[code(4)]["water_surcharge_yuan"] == pytest.approx(4000)  # D: 4000 t × 1.0
    assert by[code(1)]["water_surcharge_yuan"] == 0  # A: no rate
    assert by[code(5)]["water_surcharge_yuan"] is None  # D, water unknown
    # land tax: 20 亩 × 8 元/亩 × −50% = −80 元 for the A; 20 × 8 × 100% = 160 元 for a D
    assert by[code(1)]["land_tax_adjustment_yuan"] == pytest.approx(-80)
    assert by[code(4)]["land_tax_adjustment_yuan"] == pytest.approx(160)
    assert by[code(5)]["land_tax_adjustment_yuan"] == pytest.approx(40)  # 5 × 8 × 100%
    assert by[code(2)]["land_tax_adjustment_yuan"] == 0
    assert by[code(7)]["land_tax_adjustment_yuan"] is None  # T


def test_town_totals():
    results, facts = results_and_facts()
    a = policy_amounts(results, facts, RICH, previous_grades=PREVIOUS)
    areas = pl.DataFrame(
        {
            "credit_code": [code(1), code(2), code(4), code(5), code(6), code(7)],
            "township_code": ["330213001", "330213001", "330213001", "330213100", "330213100", None],
        }
    )
    towns = town_totals(a, areas)
    assert towns["township_code"].to_list() == ["330213001", "330213100", None]
    assert towns["township_name"].to_list() == ["锦屏街道", "溪口镇", "未归属镇街"]
    t1, t2, none = towns.iter_rows(named=True)
    # 锦屏: A (企业1), B (企业2), D (企业4: 300,000 元, −100 tce; 企业1 +50 tce)
    assert (t1["enterprises"], t1["A"], t1["B"], t1["D"], t1["d_three_years"]) == (3, 1, 1, 1, 0)
    assert t1["electricity_wan_kwh"] == 250
    assert t1["electricity_surcharge_yuan"] == pytest.approx(300_000)
    assert t1["energy_quota_change_tce"] == pytest.approx(-50)
    # 溪口: two D three years running; 企业5 pays 400,000 元, 企业6's electricity is unknown
    assert (t2["enterprises"], t2["D"], t2["d_three_years"]) == (2, 2, 2)
    assert t2["electricity_surcharge_yuan"] == pytest.approx(400_000)
    assert t2["energy_quota_change_tce"] == pytest.approx(-30)  # 企业6: −10% of 300
    # 企业3 (C) has no master record and 企业7 (T) no township: both 未归属
    assert (none["enterprises"], none["C"], none["T"]) == (2, 1, 1)
    assert none["electricity_surcharge_yuan"] == 0
    assert t1["water_surcharge_yuan"] is None  # no water figure anywhere: no total


def test_method_family():
    assert method_family("huangyan-2022") == method_family("huangyan-2021") == "huangyan"
    assert method_family("zhejiang-aggregate") == "zhejiang-aggregate"


def facts_for_year(year: int, d_codes: set[int]) -> pl.DataFrame:
    """Five above-scale enterprises; those in d_codes have a safety accident (vetoed to D)."""
    rows = [
        {"year": year, "electricity_wan_kwh": 100.0, "safety_accident": int(n in d_codes)}
        for n in range(1, 6)
    ]
    return frame(rows)


def _run(session, settings, year: int, d_codes: set[int], method=HUANGYAN) -> int:
    summary, _ = run_evaluation(
        session,
        year=year,
        method=method,
        settings=settings,
        facts=facts_for_year(year, d_codes),
        input_source="test",
    )
    assert summary.run_id is not None
    return summary.run_id


def _stored_history(engine, settings) -> dict[str, int]:
    """2020: 1, 2 D (and a newer superseded run, ignored, with no D); 2021: final run with 1, 2 D,
    then a newer draft where only 1 is D;
    2022: 1, 2, 3 D. So 1 and 2 are D three years running (the final 2021 run counts), 3 is not.
    Another family's 2021 run marks everyone D and is ignored."""
    with transaction(engine) as s:
        ids = {
            "2020": _run(s, settings, 2020, {1, 2}),
            "2020superseded": _run(s, settings, 2020, set()),
            "2021final": _run(s, settings, 2021, {1, 2}),
            "2021draft": _run(s, settings, 2021, {1}),
            "other": _run(s, settings, 2021, {1, 2, 3, 4, 5}, load_method("zhejiang-aggregate")),
            "2022": _run(s, settings, 2022, {1, 2, 3}),
        }
        for run_id, status in ((ids["2021final"], "final"), (ids["2020superseded"], "superseded")):
            get_run(s, run_id).status = "published"  # draft → published → final or superseded
            s.flush()
            run = get_run(s, run_id)
            run.status = status
            if status == "final":  # the database lets a run become final only with its date
                run.finalized_at = dt.datetime(2023, 1, 1)
            s.flush()
        s.add_all(
            [
                Enterprise(credit_code=code(1), name="企业1", township_code="330213001"),
                Enterprise(credit_code=code(2), name="企业2", township_code="330213100"),
                Enterprise(credit_code=code(3), name="企业3", township_code="330213100"),
                Enterprise(credit_code=code(4), name="企业4", township_code="330213001"),
            ]
        )
    return ids


def test_policy_report_from_stored_runs(engine, settings):
    ids = _stored_history(engine, settings)
    with transaction(engine) as s:
        assert latest_run(s, year=2021, family="huangyan").id == ids["2021final"]
        assert latest_run(s, year=2019, family="huangyan") is None
        report = policy_report(s, run_id=ids["2022"])
    assert report.previous_runs == {2021: ids["2021final"], 2020: ids["2020"]}
    a = {r["credit_code"]: r for r in report.amounts.iter_rows(named=True)}
    assert a[code(1)]["d_three_years"] and a[code(2)]["d_three_years"] and not a[code(3)]["d_three_years"]
    assert a[code(1)]["electricity_surcharge_yuan"] == pytest.approx(400_000)
    assert a[code(3)]["electricity_surcharge_yuan"] == pytest.approx(300_000)
    assert a[code(4)]["electricity_surcharge_yuan"] == 0
    towns = {r["township_name"]: r for r in report.towns.iter_rows(named=True)}
    assert towns["锦屏街道"]["electricity_surcharge_yuan"] == pytest.approx(400_000)  # 企业1 + 企业4 (0)
    assert towns["溪口镇"]["electricity_surcharge_yuan"] == pytest.approx(700_000)  # 企业2 + 企业3
    assert towns["未归属镇街"]["enterprises"] == 1  # 企业5 has no master record
    assert "海宁" in (report.source or "")
    assert any("用水量" in n for n in report.notes)


def test_policy_command(engine, settings, db_url, tmp_path):
    ids = _stored_history(engine, settings)
    run = str(ids["2022"])
    result = runner.invoke(report_app, ["policy", run, "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "400,000.00" in result.stdout and "海宁" in result.stdout
    water = tmp_path / "water.csv"
    water.write_text(f"统一社会信用代码,用水量（吨）\n{code(1)},1000\n{code(3)},\n", encoding="utf-8")
    result = runner.invoke(
        report_app, ["policy", run, "--db", db_url, "--json", "--water", str(water), "--land-tax-base", "6"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["previous_runs"] == {"2021": ids["2021final"], "2020": ids["2020"]}
    first = next(e for e in data["enterprises"] if e["credit_code"] == code(1))
    assert (first["water_t"], first["water_surcharge_yuan"]) == (1000.0, 0.0)  # no water rate shipped
    assert first["land_tax_base_yuan_per_mu"] == 6.0
    assert sum(t["electricity_surcharge_yuan"] for t in data["towns"]) == pytest.approx(1_100_000)
    out = tmp_path / "policy.xlsx"
    assert runner.invoke(report_app, ["policy", run, "--db", db_url, "--output", str(out)]).exit_code == 0
    sheets = pl.read_excel(out, sheet_id=0, engine="calamine", read_options={"header_row": 1})
    assert list(sheets) == ["企业明细", "镇街合计"]
    assert sheets["企业明细"].height == 5 and "electricity_surcharge_yuan" in sheets["企业明细"].columns
    csv = tmp_path / "policy.csv"
    assert runner.invoke(report_app, ["policy", run, "--db", db_url, "--output", str(csv)]).exit_code == 0
    assert pl.read_csv(csv)["electricity_surcharge_yuan"].sum() == pytest.approx(1_100_000)
    bad = tmp_path / "bad.csv"
    bad.write_text("credit_code,用量\n", encoding="utf-8")
    result = runner.invoke(report_app, ["policy", run, "--db", db_url, "--water", str(bad)])
    assert result.exit_code == 2 and "water_t" in result.stderr
