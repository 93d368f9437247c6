"""An accepted appeal corrects the enterprise record, so the next run of the year keeps it."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from helpers import code, run_import, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.evaluation.method import load_method
from industry_brain.evaluation.service import facts_for, run_evaluation
from industry_brain.evaluation.workflow import file_appeal, publish, review_appeal
from industry_brain.ingest.batches import list_batches
from industry_brain.ingest.facts import resolve_year

YEAR = 2022
TODAY = dt.date(2023, 4, 1)
DEADLINE = dt.date(2023, 4, 30)
STATS_HEADER = [
    "统一社会信用代码", "企业名称", "行业代码", "是否规上", "工业增加值（万元）", "营业收入（万元）",
    "综合能耗（吨标准煤）", "从业人员（人）", "研发经费（万元）", "用地面积（亩）",
]  # fmt: skip


@pytest.fixture
def district(engine, settings, tmp_path):
    """Two enterprises from the registry, stats, tax and environment files of 2022."""
    names = {code(1): "甲", code(2): "乙"}
    reg = [["统一社会信用代码", "企业名称", "成立日期"]] + [[c, n, "2010-01-01"] for c, n in names.items()]
    stats = [STATS_HEADER] + [[c, n, "3484", "是", 3000, 8000, 1000, 150, 200, 20] for c, n in names.items()]
    tax = [["统一社会信用代码", "企业名称", "实缴税金（万元）"], [code(1), "甲", 100], [code(2), "乙", 600]]
    env_header = ["统一社会信用代码", "企业名称", "主要污染物排放量（吨）"]
    env = [env_header, *[[c, n, 0.5] for c, n in names.items()]]
    run_import(engine, settings, write_xlsx(tmp_path / "reg.xlsx", reg), "registry")
    for rows, source in ((stats, "stats"), (tax, "tax"), (env, "environment")):
        run_import(engine, settings, write_xlsx(tmp_path / f"{source}.xlsx", rows), source, str(YEAR))
    return engine


def _published_run_from_the_record(engine, settings) -> int:
    with transaction(engine) as s:
        summary, _ = run_evaluation(
            s, year=YEAR, method=load_method("huangyan-2022"), settings=settings,
            facts=facts_for(s, year=YEAR, settings=settings), input_source="database", user="经信局",
        )  # fmt: skip
        assert summary.run_id is not None
        publish(s, run_id=summary.run_id, deadline=DEADLINE, user="经信局", today=TODAY)
    return summary.run_id


def _appeal_and_accept(engine, settings, run_id: int, field: str, value: float):
    with transaction(engine) as s:
        filed = file_appeal(
            s, run_id=run_id, credit_code=code(1), field=field, claimed_value=value,
            statement="有证明材料", filed_by="甲", today=TODAY,
        )  # fmt: skip
        return review_appeal(
            s, appeal_id=filed.appeal_id, accept=True, reviewer="经信局审核员", reason="核实",
            settings=settings,
        )  # fmt: skip


def _fact(engine, settings, field: str) -> float:
    with transaction(engine) as s:
        facts, _ = resolve_year(s, year=YEAR, tolerance=settings.conflict_tolerance)
    return facts.filter(pl.col("credit_code") == code(1))[field].item()


def test_an_accepted_appeal_corrects_the_record_and_the_next_run_keeps_it(district, settings):
    run_id = _published_run_from_the_record(district, settings)
    outcome = _appeal_and_accept(district, settings, run_id, "tax_wan", 900.0)
    assert outcome.correction_batch_id is not None
    assert _fact(district, settings, "tax_wan") == 900.0

    with transaction(district) as s:
        _, conflicts = resolve_year(s, year=YEAR, tolerance=settings.conflict_tolerance)
        batch = next(b for b in list_batches(s) if b["batch_id"] == outcome.correction_batch_id)
    # the tax bureau's figure stays, visible beside the correction that outranks it
    row = conflicts.filter(pl.col("field") == "tax_wan").row(0, named=True)
    assert (row["chosen_source"], row["chosen_value"], row["other_source"], row["other_value"]) == (
        "appeal", 900.0, "tax", 100.0,
    )  # fmt: skip
    assert batch["source"] == "appeal" and "申诉" in batch["file"]

    # the next run of the year takes its inputs from the record, corrected
    with transaction(district) as s:
        next_inputs = facts_for(s, year=YEAR, settings=settings)
    assert next_inputs.filter(pl.col("credit_code") == code(1))["tax_wan"].item() == 900.0

    # a later appeal on another figure of the same enterprise keeps the first correction
    assert outcome.new_run is not None
    _appeal_and_accept(district, settings, outcome.new_run.run_id, "employees", 120.0)
    assert _fact(district, settings, "tax_wan") == 900.0
    assert _fact(district, settings, "employees") == 120.0
    assert _fact(district, settings, "value_added_wan") == 3000.0  # untouched figures stay


def test_a_run_from_a_facts_file_leaves_the_record_alone(district, settings):
    with transaction(district) as s:
        facts = facts_for(s, year=YEAR, settings=settings)
        summary, _ = run_evaluation(
            s, year=YEAR, method=load_method("huangyan-2022"), settings=settings,
            facts=facts, input_source="facts.xlsx", user="经信局",
        )  # fmt: skip
        publish(s, run_id=summary.run_id, deadline=DEADLINE, user="经信局", today=TODAY)
    outcome = _appeal_and_accept(district, settings, summary.run_id, "tax_wan", 900.0)
    assert outcome.correction_batch_id is None
    assert _fact(district, settings, "tax_wan") == 100.0
