"""Reading a departmental file into a grid of strings, within the configured limits.

Every cell arrives as text (numbers as the spreadsheet shows them, dates as Excel serials), so
the validation step parses every value the same way whatever the file format. A file that
cannot be read raises FileRejected with a reason a department can act on; nothing is written.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
_CHUNK = 4 * 1024 * 1024


@dataclass
class Grid:
    """The first sheet of a file as text. `frame` columns are c0..cN; row i of the frame is
    spreadsheet row `first_row + i` (1-based, as Excel shows it)."""

    frame: pl.DataFrame
    first_row: int
    sheet: str | None
    notes: list[str] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


def read_grid(path: Path, settings: Settings) -> Grid:
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
        return _read_zip_spreadsheet(path, settings)
    if head.startswith(OLE_MAGIC):
        return _read_excel(path, settings, sheet_xml=None)
    if suffix in SPREADSHEET_SUFFIXES:
        kind = "HTML 网页" if _looks_like_html(path) else "文本或其他格式"
        raise FileRejected(
            name, f"不是有效的Excel文件：扩展名为{suffix}，内容却是{kind}。请在Excel中另存为 .xlsx"
        )
    if suffix in CSV_SUFFIXES or suffix == "":
        return _read_csv(path, settings)
    raise FileRejected(name, f"不支持的文件类型 {suffix}：请提供 .xlsx、.xls 或 .csv")


def _looks_like_html(path: Path) -> bool:
    with path.open("rb") as fh:
        start = fh.read(512).lstrip().lower()
    return start.startswith((b"<html", b"<!doctype", b"<table", b"<?xml"))


# --- xlsx / ods -----------------------------------------------------------------------------


def _read_zip_spreadsheet(path: Path, settings: Settings) -> Grid:
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
            return _read_excel(path, settings, sheet_xml=None)
        if "xl/workbook.xml" not in members:
            raise FileRejected(name, "压缩包内没有Excel工作簿 (xl/workbook.xml)，不是有效的 .xlsx")
        sheet_xml = _first_sheet_member(archive)
        scan = _scan_sheet_xml(archive, sheet_xml, name, settings)
    grid = _read_excel(path, settings, sheet_xml=sheet_xml)
    grid.merged = scan.merged
    if scan.formulas:
        grid.notes.append(f"工作表含 {scan.formulas} 个公式单元格，已使用其保存的计算结果")
    return grid


def _first_sheet_member(archive: zipfile.ZipFile) -> str:
    """The worksheet part of the first sheet, following workbook.xml and its relationships."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    first = re.search(r"<(?:\w+:)?sheet\b[^>]*?r:id=\"([^\"]+)\"", workbook)
    if first:
        for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
            tag = rel.group(0)
            if f'Id="{first.group(1)}"' in tag:
                target = re.search(r'Target="([^"]+)"', tag)
                if target:
                    t = target.group(1).lstrip("/")
                    return t if t.startswith("xl/") else "xl/" + t
    return "xl/worksheets/sheet1.xml"


@dataclass
class _SheetScan:
    formulas: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
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


def _scan_sheet_xml(archive: zipfile.ZipFile, member: str, name: str, settings: Settings) -> _SheetScan:
    """One streaming pass over the sheet XML: its declared size, formulas, merged cells.

    The size check must come before the sheet is loaded: a reader allocates the whole declared
    range, so a sheet declaring a million columns would exhaust memory before any check ran.
    """
    scan = _SheetScan()
    try:
        stream = archive.open(member)
    except KeyError as exc:
        raise FileRejected(name, f"工作簿缺少工作表 {member}") from exc
    tail = b""
    first = True
    with stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            if first:
                _check_dimension(data[:4096], name, settings)
                first = False
            scan.formulas += len(_FORMULA.findall(data[len(tail) :] if tail else data))
            bad = _FORMULA_NO_VALUE.search(data)
            if bad:
                raise FileRejected(
                    name, "工作表含没有保存计算结果的公式；请在Excel中打开并保存，或将公式粘贴为数值"
                )
            _check_cells(data, name, settings)
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


