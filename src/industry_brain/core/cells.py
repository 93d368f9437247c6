"""Writing user text into the spreadsheets officials open, so that it stays text.

A department's cell can hold `=HYPERLINK(...)` or `=cmd|' /C calc'!A0`; written raw, the next
official's Excel runs it. Every xlsx and csv the platform writes from its data goes through here
(docs/importing.md, "Exports: text stays text"), following the OWASP CSV-injection advice:

- xlsx: text is always written as a string, never as a formula or a link (the workbook options
  below); text that begins with `=`, `+`, `-`, `@`, a tab or a CR also gets Excel's own quote
  prefix (the apostrophe Excel shows in the formula bar), so editing the cell keeps it text and
  the value a program reads is the text as sent;
- csv: such text is written with a leading `'`, which every spreadsheet shows and none evaluates.

A number stays a number: -12.5 in a numeric column, and also the text "-12.5", is not quoted.
The importer removes a `'` put before one of these characters (ingest/parse.py `clean`), so a
rejects file exported to csv, fixed and sent back, reads as the department first wrote it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import polars as pl

# The characters a spreadsheet reads as the start of a formula (OWASP: = + - @ tab CR).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_LEAD = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_NUMBER_RE = re.compile(_NUMBER)
QUOTE = "'"
# A workbook never turns a string into a formula or a hyperlink on its own.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}
_FORMAT_INTERNALS = ("xf_format_indices", "dxf_format_indices", "xf_index", "dxf_index", "_format_key")


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula: it starts with one of
    FORMULA_LEADS and is not simply a number such as -12.5."""
    return text[:1] in FORMULA_LEADS and _NUMBER_RE.match(text) is None


def csv_text(value: Any) -> Any:
    """A csv cell: text that could start a formula gets a leading quote; anything else as is."""
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text cell made safe by csv_text, in one pass per text column."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            col = pl.col(name)
            risky = col.str.contains(_LEAD) & ~col.str.contains(_NUMBER)
            exprs.append(pl.when(risky).then(QUOTE + col).otherwise(col).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def xlsx_workbook(path: Path | str, options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter Workbook that writes strings as strings (see XLSX_OPTIONS)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {**(options or {}), **XLSX_OPTIONS})


class XlsxCells:
    """Writes values into one workbook's sheets: text with write_string (quote-prefixed where
    needs_quote says so), numbers with write_number, a missing or non-finite number as blank."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._quoted: dict[int, Any] = {}

    def quoted(self, fmt: Any | None) -> Any:
        """`fmt` (or no format) with Excel's quote prefix added, made once per format."""
        key = id(fmt)
        if key not in self._quoted:
            new = self.book.add_format()
            if fmt is not None:  # a copy of its properties: xlsxwriter has no public copy
                for name, value in vars(fmt).items():
                    if name not in _FORMAT_INTERNALS:
                        setattr(new, name, value)
            new.set_quote_prefix()
            self._quoted[key] = new
        return self._quoted[key]

    def write(self, ws: Any, row: int, col: int, value: Any, fmt: Any | None = None) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            if value == "":
                ws.write_blank(row, col, None, fmt)
            elif needs_quote(value):
                ws.write_string(row, col, value, self.quoted(fmt))
            else:
                ws.write_string(row, col, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        else:  # dates and the like: xlsxwriter's own typed writers
            ws.write(row, col, value, fmt)

    def write_row(self, ws: Any, row: int, col: int, values: Any, fmt: Any | None = None) -> None:
        for j, value in enumerate(values):
            self.write(ws, row, col + j, value, fmt)
