"""Reading a departmental file into a grid of strings, within the configured limits.

Every cell arrives as text (numbers as the spreadsheet shows them, dates as Excel serials), so
the validation step parses every value the same way whatever the file format. A file that
cannot be read raises FileRejected with a reason a department can act on; nothing is written.
"""

from __future__ import annotations

import html
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_CHUNK = 4 * 1024 * 1024


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
    if head.startswith(ZIP_MAGIC):
        if suffix in CSV_SUFFIXES:
            raise FileRejected(name, "扩展名为CSV，但内容是压缩包/Excel文件，请改正扩展名")
        return _read_zip_spreadsheet(path, settings, sheet)
    if head.startswith(OLE_MAGIC):
        return _read_legacy(path, settings, sheet)
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


def _read_zip_spreadsheet(path: Path, settings: Settings, sheet: str | None) -> list[Grid]:
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise FileRejected(name, f"文件已损坏，无法作为Excel打开 ({exc})") from exc
    with archive:
        inflated = sum(info.file_size for info in archive.infolist())
        if inflated > settings.max_uncompressed_bytes:
            raise FileRejected(
                name,
                f"文件解压后达 {inflated} 字节，超过上限 {settings.max_uncompressed_bytes}"
                " (max_uncompressed_bytes)；疑似损坏或恶意文件",
            )
        members = set(archive.namelist())
        if "content.xml" in members and "xl/workbook.xml" not in members:
            return _read_legacy(path, settings, sheet)
        if "xl/workbook.xml" not in members:
            raise FileRejected(name, "压缩包内没有Excel工作簿 (xl/workbook.xml)，不是有效的 .xlsx")
        sheets = pick_sheets(_sheet_members(archive), sheet, name)
        # Each sheet's size is checked before any sheet is loaded (see _check_sheet_size).
        for s in sheets:
            _check_sheet_size(archive, s.member, name, settings)
    # The rest of the scan guards no memory, so it runs beside the load: fastexcel releases the
    # interpreter lock while it parses, and the scan's second inflate and regular expressions
    # (about a second per 500 MB of sheet XML) come off the import's critical path.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_scan_sheets, path, [s.member for s in sheets], name)
        grids = _load_sheets(path, settings, [s.name for s in sheets])
        scans = pending.result()
    for grid, scan in zip(grids, scans, strict=True):
        grid.merged, grid.first_col = scan.merged, scan.first_col
        if scan.formulas:
            grid.notes.append(f"工作表含 {scan.formulas} 个公式单元格，已使用其保存的计算结果")
    return grids


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


def _sheet_members(archive: zipfile.ZipFile) -> list[SheetInfo]:
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


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
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


def _open_member(archive: zipfile.ZipFile, member: str, name: str) -> IO[bytes]:
    try:
        return archive.open(member)
    except KeyError as exc:
        raise FileRejected(name, f"工作簿缺少工作表 {member}") from exc


def _check_sheet_size(archive: zipfile.ZipFile, member: str, name: str, settings: Settings) -> None:
    """A streaming pass over the sheet XML for its declared size and the cells it holds.

    It must come before the sheet is loaded: a reader allocates the whole range its cells span,
    so a sheet declaring or holding a cell a million columns out would exhaust memory before any
    check ran.
    """
    tail = b""
    with _open_member(archive, member, name) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if not tail:
                _check_dimension(data[:4096], name, settings)
            _check_cells(data, name, settings)
            tail = data[-256:]


def _scan_sheets(path: Path, members: list[str], name: str) -> list[_SheetScan]:
    with zipfile.ZipFile(path) as archive:
        return [_scan_sheet_xml(archive, member, name) for member in members]


def _scan_sheet_xml(archive: zipfile.ZipFile, member: str, name: str) -> _SheetScan:
    """One streaming pass over the sheet XML for what the loaded frame does not tell: formulas
    (refused when a formula has no saved value), merged cells and the first valued column."""
    scan = _SheetScan()
    tail = b""
    with _open_member(archive, member, name) as stream:
        while chunk := stream.read(_CHUNK):
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


_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
_HIGH_ROW = re.compile(rb'<row r="(\d{7,})"')


def _check_cells(data: bytes, name: str, settings: Settings) -> None:
    """The cells actually present, for sheets that declare no size (openpyxl and some exports
    write no <dimension>): a cell far to the right or down is refused before loading."""
    letters = set(_WIDE_CELL.findall(data))
    widest = max((col_number(x) for x in letters), default=0)
    if widest > settings.max_columns:
        raise FileRejected(
            name,
            f"工作表在第 {widest} 列有单元格，超过上限 {settings.max_columns} (max_columns)；"
            "请删除多余的空列后再导出",
        )
    rows = [int(r) for r in _HIGH_ROW.findall(data)]
    if rows and max(rows) > settings.max_rows:
        raise FileRejected(name, f"工作表有第 {max(rows)} 行，超过上限 {settings.max_rows} (max_rows)")


def _first_column(head: bytes) -> int:
    """The leftmost column of the first chunk's cells with a value: the loaded frame starts
    there, while merged ranges are in sheet columns. (A sheet's declared range may start at
    styled empty cells, which the readers drop.)"""
    return min((col_number(c) for c in set(_VALUED_CELL.findall(head))), default=1)


def _check_dimension(head: bytes, name: str, settings: Settings) -> None:
    match = _DIMENSION.search(head)
    if not match:
        return
    last_col = match.group(3) or match.group(1)
    last_row = match.group(4) or match.group(2)
    cols, rows = col_number(last_col), int(last_row)
    if cols > settings.max_columns:
        raise FileRejected(
            name,
            f"工作表声明了 {cols} 列，超过上限 {settings.max_columns} (max_columns)；"
            "请删除多余的空列后再导出",
        )
    if rows > settings.max_rows:
        raise FileRejected(name, f"工作表声明了 {rows} 行，超过上限 {settings.max_rows} (max_rows)")


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
        raise FileRejected(name, f"无法读取Excel文件：{exc}") from exc
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
