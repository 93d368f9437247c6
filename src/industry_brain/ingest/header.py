"""Finding the header row of a departmental sheet and mapping its columns to fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from industry_brain.core.errors import FileRejected
from industry_brain.core.text import squash, to_halfwidth
from industry_brain.core.units import Dimension, factor, known_units, split_header
from industry_brain.ingest.header_block import HeaderBlock, header_block, rows_under
from industry_brain.ingest.reader import Grid
from industry_brain.ingest.templates import (
    FIELD_BY_NAME,
    TEMPLATES,
    Kind,
    Template,
    carries,
    header_index,
    templates_for,
)

# "单位：万元", "计量单位：万元", "金额单位：元" — but not "填报单位：奉化区统计局" (who filled it in).
_UNIT_LINE = re.compile(r"(?:^|[\s,，;；(（])(?:计量|金额|面积|货币)?单位[:：]\s*([^\s,，;；)）]+)")
_BRACKET = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
_INNER_BRACKETS = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")
# What a units row writes under a column without a unit.
_UNIT_FILLERS = {"-", "--", "—", "——", "/", "计量单位", "单位", "甲", "乙", "丙", "丁"}


@dataclass(frozen=True)
class Column:
    index: int  # frame column cN
    header: str  # as written in the file
    field: str | None  # None: not part of the template, ignored
    factor: float = 1.0
    unit: str | None = None


@dataclass
class Layout:
    header_row: int  # 1-based spreadsheet row of the header (the first, when two rows deep)
    # Index in the grid frame of the header's last row: the header itself, or the 栏次 or
    # units row under it (header_block.py). Data starts on the next row.
    header_offset: int
    template: Template
    columns: list[Column]
    notes: list[str] = field(default_factory=list)

    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}


def match_header(cell: str) -> tuple[str | None, str | None]:
    """A header cell -> (field name, unit written in it)."""
    index = header_index()
    whole = squash(to_halfwidth(cell))
    if whole in index:
        return index[whole], None
    term, unit = split_header(cell)
    for candidate in (term, _INNER_BRACKETS.sub("", term)):
        if candidate in index:
            return index[candidate], unit
    return None, unit


def _row_texts(grid: Grid, offset: int) -> list[str | None]:
    return list(grid.frame.row(offset))


def locate(grid: Grid, source: str, scan_rows: int, file: str) -> Layout:
    """The header row is the row among the first `scan_rows` naming the most known fields;
    merged cells may make it two rows deep, and a 栏次 or units row may follow it."""
    best = best_header_row(grid, scan_rows)
    if best is None:
        raise FileRejected(
            file, f"在前 {scan_rows} 行中找不到表头（需要包含 统一社会信用代码 等标准列名的一行）"
        )
    block = rows_under(grid, header_block(grid, best, file, match_header))
    title_lines = [str(c) for off in range(block.first) for c in _row_texts(grid, off) if c]
    columns = _map_columns(block, title_lines, file, block.first + grid.first_row)
    template = _choose_template(source, columns, file)
    notes: list[str] = list(block.notes)
    unused = [c.header for c in columns if c.field and c.field not in template.fields]
    unknown = [c.header for c in columns if c.field is None and c.header]
    if unused or unknown:
        notes.append("已忽略模板以外的列：" + "、".join(unused + unknown))
    columns = [c if c.field in template.fields else Column(c.index, c.header, None) for c in columns]
    for c in columns:
        spec = FIELD_BY_NAME.get(c.field or "")
        if spec and spec.dimension and c.unit is None and spec.dimension is not Dimension.events:
            notes.append(f"列“{c.header}”未注明单位，按 {spec.unit} 处理")
    return Layout(block.first + grid.first_row, block.last, template, columns, notes)


def best_header_row(grid: Grid, scan_rows: int) -> int | None:
    """The offset of the row naming the most known fields (at least two), or None."""
    best, best_score = -1, 0
    for offset in range(min(scan_rows, grid.frame.height)):
        fields_here = {match_header(c)[0] for c in _row_texts(grid, offset) if c}
        score = len(fields_here - {None})
        if score > best_score:
            best, best_score = offset, score
    return best if best_score >= 2 else None


def fits_template(grid: Grid, source: str, scan_rows: int) -> bool:
    """Whether the sheet has a header with every required column of one of the source's
    templates: how a workbook's data sheets are told from its 说明 and 封面 sheets."""
    best = best_header_row(grid, scan_rows)
    if best is None:
        return False
    try:
        block = header_block(grid, best, "", match_header)
    except FileRejected:
        return True  # a header of the template that cannot be read: locate says why
    present = {f for f in (match_header(c)[0] for c in block.cells if c) if f}
    return any(carries(t, present) for t in templates_for(source))


