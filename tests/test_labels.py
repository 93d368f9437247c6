"""One Chinese name per code, and figures written as officials write them (core.labels)."""

from __future__ import annotations

import polars as pl

from industry_brain.core import labels
from industry_brain.ingest.templates import FIELDS, TEMPLATES
from industry_brain.reference.divisions import township_name
from industry_brain.reports.tables import readable, readable_value


def test_every_import_field_and_source_has_its_chinese_name():
    for f in FIELDS:
        assert labels.FIELDS[f.name] == (f.header, f.unit or ""), f.name
    for t in TEMPLATES:
        assert labels.source_label(t.source).startswith(t.department.split("/")[0]), t.source


def test_pool_criteria_read_as_sentences():
    assert labels.criterion("revenue_wan", "ge", 1000) == "营业收入 ≥ 1000 万元"
    assert labels.criterion("output_wan", "ge", 100000) == "工业总产值 ≥ 10 亿元"
    assert labels.criterion("revenue_growth", "ge", 0.2) == "营业收入增速 ≥ 20%"
    assert labels.criterion("above_scale", "eq", 0) == "规下企业"


def test_money_scores_and_shares():
    assert labels.money(456.7) == "456.70 万元" and labels.money(123456.0) == "12.35 亿元"
    assert labels.score(83.456789) == "83.46" and labels.percent(0.12345) == "12.3%"
    assert labels.figure(40.0) == "40" and labels.figure(1234.5678) == "1,234.57"
    assert labels.vetoes("env_violation,low_efficiency") == "环境违法（一票否决）、低效用地（一票否决）"


def test_an_excel_table_reads_in_chinese():
    frame = pl.DataFrame(
        {
            "credit_code": ["91330283MA2H4K7B3X"],
            "township_code": ["330213001"],
            "chosen_source": ["tax"],
            "pool": ["above_scale"],
            "tax_wan": [25.240000000000002],
            "growth": [0.123456],
        }
    )
    out = readable(frame).row(0, named=True)
    assert out == {
        "统一社会信用代码": "91330283MA2H4K7B3X",
        "所属镇街": township_name("330213001"),
        "采用来源": "税务局",
        "评价池": "规上企业",
        "实缴税金（万元）": 25.24,
        "growth": 0.123,
    }
    assert township_name("330213001") != "330213001"
    assert (
        readable_value("status", "superseded") == "已被取代" and readable_value("growth", 0.1234) == "12.3%"
    )
