"""Reading a departmental file into a grid of strings, within the configured limits.

Every cell arrives as text (numbers as the spreadsheet shows them, dates as Excel serials), so
the validation step parses every value the same way whatever the file format. A file that
cannot be read raises FileRejected with a reason a department can act on; nothing is written.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings
from industry_brain.ingest.sheet_scan import OdsScan, SharedStringsScan, SheetScan
from industry_brain.ingest.zip_guard import SafeZip

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
MAX_CELL_CHARS = 32_767  # Excel's own limit of one cell


@dataclass(eq=False)  # a sheet is itself: comparing two grids' frames means nothing
class Grid:
    """One sheet of a file as text. `frame` columns are c0..cN; row i of the frame is
    spreadsheet row `first_row + i` (1-based, as Excel shows it) and column j is spreadsheet
    column `first_col + j` (the readers drop empty columns on the left, never empty rows)."""

    frame: pl.DataFrame
    first_row: int
    sheet: str | None
    notes: list[str] = field(default_factory=list)
    # Merged ranges in spreadsheet coordinates (1-based, inclusive): r0, c0, r1, c1.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    first_col: int = 1


def read_grid(path: Path, settings: Settings) -> Grid:
    """The first sheet (or the CSV) of a file."""
    return read_sheets(path, settings, sheet="1" if _is_workbook(path) else None)[0]


def _is_workbook(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(8)
    return head.startswith((ZIP_MAGIC, OLE_MAGIC))


def read_sheets(path: Path, settings: Settings, *, sheet: str | None = None) -> list[Grid]:
    """Every visible sheet of a workbook (or the one `sheet` names: a name, or a 1-based
    position), or the one table of a CSV. Which sheets hold the data is ingest.sheets' choice."""
    grids = _read_sheets(path, settings, sheet)
    for grid in grids:
        _check_cell_length(grid, path.name)
    return grids


def _check_cell_length(grid: Grid, file: str) -> None:
    """No cell longer than Excel allows: a single huge cell (a CSV line of megabytes with no
    delimiter) would otherwise travel through every check that looks at text."""
    longest = grid.frame.select(pl.all().str.len_bytes().max()).row(0) if grid.frame.width else ()
    for j, size in enumerate(longest):
        if size is None or size <= MAX_CELL_CHARS:
            continue
        lengths = grid.frame[f"c{j}"].str.len_chars()
        chars = lengths.max()
        if isinstance(chars, int) and chars > MAX_CELL_CHARS:
            row = grid.first_row + int(lengths.arg_max() or 0)
            where = f"工作表“{grid.sheet}”" if grid.sheet else ""
            raise FileRejected(
                file,
                f"{where}第 {row} 行第 {grid.first_col + j} 列的单元格有 {chars} 个字符，"
                f"超过Excel单元格的上限 {MAX_CELL_CHARS} 个字符；疑似损坏或格式错误，已拒收",
            )


def _read_sheets(path: Path, settings: Settings, sheet: str | None) -> list[Grid]:
    name = path.name
    if not path.is_file():
        raise FileRejected(name, "文件不存在 (file not found)")
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(name, "文件为空 (empty file)")
    if size > settings.max_file_bytes:
        raise FileRejected(name, f"文件大小 {size} 字节超过上限 {settings.max_file_bytes} (max_file_bytes)")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC) and suffix in CSV_SUFFIXES:
        raise FileRejected(name, "扩展名为CSV，但内容是压缩包/Excel文件，请改正扩展名")
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return _read_workbook_bounded(path, settings, sheet)
    if suffix in SPREADSHEET_SUFFIXES:
        kind = "HTML 网页" if _looks_like_html(path) else "文本或其他格式"
        raise FileRejected(
            name, f"不是有效的Excel文件：扩展名为{suffix}，内容却是{kind}。请在Excel中另存为 .xlsx"
        )
    if suffix in CSV_SUFFIXES or suffix == "":
        if sheet is not None and sheet.strip() != "1":
            raise FileRejected(name, f"CSV/文本文件只有一个表，不能选择工作表“{sheet}”")
        from industry_brain.ingest.csv_reader import read_csv

        return [read_csv(path, settings)]
    raise FileRejected(name, f"不支持的文件类型 {suffix}：请提供 .xlsx、.xls 或 .csv")


def _looks_like_html(path: Path) -> bool:
    with path.open("rb") as fh:
        start = fh.read(512).lstrip().lower()
    return start.startswith((b"<html", b"<!doctype", b"<table", b"<?xml"))