def _title_units(title_lines: list[str]) -> list[str]:
    """Every unit a title row states (a sheet may say 单位：万元 and 面积单位：平方米)."""
    return [m.group(1) for line in title_lines for m in _UNIT_LINE.finditer(to_halfwidth(line))]


def _unit_for(
    dimension: Dimension, written: str | None, header: str, title_units: list[str], row_unit: str | None
) -> str | None:
    """The header's own unit; else another bracket of the header that is a unit of this
    dimension (工业增加值(万元)(现价)); else the units row's; else a title row's unit of this
    dimension."""
    if written is not None and factor(dimension, written) is not None:
        return written
    for group in _BRACKET.findall(to_halfwidth(header)):
        if factor(dimension, group.strip()) is not None:
            return group.strip()
    if row_unit is not None:
        return row_unit
    if written is not None:
        return written
    return next((u for u in title_units if factor(dimension, u) is not None), None)


def _row_unit(block: HeaderBlock, index: int) -> str | None:
    unit = block.row_units.get(index)
    return None if unit is None or unit in _UNIT_FILLERS else unit


def _check_row_unit(
    dimension: Dimension, unit: str | None, row_unit: str | None, header: str, block: HeaderBlock, file: str
) -> None:
    """A units row that says otherwise than the header's brackets: which one is right is the
    department's to say, not ours to guess."""
    if row_unit is None or unit is None or unit == row_unit:
        return
    if factor(dimension, unit) != factor(dimension, row_unit):
        raise FileRejected(
            file,
            f"列“{header}”的单位不一致：表头为“{unit}”，第 {block.units_row} 行单位行为“{row_unit}”；"
            "请改正其中一处",
        )


def _map_columns(block: HeaderBlock, titles: list[str], file: str, row: int) -> list[Column]:
    title_units = _title_units(titles)
    seen: dict[str, str] = {}
    columns: list[Column] = []
    for i, (cell, label) in enumerate(zip(block.cells, block.labels, strict=True)):
        text = str(cell).strip() if cell is not None else ""
        header = str(label).strip() if label is not None else ""
        name, unit = match_header(text) if text else (None, None)
        if name is None:
            columns.append(Column(i, header, None))
            continue
        if name in seen:
            raise FileRejected(
                file,
                f"第 {row} 行表头中“{seen[name]}”与“{header}”指同一项"
                f"（{FIELD_BY_NAME[name].header}），请删除其中一列",
            )
        seen[name] = header
        spec = FIELD_BY_NAME[name]
        mult = 1.0
        if spec.dimension is not None:
            row_unit = _row_unit(block, i)
            unit = _unit_for(spec.dimension, unit, text, title_units, row_unit)
            _check_row_unit(spec.dimension, unit, row_unit, header, block, file)
            mult_or_none = factor(spec.dimension, unit)
            if mult_or_none is None:
                raise FileRejected(
                    file,
                    f"列“{header}”的单位“{unit}”无法识别；{spec.header} 可用单位："
                    + "、".join(known_units(spec.dimension)),
                )
            mult = mult_or_none
        elif spec.kind is Kind.code and unit is not None:
            unit = None
        columns.append(Column(i, header, name, mult, unit))
    return columns


def _choose_template(source: str, columns: list[Column], file: str) -> Template:
    present = {c.field for c in columns if c.field}
    candidates = templates_for(source)
    fitting = [t for t in candidates if carries(t, present)]
    if fitting:
        # The template that uses the most of the file's columns fits best.
        return max(fitting, key=lambda t: (len(present & set(t.fields)), -len(t.fields)))
    first = candidates[0]
    missing = [FIELD_BY_NAME[f].template_header for f in first.required if f not in present]
    if not missing and first.figures:
        any_of = "、".join(FIELD_BY_NAME[f].template_header for f in first.figures)
        missing = [f"以下至少一列：{any_of}"]
    found = "、".join(c.header for c in columns if c.header) or "（无）"
    reason = f"缺少必需的列：{'、'.join(missing)}（{first.title}模板）；表头中的列：{found}"
    better = better_fit(source, present)
    if better is not None:
        reason += (
            f"。表头更符合“{better.title}”（{better.department}，来源 {better.source}），请确认所选的数据来源"
        )
    raise FileRejected(file, reason)


def better_fit(source: str, present: set[str]) -> Template | None:
    """Another source's template the header carries, the one using most of its columns."""
    others = [t for t in TEMPLATES if t.source != source and carries(t, present)]
    if not others:
        return None
    return max(others, key=lambda t: (len(present & set(t.fields) - {"credit_code", "name"}), -len(t.fields)))
