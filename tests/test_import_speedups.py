"""The importer's fast paths give what the plain ones give, on messy departmental columns.

Parsing each distinct value once (and joining back), checking each distinct credit code once,
testing for totals rows only where a mark's characters appear, and parsing numbers with every
intermediate text computed once are only worth having if nothing a user sees changes: the same
typed values, the same rejects with the same reasons, the same skipped rows.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from helpers import code
from industry_brain.core.units import Dimension
from industry_brain.ingest import parse, validate
from industry_brain.ingest.header import Column, Layout, locate
from industry_brain.ingest.reader import Grid
from industry_brain.ingest.templates import LIMITS, TEMPLATE_BY_NAME
from industry_brain.reference.credit_code import problem

COUNTY = "330213"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def messy(cells: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    """A cell as departments write it: padded with blanks, full-width, blank, or missing."""
    pad = st.sampled_from(["", " ", "\u3000", "\t", "  "])
    written = st.tuples(pad, cells, pad).map("".join)
    return st.one_of(
        written,
        cells.map(fullwidth),
        st.sampled_from(["", " ", "\u3000", None]),
        st.text(alphabet="0123456789.,-()年月日是否abc合计注 ", max_size=8),
    )


def _number_text(x: float, style: str) -> str:
    if style == "thousands":
        return f"{x:,.2f}"
    if style == "accounting":
        return f"({abs(x):,.2f})"
    if style == "minus":
        return f"\u2212{abs(x)}"
    if style == "exp":
        return f"{x:e}"
    return repr(x) if style == "repr" else f"{x:.2f}"


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
numbers = messy(
    st.one_of(
        st.builds(
            _number_text,
            finite,
            st.sampled_from(["plain", "thousands", "accounting", "minus", "exp", "repr"]),
        ),
        st.integers(-(10**6), 10**7).map(str),
        st.sampled_from(
            [*parse.MISSING_MARKS, "nan", "inf", "1e400", ".5", "5.", "+3", "1.2.3", "(5)", "是", "否"]
        ),
    )
)
codes = messy(
    st.one_of(
        st.integers(1, 500).map(code),
        st.integers(1, 500).map(lambda n: code(n).lower()),
        st.integers(1, 500).map(lambda n: f"{code(n)[:6]}-{code(n)[6:]}"),
        st.integers(1, 500).map(lambda n: code(n)[:-1] + ("0" if code(n)[-1] != "0" else "1")),
        st.sampled_from(["91330213", "ABCDEFGHIJKLMNOPQR", "合计"]),
    )
)
industries = messy(
    st.sampled_from(["3311", "C3311", "3311.0", "131", "0131", "13", "9999", "金属结构制造", "C"])
)
townships = messy(st.sampled_from(["锦屏街道", "岳林街道", "330213001", "330213002.0", "火星镇", "江口"]))
dates = messy(
    st.sampled_from(
        ["2019-03-01", "2019/3/1", "20190301", "43000", "43000.0", "2019年3月1日", "2019-02-30", "昨天"]
    )
)
flags = messy(st.sampled_from(["是", "否", "Y", "n", "1", "0", "1.0", "规上", "规下", "TRUE", "可能"]))
years = messy(st.sampled_from(["2024", "2024年", "2024.0", "2023年度", "1900", "24"]))
months = messy(
    st.sampled_from(
        ["3", "03", "3月", "12", "13", "2024-03", "202403", "2024年3月", "2024-01-01至2024-01-31", "45292"]
    )
)
names = messy(
    st.sampled_from(["宁波甲机械有限公司", "总计划（宁波）机械有限公司", "小计量仪器厂", "-", "无"])
)

# One column of every kind of field, with units that scale (亿元 → 万元, 平方米 → 亩).
FIELDS: list[tuple[str, str, float, st.SearchStrategy[str | None]]] = [
    ("credit_code", "统一社会信用代码", 1.0, codes),
    ("name", "企业名称", 1.0, names),
    ("industry_code", "行业代码", 1.0, industries),
    ("township_code", "所属镇街", 1.0, townships),
    ("established", "成立日期", 1.0, dates),
    ("above_scale", "是否规上", 1.0, flags),
    ("year", "年份", 1.0, years),
    ("month", "月份", 1.0, months),
    ("output_wan", "工业总产值（亿元）", 10_000.0, numbers),
    ("value_added_wan", "工业增加值（万元）", 1.0, numbers),
    ("land_mu", "用地面积（平方米）", 0.0015, numbers),
    ("safety_accident", "安全生产事故（次）", 1.0, numbers),
]
LAYOUT = Layout(
    header_row=1,
    header_offset=0,
    template=TEMPLATE_BY_NAME["stats"],
    columns=[Column(i, header, name, factor) for i, (name, header, factor, _) in enumerate(FIELDS)],
)


@st.composite
def repeating_frames(draw: st.DrawFn) -> pl.DataFrame:
    """Rows drawn from a few values per column, so that columns repeat as real ones do."""
    height = draw(st.integers(0, 30))
    data: dict[str, list[str | None]] = {}
    for i, (_, _, _, cells) in enumerate(FIELDS):
        pool = draw(st.lists(cells, min_size=1, max_size=6))
        data[f"c{i}"] = [draw(st.sampled_from(pool)) for _ in range(height)]
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
    return frame.with_columns(pl.int_range(2, height + 2, dtype=pl.Int64).alias(validate.ROW))


def every_distinct(frame: pl.DataFrame, roots: list[str]) -> pl.DataFrame:
    return frame.select(roots).unique()


def per_cell(frame: pl.DataFrame, roots: list[str]) -> None:
    return None


@FAST
@given(frame=repeating_frames())
def test_parsing_distinct_values_gives_the_frame_that_parsing_each_cell_gives(frame: pl.DataFrame) -> None:
    fast = validate._typed(frame, LAYOUT, COUNTY, distinct=every_distinct)
    plain = validate._typed(frame, LAYOUT, COUNTY, distinct=per_cell)
    assert_frame_equal(fast, plain)
    assert fast.columns[-2:] == ["v_safety_accident", "e_safety_accident"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=repeating_frames())
def test_the_default_choice_of_path_gives_the_same_frame(frame: pl.DataFrame) -> None:
    # Enough rows for the size test to let repeating columns take the distinct path.
    big = pl.concat([frame] * (validate.DISTINCT_MIN_ROWS // max(frame.height, 1) + 1))
    assert_frame_equal(
        validate._typed(big, LAYOUT, COUNTY), validate._typed(big, LAYOUT, COUNTY, distinct=per_cell)
    )


def test_a_month_read_with_its_year_is_parsed_per_pair_not_per_month() -> None:
    frame = pl.DataFrame(
        {f"c{i}": ["x"] * 3 for i in range(len(FIELDS))}
        | {"c6": ["2023", "2024", "2024年"], "c7": ["3", "3", "03"]}
    ).with_columns(pl.int_range(2, 5, dtype=pl.Int64).alias(validate.ROW))
    typed = validate._typed(frame, LAYOUT, COUNTY, distinct=every_distinct)
    assert typed["v_month"].to_list() == ["2023-03", "2024-03", "2024-03"]


def _number_as_one_expression(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """parse.number as it was written before its intermediate texts were computed once."""
    written = parse.clean(expr)
    text = written.str.replace_all(r"[,\s]", "").str.replace_all("\u2212", "-")
    text = text.str.replace(r"^\((\d+(?:\.\d+)?)\)$", "-$1")
    text = pl.when(text.is_in(parse.MISSING_MARKS)).then(None).otherwise(text)
    value = text.cast(pl.Float64, strict=False)
    error = pl.when(text.is_not_null() & value.is_null()).then(pl.format("“{}”不是数字", written))
    return value, error


@FAST
@given(cells=st.lists(numbers, max_size=40))
def test_numbers_parse_as_the_one_expression_parser_did(cells: list[str | None]) -> None:
    frame = pl.DataFrame({"c": cells}, schema={"c": pl.String})
    new = frame.select(*(e.alias(n) for e, n in zip(parse.number(pl.col("c")), "ve", strict=True)))
    old = frame.select(
        *(e.alias(n) for e, n in zip(_number_as_one_expression(pl.col("c")), "ve", strict=True))
    )
    assert_frame_equal(new, old)


@pytest.mark.parametrize(
    ("cell", "value", "error"),
    [
        ("1,234.5", 1234.5, None),
        ("(1,234.5)", -1234.5, None),
        ("\u22125", -5.0, None),
        ("１２３", 123.0, None),
        (" 12 ", 12.0, None),
        ("—", None, None),
        ("十二", None, "“十二”不是数字"),
        ("12万", None, "“12万”不是数字"),
    ],
)
def test_numbers_as_departments_write_them(cell: str, value: float | None, error: str | None) -> None:
    got = pl.DataFrame({"c": [cell]}).select(
        *(e.alias(n) for e, n in zip(parse.number(pl.col("c")), "ve", strict=True))
    )
    assert got.row(0) == (value, error)


def _code_errors_per_cell(frame: pl.DataFrame) -> pl.DataFrame:
    code_ = pl.col("v_credit_code")
    bad = code_.is_not_null() & ~parse.credit_code_check(code_).fill_null(False)
    return frame.with_columns(
        pl.when(bad)
        .then(code_.map_elements(lambda c: problem(c) or "统一社会信用代码无效", return_dtype=pl.String))
        .otherwise(pl.col("e_credit_code"))
        .alias("e_credit_code")
    )


@FAST
@given(frame=repeating_frames())
def test_codes_checked_once_each_get_the_reasons_each_row_would(frame: pl.DataFrame) -> None:
    typed = validate._typed(frame, LAYOUT, COUNTY, distinct=per_cell)
    assert_frame_equal(validate._code_errors(typed), _code_errors_per_cell(typed))


# --- totals and notes rows ----------------------------------------------------------------------

TAX_HEADER = ["统一社会信用代码", "企业名称", "年份", "实缴税金（万元）", "营业收入（万元）"]
TOTAL_WORDS = st.sampled_from(
    ["合计", "总计", "小计", "总 计：", "合\u3000计", "全区合计", " 合计:", "总合计"]
)
NOTE_WORDS = st.sampled_from(["注：单位为万元", "说明：无", "填表人：张三", "数据来源：税务局", "备注"])


@st.composite
def sheets_with_totals(draw: st.DrawFn) -> tuple[list[list[str | None]], set[int], set[int]]:
    """Enterprise rows with totals and notes rows anywhere among them; returns the rows, and the
    spreadsheet rows that are totals/notes and that are rejected."""
    rows: list[list[str | None]] = []
    skipped: set[int] = set()
    rejected: set[int] = set()
    for n in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["enterprise", "enterprise", "total", "note", "lookalike", "bad"]))
        row_number = len(rows) + 2  # the header is spreadsheet row 1
        if kind == "total":
            cells: list[str | None] = [None, None, None, str(draw(finite)), None]
            word = draw(TOTAL_WORDS)
            cells[draw(st.integers(0, 3))] = fullwidth(word) if draw(st.booleans()) else word
            skipped.add(row_number)
        elif kind == "note":
            cells = [draw(NOTE_WORDS), None, None, None, None]
            skipped.add(row_number)
        elif kind == "lookalike":  # a total's word beside a credit code, or a name that starts like one
            word = draw(st.sampled_from(["合计", "总计划（宁波）机械有限公司", "注塑厂", "说明书印刷厂"]))
            cells = [code(n + 1), word, "2024", "10", None]
        elif kind == "bad":
            cells = [code(n + 1)[:-1] + "I", "某厂", "2024", "十", None]
            rejected.add(row_number)
        else:
            cells = [code(n + 1), f"企业{n}", "2024", draw(numbers), None]
            # 实缴税金 is required, and within its plausible range (templates.LIMITS)
            rejected |= {row_number} if _no_figure(cells[3]) else set()
        rows.append(cells)
    return rows, skipped, rejected


def _no_figure(cell: str | None) -> bool:
    """No usable 实缴税金: none, not finite (nan), or beyond its plausible range."""
    value, _ = parse.number(pl.col("c"))
    got = pl.DataFrame({"c": [cell]}, schema={"c": pl.String}).select(value)[0, 0]
    return got is None or not math.isfinite(got) or abs(got) > LIMITS[Dimension.money]


def _grid(rows: list[list[Any]]) -> Grid:
    body = [TAX_HEADER, *rows]
    data = {f"c{i}": [r[i] for r in body] for i in range(len(TAX_HEADER))}
    return Grid(frame=pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)), first_row=1, sheet=None)


@FAST
@given(sheet=sheets_with_totals())
def test_totals_and_notes_rows_are_skipped_wherever_they_appear(
    sheet: tuple[list[list[str | None]], set[int], set[int]],
) -> None:
    rows, skipped, rejected = sheet
    grid = _grid(rows)
    layout = locate(grid, "tax", 10, "t.csv")
    frame = validate._data_frame(grid, layout)
    expected = frame.select(validate._total_or_footer(frame, layout).fill_null(False)).to_series()
    assert_series_equal(validate._is_total_or_footer(frame, layout), expected, check_names=False)

    parsed = validate.validate(grid, layout, "2024", COUNTY, "t.csv")
    noted = {w["row"] for w in parsed.warnings if w["message"] == "合计/说明行，已跳过"}
    assert noted == skipped
    assert parsed.rows_skipped == len(skipped)
    assert {r["row"] for r in parsed.rejects} == rejected
    assert set(parsed.accepted[validate.ROW].to_list()).isdisjoint(skipped)


@FAST
@given(sheet=sheets_with_totals())
def test_validation_on_the_distinct_path_gives_the_same_rejects_and_rows(
    sheet: tuple[list[list[str | None]], set[int], set[int]],
) -> None:
    grid = _grid(sheet[0])
    layout = locate(grid, "tax", 10, "t.csv")
    results = []
    for distinct in (every_distinct, per_cell):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(validate, "_typed", partial(validate._typed, distinct=distinct))
            results.append(validate.validate(grid, layout, "2024", COUNTY, "t.csv"))
    fast, plain = results
    assert fast.rejects == plain.rejects
    assert fast.warnings == plain.warnings
    assert_frame_equal(fast.accepted, plain.accepted)
