"""Parsing text cells into typed values, vectorised with polars.

Each parser takes a String expression and returns (value expression, error expression): the
error is a Chinese reason where the cell has text that cannot be a value of the field, else null.
An empty cell is null without an error; the required-field check deals with that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import polars as pl

from industry_brain.core.text import to_halfwidth
from industry_brain.reference import credit_code
from industry_brain.reference.divisions import resolve_township
from industry_brain.reference.industries import class_codes

_FULL = [chr(cp) for cp in range(0xFF01, 0xFF5F)] + ["\u3000"]
_HALF = [to_halfwidth(ch) for ch in _FULL]
_BLANKS = r"[\s\u00a0\u200b\ufeff]"
# Departments write these for "nothing to report".
MISSING_MARKS = ["-", "--", "—", "——", "/", "无", "空", "N/A", "n/a", "NA"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def unquote(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`frame` without the `'` an export puts before a leading = + - @ tab or CR (core/cells.py),
    so a rejects file sent back reads as first written; only in columns that have one (the
    replace costs ~0.4 s a million cells, the test for a leading quote 0.01 s)."""
    quoted = [c for c in columns if frame[c].str.starts_with("'").any()]
    if not quoted:
        return frame
    return frame.with_columns(pl.col(c).str.replace(r"^'([=+\-@\t\r])", "$1") for c in quoted)


def say(template: str, *values: pl.Expr) -> pl.Expr:
    """pl.format's message, built with concat_str: polars 2.1's pl.format can panic
    ("assertion failed: i < self.len()") under when/then on a few filtered rows of a sliced
    column, which a department's 8-row csv with two bad figures reaches."""
    parts = template.split("{}")
    assert len(parts) == len(values) + 1, template
    exprs: list[pl.Expr] = []
    for text, value in zip(parts, [*values, None], strict=True):
        if text:
            exprs.append(pl.lit(text))
        if value is not None:
            exprs.append(value)
    return pl.concat_str(exprs)


def clean(expr: pl.Expr) -> pl.Expr:
    """Half-width, trimmed, empty -> null."""
    text = expr.str.replace_many(_FULL, _HALF).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def code_text(expr: pl.Expr) -> pl.Expr:
    """As core.text.normalise_code: no blanks or hyphens, upper case, half-width."""
    return (
        clean(expr)
        .str.replace_all(_BLANKS, "")
        .str.replace_all(r"[-\u2010-\u2015\u2212]", "")
        .str.to_uppercase()
    )


def credit_code_check(code: pl.Expr) -> pl.Expr:
    """True where `code` (normalised) passes GB 32100 length, alphabet and check character."""
    values = {ch: i for i, ch in enumerate(credit_code.ALPHABET)}
    total = pl.lit(0, dtype=pl.Int64)
    for i, weight in enumerate(credit_code.WEIGHTS):
        digit = code.str.slice(i, 1).replace_strict(values, default=None, return_dtype=pl.Int64)
        total = total + digit * weight
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(credit_code.ALPHABET)), default=None, return_dtype=pl.String
    )
    charset_ok = code.str.contains(f"^[{credit_code.ALPHABET}]{{18}}$")
    prefix_ok = code.str.slice(0, 2).is_in(_prefixes()) & code.str.slice(2, 6).str.contains(r"^\d{6}$")
    return (code.str.len_chars() == 18) & charset_ok & prefix_ok & (code.str.slice(17, 1) == expected)


@cache
def _prefixes() -> list[str]:
    return [d + c for d, cats in credit_code.registration_categories().items() for c in cats]


# A number as a program writes it: no blanks, separators, brackets or full-width forms. Its text
# is already what the cleaning below would leave, so its value is the plain cast's.
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_NUMBER = pl.Struct({"value": pl.Float64, "error": pl.String})


