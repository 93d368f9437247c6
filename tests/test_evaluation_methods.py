"""Methods as files, facts files, and evaluate runs: clear errors and reproducible runs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from evaluation_fixtures import YEAR, mixed
from helpers import code
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected
from industry_brain.evaluation.inputs import read_facts
from industry_brain.evaluation.method import MethodError, load_method, shipped_methods
from industry_brain.evaluation.service import (
    compute,
    get_run,
    input_hash,
    method_of,
    run_evaluation,
    run_inputs,
    run_results,
)

runner = CliRunner()
SHIPPED = Path(__file__).resolve().parents[1] / "src/industry_brain/evaluation/methods"


def method_file(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((SHIPPED / "huangyan-2022.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_methods_and_their_published_constants():
    assert shipped_methods() == ["huangyan-2021", "huangyan-2022", "zhejiang-aggregate"]
    m = load_method("huangyan-2021")
    assert [(i.indicator, i.weight, i.benchmark.value) for i in m.sets["below_scale"]] == [
        ("tax_per_mu", 50, 16.601058),
        ("tax_per_electricity", 50, 0.236565),
    ]
    assert [i.benchmark.value for i in m.sets["above_scale"]] == [26.01, 132.27, 2.54, 4861.08, 17.45, 0.0305]
    assert all(i.source == "S4" for i in m.sets["above_scale"]) and "S4" in m.sources
    assert load_method("huangyan-2022").policy.electricity_surcharge_yuan_per_kwh == {"D": 0.3}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["indicator_sets"]["above_scale"][1].update(weight="20"),
            "indicator_sets.above_scale[1].weight: 应为数字",
        ),
        (
            lambda d: d["indicator_sets"]["above_scale"][0].update(indicator="tax_per_acre"),
            "indicator_sets.above_scale[0].indicator: 应为",
        ),
        (
            lambda d: d["indicator_sets"]["below_scale"][0]["benchmark"].update(rule="median"),
            "benchmark.rule: 应为 constant",
        ),
        (
            lambda d: d["indicator_sets"]["below_scale"][0]["benchmark"].pop("value"),
            "below_scale[0].benchmark.value: 缺少此项",
        ),
        (lambda d: d["grades"]["default"].update(B=0.99), "grades.default: 应满足 0 < A < B < C ≤ 1"),
        (lambda d: d["vetoes"].update(bankrupt=True), "vetoes.bankrupt: 应为"),
        (lambda d: d["indicator_sets"].pop("below_scale"), "indicator_sets.below_scale: 缺少此项"),
        (
            lambda d: d["indicator_sets"]["above_scale"][0].update(source="S99"),
            "来源 S99 未在 sources 中列出",
        ),
        (
            lambda d: d["policy"]["electricity_surcharge_yuan_per_kwh"].update(E=1),
            "policy.electricity_surcharge_yuan_per_kwh.E",
        ),
    ],
)
def test_malformed_method_files_name_the_field(tmp_path, change, message):
    with pytest.raises(MethodError) as info:
        load_method(method_file(tmp_path, change))
    assert str(info.value).startswith("county.yaml: ") and message in str(info.value)


def _set(*path, value):
    def change(d):
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # a misspelt key at any level is refused, not ignored with its default used
        (_set("imputaton", value="zero"), "county.yaml: imputaton: 未知参数"),
        (_set("pools", "new_enterprise_year", value=3), "county.yaml: pools.new_enterprise_year: 未知参数"),
        (
            _set("indicator_sets", "above_scale", 2, "caps", value=40),
            "indicator_sets.above_scale[2].caps: 未知参数",
        ),
        (
            _set("indicator_sets", "below_scale", 1, "benchmark", "multiplier", value=2),
            "indicator_sets.below_scale[1].benchmark.multiplier: 未知参数",
        ),
        (_set("vetoes", "low_efficiency", "min_land", value=5), "vetoes.low_efficiency.min_land: 未知参数"),
        (_set("grades", "above_scale", "D", value=1.0), "grades.above_scale.D: 未知参数"),
        (_set("grades", "default", "a", value=0.1), "grades.default.a: 未知参数"),
        (_set("policy", "water_surcharge", value={"D": 1}), "policy.water_surcharge: 未知参数"),
        # YAML 1.1 reads `no` as false, but a quoted "no" is text: a veto flag must be a boolean
        (_set("vetoes", "safety_accident", value="no"), "vetoes.safety_accident: 应为 true 或 false"),
        (_set("vetoes", "env_violation", value=1), "vetoes.env_violation: 应为 true 或 false"),
        (_set("pools", "new_enterprise_years", value=0), "pools.new_enterprise_years: 应为正整数"),
        (_set("pools", "new_enterprise_years", value=1.5), "pools.new_enterprise_years: 应为正整数"),
        (_set("pools", "new_enterprise_years", value="2"), "pools.new_enterprise_years: 应为正整数"),
        (_set("pools", "below_scale_split_mu", value=0), "pools.below_scale_split_mu: 应大于0"),
        (_set("pools", "below_scale_split_mu", value="3"), "pools.below_scale_split_mu: 应为数字"),
        (
            _set("pools", "utility_divisions", value="44"),
            "pools.utility_divisions: 应为2位行业大类代码的列表",
        ),
        (_set("pools", "utility_divisions", value=["44", "4411"]), "pools.utility_divisions[1]: 应为"),
        (_set("pools", "utility_divisions", value=["44", "99"]), "pools.utility_divisions[1]: 应为"),
        (_set("version", value=True), "county.yaml: version: 应为整数"),
    ],
)
def test_method_files_refuse_unknown_keys_and_loose_values(tmp_path, change, message):
    with pytest.raises(MethodError) as info:
        load_method(method_file(tmp_path, change))
    assert str(info.value).startswith("county.yaml: ") and message in str(info.value)


def test_pool_parameters_are_read_as_written(tmp_path):
    m = load_method(
        method_file(
            tmp_path,
            lambda d: d["pools"].update(
                utility_divisions=[44, "45", 4], new_enterprise_years=1, below_scale_split_mu=0.5
            ),
        )
    )
    assert (m.utility_divisions, m.new_enterprise_years, m.below_scale_split_mu) == (
        ("44", "45", "04"),
        1,
        0.5,
    )
    assert (
        load_method(
            method_file(tmp_path, lambda d: d["pools"].update(utility_divisions=[]))
        ).utility_divisions
        == ()
    )
    for name in shipped_methods():  # the shipped files use only known keys
        assert load_method(name).utility_divisions == ("44", "45", "46")


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: y\nindicator_sets: [\n  - a: b\n: c\n", encoding="utf-8")
    with pytest.raises(MethodError, match=r"bad.yaml: 第 \d+ 行: YAML 格式错误"):
        load_method(path)


def test_a_county_method_file_changes_the_result_not_the_code(tmp_path):
    doubled = method_file(
        tmp_path,
        lambda d: [
            i["benchmark"].update(value=i["benchmark"]["value"] * 2)
            for i in d["indicator_sets"]["above_scale"]
        ],
    )
    facts = mixed()
    base = compute(facts, load_method("huangyan-2022"), year=YEAR).filter(pl.col("name") == "企业1")
    half = compute(facts, load_method(doubled), year=YEAR).filter(pl.col("name") == "企业1")
    assert half["score"][0] == pytest.approx(base["score"][0] / 2)


def test_pool_aggregate_benchmark_is_the_pool_ratio_of_sums():
    facts = mixed().filter(pl.col("name").is_in(["企业1", "企业2", "企业8"]))
    out = compute(facts, load_method("zhejiang-aggregate"), year=YEAR)
    rows = facts.to_dicts()
    bench = sum(r["tax_wan"] for r in rows) / sum(r["land_mu"] for r in rows)
    got = {r["name"]: r["score_tax_per_mu"] for r in out.to_dicts()}
    for r in rows:
        assert got[r["name"]] == pytest.approx(r["tax_wan"] / r["land_mu"] / bench * 30)


def test_facts_file_errors_name_file_row_and_column(tmp_path):
    facts = mixed(n=20)
    path = tmp_path / "facts.csv"
    facts.with_columns(
        pl.when(pl.col("name") == "企业4")
        .then(pl.lit("x"))
        .otherwise(pl.col("land_mu").cast(pl.String))
        .alias("land_mu")
    ).write_csv(path)
    with pytest.raises(FileRejected, match=r"facts.csv: 第 5 行 land_mu 列：“x”不是数字"):
        read_facts(path)
    facts.drop("tax_wan").write_csv(path)
    with pytest.raises(FileRejected, match="缺少列：tax_wan"):
        read_facts(path)
    facts.with_columns(pl.lit(2).alias("above_scale")).write_parquet(tmp_path / "f.parquet")
    with pytest.raises(FileRejected, match="第 2 行 above_scale 列：应为 1 或 0"):
        read_facts(tmp_path / "f.parquet")


def _with(facts: pl.DataFrame, column: str, values: dict[str, str]) -> pl.DataFrame:
    """`facts` with `column` as text, set to values[name] for the enterprises named."""
    return facts.with_columns(
        pl.col("name")
        .replace_strict(values, default=pl.col(column).cast(pl.String), return_dtype=pl.String)
        .alias(column)
    )


def test_facts_file_dates_in_every_form(tmp_path):
    # evaluating 2022 with new_enterprise_years 2: founded by 2020-12-31 is evaluated, later is new
    dates = {
        "企业1": "2020/12/31",
        "企业2": "20201231",
        "企业3": "2020年12月31日",
        "企业4": "44196",  # an Excel serial: 2020-12-31
        "企业8": "2020.12.31 00:00:00",
        "企业17": "2021/1/1",
        "企业18": "20210101",
        "企业19": "2021年1月1日",
    }
    path = tmp_path / "facts.csv"
    _with(mixed(), "established", dates).write_csv(path)
    facts = read_facts(path)
    got = dict(zip(facts["name"], facts["established"], strict=True))
    assert {got[n] for n in ("企业1", "企业2", "企业3", "企业4", "企业8")} == {"2020-12-31"}
    assert {got[n] for n in ("企业17", "企业18", "企业19")} == {"2021-01-01"}
    result = {r["name"]: r for r in compute(facts, load_method("huangyan-2022"), year=YEAR).to_dicts()}
    assert all(result[n]["reason"] is None for n in ("企业1", "企业2", "企业3", "企业4", "企业8"))
    assert all(result[n]["reason"] == "new" for n in ("企业17", "企业18", "企业19"))


def test_facts_file_refuses_a_date_that_is_not_one(tmp_path):
    path = tmp_path / "facts.csv"
    _with(mixed(n=20), "established", {"企业3": "2020-13-01"}).write_csv(path)
    with pytest.raises(FileRejected, match=r"facts.csv: 第 4 行 established 列：“2020-13-01”不是日期"):
        read_facts(path)


def test_facts_file_industry_codes_read_as_the_importer_reads_them(tmp_path):
    path = tmp_path / "facts.csv"
    codes = {"企业1": "C3484", "企业2": "3484.0", "企业3": "131", "企业4": "火力发电", "企业8": "D4411"}
    _with(mixed(), "industry_code", codes).write_csv(path)
    facts = read_facts(path)
    got = dict(zip(facts["name"], facts["industry_code"], strict=True))
    assert [got[n] for n in codes] == ["3484", "3484", "0131", "4411", "4411"]
    result = {r["name"]: r for r in compute(facts, load_method("huangyan-2022"), year=YEAR).to_dicts()}
    assert result["企业4"]["reason"] == result["企业8"]["reason"] == "utility"


@pytest.mark.parametrize("value", ["441", "44", "4499", "X3484"])
def test_facts_file_refuses_an_industry_code_that_is_not_a_class(tmp_path, value):
    # 441 is the group 电力生产: padded blindly to 0441 (division 04) it escaped the utility rule
    path = tmp_path / "facts.csv"
    _with(mixed(n=20), "industry_code", {"企业5": value}).write_csv(path)
    with pytest.raises(FileRejected, match=rf"facts.csv: 第 6 行 industry_code 列：行业代码“{value}”不是"):
        read_facts(path)


def test_evaluate_a_file_hashes_the_year_as_a_stored_run_does(tmp_path, engine, settings):
    both = pl.concat([mixed(), mixed().with_columns(pl.lit(YEAR - 1, dtype=pl.Int64).alias("year"))])
    path = tmp_path / "facts.parquet"
    both.write_parquet(path)
    result = runner.invoke(build_app(), ["evaluate", "--year", str(YEAR), "--input", str(path), "--json"])
    assert result.exit_code == 0, result.output
    from_file = json.loads(result.stdout)
    with transaction(engine) as s:
        stored, _ = run_evaluation(
            s, year=YEAR, method=load_method("huangyan-2022"), settings=settings, facts=read_facts(path)
        )
    assert from_file["input_hash"] == stored.input_hash == input_hash(mixed())
    assert from_file["enterprises"] == stored.enterprises == 60


def test_evaluate_a_file_without_the_year_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "facts.parquet"
    mixed().write_parquet(path)
    result = runner.invoke(build_app(), ["evaluate", "--year", str(YEAR + 1), "--input", str(path), "--json"])
    assert result.exit_code == 2
    assert f"{YEAR + 1} 年没有企业数据可供评价" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_evaluate_a_file_without_a_database(tmp_path, suffix, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "facts.parquet"
    mixed().write_parquet(source)
    out = tmp_path / f"result{suffix}"
    result = runner.invoke(
        build_app(), ["evaluate", "--year", str(YEAR), "--input", str(source), "--output", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["run_id"] is None and summary["enterprises"] == 60
    assert not (tmp_path / "industry_brain.db").exists()
    read = {
        ".csv": pl.read_csv,
        ".parquet": pl.read_parquet,
        ".xlsx": lambda p: pl.read_excel(p, engine="calamine"),
    }[suffix]
    back = read(out)
    if suffix == ".xlsx":  # a workbook is read by officials: Chinese headers (docs/cli.md)
        assert back.columns[0] == "统一社会信用代码" and "池内排名" in back.columns
        assert not {"credit_code", "score", "rank"} & set(back.columns)
        return
    assert back.columns[:6] == ["credit_code", "name", "pool", "grade", "score", "rank"]
    assert {"tax_per_mu", "score_tax_per_mu", "imputed", "vetoes", "reason"} <= set(back.columns)


def test_runs_are_stored_reproducibly(engine, settings):
    facts = mixed()
    with transaction(engine) as s:
        summary, results = run_evaluation(
            s,
            year=YEAR,
            method=load_method("huangyan-2022"),
            settings=settings,
            facts=facts,
            input_source="test",
        )
    with transaction(engine) as s:
        run = get_run(s, summary.run_id)
        assert (run.status, run.version, run.method_id) == ("draft", 1, "huangyan-2022")
        assert method_of(run) == load_method("huangyan-2022")
        assert input_hash(run_inputs(s, run)) == run.input_hash == input_hash(facts)
        stored = run_results(s, run, method_of(run))
    again = compute(run_inputs_frame := facts, method_of(run), year=YEAR)
    assert run_inputs_frame.height == stored.height
    assert stored.sort("credit_code")["grade"].to_list() == again.sort("credit_code")["grade"].to_list()
    assert summary.grades == dict(sorted(results.group_by("grade").len().iter_rows()))


def test_evaluate_from_the_database(db_url, tmp_path):
    from helpers import write_xlsx

    app = build_app()
    stats = write_xlsx(
        tmp_path / "s.xlsx",
        [
            [
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
            ],
            [code(1), "甲", "3484", "是", 3000, 8000, 1000, 150, 200, 20, 600],
        ],
    )
    env = write_xlsx(
        tmp_path / "e.xlsx",
        [["统一社会信用代码", "企业名称", "主要污染物排放量（吨）"], [code(1), "甲", 0.5]],
    )
    reg = write_xlsx(
        tmp_path / "r.xlsx", [["统一社会信用代码", "企业名称", "成立日期"], [code(1), "甲", "2010-01-01"]]
    )
    for path, source, period in (
        (reg, "registry", None),
        (stats, "stats", "2022"),
        (env, "environment", "2022"),
    ):
        args = ["import", str(path), "--source", source, "--db", db_url]
        assert runner.invoke(app, args + (["--period", period] if period else [])).exit_code == 0
    result = runner.invoke(
        app, ["evaluate", "--year", "2022", "--db", db_url, "--json", "--output", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["grades"] == {"A": 1}
    assert pl.read_csv(tmp_path / "r.csv")["score"][0] == pytest.approx(113.128, abs=5e-4)
