"""Imperfections real departmental files have, injected at fixed rates and recorded.

Two kinds. Rejects make a row invalid, so a correct importer must reject it: a credit code with a
wrong check character, an industry code that is not a GB/T 4754 class, a negative area or
quantity, a required figure left as '-', a number written as words, an impossible date, and one
key listed twice with different figures (both rows are rejected). Cosmetic ones must be read
through: codes with spaces, lower case or full-width characters, numbers as text with thousands
separators, township short names or codes, dates and months written the Chinese way, and an
exact duplicate row (skipped, not rejected). Every injection is kept on the table.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from industry_brain.core.text import to_halfwidth
from industry_brain.demo.table import Cell, Injection, Row, Table
from industry_brain.reference.credit_code import ALPHABET, is_valid

# kind, share of rows, minimum count in a file of 20 rows or more.
PLANS: dict[str, tuple[tuple[str, float, int], ...]] = {
    "registry": (
        ("bad_code", 0.003, 1),
        ("bad_industry", 0.002, 1),
        ("bad_date", 0.001, 1),
        ("missing:name", 0, 1),
        ("duplicate_conflict", 0, 1),
        ("code_spaces", 0.004, 1),
        ("code_lower", 0.003, 1),
        ("code_fullwidth", 0.002, 1),
        ("township_variant", 0.01, 1),
        ("date_text", 0.015, 1),
        ("duplicate_identical", 0, 1),
    ),
    "stats": (
        ("bad_code", 0.002, 1),
        ("bad_industry", 0.002, 1),
        ("negative:energy_tce", 0.002, 1),
        ("bad_number:employees", 0.001, 1),
        ("duplicate_conflict", 0, 1),
        ("code_spaces", 0.003, 1),
        ("code_lower", 0.003, 1),
        ("code_fullwidth", 0.002, 1),
        ("text_number", 0.005, 1),
        ("township_variant", 0.005, 1),
        ("duplicate_identical", 0, 1),
    ),
    "tax": (
        ("bad_code", 0.002, 1),
        ("missing:tax_wan", 0.002, 1),
        ("duplicate_conflict", 0, 1),
        ("code_spaces", 0.004, 1),
        ("code_lower", 0.002, 1),
        ("text_number", 0.01, 1),
    ),
    "land": (
        ("bad_code", 0.002, 1),
        ("negative:land_mu", 0.002, 1),
        ("duplicate_conflict", 0, 1),
        ("code_spaces", 0.003, 1),
        ("code_fullwidth", 0.002, 1),
        ("text_number", 0.004, 1),
    ),
    "environment": (
        ("bad_code", 0.002, 1),
        ("negative:emission_t", 0.002, 1),
        ("code_lower", 0.003, 1),
        ("code_spaces", 0.003, 1),
    ),
    "safety": (("code_lower", 0.1, 1),),
    "power": (
        ("negative:electricity_wan_kwh", 0.0002, 1),
        ("missing:electricity_wan_kwh", 0.0002, 1),
        ("duplicate_conflict", 0, 1),
        ("duplicate_identical", 0, 1),
        ("month_variant", 0.01, 1),
    ),
    "power_accounts": (
        ("bad_code", 0.003, 1),
        ("duplicate_conflict", 0, 1),
        ("code_spaces", 0.005, 1),
        ("code_lower", 0.003, 1),
    ),
    "titles": (("bad_code", 0.005, 1), ("code_lower", 0.01, 1), ("year_text", 0.02, 1)),
}
# The figure a conflicting duplicate changes, per template.
CONFLICT_FIELD = {
    "registry": "name",
    "stats": "output_wan",
    "tax": "tax_wan",
    "land": "land_mu",
    "power": "electricity_wan_kwh",
    "power_accounts": "credit_code",
    "titles": "title_year",
    "environment": "emission_t",
}
BAD_INDUSTRY = ("344", "3447", "3450", "367")  # a group, two non-codes, a 3-digit non-class
UNKNOWN_TOWNSHIP = "奉化经济开发区"


def count(rows: int, rate: float, minimum: int) -> int:
    n = round(rows * rate)
    return max(n, minimum) if rows >= 20 else min(n, rows)


class Picker:
    """Rows in a fixed shuffled order; each row takes at most one injection."""

    def __init__(self, rng: random.Random, rows: list[Row]) -> None:
        self.order = list(range(len(rows)))
        rng.shuffle(self.order)
        self.rows = rows
        self.used: set[int] = set()
        self.pos = 0

    def pick(self, ok: Callable[[Row], bool]) -> Row | None:
        for i in self.order:
            row = self.rows[i]
            if id(row) not in self.used and ok(row):
                self.used.add(id(row))
                return row
        return None


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _valid_code(j: int | None) -> Callable[[Row], bool]:
    return lambda r: j is not None and isinstance(r[j], str) and is_valid(r[j])  # type: ignore[arg-type]


def _positive(j: int | None) -> Callable[[Row], bool]:
    return lambda r: j is not None and isinstance(r[j], (int, float)) and r[j] > 0  # type: ignore[operator]


def inject(table: Table, rng: random.Random) -> None:
    """Apply the template's plan to `table` (mutates rows, records injections)."""
    picker = Picker(rng, table.rows)
    n_rows = len(table.rows)
    for spec, rate, minimum in PLANS[table.template]:
        kind, _, field = spec.partition(":")
        for _ in range(count(n_rows, rate, minimum)):
            _one(table, rng, picker, kind, field or None)