# --- xlsx / ods -----------------------------------------------------------------------------


def _read_workbook_bounded(path: Path, settings: Settings, sheet: str | None) -> list[Grid]:
    """The workbook's scan and load in a child process under the read budget (ingest/budget.py);
    the sheets come back as Arrow files in a folder of our own, removed at once."""
    from industry_brain.ingest.budget import run_bounded

    if settings.import_read_seconds <= 0:
        return _read_workbook(path, settings, sheet)
    folder = Path(tempfile.mkdtemp(prefix="ib-read-"))
    try:
        shapes = run_bounded(
            _read_workbook_to, path, settings, sheet, folder, settings=settings, file=path.name
        )
        grids = []
        for i, shape in enumerate(shapes):
            frame = pl.read_ipc(folder / f"{i}.arrow")
            grids.append(Grid(frame=frame, **shape))
        return grids
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_workbook_to(
    path: Path, settings: Settings, sheet: str | None, folder: Path
) -> list[dict[str, Any]]:
    """In the child: read the workbook, write each sheet's frame, return the rest of each Grid."""
    shapes = []
    for i, grid in enumerate(_read_workbook(path, settings, sheet)):
        grid.frame.write_ipc(folder / f"{i}.arrow", compression="uncompressed")
        shapes.append(
            {
                "first_row": grid.first_row,
                "sheet": grid.sheet,
                "notes": grid.notes,
                "merged": grid.merged,
                "first_col": grid.first_col,
            }
        )
    return shapes


def _read_workbook(path: Path, settings: Settings, sheet: str | None) -> list[Grid]:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        return _read_legacy(path, settings, sheet)
    return _read_zip_spreadsheet(path, settings, sheet)


def _read_zip_spreadsheet(path: Path, settings: Settings, sheet: str | None) -> list[Grid]:
    name = path.name
    with SafeZip(path, settings, name) as archive:
        if "content.xml" in archive.names and "xl/workbook.xml" not in archive.names:
            _scan_members(archive, settings, {}, ods=True)
            return _read_legacy(path, settings, sheet)
        if "xl/workbook.xml" not in archive.names:
            raise FileRejected(name, "压缩包内没有Excel工作簿 (xl/workbook.xml)，不是有效的 .xlsx")
        sheets = pick_sheets(_sheet_members(archive), sheet, name)
        # Every part is inflated and counted, and each chosen sheet measured, before any
        # loader opens the file (see ingest/sheet_scan.py and ingest/zip_guard.py).
        for s in sheets:
            if s.member not in archive.names:
                raise FileRejected(name, f"工作簿缺少工作表 {s.member}")
        _scan_members(archive, settings, {s.member: s.name for s in sheets}, ods=False)
    # The rest of the scan guards no memory, so it runs beside the load: fastexcel releases the
    # interpreter lock while it parses, and the scan's second inflate and regular expressions
    # (about a second per 500 MB of sheet XML) come off the import's critical path.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_scan_sheets, path, settings, [s.member for s in sheets], name)
        grids = _load_sheets(path, settings, [s.name for s in sheets])
        scans = pending.result()
    for grid, scan in zip(grids, scans, strict=True):
        grid.merged, grid.first_col = scan.merged, scan.first_col
        if scan.formulas:
            grid.notes.append(f"工作表含 {scan.formulas} 个公式单元格，已使用其保存的计算结果")
    return grids


def check_workbook(path: Path, settings: Settings) -> None:
    """The safety scan alone, over every worksheet of an .xlsx (or an .ods's content), for a
    reader other than the importer's; run it in the child of run_bounded, before the read."""
    name = path.name
    if path.stat().st_size > settings.max_file_bytes:
        raise FileRejected(name, f"文件大小超过上限 {settings.max_file_bytes} 字节 (max_file_bytes)")
    with path.open("rb") as fh:
        if not fh.read(8).startswith(ZIP_MAGIC):
            return  # .xls (binary, not scanned) and text: the read budget is their bound
    with SafeZip(path, settings, name) as archive:
        if "xl/workbook.xml" not in archive.names:
            _scan_members(archive, settings, {}, ods="content.xml" in archive.names)
            return
        sheets = {s.member: s.name for s in _sheet_members(archive)}
        _scan_members(archive, settings, sheets, ods=False)


