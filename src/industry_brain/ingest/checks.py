"""Checks of cells that parse but cannot be right: figures that are not finite or far outside
their field's plausible range, text with control characters, dates outside a field's window.

Each check is a polars expression over a whole column (the 5M-row power file is checked in one
pass per column, no Python per row) giving a Chinese reason or null, as the parsers do. What is
rejected and why is listed in docs/importing.md ("Values no department can mean").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from industry_brain.ingest import parse
from industry_brain.ingest.header import Column
from industry_brain.ingest.templates import Field

# C0 controls but tab, LF and CR (a cell may break lines), DEL and the C1 controls: invisible,
# never meant, and PostgreSQL cannot store NUL in text at all.
CONTROL_CODES = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
CONTROL = "[" + "".join(f"\\x{{{c:02X}}}" for c in CONTROL_CODES) + "]"
_CONTROL_NAMES = {chr(c): f"U+{c:04X}" for c in CONTROL_CODES}
# Shown in place of a control character in a reject's value: the Unicode symbol for it (␀ for
# NUL) or, for DEL and the C1 controls, the replacement mark.
_VISIBLE = str.maketrans({chr(c): (chr(0x2400 + c) if c < 0x20 else "\ufffd") for c in CONTROL_CODES})


def visible(text: Any) -> Any:
    """`text` with every control character replaced by a visible mark (other values as is)."""
    return text.translate(_VISIBLE) if isinstance(text, str) else text


def control_error(src: pl.Expr) -> pl.Expr:
    """A reason where the raw cell holds a control character, naming the first one."""
    first = src.str.extract(f"({CONTROL})", 1)
    name = first.replace_strict(_CONTROL_NAMES, default="?", return_dtype=pl.String)
    return pl.when(first.is_not_null()).then(
        parse.say("含不可见的控制字符 {}（文件已损坏或混入了二进制内容），请删除后重新导入", name)
    )


def _amount(x: float) -> str:
    return f"{x:,.0f}"


def figure_error(value: pl.Expr, src: pl.Expr, spec: Field, column: Column) -> pl.Expr:
    """A reason where a quantity (in the canonical unit, after the header's unit conversion)
    is NaN, infinite or beyond its field's bounds. A negative figure where the field cannot be
    negative keeps the sign check's own reason (validate._checked)."""
    text = parse.clean(src)
    low, high = spec.bounds or (-float("inf"), float("inf"))
    converted = column.unit is not None and column.factor != 1.0
    unit = spec.unit or ""
    where = f"（单位{column.unit}，换算为{unit}后）" if converted else ""
    out_of_range = (value > high) | ((value < low) & pl.lit(not spec.nonnegative))
    # Finite as written, infinite once converted: 1.8e308 亿元 is 1.8e312 万元.
    overflow = value.is_infinite() & text.str.replace_all(",", "").cast(pl.Float64, strict=False).is_finite()
    return (
        pl.when(value.is_nan())
        .then(parse.say("“{}”不是数字", text))
        .when(overflow)
        .then(parse.say(f"“{{}}”{where}超出数值范围", text))
        .when(value.is_infinite())
        .then(parse.say("“{}”超出数值范围（不是有限的数字）", text))
        .when(out_of_range)
        .then(
            parse.say(
                f"“{{}}”{where}超出{spec.header}的合理范围（{_amount(low)} 至 {_amount(high)} {unit}）",
                text,
            )
        )
    )


def date_error(value: pl.Expr, spec: Field, today: dt.date) -> pl.Expr:
    """A reason where a date falls before its field's earliest date, or after today."""
    window = spec.window
    if window is None:
        return pl.lit(None, dtype=pl.String)
    shown = value.dt.strftime("%Y-%m-%d")
    early = pl.when(value < window.earliest).then(
        parse.say(f"{spec.header}“{{}}”早于 {window.earliest.isoformat()}，不可能", shown)
    )
    if window.future:
        return early
    return early.when(value > today).then(parse.say(f"{spec.header}“{{}}”晚于今天，不可能", shown))


def date_warning(value: pl.Expr, spec: Field) -> pl.Expr:
    """A note where a date is possible but unusual (before the field's usual start)."""
    window = spec.window
    if window is None:
        return pl.lit(None, dtype=pl.String)
    shown = value.dt.strftime("%Y-%m-%d")
    return pl.when((value >= window.earliest) & (value < window.usual)).then(
        parse.say(f"{spec.header}“{{}}”早于 {window.usual.year} 年，已接收，请核实", shown)
    )
