"""Shapes of documents beyond the seeds' (relative dates, " | " tables, a cell a line ending in
" |", new units, growth forms, names without verbs), worked by hand on short texts written the
way a news item, a 十三五 indicator table and a converted web table write them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from industry_brain.cli.main import build_app
from industry_brain.plans.extract import extract
from industry_brain.plans.extract_shapes import clean_name, document_year, relative_year

NEWS = """区经信局召开2024年工业经济工作会议
2024年2月20日 来源：区经信局
会议提出，今年全区规上工业增加值要增长8%以上，规上工业总产值力争突破1800亿元。
力争5年内，数字经济核心产业增加值年均增长12%，新增国家级专精特新“小巨人”企业20家。
到“十五五”末，全区规上工业亩均税收提高到45万元/亩，工业用电量达到120亿千瓦时，出口额达到150万美元。
"""
ONE_CELL_A_LINE = """“十三五”工业发展主要指标
指标 |
2015年 |
2020年目标 |
规上工业总产值（亿元） |
1200 |
1800 |
单位工业增加值能耗（吨标准煤/万元） |
0.6 |
0.5 |
"""
PIPES = """主要指标 | 2020年 | 2025年目标 | 责任单位
---|---|---|---
工业增加值（亿元） | 300 | 450 | 区经信局
"""


def _rows(text: str, tmp_path: Path, **kw) -> list[tuple]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return [
        (p.name, p.target_value, p.unit, p.target_year, p.direction, p.change, p.baseline_value)
        for p in extract(path, **kw)
    ]


def test_prose_with_relative_dates_resolved_from_the_documents_date(tmp_path: Path) -> None:
    assert _rows(NEWS, tmp_path) == [
        ("规上工业增加值", 8.0, "%", 2024, "increase_by", "percent", None),
        ("规上工业总产值", 1800.0, "亿元", 2024, "at_least", None, None),
        ("数字经济核心产业增加值", 12.0, "%", 2029, "increase_by", "annual_percent", None),
        ("新增国家级专精特新“小巨人”企业", 20.0, "家", 2029, "at_least", None, None),
        ("规上工业亩均税收", 45.0, "万元/亩", 2030, "at_least", None, None),
        ("工业用电量", 120.0, "亿千瓦时", 2030, "at_least", None, None),
        ("出口额", 150.0, "万美元", 2030, "at_least", None, None),
    ]
    # --year overrides the document's own date
    assert _rows(NEWS, tmp_path, year=2023)[0][3] == 2023


def test_tables_a_cell_a_line_and_with_pipes(tmp_path: Path) -> None:
    assert _rows(ONE_CELL_A_LINE, tmp_path) == [
        ("规上工业总产值", 1800.0, "亿元", 2020, "at_least", None, 1200.0),
        ("单位工业增加值能耗", 0.5, "吨标准煤/万元", 2020, "at_most", None, 0.6),  # a ceiling
    ]
    path = tmp_path / "p.txt"
    path.write_text(PIPES, encoding="utf-8")
    [row] = extract(path)
    assert (row.name, row.target_value, row.baseline_value, row.responsible) == (
        "工业增加值",
        450.0,
        300.0,
        ["区经信局"],
    )


UNIT_COLUMN = """表1 主要指标
类别 |
主要指标 |
单位 |
2022年 |
2027年 |
来源 |
总体 |
数字经济增加值占GDP的比重 |
% |
45.4 |
50 |
市统计局 |
数字经济重点企业 |
家 |
/ |
500 |
市经济信息委 |
"""


def test_a_unit_column_between_the_name_and_the_years_gives_the_unit_not_the_name(tmp_path: Path) -> None:
    # the category (总体) spans its rows: the second row has one cell fewer
    assert _rows(UNIT_COLUMN, tmp_path) == [
        ("数字经济增加值占GDP的比重", 50.0, "%", 2027, "at_least", None, 45.4),
        ("数字经济重点企业", 500.0, "家", 2027, "at_least", None, None),
    ]


def test_relative_years_and_names() -> None:
    assert relative_year("到“十四五”末，总产值达到", None) == 2025
    assert relative_year("明年力争增长6%", 2024) == 2025
    assert relative_year("用三年时间实现", 2024) == 2027
    assert relative_year("今年实现", None) is None  # no document year: no guess
    assert document_year(["标题", "2023年12月5日"]) == 2023
    assert clean_name("工业总产值要") == "工业总产值" and clean_name("确保全区工业投资") == "工业投资"


def test_nothing_found_says_why(tmp_path: Path) -> None:
    path = tmp_path / "none.txt"
    path.write_text("本区工业发展势头良好，企业信心增强。\n", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["plans", "extract", str(path)])
    assert result.exit_code == 1 and "未找到任何目标" in result.output and "--year" in result.output


def test_a_pdf_text_layer_reads_like_the_text(tmp_path: Path) -> None:
    from industry_brain.core.pdf import document, esc, write_pdf
    from industry_brain.core.settings import get_settings

    body = "".join(f"<p>{esc(line)}</p>" for line in NEWS.splitlines())
    pdf = write_pdf(document("会议", body), tmp_path / "news.pdf", settings=get_settings(environ={}))
    found = {(p.name, p.target_value, p.target_year) for p in extract(pdf)}
    assert ("规上工业总产值", 1800.0, 2024) in found and ("工业用电量", 120.0, 2030) in found