def _scan_members(archive: SafeZip, settings: Settings, sheets: dict[str, str], *, ods: bool) -> None:
    """Inflate every part once, whatever the directory says; the chosen sheets, the shared
    strings and an .ods's content go through their scans on the way."""
    file = archive.file
    archive.inflated = 0  # the budget is for this pass; workbook.xml was read within it already
    for info in archive.infos:
        scan: SheetScan | SharedStringsScan | OdsScan | None = None
        if info.filename in sheets:
            scan = SheetScan(file, sheets[info.filename], settings)
        elif info.filename.endswith("sharedStrings.xml"):
            scan = SharedStringsScan(file, settings)
        elif ods and info.filename == "content.xml":
            scan = OdsScan(file, settings)
        for chunk in archive.stream(info):
            if scan is not None:
                scan.feed(chunk)
        if isinstance(scan, SheetScan):
            scan.finish()


@dataclass(frozen=True)
class SheetInfo:
    name: str
    member: str  # the worksheet part of an .xlsx ("" for other formats)
    hidden: bool


def pick_sheets(sheets: list[SheetInfo], wanted: str | None, file: str) -> list[SheetInfo]:
    """The sheet `wanted` names (its name, else its 1-based position), or every visible one."""
    if not sheets:
        raise FileRejected(file, "工作簿中没有工作表")
    if wanted is None:
        return [s for s in sheets if not s.hidden] or sheets
    text = wanted.strip()
    for s in sheets:
        if s.name == wanted or s.name.strip() == text:
            return [s]
    if text.isdigit() and 1 <= int(text) <= len(sheets):
        return [sheets[int(text) - 1]]
    names = "、".join(f"{i}“{s.name}”" for i, s in enumerate(sheets, start=1))
    raise FileRejected(file, f"工作簿中没有工作表“{wanted}”；工作表有：{names}")


_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")


