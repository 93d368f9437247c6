"""Hostile files, generated: zip bombs with honest and lying directories, far column references,
cells and rows without references, shared-string bombs, .ods repeat bombs, files that are not
what their names say. Each case writes its file in a few milliseconds and says which settings
it runs under (small budgets, so that each refusal comes within seconds) and the words the
refusal must contain. Used by tests/test_hostile_files.py and bench/bench_hostile.py.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import code

MB = 1024 * 1024
TAX = ["统一社会信用代码", "企业名称", "实缴税金（万元）"]

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def text_cell(ref: str | None, value: str) -> bytes:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{value}</t></is></c>'.encode()


def header_rows() -> bytes:
    """A real header and one good row, as any hostile sheet starts (it looks importable)."""
    first = b"".join(text_cell(f"{c}1", v) for c, v in zip("ABC", TAX, strict=True))
    second = text_cell("A2", code(1)) + text_cell("B2", "甲") + b'<c r="C2"><v>1</v></c>'
    return b'<row r="1">' + first + b'</row><row r="2">' + second + b"</row>"


def sheet(rows: bytes, *, before: bytes = b"") -> bytes:
    return SHEET_HEAD + before + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def xlsx_parts(sheet_xml: bytes, shared: bytes | None = None) -> dict[str, bytes]:
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def write_zip(path: Path, parts: dict[str, bytes], *, stored: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in parts.items():
            zf.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return path


def lie_about(path: Path, member: str, *, file_size: int, crc: int | None = None) -> Path:
    """Rewrite what the local header and the central directory say of `member`'s inflated
    size (and CRC): the compressed bytes stay as they were."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, crc_at, name_at in ((b"PK\x01\x02", 24, 16, 46), (b"PK\x03\x04", 22, 14, 30)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 4
            length = struct.unpack_from("<H", data, at + (28 if signature == b"PK\x01\x02" else 26))[0]
            if bytes(data[at + name_at : at + name_at + length]) == name:
                struct.pack_into("<L", data, at + size_at, file_size)
                if crc is not None:
                    struct.pack_into("<L", data, at + crc_at, crc)
    path.write_bytes(bytes(data))
    return path


def ods(path: Path, table_xml: bytes) -> Path:
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b'<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        + table_xml
        + b"</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    parts = {
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": content,
        "META-INF/manifest.xml": manifest,
    }
    return write_zip(path, parts, stored=("mimetype",))


def ods_cell(value: str, repeat: int = 1) -> bytes:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    cell = f'<table:table-cell office:value-type="string"{rep}><text:p>{value}</text:p>'
    return (cell + "</table:table-cell>").encode()


def ods_header() -> bytes:
    return b"<table:table-row>" + b"".join(ods_cell(v) for v in TAX) + b"</table:table-row>"


# --- the cases ------------------------------------------------------------------------------


def _honest_bomb(tmp: Path) -> Path:
    parts = xlsx_parts(sheet(header_rows()))
    parts["xl/media/padding.bin"] = bytes(24 * MB)
    return write_zip(tmp / "honest-bomb.xlsx", parts)


def _lying_small(tmp: Path) -> Path:
    """The sheet declares 2,000 bytes (and the CRC of its first 2,000) but inflates to 40 MB:
    a reader trusting the directory stops early and sees nothing wrong; a loader ignoring it
    inflates everything."""
    xml = sheet(header_rows() + b" " * (40 * MB))
    path = write_zip(tmp / "lying-small.xlsx", xlsx_parts(xml))
    return lie_about(path, "xl/worksheets/sheet1.xml", file_size=2000, crc=zlib.crc32(xml[:2000]))


def _lying_large(tmp: Path) -> Path:
    xml = sheet(header_rows())
    path = write_zip(tmp / "lying-large.xlsx", xlsx_parts(xml))
    return lie_about(path, "xl/worksheets/sheet1.xml", file_size=len(xml) + 5000)


def _lying_bomb_other_part(tmp: Path) -> Path:
    parts = xlsx_parts(sheet(header_rows()))
    parts["xl/styles.xml"] = b"<styleSheet>" + b" " * (64 * MB) + b"</styleSheet>"
    path = write_zip(tmp / "lying-styles.xlsx", parts)
    return lie_about(path, "xl/styles.xml", file_size=300)


def _far(ref: str, *, cell: bytes | None = None) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        far = cell if cell is not None else text_cell(ref, "x")
        xml = sheet(header_rows() + b'<row r="3">' + far + b"</row>")
        return write_zip(tmp / f"far-{ref[:20]}.xlsx", xlsx_parts(xml))

    return build


