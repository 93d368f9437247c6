"""Towns and zones evaluated on their members' sums, and grade movement between runs."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from evaluation_fixtures import YEAR, frame
from helpers import code, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.evaluation.areas import area_expression, evaluate_areas, grade_movement, unassigned
from industry_brain.evaluation.engines import connect
from industry_brain.evaluation.inputs import SCHEMA
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.report_cli import report_app
from industry_brain.evaluation.service import run_evaluation

runner = CliRunner()
HUANGYAN = load_method("huangyan-2022")
T1, T2 = "330213001", "330213100"
NONE = dict(value_added_wan=None, energy_tce=None, emission_t=None, employees=None, rd_spend_wan=None)


def area_facts() -> pl.DataFrame:
    rows = [
        {},  # 1: the 113.128 enterprise
        dict(land_mu=10.0, tax_wan=100.0, value_added_wan=500.0, energy_tce=500.0, employees=50.0,
             rd_spend_wan=10.0, revenue_wan=1000.0),  # 2
        dict(above_scale=0, land_mu=5.0, tax_wan=20.0, revenue_wan=300.0, **NONE),  # 3, below scale
        # 4, a tenant
        dict(above_scale=0, land_mu=None, rented_mu=2.0, tax_wan=40.0, revenue_wan=200.0, **NONE),
        dict(established=f"{YEAR - 1}-06-01", tax_wan=9999.0),  # 5, new: T, not a member
        {},  # 6: no township, no zone
    ]  # fmt: skip
    towns = [T1, T1, T2, T2, T1, None]
    zones = ["智能制造园", "智能制造园", "滨海园", "滨海园", "智能制造园", None]
    return frame(rows).with_columns(township_code=pl.Series(towns), zone=pl.Series(zones))


# 锦屏街道 (T1): members 1 and 2 — land 30, tax 700, value added 3500, energy 1500, emissions 1.0,
# employees 200, R&D 210 on revenue 9000. 溪口镇 (T2): 3 and the tenant 4 — own land 5, tax 60,
# no value added, energy, emissions, employees or R&D.
T1_VALUES = {
    "tax_per_mu": 700 / 30,
    "value_added_per_mu": 3500 / 30,
    "value_added_per_energy": 3500 / 1500,
    "value_added_per_emission": 3500 / 1.0,
    "labour_productivity": 3500 / 200,
    "rd_intensity": 210 / 9000,
}
BENCH = {
    "tax_per_mu": (24.097, 30),
    "value_added_per_mu": (136.16, 20),
    "value_added_per_energy": (2.694, 20),
    "value_added_per_emission": (4929.81, 10),
    "labour_productivity": (18.14, 10),
    "rd_intensity": (0.0302, 10),
}


def test_town_indicators_are_ratios_of_members_sums():
    out = evaluate_areas(area_facts(), HUANGYAN, year=YEAR)
    assert out["area_code"].to_list() == [T1, T2]
    assert out["area_name"].to_list() == ["锦屏街道", "溪口镇"]
    t1, t2 = out.iter_rows(named=True)
    assert (t1["members"], t1["above_scale_members"], t1["tenants"], t1["land_mu"]) == (2, 2, 0, 30)
    assert (t1["tax_wan"], t1["value_added_wan"], t1["energy_tce"]) == (700, 3500, 1500)
    for name, value in T1_VALUES.items():
        assert t1[name] == pytest.approx(value), name
    t1_items = {n: T1_VALUES[n] / bm * w for n, (bm, w) in BENCH.items()}
    for name, item in t1_items.items():
        assert t1[f"score_{name}"] == pytest.approx(item), name
    assert t1["score"] == pytest.approx(sum(t1_items.values()))
    # 溪口镇: the tenant's 40 万元 counts, its 2 亩 of rented land does not: 60 ÷ 5 = 12
    assert (t2["members"], t2["tenants"], t2["land_mu"], t2["tax_wan"]) == (2, 1, 5, 60)
    assert t2["tax_per_mu"] == pytest.approx(12.0)
    assert t2["value_added_per_mu"] is None
    # its undefined items get the mean item of the areas that have them: 锦屏's
    others = sum(v for k, v in t1_items.items() if k != "tax_per_mu")
    assert t2["score"] == pytest.approx(12 / 24.097 * 30 + others)
    assert t2["imputed"] == (
        "value_added_per_mu,value_added_per_energy,value_added_per_emission,labour_productivity,rd_intensity"
    )
    assert t1["imputed"] == ""
    assert (t1["rank"], t2["rank"]) == (1, 2)
    assert t1["bm_tax_per_mu"] == 24.097


def test_evaluated_land_counts_the_tenants_rented_land():
    out = evaluate_areas(area_facts(), HUANGYAN, year=YEAR, land="evaluated")
    t2 = out.filter(pl.col("area_code") == T2).row(0, named=True)
    assert t2["land_mu"] == 7 and t2["tax_per_mu"] == pytest.approx(60 / 7)


def test_zones_and_pool_aggregate_benchmarks_across_areas():
    out = evaluate_areas(area_facts(), load_method("zhejiang-aggregate"), year=YEAR, by="zone")
    assert out["area_code"].to_list() == out["area_name"].to_list() == ["智能制造园", "滨海园"]
    first, second = out.iter_rows(named=True)
    # benchmark = Σ over the areas: tax (700 + 60) ÷ land (30 + 5); only 智能制造园 has value added
    bench = 760 / 35
    assert first["bm_tax_per_mu"] == pytest.approx(bench)
    assert first["bm_value_added_per_mu"] == pytest.approx(3500 / 30)
    # so 智能制造园 scores its full weight on the other five items: 20 + 20 + 10 + 10 + 10
    assert first["score"] == pytest.approx((700 / 30) / bench * 30 + 70)
    assert second["score"] == pytest.approx(12 / bench * 30 + 70)


def test_members_without_an_area_are_left_out_and_counted():
    facts = area_facts()
    assert unassigned(facts, "township") == 1 and unassigned(facts, "zone") == 1
    with pytest.raises(IndustryBrainError, match="township_code"):
        evaluate_areas(facts.drop("township_code"), HUANGYAN, year=YEAR)
    with pytest.raises(ConfigurationError, match="区域类型"):
        evaluate_areas(facts, HUANGYAN, year=YEAR, by="county")
    with pytest.raises(ConfigurationError, match="用地口径"):
        evaluate_areas(facts, HUANGYAN, year=YEAR, land="all")


def test_the_area_expression_agrees_on_sqlite():
    facts = area_facts()
    duck = evaluate_areas(facts, HUANGYAN, year=YEAR)
    con = connect("sqlite")
    arrow = facts.select(*SCHEMA.names(), "township_code").cast(dict(SCHEMA)).to_arrow()
    table = con.create_table("area_facts", arrow, overwrite=True)
    lite = pl.from_arrow(area_expression(table, HUANGYAN, year=YEAR).to_pyarrow())
    con.disconnect()
    assert lite["area_code"].to_list() == duck["area_code"].to_list()
    for a, b in zip(lite["score"].to_list(), duck["score"].to_list(), strict=True):
        assert a == pytest.approx(b)


def test_areas_command_reads_the_master_record(db_url, tmp_path):
    app = build_app()
    registry = write_xlsx(
        tmp_path / "r.xlsx",
        [
            ["统一社会信用代码", "企业名称", "成立日期", "所属镇街", "所属园区"],
            [code(1), "甲", "2010-01-01", "锦屏街道", "智能制造园"],
            [code(2), "乙", "2010-01-01", "330213100", "滨海园"],
            [code(3), "丙", "2010-01-01", None, None],
        ],
    )
    header = [
        "统一社会信用代码",
        "企业名称",
        "行业代码",
        "是否规上",
        "工业增加值（万元）",
        "营业收入（万元）",
        "综合能耗（吨标准煤）",
        "从业人员（人）",
        "研发经费（万元）",
        "用地面积（亩）",
        "实缴税金（万元）",
    ]
    stats = write_xlsx(
        tmp_path / "s.xlsx",
        [
            header,
            [code(1), "甲", "3484", "是", 3000, 8000, 1000, 150, 200, 20, 600],
            [code(2), "乙", "3484", "是", 1500, 4000, 1000, 150, 100, 20, 200],
            [code(3), "丙", "3484", "是", 1500, 4000, 1000, 150, 100, 20, 200],
        ],
    )
    for path, source, period in ((registry, "registry", None), (stats, "stats", "2022")):
        args = ["import", str(path), "--source", source, "--db", db_url]
        result = runner.invoke(app, args + (["--period", period] if period else []))
        assert result.exit_code == 0, result.output
    result = runner.invoke(report_app, ["areas", "--year", "2022", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["by"], data["land"], data["unassigned"]) == ("township", "own", 1)
    assert [a["area_name"] for a in data["areas"]] == ["锦屏街道", "溪口镇"]
    assert data["areas"][0]["tax_per_mu"] == pytest.approx(30.0)
    assert data["areas"][1]["tax_per_mu"] == pytest.approx(10.0)
    result = runner.invoke(
        report_app,
        ["areas", "--year", "2022", "--by", "zone", "--db", db_url, "--output", str(tmp_path / "a.csv")],
    )
    assert result.exit_code == 0, result.output
    assert "智能制造园" in result.stdout and "1 户企业的主数据没有所属园区" in result.stdout
    assert pl.read_csv(tmp_path / "a.csv")["area_name"].to_list() == ["智能制造园", "滨海园"]
    empty = runner.invoke(report_app, ["areas", "--year", "2019", "--db", db_url])
    assert empty.exit_code == 2 and "没有企业数据" in empty.stderr


# --- movement -----------------------------------------------------------------------------------


def results(grades: dict[int, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "credit_code": [code(n) for n in grades],
            "name": [f"企业{n}" for n in grades],
            "grade": list(grades.values()),
            "score": [float(100 - n) for n in grades],
            "rank": list(range(1, len(grades) + 1)),
        }
    )


def test_transition_matrix_and_moves_by_hand():
    before = results({1: "A", 2: "B", 3: "D", 4: "T", 5: "C", 7: "D"})
    after = results({1: "B", 2: "B", 3: "A", 4: "A", 6: "D", 7: "T"})
    matrix, moves = grade_movement(before, after)
    assert matrix.columns == ["from_grade", "A", "B", "C", "D", "T", "left"]
    expected = {
        "A": [0, 1, 0, 0, 0, 0],  # 1: A → B
        "B": [0, 1, 0, 0, 0, 0],  # 2 stays
        "C": [0, 0, 0, 0, 0, 1],  # 5 left
        "D": [1, 0, 0, 0, 1, 0],  # 3: D → A, 7: D → T
        "T": [1, 0, 0, 0, 0, 0],  # 4: T → A
        "new": [0, 0, 0, 1, 0, 0],  # 6 is new, at D
    }
    assert {r[0]: list(r[1:]) for r in matrix.iter_rows()} == expected
    got = [(r["credit_code"], r["move"], r["steps"]) for r in moves.iter_rows(named=True)]
    assert got == [
        (code(3), "up", 3),
        (code(1), "down", -1),
        (code(4), "from_T", None),
        (code(7), "to_T", None),
        (code(6), "new", None),
        (code(5), "left", None),
    ]
    assert moves.filter(pl.col("credit_code") == code(1)).row(0, named=True)["score_from"] == 99.0


def test_movement_command(engine, settings, db_url, tmp_path):
    def facts(year: int, d: set[int]) -> pl.DataFrame:
        return frame([{"year": year, "safety_accident": int(n in d)} for n in range(1, 6)])

    with transaction(engine) as s:
        first, _ = run_evaluation(
            s, year=2021, method=HUANGYAN, settings=settings, facts=facts(2021, {1, 2}), input_source="t"
        )
        second, _ = run_evaluation(
            s, year=2022, method=HUANGYAN, settings=settings, facts=facts(2022, {2, 3}), input_source="t"
        )
    args = ["movement", "--from", str(first.run_id), "--to", str(second.run_id), "--db", db_url]
    result = runner.invoke(report_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["from_grade"]: r for r in data["matrix"]}
    assert (rows["A"]["A"], rows["A"]["D"], rows["D"]["A"], rows["D"]["D"]) == (2, 1, 1, 1)
    assert {(m["credit_code"], m["move"], m["steps"]) for m in data["moves"]} == {
        (code(1), "up", 3),
        (code(3), "down", -3),
    }
    result = runner.invoke(report_app, [*args, "--output", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 0, result.output
    assert "升档 1 户；降档 1 户" in result.stdout
    sheets = pl.read_excel(tmp_path / "m.xlsx", sheet_id=0, engine="calamine", read_options={"header_row": 1})
    assert list(sheets) == ["变动企业", "转移矩阵"]
    missing = runner.invoke(
        report_app, ["movement", "--from", "999", "--to", str(second.run_id), "--db", db_url]
    )
    assert missing.exit_code == 2 and "不存在" in missing.stderr