def _attr(tag: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else None


def _sheet_members(archive: SafeZip) -> list[SheetInfo]:
    """The worksheets in workbook order, following workbook.xml and its relationships (chart
    sheets, which hold no cells, are left out)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        rels = ""
    targets = {}
    for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid, target = _attr(rel.group(0), "Id"), _attr(rel.group(0), "Target")
        if rid and target:
            t = target.lstrip("/")
            targets[rid] = t if t.startswith("xl/") else "xl/" + t
    out = []
    for i, tag in enumerate(_SHEET_TAG.findall(workbook), start=1):
        rid = _attr(tag, r"(?:\w+:)?id")
        member = targets.get(rid or "", f"xl/worksheets/sheet{i}.xml")
        if "chartsheets/" in member:
            continue
        state = _attr(tag, "state") or "visible"
        out.append(SheetInfo(_attr(tag, "name") or f"Sheet{i}", member, state != "visible"))
    return out


@dataclass
class _SheetScan:
    formulas: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    first_col: int = 1  # the leftmost column holding a cell (the loaded frame starts there)


# A cell with a value (a styled empty cell, <c r="A1" s="1"/>, is no cell to the readers).
_VALUED_CELL = re.compile(rb'<c r="([A-Z]+)\d+"[^>]*>(?:<f\b[^>]*>[^<]*</f>|<f\b[^>]*/>)?<(?:v|is)\b')
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<f[ >/]")
_FORMULA_NO_VALUE = re.compile(rb"<f\b[^>]*(?:/>|>[^<]*</f>)(?:<v>\s*</v>|<v\s*/>)?</c>")


def col_number(letters: bytes | str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    text = letters.decode() if isinstance(letters, bytes) else letters
    n = 0
    for ch in text:
        n = n * 26 + ord(ch) - 64
    return n


def _scan_sheets(path: Path, settings: Settings, members: list[str], name: str) -> list[_SheetScan]:
    with SafeZip(path, settings, name) as archive:
        return [_scan_sheet_xml(archive, member) for member in members]


def _scan_sheet_xml(archive: SafeZip, member: str) -> _SheetScan:
    """One streaming pass over the sheet XML for what the loaded frame does not tell: formulas
    (refused when a formula has no saved value), merged cells and the first valued column."""
    scan = _SheetScan()
    tail = b""
    name = archive.file
    info = archive.info(member)
    assert info is not None  # the safety scan has found every chosen sheet
    for chunk in archive.stream(info):
        data = tail + chunk
        if not tail:
            scan.first_col = _first_column(data)
        # Most sheets hold no formula: one search settles it for the chunk.
        if _FORMULA.search(data):
            scan.formulas += len(_FORMULA.findall(data[len(tail) :] if tail else data))
            if _FORMULA_NO_VALUE.search(data):
                raise FileRejected(
                    name,
                    "工作表含没有保存计算结果的公式；请在Excel中打开并保存，或将公式粘贴为数值",
                )
        for m in _MERGE.finditer(data):
            scan.merged.append(
                (int(m.group(2)), col_number(m.group(1)), int(m.group(4)), col_number(m.group(3)))
            )
        tail = data[-256:]
    scan.merged = sorted(set(scan.merged))
    return scan


def _first_column(head: bytes) -> int:
    """The leftmost column of the first chunk's cells with a value: the loaded frame starts
    there, while merged ranges are in sheet columns. (A sheet's declared range may start at
    styled empty cells, which the readers drop.)"""
    return min((col_number(c) for c in set(_VALUED_CELL.findall(head))), default=1)


def _read_legacy(path: Path, settings: Settings, sheet: str | None) -> list[Grid]:
    """.xls and .ods: python-calamine gives the sheets, their visibility and merged ranges
    (.xls holds at most 65,536 rows, so opening it twice costs little)."""
    import python_calamine

    name = path.name
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        infos = [
            SheetInfo(m.name, "", m.visible != python_calamine.SheetVisibleEnum.Visible)
            for m in book.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
    except Exception as exc:  # calamine raises its own error types for unreadable files
        raise FileRejected(name, "无法读取Excel文件：文件已损坏，或不是有效的 .xls/.ods 文件") from exc
    chosen = pick_sheets(infos, sheet, name)
    grids = _load_sheets(path, settings, [s.name for s in chosen])
    for grid in grids:
        try:
            calamine_sheet = book.get_sheet_by_name(str(grid.sheet))
            merged = calamine_sheet.merged_cell_ranges or []
            start = calamine_sheet.start
        except Exception:  # merged ranges are a help, not a need: read the cells without them
            merged, start = [], None
        grid.merged = sorted({(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in merged})
        grid.first_col = (start[1] + 1) if start else 1
    return grids


def _load_sheets(path: Path, settings: Settings, names: list[str]) -> list[Grid]:
    import fastexcel

    file = path.name
    grids = []
    try:
        reader = fastexcel.read_excel(path)
        for sheet_name in names:
            sheet = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
            if sheet.width > settings.max_columns:
                raise FileRejected(
                    file, f"工作表有 {sheet.width} 列，超过上限 {settings.max_columns} (max_columns)"
                )
            frame = sheet.to_polars()
            frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
            if frame.height > settings.max_rows:
                raise FileRejected(
                    file, f"工作表有 {frame.height} 行，超过上限 {settings.max_rows} (max_rows)"
                )
            grids.append(Grid(frame=frame, first_row=1, sheet=sheet_name))
    except FileRejected:
        raise
    except Exception as exc:  # fastexcel raises its own error types for unreadable files
        raise FileRejected(file, f"无法读取Excel文件：{exc}") from exc
    return grids


def _first_sheet_text(path: Path, settings: Settings) -> pl.DataFrame:
    """In the read budget's child: the safety scan, then the first sheet with every cell as text."""
    check_workbook(path, settings)
    return pl.read_excel(path, engine="calamine", infer_schema_length=0)


def _first_sheet_cells(path: Path, settings: Settings) -> list[list[Any]]:
    """In the read budget's child: the safety scan, then the first sheet's rows of cell values."""
    from python_calamine import CalamineWorkbook

    check_workbook(path, settings)
    book = CalamineWorkbook.from_path(str(path))
    return [[_plain(c) for c in row] for row in book.get_sheet_by_index(0).to_python()]


def _plain(value: Any) -> Any:
    """A cell as openpyxl gives it: an empty cell is None and a whole number an int (calamine
    gives "" and 2023.0)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def read_first_sheet(path: Path, settings: Settings) -> pl.DataFrame:
    """The first sheet of a workbook as a frame of text (its first row the header), scanned and
    read under the read budget like an import (for files read outside the importer: a facts
    file for `evaluate --input`, a water file for the report)."""
    try:
        return run_bounded_read(_first_sheet_text, path, settings)
    except FileRejected:
        raise
    except Exception as exc:  # the loader's own error types
        raise FileRejected(path.name, f"无法读取文件：{exc}") from exc


def read_first_sheet_cells(path: Path, settings: Settings) -> list[list[Any]]:
    """The first sheet of a workbook as rows of cell values, scanned and read under the budget."""
    try:
        return run_bounded_read(_first_sheet_cells, path, settings)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(path.name, f"无法读取文件：{exc}") from exc


def run_bounded_read(fn: Any, path: Path, settings: Settings) -> Any:
    from industry_brain.ingest.budget import run_bounded

    return run_bounded(fn, path, settings, settings=settings, file=path.name)