def _dimension_lie(tmp: Path) -> Path:
    xml = sheet(
        header_rows() + b'<row r="3">' + text_cell("ZZ3", "x") + b"</row>", before=b'<dimension ref="A1:C3"/>'
    )
    return write_zip(tmp / "dimension-lie.xlsx", xlsx_parts(xml))


def _refless_wide(tmp: Path) -> Path:
    """50 rows of 100,000 cells that name no position: the loader places them side by side."""
    row = b"<row>" + b"<c><v>1</v></c>" * 100_000 + b"</row>"
    return write_zip(tmp / "refless-wide.xlsx", xlsx_parts(sheet(row * 50)))


def _refless_after_refs(tmp: Path) -> Path:
    row = b'<row r="3">' + text_cell("C3", "x") + b'<c t="inlineStr"><is><t>y</t></is></c>' * 600 + b"</row>"
    return write_zip(tmp / "refless-after.xlsx", xlsx_parts(sheet(header_rows() + row)))


def _rows_without_r(tmp: Path) -> Path:
    rows = b"<row><c><v>1</v></c></row>" * 3000
    return write_zip(tmp / "rows-without-r.xlsx", xlsx_parts(sheet(header_rows() + rows)))


def _shared_declared(tmp: Path) -> Path:
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    return write_zip(tmp / "sst-declared.xlsx", xlsx_parts(sheet(header_rows()), sst))


def _shared_many(tmp: Path) -> Path:
    sst = b"<sst>" + b"<si><t>x</t></si>" * 3000 + b"</sst>"
    return write_zip(tmp / "sst-many.xlsx", xlsx_parts(sheet(header_rows()), sst))


def _tag_too_long(tmp: Path) -> Path:
    cell = b'<c r="A3" x="' + b"a" * (10 * MB) + b'"><v>1</v></c>'
    return write_zip(
        tmp / "long-tag.xlsx", xlsx_parts(sheet(header_rows() + b'<row r="3">' + cell + b"</row>"))
    )


def _not_a_zip(tmp: Path) -> Path:
    path = tmp / "renamed.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    return path


def _text_renamed(tmp: Path) -> Path:
    path = tmp / "text.xlsx"
    path.write_bytes("企业名称,税金\n甲,1\n".encode() * 100)
    return path


def _ole_garbage(tmp: Path) -> Path:
    path = tmp / "garbage.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 2000)
    return path


def _ods_columns(tmp: Path) -> Path:
    row = b"<table:table-row>" + ods_cell("x", 1_000_000) + b"</table:table-row>"
    return ods(tmp / "repeat-columns.ods", ods_header() + row)


def _ods_rows(tmp: Path) -> Path:
    row = b'<table:table-row table:number-rows-repeated="50000000">' + ods_cell("x") + b"</table:table-row>"
    return ods(tmp / "repeat-rows.ods", ods_header() + row)


def _csv_one_line(tmp: Path) -> Path:
    path = tmp / "one-line.csv"
    path.write_bytes(",".join(TAX).encode() + b"\n" + b"x" * (8 * MB))
    return path


def _csv_late_cell(tmp: Path) -> Path:
    path = tmp / "late-cell.csv"
    good = f"{code(1)},甲,1\n".encode()
    path.write_bytes(",".join(TAX).encode() + b"\n" + good * 40 + b'"' + b"x" * MB + '",乙,2\n'.encode())
    return path


def _csv_wide_line(tmp: Path) -> Path:
    path = tmp / "wide-line.csv"
    path.write_bytes(",".join(TAX).encode() + b"," * (4 * MB) + b"\n")
    return path


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    expect: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)


