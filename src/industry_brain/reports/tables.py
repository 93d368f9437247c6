"""Writing a table to the formats officials and other systems use: CSV, Excel, Parquet."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from industry_brain.core.errors import ConfigurationError

FORMATS = (".csv", ".xlsx", ".parquet")


def write_table(frame: pl.DataFrame, path: Path, *, sheet: str = "Sheet1", title: str | None = None) -> Path:
    """Write `frame` by the file's extension. CSV is UTF-8 without BOM (a machine format);
    Excel gets frozen headers and, if given, a title row above them."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigurationError(f"{path.name}: 不支持的输出格式 {suffix}；可用 {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if suffix == ".csv":
        frame.write_csv(tmp)
    elif suffix == ".parquet":
        frame.write_parquet(tmp)
    else:
        _write_xlsx(frame, tmp, sheet, title)
    tmp.replace(path)  # never leave a half-written file under the real name
    return path


def _write_xlsx(frame: pl.DataFrame, path: Path, sheet: str, title: str | None) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        row = 0
        if title:
            ws.write(0, 0, title, bold)
            row = 1
        ws.write_row(row, 0, frame.columns, bold)
        ws.freeze_panes(row + 1, 0)
        for i, values in enumerate(frame.iter_rows(), start=row + 1):
            ws.write_row(i, 0, ["" if v is None else v for v in values])
