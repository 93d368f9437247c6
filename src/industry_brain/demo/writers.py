"""Writing a demo table as the department's tool would: .xlsx, .xls, UTF-8 CSV or GBK CSV.

Byte-identical for identical tables: XlsxWriter gets a fixed creation time and writes fixed zip
timestamps; xlwt and the CSV writer write no time at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import xlsxwriter

from industry_brain.demo.table import Cell, Column, Row, Table

FIXED_TIME = dt.datetime(2025, 1, 1, 9, 0, 0)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS = re.compile(r"^\d{3,4}$")


def xls_available() -> bool:
    try:
        import xlwt  # noqa: F401
    except ImportError:
        return False
    return True


def file_stem(table: Table) -> str:
    """'2024_tax_企业纳税情况' -> '2024_税务局_企业纳税情况': a department's file is named as
    the department would name it, the source code stays inside the platform."""
    from industry_brain.core.labels import SOURCES

    parts = table.stem.split("_")
    named = "_".join(SOURCES.get(p, p) if p == table.source else p for p in parts)
    return named.replace("/", "、")  # 经信局/科技局: a slash is no part of a file name


def write(table: Table, directory: Path) -> Path:
    """Write `table` into `directory`; an .xls without xlwt installed is written as .xlsx."""
    if table.fmt == "xls" and not xls_available():
        table.fmt = "xlsx"
    path = directory / f"{file_stem(table)}{table.suffix}"
    if table.fmt == "xlsx":
        _xlsx(table, path)
    elif table.fmt == "xls":
        _xls(table, path)
    else:
        _csv(table, path)
    return path


def _is_date(c: Column, v: Cell) -> bool:
    """An ISO date in the 成立日期 column is written as a spreadsheet date (an impossible date
    stays text, as a department's file would have it)."""
    if c.field != "established" or not isinstance(v, str) or not _ISO_DATE.match(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def text(c: Column, v: Cell) -> str:
    """A cell as a CSV shows it."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return f"{v:,}" if c.text_numbers else str(v)
    return f"{v:,.{c.decimals}f}" if c.text_numbers else f"{v:.{c.decimals}f}"


def _xlsx(table: Table, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"created": FIXED_TIME, "title": table.stem, "author": "奉化区"})
    sheet = book.add_worksheet("Sheet1")
    bold = book.add_format({"bold": True, "align": "center"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    width = len(table.columns)
    for i, title in enumerate(table.titles):
        if width > 1:
            sheet.merge_range(i, 0, i, width - 1, title, bold)
        else:
            sheet.write_string(i, 0, title)
    sheet.write_row(len(table.titles), 0, [c.header for c in table.columns], bold)
    lines, _ = table.layout()
    for r, line in enumerate(lines, start=table.header_row):
        for j, value in enumerate(line or []):
            _xlsx_cell(sheet, r, j, table.columns[j], value, date_format)
    sheet.set_column(0, width - 1, 16)
    book.close()


def _xlsx_cell(sheet: object, r: int, j: int, c: Column, v: Cell, date_format: object) -> None:
    if v is None:
        return
    if _is_date(c, v):
        sheet.write_datetime(r, j, dt.datetime.fromisoformat(str(v)), date_format)  # type: ignore[attr-defined]
    elif isinstance(v, str):
        if c.numeric_codes and _DIGITS.match(v):
            sheet.write_number(r, j, int(v))  # type: ignore[attr-defined]
        else:
            sheet.write_string(r, j, v)  # type: ignore[attr-defined]
    elif c.text_numbers:
        sheet.write_string(r, j, text(c, v))  # type: ignore[attr-defined]
    else:
        sheet.write_number(r, j, v)  # type: ignore[attr-defined]


def _xls(table: Table, path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    bold = xlwt.easyxf("font: bold on; align: horiz center")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    width = len(table.columns)
    for i, title in enumerate(table.titles):
        sheet.write_merge(i, i, 0, max(width - 1, 0), title, bold)
    for j, c in enumerate(table.columns):
        sheet.write(len(table.titles), j, c.header, bold)
    lines, _ = table.layout()
    for r, line in enumerate(lines, start=table.header_row):
        for j, v in enumerate(line or []):
            c = table.columns[j]
            if v is None:
                continue
            if _is_date(c, v):
                sheet.write(r, j, dt.datetime.fromisoformat(str(v)), date_style)
            elif isinstance(v, str) or c.text_numbers:
                sheet.write(r, j, text(c, v))
            else:
                sheet.write(r, j, v)
    book.save(str(path))


def _csv(table: Table, path: Path) -> None:
    width = len(table.columns)
    buffer = io.StringIO()
    gbk = table.fmt == "csv-gbk"
    writer = csv.writer(buffer, lineterminator="\r\n" if gbk else "\n")
    for title in table.titles:
        writer.writerow([title] + [""] * (width - 1))
    writer.writerow([c.header for c in table.columns])
    lines, _ = table.layout()
    for line in lines:
        row: Row = line if line is not None else [None] * width
        writer.writerow([text(table.columns[j], v) for j, v in enumerate(row)])
    path.write_bytes(buffer.getvalue().encode("gbk" if gbk else "utf-8"))
