"""The safety scan of a workbook's XML, before any loader sees it: how wide and how deep each
sheet really is, and how many shared strings the workbook holds.

A loader allocates the whole range its cells span, and calamine places cells the way Excel
does: by the cell's `r` reference (any number of letters, either case) or, without one, next
to the previous cell of the row, in a row numbered by its own `r` or else next to the previous
row. The scan follows the same rules on the XML as it streams past (bounded chunks, never the
whole part), so a cell a million columns out, or the thousandth cell of a row that names no
position, is refused the moment it appears. A sheet's <dimension> is checked (a sheet declaring
more than the limits is refused) but never trusted: the cells are counted themselves.

Most chunks of a real sheet are cells that all carry `<c r="…">`; for those, a few byte counts
and one regular expression settle the chunk at C speed. Any other chunk (cells or rows without
references, prefixed tags, other quoting) is walked tag by tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from industry_brain.core.errors import FileRejected
from industry_brain.core.settings import Settings

EXCEL_COLUMNS = 16_384  # XFD
EXCEL_ROWS = 1_048_576
MAX_TAG_BYTES = 1 << 20  # no element of a real sheet comes near a megabyte

_ATTRS = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_TOKEN = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])" + _ATTRS + rb">")
_WHOLE_TAG = re.compile(rb"<[^<>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*)*>")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # the tail of a prefixed <x:c>, <x:row>
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"([A-Za-z]*)(\d+)")
_LAST_ROW = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')


def _number(digits: bytes) -> int:
    """A row number as written; past any sheet's depth it stays past it, however long (int()
    refuses strings of more than 4,300 digits)."""
    digits = digits.lstrip(b"0") or b"0"
    return int(digits) if len(digits) <= 12 else EXCEL_ROWS**2


def letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_number(text: bytes) -> int:
    """'A' -> 1, 'xfd' -> 16384; letters beyond any sheet's width come out as they are, big."""
    n = 0
    for ch in text.upper():
        n = n * 26 + ch - 64
    return n


def _beyond(limit: int) -> str:
    """A pattern for column letters naming a column past `limit` (SR = 512: SS…SZ, T…Z + a
    letter, or three letters and more), either case, so that one search finds an offending
    cell. The cases are spelled out: a case-insensitive pattern loses the literal prefix that
    makes the search fast."""
    last = letters(limit)
    n = len(last)

    def above(ch: str) -> str:
        nxt = chr(ord(ch) + 1)
        return f"[{nxt}-Z{nxt.lower()}-z]"

    alternatives = [f"[A-Za-z]{{{n + 1},}}"]
    for i, ch in enumerate(last):
        if ch < "Z":
            head = "".join(f"[{c}{c.lower()}]" for c in last[:i])
            rest = f"[A-Za-z]{{{n - i - 1}}}" if n - i - 1 else ""
            alternatives.append(f"{head}{above(ch)}{rest}")
    return "|".join(alternatives)


def _within(limit: int) -> str:
    """A pattern for column letters naming a column up to `limit`, either case (SR = 512: one
    letter, A…R + a letter, or SA…SR)."""
    last = letters(limit)
    n = len(last)
    alternatives = [f"[A-Za-z]{{1,{n - 1}}}"] if n > 1 else []
    for i, ch in enumerate(last):
        head = "".join(f"[{c}{c.lower()}]" for c in last[:i])
        rest = f"[A-Za-z]{{{n - i - 1}}}" if n - i - 1 else ""
        if ch > "A":
            below = chr(ord(ch) - 1)
            alternatives.append(f"{head}[A-{below}a-{below.lower()}]{rest}")
    alternatives.append("".join(f"[{c}{c.lower()}]" for c in last))
    return "|".join(alternatives)


@dataclass(frozen=True)
class Limits:
    columns: int
    rows: int

    @staticmethod
    def of(settings: Settings) -> Limits:
        return Limits(min(settings.max_columns, EXCEL_COLUMNS), min(settings.max_rows, EXCEL_ROWS))


