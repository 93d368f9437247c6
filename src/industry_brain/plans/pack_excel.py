"""The plan pack as an Excel workbook, for officials who do not write YAML (docs/plan-packs.md).

One sheet per part of a pack (规划, 指标, 文件实绩, 集群, 任务) with Chinese headers, and a
填写说明 sheet. `plans template` writes it (empty, or filled from a pack), `plans add` reads it
back into the same canonical data a YAML file gives, then validates it with plans.pack; a
fault is named by its sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from industry_brain.plans.pack import CHANGES, DIRECTIONS, Pack, PackError, parse_pack

DIRECTION_NAMES = {
    "at_least": "达到",
    "at_most": "控制在",
    "increase_by": "增长",
    "decrease_by": "下降",
    "keep_at_least": "保持在以上",
    "qualitative": "定性",
}
CHANGE_NAMES = {
    "percent": "百分比",
    "points": "百分点",
    "absolute": "绝对量",
    "times": "倍数",
    "annual_percent": "年均百分比",
}
# A list cell (units, industry codes) is split at these, except inside brackets: a unit may be
# named 各镇（街、园区）. A cell with line breaks is split at the line breaks only.
LIST_SEPARATORS = frozenset("、，,；;")
OPEN, CLOSE = frozenset("（(【["), frozenset("）)】]")


def split_list(text: str) -> list[str]:
    if "\n" in text:
        return [p.strip() for p in text.split("\n") if p.strip()]
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch in OPEN) - (ch in CLOSE)
        if ch in LIST_SEPARATORS and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def join_list(items: list[str]) -> str:
    """Items joined by 、, or one per line when an item would itself be split."""
    joined = "、".join(items)
    return joined if split_list(joined) == list(items) else "\n".join(items)


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the YAML key, dotted for a nested one (target.value)
    kind: str = "text"  # text | texts | number | year | integer | direction | change
    width: int = 14


HEADER_FIELDS = (
    Column("规划编号", "id"),
    Column("规划名称", "title"),
    Column("区域代码", "area.code"),
    Column("区域名称", "area.name"),
    Column("起始年", "period.start", "year"),
    Column("结束年", "period.end", "year"),
    Column("基期年", "baseline_year", "year"),
    Column("来源文件", "source.file"),
    Column("来源文件标题", "source.title"),
    Column("版本", "version", "integer"),
)
INDICATOR_COLUMNS = (
    Column("编号", "id", width=22),
    Column("指标名称", "name", width=26),
    Column("类别", "category"),
    Column("单位", "unit", width=10),
    Column("方向", "direction", "direction", 10),
    Column("变化方式", "change", "change", 10),
    Column("基期年份", "baseline.year", "year", 10),
    Column("基期值", "baseline.value", "number", 10),
    Column("基期原文", "baseline.quote", width=30),
    Column("目标年份", "target.year", "year", 10),
    Column("目标值", "target.value", "number", 10),
    Column("目标原文", "target.quote", width=40),
    Column("责任单位", "responsible", "texts", 24),
    Column("关注集群", "concerns.cluster"),
    Column("关注园区", "concerns.zone"),
    Column("关注梯队", "concerns.tier"),
    Column("关注称号", "concerns.title"),
    Column("计算口径", "derive", width=18),
    Column("所在表格", "table"),
    Column("出处", "where", width=26),
    Column("备注", "note", width=30),
)
ACTUAL_COLUMNS = (
    Column("指标编号", "indicator", width=22),
    Column("年份", "year", "year", 8),
    Column("数值", "value", "number", 10),
    Column("原文", "quote", width=40),
    Column("备注", "note", width=30),
)
CLUSTER_COLUMNS = (
    Column("编号", "id", width=26),
    Column("集群名称", "name", width=20),
    Column("分组", "group"),
    Column("层级", "level"),
    Column("行业代码", "industries", "texts", 24),
    Column("称号", "titles", "texts"),
    Column("依据", "reason", width=30),
    Column("原文", "quote", width=40),
    Column("版本", "version", "integer", 8),
)
TASK_COLUMNS = (
    Column("编号", "id", width=22),
    Column("任务名称", "name", width=30),
    Column("牵头领导", "lead_leader"),
    Column("牵头单位", "lead_units", "texts", 24),
    Column("配合单位", "partner_units", "texts", 24),
    Column("完成年份", "due", "year", 10),
    Column("原文", "quote", width=40),
    Column("备注", "note", width=30),
)
# sheet name, the list key in the pack, its columns
TABLES = (
    ("指标", "indicators", INDICATOR_COLUMNS),
    ("文件实绩", "actuals", ACTUAL_COLUMNS),
    ("集群", "clusters", CLUSTER_COLUMNS),
    ("任务", "tasks", TASK_COLUMNS),
)
HEADER_SHEET = "规划"
GUIDE_SHEET = "填写说明"


def _letter(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


def _get(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _cell_value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind == "texts":
        return join_list(value)
    if column.kind == "direction":
        return DIRECTION_NAMES.get(value, value)
    if column.kind == "change":
        return CHANGE_NAMES.get(value, value)
    return value


# --- writing -------------------------------------------------------------------------------


def _guide() -> list[tuple[str, str]]:
    rows = [
        ("怎样填写", "每张表第一行是表头，从第二行起每行一项；列表（责任单位、行业代码等）用顿号“、”分隔。"),
        ("编号", "规划编号与各项编号用小写字母、数字和连字符，如 yinzhou-2030、output-above-scale。"),
        ("新版本", "修改已添加的规划时把“版本”加 1 再添加；旧版本及其实绩保留。"),
        ("集群编号", "写作 规划编号/集群名，如 yinzhou-2030/new-materials。"),
    ]
    rows += [(f"方向：{name}", code) for code, name in DIRECTION_NAMES.items()]
    rows += [(f"变化方式：{name}", code) for code, name in CHANGE_NAMES.items()]
    return rows


def _write_table(
    cells: Any, ws: Any, columns: Iterable[Column], items: list[dict[str, Any]], head: Any
) -> None:
    columns = tuple(columns)
    for j, column in enumerate(columns):
        cells.write(ws, 0, j, column.header, head)
        ws.set_column(j, j, column.width)
    for i, item in enumerate(items, start=1):
        for j, column in enumerate(columns):
            cells.write(ws, i, j, _cell_value(_get(item, column.key), column))
    ws.freeze_panes(1, 1)


def write_pack_xlsx(path: Path | str, pack: Pack | None = None) -> Path:
    """The Excel pack template at `path`: empty, or filled from `pack` (a round trip: reading it
    back with read_pack_xlsx gives `pack` again)."""
    from industry_brain.core.cells import XlsxCells, xlsx_workbook
    from industry_brain.plans.pack_data import pack_data

    data = pack_data(pack) if pack is not None else {}
    path = Path(path)
    book = xlsx_workbook(path)
    cells = XlsxCells(book)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    ws = book.add_worksheet(HEADER_SHEET)
    cells.write_row(ws, 0, 0, ["项目", "内容"], head)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 60)
    for i, column in enumerate(HEADER_FIELDS, start=1):
        cells.write_row(ws, i, 0, [column.header, _get(data, column.key)])
    for sheet, key, columns in TABLES:
        _write_table(cells, book.add_worksheet(sheet), columns, data.get(key) or [], head)
    guide = book.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 90)
    cells.write_row(guide, 0, 0, ["项目", "说明"], head)
    for i, row in enumerate(_guide(), start=1):
        cells.write_row(guide, i, 0, list(row))
    book.close()
    return path


# --- reading -------------------------------------------------------------------------------


class _Sheet:
    """Cells of one sheet, and the place each pack path came from."""

    def __init__(self, file: str, name: str, rows: list[list[Any]]) -> None:
        self.file, self.name, self.rows = file, name, rows

    def place(self, row: int, col: int, header: str) -> str:
        return f"工作表“{self.name}”第 {row + 1} 行 {_letter(col)} 列（{header}）"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(value: Any, column: Column, fail: Any) -> Any:
    """A cell as the YAML value of its column: numbers typed as text read as numbers, a code
    typed as a number reads as text, a year that Excel stored as 2021.0 reads as 2021."""
    if isinstance(value, str):
        value = value.strip()
    if column.kind in ("year", "integer"):
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if column.kind == "number":
        if isinstance(value, str):
            try:
                return float(value.replace(",", ""))
            except ValueError:
                raise fail(f"“{value}”不是数字 (not a number)") from None
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if column.kind == "texts":
        return split_list(value)
    if column.kind == "direction":
        return next((code for code, name in DIRECTION_NAMES.items() if name == value), value)
    if column.kind == "change":
        return next((code for code, name in CHANGE_NAMES.items() if name == value), value)
    return value


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        item = item.setdefault(part, {})
    item[last] = value


def _header_columns(sheet: _Sheet, columns: tuple[Column, ...]) -> dict[int, Column]:
    if not sheet.rows:
        return {}
    by_header = {c.header: c for c in columns}
    found: dict[int, Column] = {}
    for j, cell in enumerate(sheet.rows[0]):
        name = str(cell).strip() if cell is not None else ""
        if not name:
            continue
        if name not in by_header:
            raise PackError(
                sheet.file,
                sheet.place(0, j, name),
                f"未知的列 (unknown column; known: {'、'.join(by_header)})",
            )
        found[j] = by_header[name]
    return found


def _read_table(
    sheet: _Sheet, key: str, columns: tuple[Column, ...], places: dict[str, str]
) -> list[dict[str, Any]]:
    found = _header_columns(sheet, columns)
    items: list[dict[str, Any]] = []
    for r, row in enumerate(sheet.rows[1:], start=1):
        if all(_blank(v) for v in row):
            continue
        path = f"{key}[{len(items)}]"
        places[path] = f"工作表“{sheet.name}”第 {r + 1} 行"
        item: dict[str, Any] = {}
        for j, column in found.items():
            value = row[j] if j < len(row) else None
            place = sheet.place(r, j, column.header)
            places[f"{path}.{column.key}"] = place
            if _blank(value):
                if column.kind == "texts":  # an empty list is a value (lead_units: [])
                    _put(item, column.key, [])
                continue

            def fail(reason: str, place: str = place) -> PackError:
                return PackError(sheet.file, place, reason)

            _put(item, column.key, _convert(value, column, fail))
        items.append(item)
    return items


def _read_header(sheet: _Sheet, places: dict[str, str]) -> dict[str, Any]:
    by_header = {c.header: c for c in HEADER_FIELDS}
    data: dict[str, Any] = {}
    for r, row in enumerate(sheet.rows):
        label = str(row[0]).strip() if row and row[0] is not None else ""
        if label not in by_header:
            continue
        column = by_header[label]
        places[column.key] = sheet.place(r, 1, label)
        places.setdefault(column.key.partition(".")[0], places[column.key])  # area, period, source
        value = row[1] if len(row) > 1 else None
        if not _blank(value):

            def fail(reason: str, place: str = places[column.key]) -> PackError:
                return PackError(sheet.file, place, reason)

            _put(data, column.key, _convert(value, column, fail))
    return data


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for a file that is not a workbook
        raise PackError(path.name, "", f"无法读取 Excel 文件 (cannot read: {exc})") from exc
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def read_pack_data(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The pack data an Excel template holds, and the sheet/row/column of each of its paths."""
    sheets = _sheets(path)
    if HEADER_SHEET not in sheets:
        raise PackError(
            path.name, "", f"没有工作表“{HEADER_SHEET}”；请用 `industry-brain plans template` 生成的模板"
        )
    places: dict[str, str] = {}
    data = _read_header(_Sheet(path.name, HEADER_SHEET, sheets[HEADER_SHEET]), places)
    for name, key, columns in TABLES:
        if name in sheets:
            data[key] = _read_table(_Sheet(path.name, name, sheets[name]), key, columns, places)
    return data, places


def read_pack_xlsx(path: Path | str) -> Pack:
    from industry_brain.plans.pack_data import locate

    path = Path(path)
    data, places = read_pack_data(path)
    try:
        return parse_pack(data, path.name)
    except PackError as exc:
        raise locate(exc, places) from None


__all__ = ["CHANGES", "DIRECTIONS", "read_pack_xlsx", "write_pack_xlsx"]
