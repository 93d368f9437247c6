"""Importing departmental files: units, aliases, layouts, encodings, rejects, provenance."""

from __future__ import annotations

import json

import polars as pl
import pytest
from sqlalchemy import select

from helpers import code, counts, run_import, write_csv, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.models import BatchWarning, ImportBatch, Record

STATS_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "所属镇街",
    "是否规上",
    "工业总产值（万元）",
    "工业增加值（万元）",
    "营业收入（万元）",
    "从业人员（人）",
]


def records(engine, **where):
    with transaction(engine) as s:
        stmt = select(Record).order_by(Record.row)
        for k, v in where.items():
            stmt = stmt.where(getattr(Record, k) == v)
        return s.scalars(stmt).all()


def test_standard_stats_file_is_stored_with_provenance(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "2024规上.xlsx",
        [
            STATS_HEADER,
            [code(1), "甲机械有限公司", "3484", "溪口镇", "是", 12345.6, 2500, 13000, 120],
            [code(2), "乙电器有限公司", "3854", "锦屏街道", "否", 1500, 300, 1800, 35],
        ],
    )
    result = run_import(engine, settings, path, "stats", "2024")
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (2, 2, 0)
    rows = records(engine)
    assert [(r.row, r.credit_code, r.output_wan, r.employees) for r in rows] == [
        (2, code(1), 12345.6, 120),
        (3, code(2), 1500, 35),
    ]
    assert rows[0].township_code == "330213100" and rows[1].township_code == "330213001"
    assert rows[0].above_scale == 1 and rows[1].above_scale == 0
    with transaction(engine) as s:
        batch = s.get(ImportBatch, rows[0].batch_id)
        assert (batch.source, batch.period, batch.file_name) == ("stats", "2024", "2024规上.xlsx")
        assert len(batch.file_sha256) == 64
        ent = s.get(Enterprise, code(1))
        assert (ent.name, ent.industry_code, ent.name_source) == ("甲机械有限公司", "3484", "stats")


def test_aliases_and_units_are_converted_to_canonical_units(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "stats.xlsx",
        [
            [
                "社会信用代码",
                "单位名称",
                "国民经济行业代码",
                "总产值(亿元)",
                "主营业务收入（元）",
                "综合能耗（万吨标准煤）",
                "用地面积【公顷】",
                "研发经费(千元)",
            ],
            [code(3), "丙", 3441, 1.5, 25_000_000, 0.12, 2, 3500],
        ],
    )
    run_import(engine, settings, path, "stats", "2023")
    (r,) = records(engine)
    assert r.output_wan == pytest.approx(15000)  # 1.5 亿元
    assert r.revenue_wan == pytest.approx(2500)  # 25,000,000 元
    assert r.energy_tce == pytest.approx(1200)  # 0.12 万吨标准煤
    assert r.land_mu == pytest.approx(30)  # 2 公顷 = 30 亩
    assert r.rd_spend_wan == pytest.approx(350)  # 3500 千元


def test_titles_unit_line_totals_blank_rows_text_numbers_and_messy_codes(engine, settings, tmp_path):
    messy = "  " + code(5).lower() + " "
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code(6))
    path = write_xlsx(
        tmp_path / "tax.xlsx",
        [
            ["纳税人识别号", "纳税人名称", "实缴税金", "营业收入"],
            [messy, "丁", "1,234.5", "10,000"],
            [None, None, None, None],
            [fullwidth, "戊", "88", "900"],
            ["合计", None, "1322.5", "10900"],
        ],
        titles=["奉化区2024年度企业纳税情况", "单位：元"],
    )
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_read, result.rows_accepted, result.rows_skipped) == (3, 2, 1)
    rows = records(engine)
    assert [r.credit_code for r in rows] == [code(5), code(6)]
    # 单位：元 in the title applies to money columns without their own unit.
    assert rows[0].tax_wan == pytest.approx(0.12345)
    assert [r.row for r in rows] == [4, 6]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_departments_use(engine, settings, tmp_path, encoding):
    path = write_csv(
        tmp_path / f"env_{encoding}.csv",
        [
            ["统一社会信用代码", "企业名称", "年份", "主要污染物排放量（千克）", "环境违法"],
            [code(7), "己化工有限公司", "2024", "1500", "是"],
            [code(8), "庚纺织有限公司", "2024", "20", "否"],
        ],
        encoding=encoding,
        titles=["2024年企业排污情况"],
    )
    result = run_import(engine, settings, path, "environment")
    assert result.period == "2024" and result.rows_accepted == 2
    rows = records(engine)
    assert [(r.name, r.emission_t, r.env_violation) for r in rows] == [
        ("己化工有限公司", 1.5, 1),
        ("庚纺织有限公司", 0.02, 0),
    ]