class SheetScan:
    """Fed a worksheet part chunk by chunk; raises FileRejected at the first cell out of bounds."""

    def __init__(self, file: str, sheet: str, settings: Settings) -> None:
        self.file, self.sheet, self.settings = file, sheet, settings
        self.limits = Limits.of(settings)
        # One search settles an ordinary chunk: each `<c` is looked at once, and only one
        # not followed by r="…" naming a column within the limit and a row under 1,000,000
        # makes the chunk walked tag by tag (which checks the rest exactly).
        within = _within(self.limits.columns).encode()
        self.odd = re.compile(rb'<c(?! r="(?:' + within + rb')[0-9]{1,6}")')
        self.row_index = 0  # 0-based, as calamine counts: the row a cell without `r` lands in
        self.col_index = 0
        self.carry = b""
        self.first = True

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk if self.carry else chunk
        end = data.rfind(b"<")
        if end >= 0 and not _WHOLE_TAG.match(data, end):
            self.carry = data[end:]  # a tag split by the chunk: it waits for the rest
            if len(self.carry) > MAX_TAG_BYTES:
                raise FileRejected(
                    self.file, f"工作表“{self.sheet}”含超过 1 MB 的XML元素；疑似损坏或恶意文件"
                )
        else:
            self.carry, end = b"", len(data)
        if self.first:
            self.first = False
            self._dimension(data[: min(end, 4096)])
        # Searched up to `end`, not sliced: a 4 MB copy per chunk is a tenth of the scan.
        if self.odd.search(data, 0, end) is None and _PREFIXED.search(data, 0, end) is None:
            self._fast(data, end)
        else:
            self._walk(data, end)

    def finish(self) -> None:
        if self.carry:
            self._walk(self.carry, len(self.carry))
            self.carry = b""

    def _fast(self, data: bytes, end: int) -> None:
        """Every cell of the chunk has `<c r="…">` within the limits: only where a cell without
        `r` in a later chunk would land is left to follow."""
        # Where a cell without `r` in a later chunk would land.
        last_row = _LAST_ROW.match(data, max(0, data.rfind(b"<row", 0, end)), end)
        if last_row is not None:
            row = _number(last_row.group(1))
            self.row_index = row - 1 + data.count(b"</row>", last_row.start(), end)
        else:
            self.row_index += data.count(b"</row>", 0, end)
        last_cell = data.rfind(b'<c r="', 0, end)
        if data.rfind(b"</row>", 0, end) > last_cell:
            self.col_index = 0
        elif last_cell >= 0:
            ref = _REF.match(data, last_cell + 6, end)
            self.col_index = column_number(ref.group(1)) if ref else self.col_index

    def _walk(self, data: bytes, end: int) -> None:
        for m in _TOKEN.finditer(data, 0, end):
            closing, name, attrs = m.group(1), m.group(2), m.group(3)
            if closing:
                if name == b"row":
                    self.row_index, self.col_index = self.row_index + 1, 0
                else:
                    self.col_index += 1
                continue
            ref = _R_ATTR.search(attrs)
            value = (ref.group(1) if ref.group(1) is not None else ref.group(2)) if ref else None
            empty = attrs.rstrip().endswith(b"/")
            if name == b"row":
                if value is not None:
                    self.row_index = self._row_of(value) - 1
                if empty:
                    self.row_index, self.col_index = self.row_index + 1, 0
                continue
            if value is not None:
                _, col = self._cell_at(value)
                self.col_index = col - 1
            else:
                self._check(self.row_index + 1, self.col_index + 1, None)
            if empty:
                self.col_index += 1

    def _row_of(self, value: bytes) -> int:
        m = _REF.fullmatch(value.strip())
        if not m:
            raise self._bad_ref(value)
        row = _number(m.group(2))
        if row > self.limits.rows:
            self._refuse_row(row, None)
        return row

    def _cell_at(self, value: bytes) -> tuple[int, int]:
        m = _REF.fullmatch(value.strip())
        if not m or not m.group(1):
            raise self._bad_ref(value)
        col = column_number(m.group(1)) if len(m.group(1)) <= 7 else EXCEL_COLUMNS**2
        row = _number(m.group(2))
        self._check(row, col, value.decode("ascii", "replace"))
        return row, col

    def _check(self, row: int, col: int, ref: str | None) -> None:
        if col > self.limits.columns:
            self._refuse_column(row, col, ref)
        if row > self.limits.rows:
            self._refuse_row(row, ref)

    def _bad_ref(self, value: bytes) -> FileRejected:
        text = value[:40].decode("utf-8", "replace")
        return FileRejected(self.file, f"工作表“{self.sheet}”含无效的单元格位置“{text}”；文件已损坏")

    def _refuse_column(self, row: int, col: int, ref: str | None) -> None:
        if col > EXCEL_COLUMNS:
            limit = f"超出Excel的最大列 XFD（第 {EXCEL_COLUMNS} 列）"
            col_text = "超过 16384 " if col > EXCEL_COLUMNS**2 - 1 else f"{col} "
        else:
            limit = f"超过列数上限 {self.settings.max_columns} (max_columns)"
            col_text = f"{col} "
        where = f"单元格 {ref[:20]}" if ref else "未注明位置的单元格（按顺序数）"
        raise FileRejected(
            self.file,
            f"工作表“{self.sheet}”第 {min(row, EXCEL_ROWS**2)} 行、第 {col_text}列有单元格（{where}），"
            f"{limit}；请删除多余的空列后再导出，已拒收，未读取",
        )

    def _refuse_row(self, row: int, ref: str | None) -> None:
        if row > EXCEL_ROWS:
            limit = f"超出Excel的最大行数 {EXCEL_ROWS}"
        else:
            limit = f"超过行数上限 {self.settings.max_rows} (max_rows)"
        where = f"（单元格 {ref[:20]}）" if ref else ""
        at = f"第 {row} 行" if row < EXCEL_ROWS**2 else "行号超过12位的行"
        raise FileRejected(self.file, f"工作表“{self.sheet}”{at}有单元格{where}，{limit}；已拒收，未读取")

    def _dimension(self, head: bytes) -> None:
        """The declared size: a sheet declaring more than the limits is refused (a loader may
        size itself by it); a smaller declaration proves nothing and the cells are still counted."""
        match = _DIMENSION.search(head)
        if not match:
            return
        cols = (
            column_number(match.group(3) or match.group(1)) if len(match.group(1)) <= 7 else EXCEL_COLUMNS**2
        )
        rows = int((match.group(4) or match.group(2))[:12])
        if cols > self.limits.columns:
            raise FileRejected(
                self.file,
                f"工作表声明了 {cols} 列，超过上限 {self.settings.max_columns} (max_columns)；"
                "请删除多余的空列后再导出",
            )
        if rows > self.limits.rows:
            raise FileRejected(
                self.file, f"工作表声明了 {rows} 行，超过上限 {self.settings.max_rows} (max_rows)"
            )


