"""Each result explains itself in plain Chinese, with the exact numbers the evaluation used."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from evaluation_fixtures import YEAR, frame
from helpers import code
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.evaluation.explain import boundaries, explain, explain_enterprise, row_benchmarks
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.report_cli import report_app
from industry_brain.evaluation.service import compute, run_evaluation

runner = CliRunner()
HUANGYAN = load_method("huangyan-2022")


def pool_of_ten() -> pl.DataFrame:
    """Ten above-scale enterprises: three pay 1200 万元 of tax, the 113.128 enterprise (企业4)
    600, six pay 300; all on 20 亩. Then a below-scale one, a tenant, a new one, one with no
    emission figure and one with a safety accident."""
    rows: list[dict] = [{"tax_wan": 1200.0}] * 3 + [{}] + [{"tax_wan": 300.0}] * 6
    rows += [
        {"above_scale": 0, "land_mu": 5.0, "tax_wan": 50.0, "electricity_wan_kwh": 100.0},  # 企业11
        {"land_mu": None, "rented_mu": 5.0},  # 企业12, tenant
        {"established": f"{YEAR - 1}-03-01"},  # 企业13, new: T
    ]
    return frame(rows)


def row_of(results: pl.DataFrame, n: int) -> dict:
    return results.filter(pl.col("credit_code") == code(n)).row(0, named=True)


def test_the_113_enterprise_is_explained_with_every_number():
    facts = pool_of_ten()
    results = compute(facts, HUANGYAN, year=YEAR)
    row = row_of(results, 4)
    exp = explain(row, HUANGYAN, results, facts_row=facts.row(3, named=True), run_id=7, year=YEAR)
    text = exp.text
    # 600 万元 ÷ 20 亩 = 30 万元/亩; 30 ÷ 24.097 × 30 = 37.349
    assert "亩均税收 30.00 万元/亩（税收 600 万元 ÷ 用地 20 亩），基准值 24.097，权重 30，得分 37.35" in text
    assert (
        "亩均增加值 150.00 万元/亩（工业增加值 3000 万元 ÷ 用地 20 亩），基准值 136.16，权重 20，得分 22.03"
        in text
    )
    assert "单位能耗增加值 3.00 万元/吨标准煤" in text and "基准值 2.694" in text
    assert "单位排放增加值 6000.00 万元/吨（工业增加值 3000 万元 ÷ 主要污染物排放量 0.5 吨）" in text
    assert (
        "全员劳动生产率 20.00 万元/人（工业增加值 3000 万元 ÷ 从业人员 150 人），"
        "基准值 18.14，权重 10，得分 11.03" in text
    )
    assert (
        "研发经费占比 2.50%（研发经费 200 万元 ÷ 营业收入 8000 万元），基准值 3.02%，权重 10，得分 8.28"
        in text
    )
    # three pay more: rank 4 of 10, p = 3/10 = 0.3 → B
    assert "总分 113.13，在规上企业评价池 10 户中排名第 4 位（前 40.0%）" in text
    assert "A类：排名前20%（本池第1–2位）" in text
    assert "B类：排名20%–80%（本池第3–8位）" in text
    assert "C类：排名80%–95%（本池第9–10位）" in text
    assert "D类：其余（后5%）（本池无）" in text
    assert text.endswith("结果：B类（鼓励提升）。")
    assert "评价批次 7，2022 年度，评价方法《黄岩区2022年度亩均效益评价基准值（公开常数）》" in text
    assert "huangyan" not in text  # the method's title, not its file name
    assert (exp.grade, exp.rank, exp.pool_size, exp.score_grade) == ("B", 4, 10, "B")
    assert exp.items[0].score == pytest.approx(30 / 24.097 * 30)
    assert (
        exp.items[0].benchmark == 24.097 and exp.items[0].numerator == 600 and exp.items[0].denominator == 20
    )
    assert json.loads(json.dumps(exp.to_json()))["items"][0]["indicator"] == "tax_per_mu"


def test_imputed_items_name_the_pool_mean_they_received():
    facts = pool_of_ten().with_columns(
        emission_t=pl.when(pl.col("credit_code") == code(4)).then(None).otherwise(pl.col("emission_t"))
    )
    results = compute(facts, HUANGYAN, year=YEAR)
    exp = explain(row_of(results, 4), HUANGYAN, results)
    # every other above-scale member has 3000 ÷ 0.5 = 6000 → 6000 ÷ 4929.81 × 10 = 12.17
    assert "单位排放增加值：缺少数据，按同池平均分 12.17 计（权重 10）" in exp.text
    assert [i.imputed for i in exp.items] == [False, False, False, True, False, False]
    # without the facts row, no numerator and denominator are shown but the numbers still are
    with_facts = explain(row_of(results, 4), HUANGYAN, results, facts_row=facts.row(3, named=True))
    assert (
        "单位排放增加值：缺少数据（主要污染物排放量为空），按同池平均分 12.17 计（权重 10）"
        in with_facts.text
    )
    assert "亩均税收 30.00 万元/亩，基准值 24.097，权重 30，得分 37.35" in exp.text


def test_vetoes_and_t_reasons_in_plain_chinese():
    facts = pool_of_ten().with_columns(
        safety_accident=pl.when(pl.col("credit_code") == code(1)).then(1).otherwise(pl.col("safety_accident"))
    )
    results = compute(facts, HUANGYAN, year=YEAR)
    vetoed = explain(row_of(results, 1), HUANGYAN, results)
    assert "一票否决：发生安全生产事故，一票否决为D类。" in vetoed.text
    assert vetoed.text.endswith("结果：D类（倒逼整治）（按排名本应为A类）。")
    new = explain(row_of(results, 13), HUANGYAN, results)
    assert new.text.endswith("结果：T（不参评），成立不满两年，不参评。")
    assert new.items == [] and new.boundaries == []


def test_below_scale_and_tenant_rows_use_their_own_set_and_land():
    facts = pool_of_ten()
    results = compute(facts, HUANGYAN, year=YEAR)
    below = explain(row_of(results, 11), HUANGYAN, results, facts_row=facts.row(10, named=True))
    # 50 ÷ 5 = 10 万元/亩 → 10 ÷ 11.5932 × 50 = 43.13; 50 ÷ 100 = 0.5 → 0.5 ÷ 0.2352 × 50 = 106.29
    assert "规下企业（用地3亩及以上），按规下企业指标体系评价" in below.text
    assert (
        "亩均税收 10.00 万元/亩（税收 50 万元 ÷ 用地 5 亩），基准值 11.5932，权重 50，得分 43.13"
        in below.text
    )
    assert (
        "单位电耗税收 0.5 万元/万千瓦时（税收 50 万元 ÷ 用电量 100 万千瓦时），"
        "基准值 0.2352，权重 50，得分 106.29" in below.text
    )
    assert "在规下企业（用地3亩及以上）评价池 1 户中排名第 1 位（前 100.0%）" in below.text
    tenant = explain(row_of(results, 12), HUANGYAN, results, facts_row=facts.row(11, named=True))
    assert "租赁企业（无自有用地），按规上企业指标体系评价" in tenant.text
    assert "（税收 600 万元 ÷ 租用地 5 亩）" in tenant.text
    # a tenant row without facts: its set is inferred from its item scores
    assert explain(row_of(results, 12), HUANGYAN, results).indicator_set == "above_scale"


def test_grade_boundaries_follow_the_engines_comparison():
    # 601 members, A < 20%: (k − 1) ÷ 601 < 0.2 → k ≤ 121
    got = {b.grade: (b.first_rank, b.last_rank) for b in boundaries(HUANGYAN, "above_scale", 601)}
    assert got == {"A": (1, 121), "B": (122, 481), "C": (482, 571), "D": (572, 601)}
    # 20 members, default pools A < 5%: only rank 1; C < 95%: (k − 1) ÷ 20 < 0.95 → k ≤ 19
    got = {b.grade: (b.first_rank, b.last_rank) for b in boundaries(HUANGYAN, "tenant", 20)}
    assert got == {"A": (1, 1), "B": (2, 15), "C": (16, 19), "D": (20, 20)}


def test_pool_aggregate_benchmark_is_the_one_the_run_used():
    facts = pool_of_ten()
    method = load_method("zhejiang-aggregate")
    bm = row_benchmarks(facts, method, year=YEAR)
    results = compute(facts, method, year=YEAR)
    row = row_of(results, 4)
    bench = bm.filter(pl.col("credit_code") == code(4)).row(0, named=True)
    # Σ税收 ÷ Σ用地 over the ten = (3 × 1200 + 600 + 6 × 300) ÷ 200 = 30
    assert bench["bm_tax_per_mu"] == pytest.approx(30.0)
    exp = explain(row, method, results, benchmarks=bench)
    assert (
        "亩均税收 30.00 万元/亩，基准值 30（本池同指标体系企业Σ税收÷Σ用地），权重 30，得分 30.00" in exp.text
    )
    # every item score the explanation states is the stored item score
    for item in exp.items:
        assert item.score == row[f"score_{item.indicator}"]


def _store(engine, settings, facts, method=HUANGYAN) -> int:
    with transaction(engine) as s:
        summary, _ = run_evaluation(
            s, year=YEAR, method=method, settings=settings, facts=facts, input_source="test"
        )
    assert summary.run_id is not None
    return summary.run_id


def test_explain_a_stored_run(engine, settings):
    run_id = _store(engine, settings, pool_of_ten())
    aggregate = _store(engine, settings, pool_of_ten(), load_method("zhejiang-aggregate"))
    with transaction(engine) as s:
        exp = explain_enterprise(s, run_id=run_id, credit_code=code(4).lower())
        agg = explain_enterprise(s, run_id=aggregate, credit_code=code(4))
        with pytest.raises(IndustryBrainError, match="不在评价批次"):
            explain_enterprise(s, run_id=run_id, credit_code=code(99))
        with pytest.raises(IndustryBrainError, match="不存在"):
            explain_enterprise(s, run_id=999, credit_code=code(4))
    assert "（税收 600 万元 ÷ 用地 20 亩），基准值 24.097，权重 30，得分 37.35" in exp.text
    assert f"评价批次 {run_id}，2022 年度" in exp.text
    assert "基准值 30（本池同指标体系企业Σ税收÷Σ用地）" in agg.text


def test_explain_command(engine, settings, db_url):
    run_id = _store(engine, settings, pool_of_ten())
    result = runner.invoke(report_app, ["explain", str(run_id), code(4), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "得分 37.35" in result.stdout and "排名第 4 位" in result.stdout
    result = runner.invoke(report_app, ["explain", str(run_id), code(13), "--db", db_url, "--json"])
    data = json.loads(result.stdout)
    assert (data["grade"], data["reason"]) == ("T", "new")
    assert "成立不满两年" in data["text"]
    missing = runner.invoke(report_app, ["explain", str(run_id), code(99), "--db", db_url])
    assert missing.exit_code == 2
    assert "不在评价批次" in missing.stderr