SMALL_BUDGET = {"max_uncompressed_bytes": 16 * MB}
CASES = [
    Case("honest-bomb", _honest_bomb, ("解压后达", "max_uncompressed_bytes"), SMALL_BUDGET),
    Case(
        "lying-directory-small", _lying_small, ("压缩包目录与内容不符", "sheet1.xml", "声明解压后 2000 字节")
    ),
    Case("lying-directory-large", _lying_large, ("压缩包目录与内容不符", "实际不等于此数")),
    Case("lying-directory-other-part", _lying_bomb_other_part, ("压缩包目录与内容不符", "styles.xml")),
    Case("far-column-AAAA1", _far("AAAA3"), ("第 18279 列有单元格", "AAAA3", "超出Excel的最大列 XFD")),
    Case("far-column-XFD1048576", _far("XFD1048576"), ("第 16384 列有单元格", "max_columns")),
    Case("far-column-lowercase", _far("zzzz3"), ("第 475254 列有单元格", "zzzz3")),
    Case(
        "far-column-r-after-s",
        _far("AAAAA3", cell=b'<c s="0" t="inlineStr" r="AAAAA3"><is><t>x</t></is></c>'),
        ("列有单元格", "AAAAA3", "超出Excel的最大列 XFD"),
    ),
    Case(
        "far-column-single-quotes",
        _far("ABCD3", cell=b"<c r='ABCD3' t='inlineStr'><is><t>x</t></is></c>"),
        ("ABCD3", "超出Excel的最大列 XFD"),
    ),
    Case(
        "far-column-prefixed",
        _far("AAAA3", cell=b'<x:c xmlns:x="urn:x" r="AAAA3"><x:v>1</x:v></x:c>'),
        ("AAAA3", "超出Excel的最大列 XFD"),
    ),
    Case("far-row", _far("A99999999999"), ("第 99999999999 行有单元格", "超出Excel的最大行数 1048576")),
    Case(
        "far-row-10000-digits", _far("A" + "9" * 10_000), ("行号超过12位的行有单元格", "超出Excel的最大行数")
    ),
    Case("dimension-lie", _dimension_lie, ("第 702 列有单元格", "ZZ3", "max_columns")),
    Case(
        "cells-without-r", _refless_wide, ("第 1 行、第 513 列有单元格", "未注明位置的单元格", "max_columns")
    ),
    Case("cells-without-r-after-refs", _refless_after_refs, ("第 3 行、第 513 列有单元格", "未注明位置")),
    Case("rows-without-r", _rows_without_r, ("第 1001 行有单元格", "max_rows"), {"max_rows": 1000}),
    Case(
        "shared-strings-declared",
        _shared_declared,
        ("共享字符串表声明 4000000000 个字符串", "max_shared_strings"),
    ),
    Case(
        "shared-strings-many",
        _shared_many,
        ("共享字符串表含有", "max_shared_strings"),
        {"max_shared_strings": 1000},
    ),
    Case("oversized-tag", _tag_too_long, ("超过 1 MB 的XML元素",)),
    Case("zip-magic-garbage", _not_a_zip, ("文件已损坏",)),
    Case("text-renamed-xlsx", _text_renamed, ("不是有效的Excel文件",)),
    Case("ole-garbage-xls", _ole_garbage, ("无法读取Excel文件",)),
    Case("ods-repeated-columns", _ods_columns, ("第 1000000 列有内容", "max_columns")),
    Case("ods-repeated-rows", _ods_rows, ("含重复行", "max_rows")),
    Case("csv-one-huge-line", _csv_one_line, ("超过 131072 个字符的单元格", "32767")),
    Case("csv-huge-cell-late", _csv_late_cell, ("第 42 行第 1 列的单元格有 1048576 个字符", "32767")),
    Case("csv-one-wide-line", _csv_wide_line, ("第 1 行有", "max_columns")),
    Case("overlapping-merges", lambda tmp: overlapping_merges(tmp), ("合并单元格相互重叠",)),
]


def nested_bomb(tmp: Path) -> Path:
    """A good workbook carrying a zip bomb as an embedded object: nothing ever opens the inner
    archive, so the workbook is read as it is."""
    inner = tmp / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", bytes(64 * MB))
    parts = xlsx_parts(sheet(header_rows()))
    parts["xl/embeddings/oleObject1.bin"] = inner.read_bytes()
    return write_zip(tmp / "nested.xlsx", parts, stored=("xl/embeddings/oleObject1.bin",))


def overlapping_merges(tmp: Path) -> Path:
    """2,000 merged ranges over the same rows of column B, each one row shorter: Excel never
    writes ranges that overlap, and filling each down would copy 2 million cells."""
    rows = header_rows() + b"".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{code(r)}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>乙</t></is></c></row>'.encode()
        for r in range(3, 2003)
    )
    ranges = b"".join(f'<mergeCell ref="B{r}:B2002"/>'.encode() for r in range(3, 2002))
    merges = b'<mergeCells count="1999">' + ranges + b"</mergeCells>"
    xml = SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData>" + merges + b"</worksheet>"
    return write_zip(tmp / "overlapping-merges.xlsx", xlsx_parts(xml))