_SST = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sst\b" + _ATTRS + rb">")
_COUNT_ATTR = re.compile(rb"(?:^|\s)(?:uniqueCount|count)\s*=\s*[\"']\s*(\d+)")
_PREFIXED_SI = re.compile(rb"<[A-Za-z_][\w.\-]*:si[\s/>]")


class SharedStringsScan:
    """Counts the shared strings (a loader reserves room for as many as the part declares)."""

    def __init__(self, file: str, settings: Settings) -> None:
        self.file, self.limit = file, settings.max_shared_strings
        self.count = 0
        self.tail = b""
        self.head = b""

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < 4096:
            self.head += chunk[:4096]
            if (m := _SST.search(self.head)) is not None:
                declared = max((int(d[:15]) for d in _COUNT_ATTR.findall(m.group(1))), default=0)
                if declared > self.limit:
                    self._refuse(declared, "声明")
        data = self.tail + chunk  # the tail is 3 bytes: it holds no whole "<si>" of its own
        self.count += data.count(b"<si>") + data.count(b"<si ") + data.count(b"<si/")
        if b":si" in data:
            self.count += len(_PREFIXED_SI.findall(data))
        self.tail = data[-3:]
        if self.count > self.limit:
            self._refuse(self.count, "含有")

    def _refuse(self, n: int, verb: str) -> None:
        raise FileRejected(
            self.file,
            f"工作簿共享字符串表{verb} {n} 个字符串，超过上限 {self.limit} (max_shared_strings)；"
            "疑似损坏或恶意文件，已拒收",
        )


