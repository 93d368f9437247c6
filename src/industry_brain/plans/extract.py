"""Propose a plan pack from a plan document (.txt or .docx) for a person to confirm.

Two readers, both keeping the text each figure came from:
- prose: every sentence with a target year (到/至YYYY年) and clauses like "规上工业总产值达到2800
  亿元", "能耗下降15%", "控制在0.5吨标准煤/万元";
- tables: every row of an indicator table (a name cell, then figures under year headers such
  as "2016年实绩", "2019年目标"; a unit in the name's brackets; a responsible unit cell).

The result is a draft in the plan-pack format (docs/plan-packs.md) with `review: true` on
every item: the extractor proposes, a person decides. bench/extract_recall.py measures it on
the seeds against the hand-made packs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from industry_brain.core.errors import FileRejected
from industry_brain.plans.extract_figures import UNITS, Proposal, prose_figures
from industry_brain.plans.extract_shapes import (
    clean_name,
    document_year,
    pdf_text,
    pipe_tables,
    unwrap,
)

_UNIT = "|".join(re.escape(u) for u in UNITS)
_NUM = r"\d+(?:\.\d+)?"
HEADER_YEAR = re.compile(r"(20\d{2})\s*年?")
VALUE_CELL = re.compile(
    rf"^\s*(?P<value>-?{_NUM})\s*(?:（(?P<year>20\d{{2}})年?）|左右|以上|以内|(?P<unit>{_UNIT}))?\s*$"
)
BARE_UNIT = re.compile(rf"^\s*(?:{_UNIT})\s*$")
EMPTY_CELL = re.compile(r"^\s*(--|—|－|-|/)?\s*$")
NAME_UNIT = re.compile(rf"[（(](?P<unit>{_UNIT}|[^（）()]{{1,8}})[）)]\s*$")
UNIT_SUFFIX = ("局", "委", "办", "部", "中心", "政府", "公司", "管委会", "街道", "镇", "院", "会")


# ---- reading --------------------------------------------------------------------------------


def read_document(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    """(paragraphs, tables as rows of cells) of a .txt or .docx file."""
    if not path.exists():
        raise FileRejected(path.name, "文件不存在")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        import docx

        try:
            document = docx.Document(str(path))
        except Exception as exc:  # python-docx raises several kinds for a damaged file
            raise FileRejected(path.name, f"无法读取为 .docx：{exc}") from None
        paragraphs = [p.text for p in document.paragraphs]
        tables = [
            [[c.text.strip() for c in _unique_cells(row.cells)] for row in t.rows] for t in document.tables
        ]
        return paragraphs, tables
    if suffix == ".pdf":
        text = pdf_text(path)
    elif suffix == ".txt":
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = path.read_text(encoding="gb18030")
    else:
        raise FileRejected(path.name, "只能读取 .txt、.docx 或 .pdf（带文字层）文件")
    lines = unwrap([line for line in text.splitlines() if line.count("|") < 2])  # pipe rows are tables
    return lines, txt_tables(text) + pipe_tables(text)


def _unique_cells(cells: Any) -> list[Any]:
    """A merged cell appears once per column it spans in python-docx; keep it once."""
    seen: list[Any] = []
    for c in cells:
        if not seen or c._tc is not seen[-1]._tc:
            seen.append(c)
    return seen


def txt_tables(text: str) -> list[list[list[str]]]:
    """Tables of a text where each cell is a tab-indented line (how the seeds carry them): one
    table of one row per run of cells; short untabbed lines continue the cell before them."""
    cells: list[str] = []
    tables: list[list[list[str]]] = []
    for line in text.splitlines():
        if line.startswith("\t"):
            cells.append(_clean(line))
        elif line.strip() and cells and len(line.strip()) <= 12 and not line.strip().endswith("。"):
            cells[-1] += _clean(line)
        elif line.strip() and cells:
            tables.append([cells])
            cells = []
    if cells:
        tables.append([cells])
    return tables


def _clean(text: str) -> str:
    return re.sub(r"\[bookmark: [^\]]*\]", "", text).strip()


# ---- tables ---------------------------------------------------------------------------------


@dataclass
class _Columns:
    baseline: int | None = None
    target: int | None = None
    actual: int | None = None
    years: dict[str, int] = field(default_factory=dict)
    growth: int | None = None  # a growth column after the years ("“十三五”年均增长(%)")
    annual: bool = False  # whether that growth is a yearly average (年均)


def _header(cells: list[str]) -> _Columns | None:
    """Which year column is the baseline, the target and the actual, from header cells like
    '2016年实绩', '2019年目标', '2015年基数', '2020年' (after the target: the actual)."""
    years = [(i, c) for i, c in enumerate(cells) if HEADER_YEAR.search(c) and len(c) <= 16]
    if len(years) < 2:
        return None
    cols = _Columns()
    order = ["baseline", "target", "actual"]
    target_at = next((k for k, (_, c) in enumerate(years) if "目标" in c), 1)
    for k, (_, c) in enumerate(years[:3]):
        role = "target" if k == target_at else ("baseline" if k < target_at else "actual")
        if role in order and getattr(cols, role) is None:
            setattr(cols, role, k)
            cols.years[role] = int(HEADER_YEAR.search(c).group(1))  # type: ignore[union-attr]
    if cols.target is None:
        return None
    last = years[min(len(years), 3) - 1][0]
    after = [c for c in cells[last + 1 :] if c.strip()][:1]
    if after and GROWTH_HEADER.search(after[0]) and not HEADER_YEAR.search(after[0]):
        cols.growth, cols.annual = min(len(years), 3), "年均" in after[0]
    return cols


def _value(cell: str) -> tuple[float | None, int | None] | None:
    if EMPTY_CELL.match(cell):
        return None, None
    m = VALUE_CELL.match(cell)
    if not m:
        return None
    return float(m["value"]), int(m["year"]) if m["year"] else None


def table_targets(tables: list[list[list[str]]], doc_year: int | None = None) -> list[Proposal]:
    found: list[Proposal] = []
    for table in tables:
        stated = statistics_rows(table, doc_year)
        found += stated if stated else _rows([c for row in table for c in row])
    return found


GROWTH_HEADER = re.compile(r"增长|增速|增减|比上年|同比")


def statistics_rows(table: list[list[str]], doc_year: int | None = None) -> list[Proposal]:
    """A statistics table: a header row with growth columns ("较上年增长(%)", "1-9月同比增长(%)")
    and at most one year column ("2023年"), then a row per indicator: its value (with its unit,
    "162817吨") and its growth in each growth column. The year is the header's, else one in a
    caption row above it ("2020年1-9月"), else the document's. A plan's table (目标, or two years
    in its header) is not one; a row without figures (按企业规模分组) is passed over."""
    at = next((k for k, row in enumerate(table[:4]) if any(GROWTH_HEADER.search(c) for c in row)), None)
    if at is None or len(table[at]) < 2 or any("目标" in c for c in table[at]):
        return []
    header = table[at]
    growth = [i for i, c in enumerate(header) if GROWTH_HEADER.search(c)]
    years = [i for i, c in enumerate(header) if HEADER_YEAR.search(c) and len(c) <= 12 and i not in growth]
    above: list[int | None] = [
        int(m.group(1)) for row in table[:at] for c in row if (m := HEADER_YEAR.search(c))
    ]
    if len(years) > 1:
        return []
    stated = HEADER_YEAR.search(header[years[0]]) if years else None
    year = int(stated.group(1)) if stated else (above or [doc_year])[0]
    if year is None:
        return []
    columns = [(i, None) for i in years] + [(i, "%") for i in growth]
    found = []
    for row in table[at + 1 :]:
        if not row or not _name_like(row[0]):
            continue
        name, quote = clean_name(row[0]), " ".join(row)
        for column, unit in columns:
            m = VALUE_CELL.match(row[column]) if column < len(row) else None
            if m:
                found.append(_stated(name, float(m["value"]), unit or m["unit"] or "", year, quote))
    return found


def _stated(name: str, value: float, unit: str, year: int, quote: str) -> Proposal:
    return Proposal(
        name=name,
        unit=unit,
        direction="increase_by" if unit == "%" else "at_least",
        change="percent" if unit == "%" else None,
        target_year=year,
        target_value=None,
        actual_value=value,
        quote=quote,
        kind="table",
        category="实绩",
        figure="actual",
    )


def _rows(cells: list[str]) -> list[Proposal]:
    found, cols, category, i = [], None, "", 0
    while i < len(cells):
        header = _header(cells[i : i + 6]) if HEADER_YEAR.search(cells[i]) or not cells[i] else None
        if header is not None and cols is None:
            cols = header
        # A 单位 column between the name and the years: "数字经济重点企业 | 家 | / | 500"
        unit = cells[i + 1].strip() if i + 1 < len(cells) and BARE_UNIT.match(cells[i + 1]) else None
        values = []
        j = i + (2 if unit else 1)
        while j < len(cells) and (v := _value(cells[j])) is not None:
            values.append((v, cells[j]))
            j += 1
        name = cells[i]
        if cols is not None and len(values) >= 2 and _name_like(name):
            after = cells[j] if j < len(cells) else ""
            row = _from_row(name, values, cols, category, after, unit=unit)
            found += [row, *_growth_of(row, values, cols)]
            i = j
            continue
        if name and _name_like(name) and len(name) <= 10 and not values:
            category = name
        i += 1
    return found


def _growth_of(
    row: Proposal, values: list[tuple[tuple[float | None, int | None], str]], cols: _Columns
) -> list[Proposal]:
    """The row's figure in the growth column, as its own proposal of the same name and year."""
    k = cols.growth
    if k is None or k >= len(values) or values[k][0][0] is None:
        return []
    value = values[k][0][0]
    return [
        Proposal(
            name=row.name,
            unit="%",
            direction="decrease_by" if value is not None and value < 0 else "increase_by",
            change="annual_percent" if cols.annual else "percent",
            target_year=row.target_year,
            target_value=value,
            quote=row.quote,
            kind="table",
            category=row.category,
        )
    ]