def number(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    parsed = expr.map_batches(_numbers, return_dtype=_NUMBER)
    return parsed.struct.field("value"), parsed.struct.field("error")


def _numbers(cells: pl.Series) -> pl.Series:
    """Value and error of each cell, as a struct. Each intermediate text is a column computed
    once: as one expression, polars would repeat clean() and the regexes for every use of them
    (it does not share sub-expressions through when/then), ~1.5 s a million cells."""
    cell = pl.col("cell")
    frame = pl.DataFrame({"cell": cells.cast(pl.String)}).with_columns(
        pl.when(cell.str.contains(_PLAIN_NUMBER)).then(cell.cast(pl.Float64, strict=False)).alias("value"),
        pl.lit(None, dtype=pl.String).alias("error"),
    )
    rest = frame.with_row_index("i").filter(pl.col("value").is_null() & cell.is_not_null())
    if not rest.is_empty():
        rest = _messy_numbers(rest.drop("value", "error"))
        frame = frame.with_columns(
            frame["value"].scatter(rest["i"], rest["value"]),
            frame["error"].scatter(rest["i"], rest["error"]),
        )
    return frame.select(pl.struct("value", "error")).to_series()


def _messy_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds value and error to a frame of text cells that are not plain numbers."""
    frame = frame.with_columns(clean(pl.col("cell")).alias("written"))
    text = pl.col("written").str.replace_all(r"[,\s]", "").str.replace_all("\u2212", "-")
    # Accountants write a negative as (1,234).
    text = text.str.replace(r"^\((\d+(?:\.\d+)?)\)$", "-$1")
    frame = frame.with_columns(text.alias("text"))
    text = pl.when(pl.col("text").is_in(MISSING_MARKS)).then(None).otherwise(pl.col("text"))
    frame = frame.with_columns(text.alias("text"))
    frame = frame.with_columns(pl.col("text").cast(pl.Float64, strict=False).alias("value"))
    wrong = pl.col("text").is_not_null() & pl.col("value").is_null()
    return frame.with_columns(pl.when(wrong).then(say("“{}”不是数字", pl.col("written"))).alias("error"))


def count(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A count, where 是/否 also count as 1/0 (safety and environment lists use both)."""
    text = clean(expr)
    as_flag = flag_value(text)
    value, error = number(expr)
    value = pl.coalesce(as_flag.cast(pl.Float64), value)
    return value, pl.when(as_flag.is_null()).then(error)


_FLAGS = {
    "是": 1,
    "否": 0,
    "Y": 1,
    "N": 0,
    "y": 1,
    "n": 0,
    "1": 1,
    "0": 0,
    "TRUE": 1,
    "FALSE": 0,
    "true": 1,
    "false": 0,
    "规上": 1,
    "规下": 0,
    "1.0": 1,
    "0.0": 0,
}


def flag_value(text: pl.Expr) -> pl.Expr:
    return text.replace_strict(_FLAGS, default=None, return_dtype=pl.Int8)


def flag(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    text = clean(expr)
    value = flag_value(text)
    return value, pl.when(text.is_not_null() & value.is_null()).then(say("“{}”应为 是 或 否", text))


def year(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    text = clean(expr).str.replace(r"(年|年度|\.0+)$", "")
    value = text.cast(pl.Int32, strict=False)
    ok = value.is_between(1949, 2100)
    return pl.when(ok).then(value), pl.when(text.is_not_null() & ~ok.fill_null(False)).then(
        say("“{}”不是年份", text)
    )


@cache
def _class_by_name() -> dict[str, str]:
    """Class names that name exactly one 4-digit class (the register often writes the name)."""
    from collections import Counter

    from industry_brain.reference.industries import industries

    classes = [(i.name, c) for c, i in industries().items() if i.level == 4]
    counts = Counter(name for name, _ in classes)
    return {name: c for name, c in classes if counts[name] == 1}


def industry(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    named = clean(expr).replace_strict(_class_by_name(), default=None, return_dtype=pl.String)
    text = code_text(expr).str.replace(r"\.0+$", "").str.replace(r"^[A-T](\d{2,4})$", "$1")
    text = pl.coalesce(named, text)
    # Excel drops the leading zero of 0111-0599; a 3-digit number that pads to a class is one.
    padded = pl.when(text.str.contains(r"^\d{3}$") & ("0" + text).is_in(list(class_codes())))
    text = padded.then("0" + text).otherwise(text)
    ok = text.is_in(list(class_codes()))
    return pl.when(ok).then(text), pl.when(text.is_not_null() & ~ok).then(
        say("行业代码“{}”不是GB/T 4754-2017的4位小类代码", text)
    )


def _map_unique(text: pl.Expr, fn: Callable[[Any], Any], dtype: pl.DataType) -> pl.Expr:
    """`fn` applied once per distinct value (5M 月份 cells hold 12 values), then mapped back."""

    def apply(series: pl.Series) -> pl.Series:
        keys = series.drop_nulls().unique()
        values = keys.map_elements(fn, return_dtype=dtype, skip_nulls=True)
        return series.replace_strict(keys, values, default=None, return_dtype=dtype)

    return text.map_batches(apply, return_dtype=dtype)


def township(expr: pl.Expr, county: str) -> tuple[pl.Expr, pl.Expr]:
    """Unknown townships are warnings, not rejects: the figures are still good."""
    text = clean(expr).str.replace(r"\.0+$", "")
    value = _map_unique(text, lambda t: resolve_township(t, county), pl.String())
    return value, pl.lit(None, dtype=pl.String)


def parse_date(text: str) -> dt.date | None:
    t = text.strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", t) and 1000 < float(t) < 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(t)))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", t)
    if not m and re.fullmatch(r"\d{8}", t):
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def date(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    text = clean(expr)
    value = _map_unique(text, parse_date, pl.Date())
    return value, pl.when(text.is_not_null() & value.is_null()).then(
        say("“{}”不是日期（如 2019-03-01）", text)
    )


def parse_month(text: str) -> str | None:
    # A tax 所属期 is often a range, 2024-01-01至2024-01-31: the month is where it starts.
    t = re.split(r"至|~|—|－", text.strip())[0].strip()
    if re.fullmatch(r"\d{5}(\.0+)?", t):
        d = parse_date(t)
        return f"{d.year:04d}-{d.month:02d}" if d else None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?(?: .*)?", t) or re.fullmatch(
        r"(\d{4})(\d{2})", t
    )
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def month(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    text = clean(expr)
    value = _map_unique(text, parse_month, pl.String())
    return value, pl.when(text.is_not_null() & value.is_null()).then(say("“{}”不是月份（如 2024-03）", text))


def text_value(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Text as written; the "nothing reported" marks (-, —, /, 无 …) are empty here too."""
    text = clean(expr)
    return pl.when(text.is_in(MISSING_MARKS)).then(None).otherwise(text), pl.lit(None, dtype=pl.String)
