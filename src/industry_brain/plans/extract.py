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

UNITS = (
    "万元/亩",
    "吨标准煤/万元",
    "万元/人",
    "亿元",
    "万元",
    "万吨",
    "万人",
    "万家",
    "亿美元",
    "万平方米",
    "平方公里",
    "个百分点",
    "%",
    "家",
    "个",
    "项",
    "件",
    "条",
    "人",
    "台",
    "亩",
    "倍",
    "种",
    "天",
    "所",
    "座",
)
_UNIT = "|".join(re.escape(u) for u in UNITS)
_NUM = r"\d+(?:\.\d+)?"
VERBS = {
    "at_least": (
        "达到",
        "突破",
        "超过",
        "不低于",
        "提高到",
        "提升至",
        "提高至",
        "提升到",
        "增至",
        "达",
        "保持在",
    ),
    "at_most": ("控制在", "不超过", "不高于", "降至", "下降到", "降低到", "降低至"),
    "increase_by": ("增长", "提高", "提升", "增加"),
    "decrease_by": ("下降", "降低", "减少"),
}
_VERB = "|".join(sorted((re.escape(v) for vs in VERBS.values() for v in vs), key=len, reverse=True))
CLAUSE = re.compile(
    rf"(?P<name>[^，,；;：:。、]*?)(?:年均)?(?P<verb>{_VERB})(?:到|至)?(?P<value>{_NUM})(?P<unit>{_UNIT})"
)
# A count or amount a target sentence names without one of the verbs ("培育300家", "建成20个以上",
# "4-5家"); not a qualifier of a noun ("超10亿元企业", "50-300亩的").
BARE = re.compile(
    rf"(?P<name>[^，,；;：:。、]*?)(?P<value>{_NUM})(?:[-—~～至]{_NUM})?(?P<unit>{_UNIT})(?![级的企项产园以上左右]*[级的企项产园])"
)
ANY_YEAR = re.compile(r"(20\d{2})年")
YEAR = re.compile(r"(?:到|至|至今到)(20\d{2})年")
HEADER_YEAR = re.compile(r"(20\d{2})\s*年?")
VALUE_CELL = re.compile(rf"^\s*(?P<value>{_NUM})\s*(?:（(?P<year>20\d{{2}})年?）|左右|以上|以内|亿元|%)?\s*$")
EMPTY_CELL = re.compile(r"^\s*(--|—|－|-|/)?\s*$")
NAME_UNIT = re.compile(rf"[（(](?P<unit>{_UNIT}|[^（）()]{{1,8}})[）)]\s*$")
UNIT_SUFFIX = ("局", "委", "办", "部", "中心", "政府", "公司", "管委会", "街道", "镇", "院", "会")


@dataclass
class Proposal:
    name: str
    unit: str
    direction: str
    target_year: int
    target_value: float | None
    quote: str
    kind: str  # prose | table
    category: str = ""
    baseline_year: int | None = None
    baseline_value: float | None = None
    actual_value: float | None = None
    responsible: list[str] = field(default_factory=list)
    where: str = ""


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
    if suffix != ".txt":
        raise FileRejected(path.name, "只能读取 .txt 或 .docx 文件")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030")
    return text.splitlines(), txt_tables(text)


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


# ---- prose ----------------------------------------------------------------------------------


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；;！])", paragraph) if s.strip()]


def prose_targets(paragraphs: list[str]) -> list[Proposal]:
    """Targets in sentences with a target year: the sentence's 到YYYY年, else the paragraph's,
    else the document's horizon (its most frequent 到YYYY年) where the sentence names no year."""
    horizons = [int(y) for p in paragraphs for y in YEAR.findall(p)]
    horizon = max(set(horizons), key=horizons.count) if horizons else None
    found: list[Proposal] = []
    heading = ""
    for paragraph in paragraphs:
        text = _clean(paragraph)
        if not text or paragraph.startswith("\t"):  # a table cell: read by table_targets
            continue
        if len(text) <= 30 and not text.endswith("。"):
            heading = text
        year = None
        for sentence in _sentences(text):
            years = YEAR.findall(sentence)
            year = int(years[-1]) if years else year
            when = year if year is not None else (None if ANY_YEAR.search(sentence) else horizon)
            if when is None:
                continue
            spans = []
            for clause in CLAUSE.finditer(sentence):
                found.append(_from_clause(clause, when, sentence.strip(), heading))
                spans.append(clause.span("value"))
            for bare in BARE.finditer(sentence):
                if not any(a <= bare.start("value") < b for a, b in spans):
                    found.append(_from_bare(bare, when, sentence.strip(), heading))
    return found


