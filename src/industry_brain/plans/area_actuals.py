"""Area-level actuals: a 统计公报's or a department's table of figures for the whole area
(indicator, value, unit, period, growth) matched to a plan's indicators.

Such a table names indicators in its own words (规模以上工业增加值, 全区规上工业亩均税收), not by
the plan's ids, so each row is matched by name: exactly, after normalising the usual variants
(规模以上 = 规上, 全区/全市 dropped, brackets and spaces ignored), or approximately. An exact or
normalised match is taken; an approximate one, and any figure implausible for its indicator (a
growth rate typed into a level, a figure a hundred times its last one), waits for the user to
confirm. `preview` says what would be recorded and what needs confirming; `record` writes the
confirmed rows as reported actuals, keeping the table's source on each.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError, FileRejected
from industry_brain.core.scope import Scope
from industry_brain.plans.pack import Indicator, Pack
from industry_brain.plans.progress import parse_period

# header (and its aliases) -> field
HEADERS = {
    "name": ("指标", "指标名称", "项目"),
    "value": ("数值", "实绩值", "绝对数", "总量", "本期", "值"),
    "unit": ("单位", "计量单位"),
    "period": ("期间", "年份", "年度", "时期"),
    "growth": ("增速", "比上年增长", "比上年增长(%)", "比上年增长（%）", "增长(%)", "增长（%）", "同比增长"),
    "source": ("来源", "数据来源"),
}
FUZZY_CUTOFF = 0.6  # difflib ratio at or above which a name is proposed as a match
JUMP_FACTOR = 5.0  # a level this many times its last (or a fifth of it) waits for confirmation
_VARIANTS = (("规模以上", "规上"), ("全区", ""), ("全市", ""), ("全县", ""), ("实现", ""), ("总额", ""))


def is_area_table(headers: list[str]) -> bool:
    """A header of area figures: an indicator-name column and a value or growth column, and no
    指标编号 column (the actuals template's rows, whose 类型 cells read 指标, are not one)."""
    names = {h.strip() for h in headers}
    figures = set(HEADERS["value"]) | set(HEADERS["growth"])
    return bool(names & set(HEADERS["name"])) and bool(names & figures) and "指标编号" not in names


def is_area_file(path: Path) -> bool:
    """Whether the file's header (in its first 10 rows) is that of a table of area figures."""
    from industry_brain.plans.actuals import read_cells

    return any(is_area_table([str(c or "") for c in row]) for row in read_cells(path)[:10])


@dataclass
class AreaRow:
    row: int
    name: str
    value: float | None
    unit: str
    period: str
    growth: float | None
    source: str
    indicator_id: str | None = None
    indicator_name: str | None = None
    match: str = "none"  # exact, normalised, fuzzy, none
    score: float = 0.0
    warnings: list[str] = field(default_factory=list)
    recorded: float | None = None  # what is stored: the value, or the growth for a growth target

    @property
    def needs_confirmation(self) -> bool:
        return self.match == "fuzzy" or bool(self.warnings)


def _normal(name: str) -> str:
    text = re.sub(r"[\s（）()“”\"'、，,：:]", "", name)
    for old, new in _VARIANTS:
        text = text.replace(old, new)
    return text


def _growth_target(ind: Indicator) -> bool:
    """Indicators whose figure is itself a growth rate (增速 8%), not a level."""
    return ind.unit in ("%", "个百分点") and bool(re.search(r"增长|增速", ind.name))


def match_indicator(name: str, pack: Pack) -> tuple[Indicator | None, str, float]:
    """(indicator, how it matched, score) for a name as a table writes it."""
    quantified = [i for i in pack.indicators if i.quantified]
    for ind in quantified:
        if ind.name == name:
            return ind, "exact", 1.0
    wanted = _normal(name)
    for ind in quantified:
        if _normal(ind.name) == wanted:
            return ind, "normalised", 1.0
    scored = sorted(
        ((difflib.SequenceMatcher(None, wanted, _normal(i.name)).ratio(), i.id, i) for i in quantified),
        key=lambda t: (-t[0], t[1]),
    )
    if scored and scored[0][0] >= FUZZY_CUTOFF:
        return scored[0][2], "fuzzy", round(scored[0][0], 2)
    return None, "none", round(scored[0][0], 2) if scored else 0.0


def _plausibility(row: AreaRow, ind: Indicator, previous: float | None) -> list[str]:
    found = []
    if row.unit and ind.unit and row.unit != ind.unit and not _growth_target(ind):
        found.append(f"单位“{row.unit}”与指标单位“{ind.unit}”不同")
    if row.recorded is None:
        return found
    reference = previous if previous is not None else (ind.baseline.value if ind.baseline else None)
    if not _growth_target(ind) and reference:
        ratio = abs(row.recorded) / abs(reference)
        if ratio <= 1 / JUMP_FACTOR:
            found.append(
                f"数值 {row.recorded:g} 不到上一期（或基期）{reference:g}{ind.unit} 的五分之一，"
                "疑为增速或单位误填"
            )
        elif ratio >= JUMP_FACTOR:
            found.append(
                f"数值 {row.recorded:g} 超过上一期（或基期）{reference:g}{ind.unit} 的五倍，请核实单位"
            )
    return found


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(text: str, row: int, column: str, file: str) -> float | None:
    cleaned = text.replace(",", "").replace("%", "").strip()
    if cleaned in ("", "-", "—", "/"):
        return None
    try:
        number = float(cleaned)
    except ValueError as exc:
        raise FileRejected(file, f"第 {row} 行“{column}”列：“{text}”不是数字") from exc
    if not math.isfinite(number):
        raise FileRejected(file, f"第 {row} 行“{column}”列：“{text}”不是有限的数字")
    return number


def read_rows(path: Path, *, default_period: str | None = None) -> list[AreaRow]:
    """The table's rows (first sheet, or the csv); a row without a name or figure is skipped."""
    from industry_brain.plans.actuals import read_cells

    cells = read_cells(path)
    at = next((i for i, r in enumerate(cells[:10]) if is_area_table([_cell(c) for c in r])), None)
    if at is None:
        raise FileRejected(path.name, "前 10 行中没有“指标”列，不是区域指标表")
    header = [_cell(c) for c in cells[at]]
    columns = {f: next((j for j, h in enumerate(header) if h in names), None) for f, names in HEADERS.items()}
    if columns["value"] is None and columns["growth"] is None:
        raise FileRejected(path.name, "缺少“数值”或“增速”列")
    rows = []
    for i, raw in enumerate(cells[at + 1 :], start=at + 2):
        get = {f: _cell(raw[j]) if j is not None and j < len(raw) else "" for f, j in columns.items()}
        if not get["name"]:
            continue
        value = _number(get["value"], i, "数值", path.name)
        growth = _number(get["growth"], i, "增速", path.name)
        if value is None and growth is None:
            continue
        period = get["period"].removesuffix("年") or default_period
        if not period:
            raise FileRejected(path.name, f"第 {i} 行：缺少期间（表中无“期间”列时须另行给出期间）")
        parse_period(period)
        rows.append(AreaRow(i, get["name"], value, get["unit"], period, growth, get["source"] or path.name))
    return rows


def preview(session: Session, *, path: Path, plan_id: str, period: str | None = None) -> list[AreaRow]:
    """Each row with its matched indicator, what would be recorded and what needs confirming."""
    from industry_brain.plans.service import stored_actuals
    from industry_brain.plans.store import current_pack

    pack = current_pack(session, plan_id)
    latest: dict[str, float] = {}
    for a in stored_actuals(session, plan_id=plan_id, as_of="2100"):
        if a.value is not None:
            latest[a.indicator_id] = a.value
    rows = read_rows(path, default_period=period)
    for row in rows:
        ind, how, score = match_indicator(row.name, pack)
        row.match, row.score = how, score
        if ind is None:
            continue
        row.indicator_id, row.indicator_name = ind.id, ind.name
        row.recorded = row.growth if _growth_target(ind) else row.value
        if row.recorded is None:
            row.warnings.append("表中只有增速，该指标需要总量" if row.growth is not None else "缺少数值")
        row.warnings += _plausibility(row, ind, latest.get(ind.id))
    return rows


def record(
    session: Session, *, rows: list[AreaRow], plan_id: str, reported_by: str, confirmed: bool, scope: Scope
) -> dict[str, Any]:
    """Record the matched rows; rows needing confirmation only when `confirmed`."""
    from industry_brain.plans.actuals import record_actual

    waiting = [r for r in rows if r.indicator_id and r.needs_confirmation]
    if waiting and not confirmed:
        listed = "；".join(
            f"第 {r.row} 行 {r.name}：{'、'.join(r.warnings) or '名称为近似匹配'}" for r in waiting
        )
        raise ConfigurationError(f"以下 {len(waiting)} 行需要确认后才能录入：{listed}")
    done = []
    for r in rows:
        if r.indicator_id is None or r.recorded is None:
            continue
        record_actual(
            session, plan_id=plan_id, indicator_id=r.indicator_id, period=r.period, reported_by=reported_by,
            value=r.recorded, unit=r.unit or None, source=r.source, scope=scope,
            note=f"区域指标表第 {r.row} 行“{r.name}”" + ("" if r.growth is None else f"，增速 {r.growth:g}%"),
        )  # fmt: skip
        done.append(r)
    return {
        "plan_id": plan_id,
        "recorded": len(done),
        "unmatched": [r.name for r in rows if r.indicator_id is None],
        "rows": [asdict(r) for r in rows],
    }