def _code_of(table: Table, row: Row) -> str | None:
    j = table.col("credit_code")
    if j is None or not isinstance(row[j], str):
        return None
    return to_halfwidth(row[j]).strip().upper()  # type: ignore[arg-type]


def _record(
    table: Table,
    kind: str,
    row: Row,
    j: int | None,
    reject: bool,
    skipped: bool = False,
    code: str | None = None,
) -> None:
    column = table.columns[j].header if j is not None else None
    value = None if j is None or row[j] is None else str(row[j])
    table.injections.append(
        Injection(kind, row, column, value, code or _code_of(table, row), reject, skipped)
    )


def _one(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    handler = {
        "bad_code": _bad_code,
        "bad_industry": _bad_industry,
        "bad_date": _bad_date,
        "missing": _missing,
        "negative": _negative,
        "bad_number": _bad_number,
        "duplicate_conflict": _duplicate_conflict,
        "duplicate_identical": _duplicate_identical,
        "code_spaces": _code_form,
        "code_lower": _code_form,
        "code_fullwidth": _code_form,
        "text_number": _text_number,
        "township_variant": _township_variant,
        "date_text": _date_text,
        "month_variant": _month_variant,
        "year_text": _year_text,
    }[kind]
    handler(table, rng, picker, kind, field)


def _bad_code(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col("credit_code")
    row = picker.pick(_valid_code(j))
    if row is None or j is None:
        return
    code = str(row[j])
    row[j] = code[:17] + rng.choice([c for c in ALPHABET if c != code[17]])
    _record(table, kind, row, j, reject=True, code=code)


def _bad_industry(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col("industry_code")
    row = picker.pick(lambda r: j is not None and r[j] is not None)
    if row is None or j is None:
        return
    row[j] = rng.choice(BAD_INDUSTRY)
    _record(table, kind, row, j, reject=True)


def _bad_date(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col("established")
    row = picker.pick(lambda r: j is not None and isinstance(r[j], str))
    if row is None or j is None:
        return
    row[j] = f"{str(row[j])[:4]}-02-30"
    _record(table, kind, row, j, reject=True)


def _missing(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col(field or "")
    row = picker.pick(lambda r: j is not None and r[j] is not None)
    if row is None or j is None:
        return
    numeric = table.columns[j].is_number
    row[j] = rng.choice(("-", "—", None)) if numeric else None  # '-' is a valid text value
    _record(table, kind, row, j, reject=True)


def _negative(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col(field or "")
    row = picker.pick(_positive(j))
    if row is None or j is None:
        return
    row[j] = -row[j]  # type: ignore[operator]
    _record(table, kind, row, j, reject=True)


def _bad_number(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col(field or "")
    row = picker.pick(_positive(j))
    if row is None or j is None:
        return
    row[j] = f"约{int(row[j])}"  # type: ignore[arg-type]
    _record(table, kind, row, j, reject=True)


def _duplicate_conflict(
    table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None
) -> None:
    j = table.col(CONFLICT_FIELD.get(table.template, ""))
    code_col, parcel = table.col("credit_code"), table.col("parcel_id")

    def ok(r: Row) -> bool:
        if j is None or r[j] is None or (code_col is not None and not _valid_code(code_col)(r)):
            return False
        if parcel is not None and r[parcel] is None:
            return False
        return not isinstance(r[j], (int, float)) or r[j] > 0  # type: ignore[operator]

    row = picker.pick(ok)
    if row is None or j is None:
        return
    copy = list(row)
    copy[j] = _changed(table, row[j], rng)
    table.rows.insert(rng.randrange(len(table.rows) + 1), copy)
    _record(table, kind, row, j, reject=True)
    _record(table, kind, copy, j, reject=True)


def _changed(table: Table, value: Cell, rng: random.Random) -> Cell:
    if table.template == "power_accounts":
        other = table.rows[rng.randrange(len(table.rows))][table.col("credit_code") or 0]
        return other if other != value else str(value)[:17] + "0"
    if table.template == "titles":
        return int(str(value)) - 1
    if isinstance(value, (int, float)):
        return type(value)(round(value * 1.1 + 1, 2))
    return f"{value}（分厂）"


def _duplicate_identical(
    table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None
) -> None:
    row = picker.pick(lambda r: True)
    if row is None:
        return
    i = next(k for k, r in enumerate(table.rows) if r is row)
    copy = list(row)
    table.rows.insert(rng.randrange(i + 1, len(table.rows) + 1), copy)
    _record(table, kind, copy, None, reject=False, skipped=True)


def _code_form(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col("credit_code")
    lower = kind == "code_lower"
    row = picker.pick(
        lambda r: j is not None and _valid_code(j)(r) and (not lower or not str(r[j]).isdigit())
    )
    if row is None or j is None:
        return
    code = str(row[j])
    if kind == "code_spaces":
        row[j] = rng.choice((f" {code}", f"{code} ", f"{code[:8]} {code[8:]}", f" {code}  "))
    elif lower:
        row[j] = code.lower()
    else:
        row[j] = fullwidth(code)
    _record(table, kind, row, j, reject=False, code=code)


def _text_number(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    numeric = [k for k, c in enumerate(table.columns) if c.is_number and c.field != "year"]

    def big(r: Row) -> list[int]:
        return [k for k in numeric if isinstance(r[k], (int, float)) and r[k] >= 1000]  # type: ignore[operator]

    row = picker.pick(lambda r: bool(big(r)))
    if row is None:
        return
    j = rng.choice(big(row))
    row[j] = f"{row[j]:,.{table.columns[j].decimals}f}"
    _record(table, kind, row, j, reject=False)


def _township_variant(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    from industry_brain.reference.divisions import resolve_township

    j = table.col("township_code")
    row = picker.pick(lambda r: j is not None and isinstance(r[j], str))
    if row is None or j is None:
        return
    name = str(row[j])
    short = name.removesuffix("街道").removesuffix("镇")
    row[j] = rng.choice((short, resolve_township(name, "330213") or short, UNKNOWN_TOWNSHIP))
    _record(table, kind, row, j, reject=False)


def _date_text(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    import datetime as dt

    from industry_brain.demo.builders import established_text

    j = table.col("established")
    row = picker.pick(lambda r: j is not None and isinstance(r[j], str))
    if row is None or j is None:
        return
    row[j] = established_text(dt.date.fromisoformat(str(row[j])), rng.randrange(3))
    _record(table, kind, row, j, reject=False)


def _month_variant(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col("month")
    row = picker.pick(lambda r: j is not None and isinstance(r[j], str))
    if row is None or j is None:
        return
    text = str(row[j]).replace("-", "")
    row[j] = f"{text[:4]}年{int(text[4:6])}月"
    _record(table, kind, row, j, reject=False)


def _year_text(table: Table, rng: random.Random, picker: Picker, kind: str, field: str | None) -> None:
    j = table.col("title_year")
    row = picker.pick(lambda r: j is not None and isinstance(r[j], int))
    if row is None or j is None:
        return
    row[j] = f"{row[j]}年"
    _record(table, kind, row, j, reject=False)