def _read_excel(path: Path, settings: Settings, sheet_xml: str | None) -> Grid:
    import fastexcel

    name = path.name
    try:
        reader = fastexcel.read_excel(path)
        sheet_names = reader.sheet_names
        if not sheet_names:
            raise FileRejected(name, "工作簿中没有工作表")
        sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
        if sheet.width > settings.max_columns:
            raise FileRejected(
                name, f"工作表有 {sheet.width} 列，超过上限 {settings.max_columns} (max_columns)"
            )
        frame = sheet.to_polars()
    except FileRejected:
        raise
    except Exception as exc:  # fastexcel raises its own error types for unreadable files
        raise FileRejected(name, f"无法读取Excel文件：{exc}") from exc
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    if frame.height > settings.max_rows:
        raise FileRejected(name, f"工作表有 {frame.height} 行，超过上限 {settings.max_rows} (max_rows)")
    return Grid(frame=frame, first_row=1, sheet=sheet_names[0])


# --- csv ------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the file decodes as UTF-8, else GB18030 (a superset of
    GBK and GB2312, which is what Chinese Excel writes for 'CSV')."""
    with path.open("rb") as fh:
        head = fh.read(1024 * 1024)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _read_csv(path: Path, settings: Settings) -> Grid:
    name = path.name
    encoding = detect_encoding(path)
    raw = path.read_bytes()
    if encoding == "gb18030":
        try:
            raw = raw.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                name, f"无法识别文件编码：既不是UTF-8也不是GBK（第 {exc.start} 字节）"
            ) from exc
    elif encoding == "utf-8-sig":
        raw = raw[len(codecs.BOM_UTF8) :]
    if b"\x00" in raw[:65536]:
        raise FileRejected(name, "不是文本格式的CSV文件（含二进制内容）")
    width = _csv_width(raw, name, settings)
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        frame = pl.read_csv(
            io.BytesIO(raw),
            has_header=False,
            schema=schema,
            infer_schema=False,
            quote_char='"',
            raise_if_empty=False,
            missing_columns="insert",
        )
    except pl.exceptions.PolarsError as exc:
        raise FileRejected(
            name, _csv_problem(raw, width, settings) or f"CSV格式错误：{_first_line(str(exc))}"
        ) from exc
    if frame.height > settings.max_rows:
        raise FileRejected(name, f"文件有 {frame.height} 行，超过上限 {settings.max_rows} (max_rows)")
    notes = [] if encoding.startswith("utf-8") else ["文件编码为GBK/GB18030，已自动转换"]
    return Grid(frame=frame, first_row=1, sheet=None, notes=notes)


def _csv_width(raw: bytes, name: str, settings: Settings) -> int:
    """Fields in the header line (the early line naming the most known fields). A data row
    wider than its header means misaligned values, which the reader refuses by row number."""
    import csv

    from industry_brain.ingest.header import match_header

    lines = raw[: 4 * 1024 * 1024].decode("utf-8", "replace").splitlines()
    best, best_score = 1, -1
    for i, line in enumerate(lines[: settings.header_scan_rows]):
        fields = line.count(",") + 1
        if fields > settings.max_columns:
            raise FileRejected(
                name, f"第 {i + 1} 行有 {fields} 列，超过上限 {settings.max_columns} (max_columns)"
            )
        row = next(csv.reader([line]), [])
        score = sum(1 for cell in row if cell.strip() and match_header(cell)[0])
        if score > best_score:
            best, best_score = len(row), score
    return max(best, 1)


def _csv_problem(raw: bytes, width: int, settings: Settings) -> str | None:
    """Where a CSV is wider than its header: the first such row, as a department sees it."""
    import csv

    text = io.StringIO(raw.decode("utf-8", "replace"), newline="")
    for number, row in enumerate(csv.reader(text), start=1):
        if len(row) > width:
            cap = (
                f"，超过上限 {settings.max_columns} (max_columns)" if len(row) > settings.max_columns else ""
            )
            return f"第 {number} 行有 {len(row)} 列，多于表头的 {width} 列{cap}"
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