def test_xls_files_are_read(engine, settings, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("用地")
    rows = [
        ["统一社会信用代码", "企业名称", "不动产权证号", "用地面积（平方米）", "租赁面积（亩）"],
        [code(9), "辛", "浙(2019)奉化区不动产权第0001号", 6666.67, None],
        [code(9), "辛", "浙(2019)奉化区不动产权第0002号", 3333.33, 2],
    ]
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                sheet.write(i, j, v)
    book.save(str(tmp_path / "land.xls"))
    result = run_import(engine, settings, tmp_path / "land.xls", "land", "2024")
    assert result.rows_accepted == 2
    assert sum(r.land_mu for r in records(engine)) == pytest.approx(15.0, abs=1e-3)


def test_bad_rows_are_rejected_with_row_column_value_and_reason(engine, settings, tmp_path):
    bad_check = code(10)[:17] + ("0" if code(10)[17] != "0" else "1")
    path = write_xlsx(
        tmp_path / "stats.xlsx",
        [
            ["统一社会信用代码", "企业名称", "行业代码", "工业总产值（万元）", "综合能耗（吨标准煤）"],
            [bad_check, "坏校验码", "3484", 100, 10],
            [code(11), "坏行业", "3485", 100, 10],
            [code(12), "负能耗", "3484", 100, -3],
            [code(13), "文字", "3484", "一百", 10],
            [code(14), "好", "3484", 100, 10],
        ],
    )
    result = run_import(engine, settings, path, "stats", "2024")
    assert (result.rows_accepted, result.rows_rejected) == (1, 4)
    got = {(r.row, r.column): r for r in result.rejects}
    assert got[(2, "统一社会信用代码")].value == bad_check
    assert "校验码错误" in got[(2, "统一社会信用代码")].reason
    assert "不是GB/T 4754-2017" in got[(3, "行业代码")].reason
    assert got[(4, "综合能耗（吨标准煤）")].reason == "综合能耗不能为负数"
    assert got[(5, "工业总产值（万元）")].reason == "“一百”不是数字"
    assert [r.credit_code for r in records(engine)] == [code(14)]


def test_same_code_twice_rejects_both_when_figures_differ_and_skips_exact_copies(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "tax.xlsx",
        [
            ["统一社会信用代码", "企业名称", "实缴税金（万元）"],
            [code(20), "甲", 10],
            [code(20), "甲", 12],
            [code(21), "乙", 5],
            [code(21), "乙", 5],
        ],
    )
    result = run_import(engine, settings, path, "tax", "2024")
    assert (result.rows_accepted, result.rows_rejected, result.rows_skipped) == (1, 2, 1)
    assert {r.row for r in result.rejects} == {2, 3}
    assert "出现多次且数据不同（第 2、3 行）" in result.rejects[0].reason
    assert [r.credit_code for r in records(engine)] == [code(21)]


def test_plausibility_is_a_warning_not_a_reject(engine, settings, tmp_path):
    head = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]
    run_import(engine, settings, write_xlsx(tmp_path / "a.xlsx", [head, [code(30), "甲", 10]]), "tax", "2023")
    result = run_import(
        engine, settings, write_xlsx(tmp_path / "b.xlsx", [head, [code(30), "甲", 1500]]), "tax", "2024"
    )
    assert result.rows_accepted == 1 and result.rows_rejected == 0
    with transaction(engine) as s:
        msgs = [
            w.message for w in s.scalars(select(BatchWarning).where(BatchWarning.batch_id == result.batch_id))
        ]
    assert any("与上年同期（2023）的 10 相差 100 倍以上" in m for m in msgs)


