"""Writing a table to the formats officials and other systems use: CSV, Excel, Parquet.

CSV and Parquet are machine formats and keep the code names; an Excel file is read by officials,
so `readable` gives it Chinese headers, Chinese names for coded values (sources, pools, grades,
states, townships) and figures rounded as officials write them (core.labels)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from industry_brain.core import labels
from industry_brain.core.cells import XlsxCells, csv_frame, xlsx_workbook
from industry_brain.core.errors import ConfigurationError

FORMATS = (".csv", ".xlsx", ".parquet")


def write_table(frame: pl.DataFrame, path: Path, *, sheet: str = "Sheet1", title: str | None = None) -> Path:
    """Write `frame` by the file's extension. CSV is UTF-8 without BOM (a machine format);
    Excel gets frozen headers and, if given, a title row above them. Text that could start a
    formula is neutralised in both (core/cells.py)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigurationError(f"{path.name}: 不支持的输出格式 {suffix}；可用 {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if suffix == ".csv":
        csv_frame(frame).write_csv(tmp)
    elif suffix == ".parquet":
        frame.write_parquet(tmp)
    else:
        _write_xlsx(readable(frame), tmp, sheet, title)
    tmp.replace(path)  # never leave a half-written file under the real name
    return path


def _write_xlsx(frame: pl.DataFrame, path: Path, sheet: str, title: str | None) -> None:
    with xlsx_workbook(path, {"constant_memory": True}) as book:
        cells = XlsxCells(book)
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        row = 0
        if title:
            cells.write(ws, 0, 0, title, bold)
            row = 1
        cells.write_row(ws, row, 0, frame.columns, bold)
        ws.freeze_panes(row + 1, 0)
        for i, values in enumerate(frame.iter_rows(), start=row + 1):
            cells.write_row(ws, i, 0, values)


# column -> the vocabulary its values are named from
_CODED: dict[str, Mapping[str, str]] = {
    "source": labels.SOURCES,
    "chosen_source": labels.SOURCES,
    "other_source": labels.SOURCES,
    "deciding_source": labels.SOURCES,
    "pool": labels.POOLS,
    "indicator_set": labels.SCALES,
    "grade": labels.GRADES,
    "score_grade": labels.GRADES,
    "status": labels.STATES,
    "move": labels.STATES,
    "direction": labels.STATES,
    "stage": labels.STAGES,
    "change": labels.STATES,
    "reason": labels.REASONS,
    "veto": labels.REASONS,
    "kind": {**labels.TIER_BASES, **labels.ACTUAL_KINDS},
    "basis": labels.BASES,
}
# float columns that hold shares (written to 0.1%)
_SHARE = ("share", "growth", "difference", "rate", "ratio", "intensity", "attainment", "progress", "expected")


def _named(column: pl.Series, name_of: Callable[[Any], str]) -> pl.Series:
    """Each value named by `name_of`, asked once per distinct value rather than once per row
    (a facts workbook has a million rows and a few dozen sources, townships and flags)."""
    names = {v: name_of(v) for v in column.drop_nulls().unique().to_list()}
    return column.replace_strict(names, default=None, return_dtype=pl.String)


def readable_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Coded values named in Chinese (by their column's code name), floats rounded."""
    from industry_brain.reference.divisions import township_name

    out = []
    for name in frame.columns:
        column = frame[name]
        if name in _CODED and column.dtype == pl.String:
            column = _named(column, partial(labels.label_in, _CODED[name]))
        elif name == "vetoes" and column.dtype == pl.String:
            column = _named(column, labels.vetoes)
        elif name == "field" and column.dtype == pl.String:
            column = _named(column, labels.field_label)
        elif name == "above_scale" and column.dtype != pl.Float64:
            column = _named(column, labels.flag)
        elif name in ("township_code", "area") and column.dtype == pl.String:
            column = _named(column, township_name)
        elif column.dtype in (pl.Float64, pl.Float32):
            column = column.round(3 if any(k in name for k in _SHARE) else 2)
        elif column.dtype == pl.Boolean:
            column = _named(column, labels.flag)
        out.append(column.alias(name))
    return pl.DataFrame(out) if out else frame


def readable_value(name: str, value: Any) -> Any:
    """One cell as a page shows it: a coded value by its Chinese name (by the column's code
    name), a township code by its name, a flag as 是/否, a float with 2 decimals."""
    from industry_brain.reference.divisions import township_name

    if value is None:
        return None
    if name in _CODED and isinstance(value, str):
        return labels.label(value, _CODED[name])
    if name == "vetoes" and isinstance(value, str):
        return labels.vetoes(value)
    if name == "field" and isinstance(value, str):
        return labels.field_label(value)
    if name in ("township_code", "area") and isinstance(value, str) and value.isdigit():
        return township_name(value)
    if name == "above_scale" or isinstance(value, bool):
        return labels.flag(value)
    if isinstance(value, float):
        return labels.percent(value) if any(k in name for k in _SHARE) else labels.figure(value)
    return value


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """`readable_values`, then the code-named columns renamed to their Chinese headers."""
    frame = readable_values(frame)
    names: dict[str, str] = {}
    for name in frame.columns:
        new = labels.field_label(name) if name in labels.FIELDS else name
        if new in names.values() or (new in frame.columns and new != name):
            continue  # two columns must not end up with one header
        names[name] = new
    return frame.rename(names)