def _name_like(cell: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", cell)) and _value(cell) is None and not HEADER_YEAR.match(cell)


def _from_row(
    name: str,
    values: list[tuple[tuple[float | None, int | None], str]],
    cols: _Columns,
    category: str,
    after: str,
    *,
    unit: str | None = None,
) -> Proposal:
    def at(role: str) -> tuple[float | None, int | None]:
        k = getattr(cols, role)
        return values[k][0] if k is not None and k < len(values) else (None, None)

    (base, base_year), (target, _), (actual, _) = at("baseline"), at("target"), at("actual")
    unit_match = NAME_UNIT.search(name)
    responsible = [u for u in re.split(r"[、，,\s]+", after) if u.endswith(UNIT_SUFFIX)]
    quote = " ".join([name, *([unit] if unit else []), *(text for _, text in values)])
    # A target below its baseline is a ceiling to come down to (能耗 0.6 → 0.5).
    falling = base is not None and target is not None and target < base
    return Proposal(
        name=clean_name(NAME_UNIT.sub("", name)),
        unit=unit or (unit_match["unit"] if unit_match else ""),
        direction="at_most" if falling else "at_least",
        target_year=cols.years["target"],
        target_value=target,
        quote=quote,
        kind="table",
        category=category,
        baseline_year=base_year or cols.years.get("baseline"),
        baseline_value=base,
        actual_value=actual,
        responsible=responsible,
    )


# ---- the proposal as a pack -----------------------------------------------------------------


def extract(path: Path, *, year: int | None = None) -> list[Proposal]:
    """Every target of the document: table rows first, then prose, without repeats (a title that
    repeats its body's figure, 规上 for 规模以上, is one). Relative dates are resolved from `year`,
    else from the document's own date."""
    paragraphs, tables = read_document(path)
    doc_year = year or document_year(paragraphs)
    found = table_targets(tables, doc_year) + prose_figures(paragraphs, doc_year)
    seen, unique = set(), []
    for p in found:
        value = p.target_value if p.target_value is not None else p.actual_value
        same_name = re.sub(r"\s+", "", p.name).replace("规模以上", "规上")
        key = (same_name, p.target_year, value, p.unit, p.kind, p.figure)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def proposed_pack(path: Path, proposals: list[Proposal]) -> dict[str, Any]:
    """A draft pack (docs/plan-packs.md) with every item marked `review: true`: the targets as
    indicators, the actuals the document reports under `actuals`, tied to the indicator of the same
    name where there is one (`indicator: null` and the figure's own name and unit where not)."""
    targets = [p for p in proposals if p.figure == "target"]
    years = [p.target_year for p in targets] or [p.target_year for p in proposals] or [0]
    bases = [p.baseline_year for p in targets if p.baseline_year]
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "plan"
    indicators = [_indicator(n, p) for n, p in enumerate(targets, start=1)]
    ids = {i["name"]: i["id"] for i in reversed(indicators)}
    actuals = [
        {
            "indicator": ids.get(p.name),
            **({} if p.name in ids else {"name": p.name, "unit": p.unit}),
            "year": p.target_year,
            "value": p.actual_value,
            "quote": p.quote,
            "review": True,
        }
        for p in proposals
        if p.figure == "actual"
    ]
    pack: dict[str, Any] = {
        "id": slug,
        "title": path.stem,
        "period": {"start": min(bases) + 1 if bases else min(years), "end": max(years)},
        "baseline_year": min(bases) if bases else None,
        "source": {"file": path.name, "title": path.stem},
        "version": 1,
        "indicators": indicators,
    }
    if actuals:
        pack["actuals"] = actuals
    return pack


def _indicator(n: int, p: Proposal) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"ind-{n:03d}",
        "name": p.name,
        "category": p.category,
        "unit": p.unit,
        "direction": p.direction,
    }
    if p.direction in ("increase_by", "decrease_by"):
        item["change"] = p.change or (
            "points" if p.unit == "个百分点" else ("percent" if p.unit == "%" else "absolute")
        )
    if p.baseline_value is not None and p.baseline_year:
        item["baseline"] = {"year": p.baseline_year, "value": p.baseline_value, "quote": p.quote}
    item["target"] = {"year": p.target_year, "value": p.target_value, "quote": p.quote}
    item["responsible"] = p.responsible
    item["where"] = p.where or p.category
    if p.kind == "table":
        item["table"] = p.category or "表"
    item["source"] = p.kind
    item["review"] = True
    return item