def test_period_from_the_file_and_mismatches(engine, settings, tmp_path):
    head = ["统一社会信用代码", "企业名称", "年份", "实缴税金（万元）"]
    path = write_xlsx(tmp_path / "t.xlsx", [head, [code(40), "甲", 2024, 1], [code(41), "乙", 2023, 2]])
    result = run_import(engine, settings, path, "tax", "2024")
    assert result.rows_accepted == 1
    assert result.rejects[0].reason == "数据期间 2023 与导入期间 2024 不符"
    assert result.rejects[0].column == "年份"


def test_imported_rejects_can_be_sent_back_fixed_and_supplemented(engine, settings, tmp_path):
    from industry_brain.ingest.batches import rejects_table
    from industry_brain.reports.tables import write_table

    head = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]
    first = run_import(
        engine,
        settings,
        write_xlsx(tmp_path / "t.xlsx", [head, [code(50), "甲", 10], [code(51), "乙", "十"]]),
        "tax",
        "2024",
    )
    with transaction(engine) as s:
        table, title = rejects_table(s, batch_id=first.batch_id)
    assert table.columns == ["原行号", *head, "错误原因"]
    assert table.row(0) == (3, code(51), "乙", "十", "实缴税金（万元）：“十”不是数字")
    fixed = table.with_columns(pl.lit("11").alias("实缴税金（万元）"))
    back = write_table(fixed, tmp_path / "退回修改.xlsx", title=title)
    second = run_import(engine, settings, back, "tax", "2024", supplement=True)
    assert (second.rows_accepted, second.rows_rejected, second.superseded) == (1, 0, [])
    assert sorted((r.credit_code, r.tax_wan) for r in records(engine)) == [(code(50), 10), (code(51), 11)]


def test_the_header_is_recorded_with_units(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "p.xlsx", [["户号", "月份", "用电量（千瓦时）"], ["3300011", "2024-01", 50000]]
    )
    result = run_import(engine, settings, path, "power")
    assert result.template == "power" and result.period == "2024-01"
    with transaction(engine) as s:
        columns = json.loads(s.get(ImportBatch, result.batch_id).columns)
    assert columns[2] == {
        "header": "用电量（千瓦时）",
        "field": "electricity_wan_kwh",
        "unit": "千瓦时",
        "factor": 1e-4,
    }
    assert records(engine)[0].electricity_wan_kwh == pytest.approx(5.0)


def test_nothing_is_half_written_when_an_import_fails_midway(engine, settings, tmp_path, monkeypatch):
    from industry_brain.ingest import service

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "update_master", boom)
    path = write_xlsx(
        tmp_path / "t.xlsx", [["统一社会信用代码", "企业名称", "实缴税金（万元）"], [code(60), "甲", 1]]
    )
    with pytest.raises(RuntimeError):
        run_import(engine, settings, path, "tax", "2024")
    assert counts(engine) == {"import_batch": 0, "record": 0, "reject": 0, "batch_warning": 0}


def test_industry_written_as_section_letter_name_or_without_leading_zero(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [
            ["统一社会信用代码", "企业名称", "行业代码"],
            [code(70), "甲", "C3484"],
            [code(71), "乙", "机械零部件加工"],
            [code(72), "丙", 111],
            [code(73), "丁", "通用设备"],
        ],
    )
    result = run_import(engine, settings, path, "registry")
    assert [r.industry_code for r in records(engine)] == ["3484", "3484", "0111"]
    assert result.rejects[0].row == 5 and "通用设备" in result.rejects[0].reason


def test_nothing_reported_marks_are_empty_in_text_columns_too(engine, settings, tmp_path):
    path = write_xlsx(
        tmp_path / "r.xlsx", [["统一社会信用代码", "企业名称", "所属园区"], [code(80), "甲", "—"]]
    )
    run_import(engine, settings, path, "registry")
    assert records(engine)[0].zone is None