_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])" + _ATTRS + rb">"
)
_ODS_REPEAT = re.compile(rb"table:number-(?:rows|columns)-repeated\s*=\s*[\"']\s*(\d+)")
_ODS_NAME = re.compile(rb"table:name\s*=\s*\"([^\"]*)\"")


class OdsScan:
    """content.xml of an .ods: rows and cells repeat by attribute, so a few bytes can stand for
    a sheet of any size. Each valued cell's position, repeats included, is checked."""

    def __init__(self, file: str, settings: Settings) -> None:
        self.file, self.settings = file, settings
        self.limits = Limits.of(settings)
        self.sheet = ""
        self.row = 0  # rows before the current one
        self.repeat = 1
        self.col = 0
        self.valued = False
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut >= 0 and not _WHOLE_TAG.match(data, cut):
            self.carry, data = data[cut:], data[:cut]
            if len(self.carry) > MAX_TAG_BYTES:
                raise FileRejected(self.file, "表格含超过 1 MB 的XML元素；疑似损坏或恶意文件")
        else:
            self.carry = b""
        for m in _ODS_TOKEN.finditer(data):
            self._token(m.group(1) == b"/", m.group(2), m.group(3))

    def _token(self, closing: bool, name: bytes, attrs: bytes) -> None:
        empty = attrs.rstrip().endswith(b"/")
        if name == b"table":
            if not closing:
                found = _ODS_NAME.search(attrs)
                self.sheet = found.group(1).decode("utf-8", "replace")[:50] if found else ""
                self.row, self.col = 0, 0
            return
        if name == b"table-row":
            if closing or empty:
                self._end_row()
            if not closing:
                self.repeat = self._repeats(attrs)
                self.col, self.valued = 0, False
                if empty:
                    self._end_row()
            return
        if closing:
            return
        n = self._repeats(attrs)
        if not empty or b"office:value-type" in attrs:
            self.valued = True
            self._check(self.row + 1, self.col + n)
        self.col += n

    def _end_row(self) -> None:
        if self.valued:
            self._check(self.row + self.repeat, 1)
        self.row += self.repeat
        self.repeat, self.valued = 1, False

    @staticmethod
    def _repeats(attrs: bytes) -> int:
        m = _ODS_REPEAT.search(attrs)
        return int(m.group(1)[:12]) if m else 1

    def _check(self, row: int, col: int) -> None:
        s = self.settings
        if col > self.limits.columns:
            raise FileRejected(
                self.file,
                f"表格“{self.sheet}”第 {self.row + 1} 行在第 {col} 列有内容（含重复单元格），"
                f"超过列数上限 {min(s.max_columns, EXCEL_COLUMNS)} (max_columns)；已拒收，未读取",
            )
        if row > self.limits.rows:
            raise FileRejected(
                self.file,
                f"表格“{self.sheet}”第 {row} 行有内容（含重复行），超过行数上限 "
                f"{min(s.max_rows, EXCEL_ROWS)} (max_rows)；已拒收，未读取",
            )
