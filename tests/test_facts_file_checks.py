"""A facts file is checked rule by rule as column expressions: every rule of
docs/evaluation-methods.md refuses the file with its row, column and reason, the first rule
broken wins (in the documented order), and a typed Parquet file reads exactly as the same cells
written as text (the text path is how every file was read before)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from evaluation_fixtures import mixed
from industry_brain.core.errors import FileRejected
from industry_brain.evaluation.inputs import SCHEMA, conform, read_facts, read_facts_file

RULES = [
    ("credit_code", None, "第 4 行 credit_code 列：缺少统一社会信用代码（值 None）"),
    ("year", None, "第 4 行 year 列：缺少年份（值 None）"),
    ("env_violation", 3, "第 4 行 env_violation 列：应为 1 或 0（值 3）"),
    ("employees", -1.0, "第 4 行 employees 列：不能为负数（值 -1.0）"),
    (
        "credit_code",
        "91330213000000007X",
        "第 4 行 credit_code 列：“91330213000000007X”不是有效的统一社会信用代码",
    ),
    ("land_mu", "1,5?", "第 4 行 land_mu 列：“1,5?”不是数字"),
    ("established", "2021-02-30", "第 4 行 established 列：“2021-02-30”不是日期"),
    ("industry_code", "441", "第 4 行 industry_code 列：行业代码“441”不是GB/T 4754-2017的4位小类代码"),
]


def _set(facts: pl.DataFrame, column: str, value: object, row: int = 2) -> pl.DataFrame:
    text = facts.with_columns(pl.col(column).cast(pl.String))
    values = text[column].to_list()
    values[row] = None if value is None else str(value)
    return text.with_columns(pl.Series(column, values, dtype=pl.String))


@pytest.mark.parametrize(("column", "value", "message"), RULES, ids=[m for _, _, m in RULES])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_rule_refuses_the_file_with_row_column_and_reason(tmp_path, column, value, message, suffix):
    path = tmp_path / f"facts{suffix}"
    bad = _set(mixed(n=20), column, value)
    if suffix == ".csv":
        bad.write_csv(path)
    else:
        # the other columns keep their types: a typed number column beside the bad text one
        bad.write_parquet(path)
    with pytest.raises(FileRejected) as info:
        read_facts(path)
    assert str(info.value) == f"facts{suffix}: {message}"


def test_a_duplicate_is_refused_at_its_first_row(tmp_path):
    facts = mixed(n=20)
    dup = pl.concat([facts, facts.slice(6, 1)])
    path = tmp_path / "facts.parquet"
    dup.write_parquet(path)
    with pytest.raises(FileRejected) as info:
        read_facts(path)
    assert str(info.value) == f"facts.parquet: 第 8 行：{facts['credit_code'][6]} 在 2022 年出现多次"


def test_the_first_rule_broken_is_reported_even_at_a_later_row(tmp_path):
    # a wrong code at row 3 and a negative figure at row 10: negatives are checked first
    facts = _set(_set(mixed(n=20), "credit_code", "91330213000000007X", 1), "land_mu", -2.0, 8)
    path = tmp_path / "facts.csv"
    facts.write_csv(path)
    with pytest.raises(FileRejected, match="第 10 行 land_mu 列：不能为负数"):
        read_facts(path)


def test_a_code_written_loosely_is_accepted_as_written():
    facts = mixed(n=20)
    codes = facts["credit_code"].to_list()
    codes[0] = codes[0].lower()
    codes[1] = f"{codes[1][:6]}-{codes[1][6:]}"
    codes[2] = "".join(chr(ord(c) + 0xFEE0) for c in codes[2])  # full-width
    typed = conform(facts.with_columns(pl.Series("credit_code", codes)), "f")
    assert typed["credit_code"].to_list()[:3] == codes[:3]


def _awkward() -> pl.DataFrame:
    facts = mixed(seed=3, n=200)
    values = [0.1, 1 / 3, 2**-13, 1e-20, 1e20, -0.0, 123456789.123456789, 1e300, float("nan"), math.inf]
    land = facts["land_mu"].to_list()
    land[: len(values)] = values
    flags = facts["above_scale"].to_list()
    flags[:3] = [None, 0, 1]
    return facts.with_columns(pl.Series("land_mu", land), pl.Series("above_scale", flags))


@pytest.mark.parametrize(
    "retype",
    [
        {},  # the canonical schema
        {"year": pl.Int32, "employees": pl.Int64, "above_scale": pl.Float64, "tax_wan": pl.Float32},
        {"industry_code": pl.Int64, "safety_accident": pl.UInt8, "env_violation": pl.Boolean},
    ],
    ids=["canonical", "other-number-types", "number-and-flag-types"],
)
def test_a_typed_file_reads_as_its_cells_written_as_text(tmp_path, retype):
    facts = _awkward().with_columns(pl.col(c).cast(t) for c, t in retype.items())
    text = facts.with_columns(pl.all().cast(pl.String))
    try:
        expected = conform(text, "f")
    except FileRejected as exc:  # a Boolean flag column is text "true": refused alike
        with pytest.raises(FileRejected, match=str(exc).split(": ", 1)[1]):
            conform(facts, "f")
        return
    got = conform(facts, "f")
    assert got.schema == expected.schema == SCHEMA
    assert got.equals(expected)  # NaN equal to NaN, -0.0 kept, every digit


def test_a_canonical_parquet_file_is_one_an_engine_may_read_itself(tmp_path):
    facts = mixed(n=30)
    path = tmp_path / "facts.parquet"
    facts.write_parquet(path)
    frame, direct = read_facts_file(path)
    assert direct and frame.equals(facts)
    for changed in (
        facts.with_columns(pl.col("industry_code").str.replace("^", "C")),  # read as 3484, not C3484
        facts.with_columns(pl.col("name") + " "),  # trimmed
        facts.with_columns(pl.col("established").str.replace_all("-", "/")),
        facts.with_columns(pl.col("employees").cast(pl.Int64)),  # another type
    ):
        changed.write_parquet(path)
        frame, direct = read_facts_file(path)
        assert not direct
        assert frame.schema == SCHEMA
    facts.write_csv(tmp_path / "facts.csv")
    assert read_facts_file(tmp_path / "facts.csv")[1] is False
