"""Reading a CSV (or a tab- or semicolon-separated text export) into a grid of strings.

The encoding is UTF-8 (with or without BOM) or else GB18030, a superset of GBK and GB2312,
which is what Chinese Excel and WPS write for "CSV". The delimiter is the one under which the
header line names the most known fields: Excel in some locales writes `;`, and 统计/税务 systems
export tab-separated `.txt`/`.tsv`.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings
from industry_brain.ingest.reader import Grid

DELIMITERS = (",", "\t", ";")
DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号"}
_SNIFF_BYTES = 4 * 1024 * 1024


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


def read_csv(path: Path, settings: Settings) -> Grid:
    try:
        return _read_csv(path, settings)
    except csv.Error as exc:  # the csv module's own limit of one field (131,072 characters)
        raise FileRejected(
            path.name,
            f"CSV中有超过 {csv.field_size_limit()} 个字符的单元格（Excel单元格上限为 32767 个字符）；"
            "疑似损坏或格式错误，已拒收",
        ) from exc


def _read_csv(path: Path, settings: Settings) -> Grid:
    name = path.name
    encoding = detect_encoding(path)
    raw = path.read_bytes()
    if encoding == "gb18030":
        try:
            raw = raw.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                name, f"无法识别文件编码：既不是UTF-8也不是GBK/GB18030（第 {exc.start} 字节）"
            ) from exc
    elif encoding == "utf-8-sig":
        raw = raw[len(codecs.BOM_UTF8) :]
    if b"\x00" in raw[:65536]:
        raise FileRejected(name, "不是文本格式的CSV文件（含二进制内容）")
    lines = raw[:_SNIFF_BYTES].decode("utf-8", "replace").splitlines()[: settings.header_scan_rows]
    delimiter = sniff_delimiter(lines, settings)
    width = _csv_width(lines, delimiter, name, settings)
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        frame = pl.read_csv(
            io.BytesIO(raw),
            has_header=False,
            separator=delimiter,
            schema=schema,
            infer_schema=False,
            quote_char='"',
            raise_if_empty=False,
            missing_columns="insert",
        )
    except pl.exceptions.PolarsError as exc:
        raise FileRejected(
            name,
            _csv_problem(raw, width, delimiter, settings) or f"CSV格式错误：{_first_line(str(exc))}",
        ) from exc
    if frame.height > settings.max_rows:
        raise FileRejected(name, f"文件有 {frame.height} 行，超过上限 {settings.max_rows} (max_rows)")
    notes = [] if encoding.startswith("utf-8") else ["文件编码为GBK/GB18030，已自动转换"]
    if delimiter != ",":
        notes.append(f"文件以{DELIMITER_NAMES[delimiter]}分隔，已自动识别")
    return Grid(frame=frame, first_row=1, sheet=None, notes=notes)


def sniff_delimiter(lines: list[str], settings: Settings) -> str:
    """The delimiter under which some early line names the most known header fields; a comma
    when none does better (a plain CSV costs one split of a few lines per candidate)."""
    from industry_brain.ingest.header import match_header

    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        score = 0
        for line in lines:
            if delimiter not in line or line.count(delimiter) >= settings.max_columns:
                continue  # an over-wide line is refused by _csv_width, not scored cell by cell
            row = next(csv.reader([line], delimiter=delimiter), [])
            score = max(score, sum(1 for cell in row if cell.strip() and match_header(cell)[0]))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_width(lines: list[str], delimiter: str, name: str, settings: Settings) -> int:
    """Fields in the header line (the early line naming the most known fields). A data row
    wider than its header means misaligned values, which the reader refuses by row number."""
    from industry_brain.ingest.header import match_header

    best, best_score = 1, -1
    for i, line in enumerate(lines):
        fields = line.count(delimiter) + 1
        if fields > settings.max_columns:
            raise FileRejected(
                name, f"第 {i + 1} 行有 {fields} 列，超过上限 {settings.max_columns} (max_columns)"
            )
        row = next(csv.reader([line], delimiter=delimiter), [])
        score = sum(1 for cell in row if cell.strip() and match_header(cell)[0])
        if score > best_score:
            best, best_score = len(row), score
    return max(best, 1)


def _csv_problem(raw: bytes, width: int, delimiter: str, settings: Settings) -> str | None:
    """Where a CSV is wider than its header: the first such row, as a department sees it."""
    text = io.StringIO(raw.decode("utf-8", "replace"), newline="")
    for number, row in enumerate(csv.reader(text, delimiter=delimiter), start=1):
        if len(row) > width:
            cap = (
                f"，超过上限 {settings.max_columns} (max_columns)" if len(row) > settings.max_columns else ""
            )
            return f"第 {number} 行有 {len(row)} 列，多于表头的 {width} 列{cap}"
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