def _from_bare(m: re.Match[str], year: int, sentence: str, heading: str) -> Proposal:
    name = re.sub(r"^(?:到|至)20\d{2}年[，,]?", "", m["name"].strip())
    return Proposal(
        name=name.strip() or "（待补指标名）",
        unit=m["unit"],
        direction="at_least",
        target_year=year,
        target_value=float(m["value"]),
        quote=sentence,
        kind="prose",
        category="目标",
        where=heading,
    )


def _from_clause(m: re.Match[str], year: int, sentence: str, heading: str) -> Proposal:
    verb, unit = m["verb"], m["unit"]
    direction = next(d for d, vs in VERBS.items() if verb in vs)
    name = re.sub(r"^(?:到|至)20\d{2}年[，,]?|^(?:全区|全市|实现|力争|其中|累计)", "", m["name"].strip())
    return Proposal(
        name=name.strip() or "（待补指标名）",
        unit=unit,
        direction=direction,
        target_year=year,
        target_value=float(m["value"]),
        quote=sentence,
        kind="prose",
        category="目标",
        where=heading,
    )


# ---- tables ---------------------------------------------------------------------------------


@dataclass
class _Columns:
    baseline: int | None = None
    target: int | None = None
    actual: int | None = None
    years: dict[str, int] = field(default_factory=dict)


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
    return cols if cols.target is not None else None


def _value(cell: str) -> tuple[float | None, int | None] | None:
    if EMPTY_CELL.match(cell):
        return None, None
    m = VALUE_CELL.match(cell)
    if not m:
        return None
    return float(m["value"]), int(m["year"]) if m["year"] else None


def table_targets(tables: list[list[list[str]]]) -> list[Proposal]:
    found: list[Proposal] = []
    for table in tables:
        cells = [c for row in table for c in row]
        found += _rows(cells)
    return found


def _rows(cells: list[str]) -> list[Proposal]:
    found, cols, category, i = [], None, "", 0
    while i < len(cells):
        header = _header(cells[i : i + 6]) if HEADER_YEAR.search(cells[i]) or not cells[i] else None
        if header is not None and cols is None:
            cols = header
        values = []
        j = i + 1
        while j < len(cells) and (v := _value(cells[j])) is not None:
            values.append((v, cells[j]))
            j += 1
        name = cells[i]
        if cols is not None and len(values) >= 2 and _name_like(name):
            found.append(_from_row(name, values, cols, category, cells[j] if j < len(cells) else ""))
            i = j
            continue
        if name and _name_like(name) and len(name) <= 10 and not values:
            category = name
        i += 1
    return found


def _name_like(cell: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", cell)) and _value(cell) is None and not HEADER_YEAR.match(cell)


def _from_row(
    name: str,
    values: list[tuple[tuple[float | None, int | None], str]],
    cols: _Columns,
    category: str,
    after: str,
) -> Proposal:
    def at(role: str) -> tuple[float | None, int | None]:
        k = getattr(cols, role)
        return values[k][0] if k is not None and k < len(values) else (None, None)

    (base, base_year), (target, _), (actual, _) = at("baseline"), at("target"), at("actual")
    unit_match = NAME_UNIT.search(name)
    responsible = [u for u in re.split(r"[、，,\s]+", after) if u.endswith(UNIT_SUFFIX)]
    quote = " ".join([name, *(text for _, text in values)])
    return Proposal(
        name=NAME_UNIT.sub("", name).strip(),
        unit=unit_match["unit"] if unit_match else "",
        direction="at_least",
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


def extract(path: Path) -> list[Proposal]:
    """Every target of the document: table rows first, then prose, without exact repeats."""
    paragraphs, tables = read_document(path)
    found = table_targets(tables) + prose_targets(paragraphs)
    seen, unique = set(), []
    for p in found:
        key = (p.name, p.target_year, p.target_value, p.unit, p.kind)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def proposed_pack(path: Path, proposals: list[Proposal]) -> dict[str, Any]:
    """A draft pack (docs/plan-packs.md) with every item marked `review: true`."""
    years = [p.target_year for p in proposals] or [0]
    bases = [p.baseline_year for p in proposals if p.baseline_year]
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "plan"
    indicators = []
    for n, p in enumerate(proposals, start=1):
        item: dict[str, Any] = {
            "id": f"ind-{n:03d}",
            "name": p.name,
            "category": p.category,
            "unit": p.unit,
            "direction": p.direction,
        }
        if p.direction in ("increase_by", "decrease_by"):
            item["change"] = (
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
        indicators.append(item)
    return {
        "id": slug,
        "title": path.stem,
        "period": {"start": min(bases) + 1 if bases else min(years), "end": max(years)},
        "baseline_year": min(bases) if bases else None,
        "source": {"file": path.name, "title": path.stem},
        "version": 1,
        "indicators": indicators,
    }
