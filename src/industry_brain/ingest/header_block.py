"""The rows around a header that statistical reports (统计报表) add: a second header row under
merged cells, a 栏次 row (甲 乙 1 2 3 …), a units row (万元 万元 人 …); and merged cells in data.

Frame coordinates throughout: offset o is frame row o (sheet row o + grid.first_row), column j
is frame column cj (sheet column j + grid.first_col). A sheet without merged ranges, 栏次 row or
units row costs one look at the two rows under its header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from industry_brain.core.errors import FileRejected
from industry_brain.core.text import squash, to_halfwidth
from industry_brain.core.units import Dimension, factor, split_header
from industry_brain.ingest.reader import Grid
from industry_brain.ingest.templates import FIELD_BY_NAME, header_index

Match = Callable[[str], tuple[str | None, str | None]]
Merge = tuple[int, int, int, int]  # r0, c0, r1, c1 in frame coordinates, inclusive

_COLUMN_NUMBER = re.compile(r"^(栏次|[甲乙丙丁戊己庚辛壬癸]|\d{1,3})$")
_WHOLE = re.compile(r"\.0+$")  # a number cell read as text: 1 may arrive as "1.0"
_CODE_LIKE = re.compile(r"^[0-9A-Z]{18}$")
_NUMBER_LIKE = re.compile(r"^[+-]?[\d,]+(\.\d+)?$")
# Cells a units row holds besides units: dashes for columns without one, the 栏次 letters.
_UNIT_ROW_FILLERS = {"-", "--", "—", "——", "/", "计量单位", "单位", "甲", "乙", "丙", "丁"}
_OTHER_UNITS = {"个", "家", "项", "%", "‰", "台", "套", "户", "元/人", "万元/亩", "年", "月"}


@dataclass
class HeaderBlock:
    first: int  # offset of the (first) header row
    last: int  # offset of the last row that belongs to the header (data starts after it)
    cells: list[str | None]  # one header text per column, for matching
    labels: list[str | None]  # the same, as the file shows it (用地面积/自有(亩))
    row_units: dict[int, str] = field(default_factory=dict)  # column -> unit from a units row
    units_row: int | None = None  # spreadsheet row of the units row
    notes: list[str] = field(default_factory=list)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _row(grid: Grid, offset: int) -> list[str | None]:
    if offset < 0 or offset >= grid.frame.height:
        return [None] * grid.frame.width
    return [_text(v) for v in grid.frame.row(offset)]


def frame_merges(grid: Grid) -> list[Merge]:
    out = []
    for r0, c0, r1, c1 in grid.merged:
        a, b = r0 - grid.first_row, r1 - grid.first_row
        x, y = max(c0 - grid.first_col, 0), min(c1 - grid.first_col, grid.frame.width - 1)
        if b >= 0 and y >= x:
            out.append((a, x, b, y))
    return out


def letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _ref(grid: Grid, m: Merge) -> str:
    r0, c0, r1, c1 = m
    first = f"{letters(c0 + grid.first_col)}{r0 + grid.first_row}"
    return f"{first}:{letters(c1 + grid.first_col)}{r1 + grid.first_row}"


def _filled(grid: Grid, merges: list[Merge], offset: int) -> list[str | None]:
    """A header row with each merged value in every cell of its range."""
    cells = _row(grid, offset)
    for r0, c0, r1, c1 in merges:
        if r0 <= offset <= r1:
            value = _row(grid, r0)[c0] if r0 >= 0 else None
            for j in range(c0, c1 + 1):
                cells[j] = value
    return cells


def _looks_like_data(cells: list[str | None]) -> bool:
    normal = [squash(to_halfwidth(c)).upper() for c in cells if c]
    return any(_CODE_LIKE.match(c) for c in normal)


def _parent_row(grid: Grid, merges: list[Merge], best: int) -> int | None:
    """The first of two header rows, when merged cells make the header two rows deep: a cell
    merged across several columns with column names under it, or a cell merged down over both
    rows. A title merged across the whole sheet is not a header."""
    used = [j for j, c in enumerate(_row(grid, best)) if c]
    width = (min(used), max(used)) if used else (0, 0)
    for parent in (best, best - 1):
        if parent < 0 or parent + 1 >= grid.frame.height:
            continue
        child = _row(grid, parent + 1)
        # A second header row names columns: a credit code or any figure makes it data.
        if _looks_like_data(child) or any(_NUMBER_LIKE.match(squash(c)) for c in child if c):
            continue
        for r0, c0, r1, c1 in merges:
            if r0 <= parent and r1 >= parent + 1 and r0 >= best - 1:
                return parent
            title = c0 <= width[0] and c1 >= width[1]
            if not (r1 == parent and c1 > c0 and not title and c0 <= width[1]):
                continue  # checked before the cells under it: a sheet may hold a merge a row
            under = [c for j in range(c0, c1 + 1) if (c := child[j])]
            if under and not any(_NUMBER_LIKE.match(u) for u in under):
                return parent
    return None


def _combine(parent: str, child: str, match: Match) -> tuple[str, bool]:
    """One column name from a merged parent and the name under it; True when only the parent
    names a field (本年/上年 under 实缴税金), which is ambiguous if it happens twice."""
    name, unit = match(child)
    term_p, unit_p = split_header(parent)
    if name is not None:
        return (f"{child}({unit_p})" if unit is None and unit_p else child), False
    term_c, unit_c = split_header(child)
    index = header_index()
    for candidate in (term_c + term_p, term_p + term_c):
        if candidate in index:
            written = unit_c or unit_p
            return (f"{candidate}({written})" if written else candidate), False
    if match(parent)[0] is not None:
        return (f"{term_p}({unit_c or unit_p})" if (unit_c or unit_p) else term_p), True
    return parent + child, False


def header_block(grid: Grid, best: int, file: str, match: Match) -> HeaderBlock:
    """The header of a sheet whose best-matching row is `best`: one row, or two under merged
    cells combined into one name per column (用地面积 over 自有(亩) → 自有用地面积(亩))."""
    cells = _row(grid, best)
    merges = frame_merges(grid) if grid.merged else []
    parent = _parent_row(grid, merges, best) if merges else None
    if parent is None:
        return HeaderBlock(best, best, cells, list(cells))
    top, under = _filled(grid, merges, parent), _filled(grid, merges, parent + 1)
    texts: list[str | None] = []
    labels: list[str | None] = []
    parent_only: dict[int, list[int]] = {}
    for j, (p, c) in enumerate(zip(top, under, strict=True)):
        if not c or c == p or not p:
            texts.append(p or c)
            labels.append(p or c)
            continue
        text, ambiguous = _combine(p, c, match)
        texts.append(text)
        labels.append(f"{p}/{c}")
        if ambiguous:
            parent_only.setdefault(_merge_of(merges, parent, j), []).append(j)
    for key, columns in parent_only.items():
        if len(columns) > 1 and key >= 0:
            m = merges[key]
            names = "”“".join(str(under[j]) for j in columns)
            raise FileRejected(
                file,
                f"表头含合并单元格 {_ref(grid, m)}：“{top[columns[0]]}”下的“{names}”都只能理解为"
                f"{FIELD_BY_NAME[match(str(top[columns[0]]))[0] or ''].header}，无法确定用哪一列；"
                "请只保留一列，或改用标准列名（可参照标准模板）",
            )
    rows = f"第 {parent + grid.first_row}、{parent + grid.first_row + 1} 行"
    return HeaderBlock(
        parent, parent + 1, texts, labels, notes=[f"{rows}为两行表头（含合并单元格），已合并为一行列名"]
    )


def _merge_of(merges: list[Merge], row: int, column: int) -> int:
    for k, (r0, c0, r1, c1) in enumerate(merges):
        if r0 <= row <= r1 and c0 <= column <= c1:
            return k
    return -1


def _is_column_numbers(cells: list[str | None], header: list[str | None]) -> bool:
    """A 栏次 row: 甲 乙 丙 … for the descriptive columns, 1 2 3 … for the figures, under
    every named column (a data row that lacks its code and is named 甲 is not one)."""
    if any(h and not c for h, c in zip(header, cells, strict=False)):
        return False
    normal = [_WHOLE.sub("", squash(to_halfwidth(c))) for c in cells if c]
    digits = [int(c) for c in normal if c.isdigit()]
    numbered = digits == list(range(digits[0], digits[0] + len(digits))) if digits else False
    return len(normal) >= 2 and numbered and all(_COLUMN_NUMBER.match(c) for c in normal)


def _any_unit(text: str) -> bool:
    return any(factor(d, text) is not None for d in Dimension)


def _is_units_row(cells: list[str | None]) -> bool:
    """Units in place of the figures' column names' brackets: every filled cell a unit or a
    filler (—, 甲/乙 …), and at least one a unit of some dimension."""
    normal = [squash(to_halfwidth(c)) for c in cells if c]
    if not normal:
        return False
    fits = all(c in _UNIT_ROW_FILLERS or c in _OTHER_UNITS or _any_unit(c) for c in normal)
    return fits and any(_any_unit(c) for c in normal)


def rows_under(grid: Grid, block: HeaderBlock) -> HeaderBlock:
    """Takes in the 栏次 row and the units row (either order, each at most once) under the
    header. They belong to the header: they are neither read nor counted as skipped rows."""
    seen: set[str] = set()
    for _ in range(2):
        offset = block.last + 1
        if offset >= grid.frame.height:
            break
        cells = _row(grid, offset)
        sheet_row = offset + grid.first_row
        if "numbers" not in seen and _is_column_numbers(cells, block.cells):
            seen.add("numbers")
            block.notes.append(f"第 {sheet_row} 行为栏次行（甲、乙、1、2…），作为表头的一部分跳过")
        elif "units" not in seen and _is_units_row(cells):
            seen.add("units")
            block.row_units = {j: squash(to_halfwidth(c)) for j, c in enumerate(cells) if c}
            block.units_row = sheet_row
            block.notes.append(f"第 {sheet_row} 行为计量单位行，各列单位按该行换算")
        else:
            break
        block.last = offset
    return block


def fill_down(grid: Grid, start: int, file: str = "") -> None:
    """Cells merged down in the data (a township over its enterprises' rows): the value is
    filled into every row of its merged range and no further; nothing is filled across."""
    columns: dict[int, tuple[list[int], list[str]]] = {}
    filled, room = 0, grid.frame.height * max(grid.frame.width, 1)
    for r0, c0, r1, _ in frame_merges(grid):
        if r0 < start or r1 <= r0 or r0 >= grid.frame.height:
            continue
        filled += min(r1, grid.frame.height - 1) - r0
        if filled > room:  # only ranges that overlap (which Excel never writes) can fill more
            raise FileRejected(
                file, "工作表的合并单元格相互重叠；文件已损坏或被篡改，请在Excel中取消合并后再导出"
            )
        value = _row(grid, r0)[c0]
        if value is None:
            continue
        if _NUMBER_LIKE.match(squash(value)):
            # A figure merged over several rows belongs to none of them alone: copying it into
            # each would count it once per row. It stays on the first row, and the file says so.
            first, last = r0 + grid.first_row, r1 + grid.first_row
            grid.notes.append(f"第 {first}-{last} 行合并了数值单元格（{value}），只计入第 {first} 行")
            continue
        rows = list(range(r0 + 1, min(r1, grid.frame.height - 1) + 1))
        at, values = columns.setdefault(c0, ([], []))
        at.extend(rows)
        values.extend([value] * len(rows))
    if not columns:
        return
    grid.frame = grid.frame.with_columns(
        grid.frame[f"c{j}"].scatter(at, pl.Series(values, dtype=pl.String))
        for j, (at, values) in columns.items()
    )
