"""Actuals entered or imported by the units answerable for them (指标实绩填报), and task reports.

One template per plan (`write_template`): a row per indicator and per task. A filled template
is imported whole or not at all (`import_actuals`): every bad row is named with its row, column
and reason, and nothing is written unless every row is good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError, FileRejected
from industry_brain.core.figures import finite_figure
from industry_brain.core.scope import Scope
from industry_brain.plans.models import ActualBatch, IndicatorActual, TaskReport
from industry_brain.plans.pack import Indicator, Pack, load_pack
from industry_brain.plans.progress import REPORTED_STATUSES, parse_period
from industry_brain.plans.service import PlanForbidden, check_scope, ensure_document_actuals, stored_actuals
from industry_brain.plans.store import current_pack

COLUMNS = (
    "规划编号",
    "类型",
    "指标编号",
    "指标名称",
    "单位",
    "目标",
    "责任单位",
    "期间",
    "实绩值",
    "完成情况",
    "填报单位",
    "备注",
)
REQUIRED = ("规划编号", "类型", "指标编号", "期间", "实绩值", "完成情况")
KIND_INDICATOR, KIND_TASK = "指标", "任务"
# 完成情况 as a unit writes it → status
STATUS_WORDS = {
    "已完成": "achieved",
    "完成": "achieved",
    "按序时推进": "on_track",
    "正常推进": "on_track",
    "滞后": "behind",
    "滞后于序时": "behind",
    "严重滞后": "off_track",
    **{s: s for s in REPORTED_STATUSES},
}
STATUS_LABELS = {"achieved": "已完成", "on_track": "按序时推进", "behind": "滞后", "off_track": "严重滞后"}
MAX_LISTED = 20


class ActualsRejected(FileRejected):
    """An actuals file with bad rows; `problems` lists (row, column, reason) of each."""

    def __init__(self, file: str, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        listed = "；".join(f"第{r}行 {c}: {why}" for r, c, why in problems[:MAX_LISTED])
        more = f"；另有 {len(problems) - MAX_LISTED} 处" if len(problems) > MAX_LISTED else ""
        super().__init__(file, f"{len(problems)} 处错误，未导入任何数据 (nothing imported): {listed}{more}")


@dataclass(frozen=True)
class ImportSummary:
    batch_id: int
    plan_id: str
    file: str
    actuals: int
    task_reports: int
    skipped: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _check_unit(ind_units: tuple[str, ...], scope: Scope, what: str) -> None:
    if scope.district_wide:
        return
    if scope.role == "department" and scope.unit and scope.unit in ind_units:
        return
    raise PlanForbidden(f"{scope.unit or scope.role} 不是{what}的责任单位 (not responsible for it)")


def status_of(text: str) -> str:
    status = STATUS_WORDS.get(text.strip())
    if status is None:
        raise ConfigurationError(f"完成情况 {text!r} 应为 {'、'.join(STATUS_LABELS.values())} 之一")
    return status


def normal_period(period: str) -> str:
    year, month = parse_period(period)
    return str(year) if len(period.strip()) == 4 else f"{year}-{month:02d}"


def record_actual(
    session: Session,
    *,
    plan_id: str,
    indicator_id: str,
    period: str,
    reported_by: str,
    value: float | None = None,
    status: str | None = None,
    unit: str | None = None,
    source: str = "手工填报",
    note: str | None = None,
    scope: Scope | None = None,
) -> IndicatorActual:
    """Record one actual (a value, or for a qualitative indicator a status) as 'reported'."""
    pack = current_pack(session, plan_id)
    ind = pack.indicator(indicator_id)
    _check_unit(ind.responsible, scope or Scope.system(), ind.name)
    ensure_document_actuals(session, pack)
    period = normal_period(period)
    if ind.quantified and value is None:
        raise ConfigurationError(f"{ind.name} 须填实绩值 (a value is required)")
    if value is not None:
        try:
            value = finite_figure(value)
        except ValueError as exc:
            raise ConfigurationError(f"{ind.name} 实绩值{exc}") from None
    if not ind.quantified:
        if status is None:
            raise ConfigurationError(f"{ind.name} 是定性指标，须填完成情况 (a status is required)")
        status, value = status_of(status), None
    elif status is not None:
        raise ConfigurationError(
            f"{ind.name} 是定量指标，不填完成情况 (no status for a quantified indicator)"
        )
    row = IndicatorActual(
        plan_id=pack.id,
        plan_version=pack.version,
        indicator_id=ind.id,
        period=period,
        value=value,
        status=status,
        kind="reported",
        source=source,
        unit=unit,
        reported_by=reported_by,
        reported_at=_now(),
        note=note,
    )
    session.add(row)
    session.flush()
    return row


# --- the template -----------------------------------------------------------------------------


def _target_text(ind: Indicator) -> str:
    if not ind.quantified:
        return ind.target.quote
    words = {
        "at_least": "不低于",
        "at_most": "不高于",
        "keep_at_least": "保持在",
        "increase_by": "增长",
        "decrease_by": "下降",
    }
    value = ind.target.value
    if ind.direction == "increase_by" and ind.change == "times":
        # A target of x2 is 翻一番 (增长1倍), not 增长2倍.
        named = {2.0: "翻一番", 4.0: "翻两番"}.get(float(value or 0))
        return f"{ind.target.year}年{named or f'达到基期的{value:g}倍'}"
    if ind.change == "annual_percent":
        return f"{ind.target.year}年前年均{words[ind.direction]}{value:g}%"
    suffix = {"percent": "%", "points": "个百分点"}.get(ind.change or "", "")
    return f"{ind.target.year}年{words[ind.direction]}{value:g}{suffix or ind.unit}"


def template_frame(pack: Pack, period: str | None = None) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for ind in pack.indicators:
        rows.append(
            {
                "规划编号": pack.id,
                "类型": KIND_INDICATOR,
                "指标编号": ind.id,
                "指标名称": ind.name,
                "单位": ind.unit,
                "目标": _target_text(ind),
                "责任单位": "、".join(ind.responsible),
            }
        )
    for task in pack.tasks:
        units = "、".join(task.lead_units)
        rows.append(
            {
                "规划编号": pack.id,
                "类型": KIND_TASK,
                "指标编号": task.id,
                "指标名称": task.name,
                "责任单位": units,
            }
        )
    frame = pl.DataFrame(rows, schema={c: pl.String for c in COLUMNS})
    return frame.with_columns(期间=pl.lit(period, dtype=pl.String))


def write_template(
    *, plan_id: str, path: Path, period: str | None = None, session: Session | None = None
) -> Path:
    """The plan's actuals template (xlsx or csv): a row per indicator and task to fill in; the
    catalogue's current pack with a session, else the shipped pack."""
    from industry_brain.reports.tables import write_table

    pack = current_pack(session, plan_id) if session is not None else load_pack(plan_id)
    if period is not None:
        period = normal_period(period)
    title: str | None = (
        f"{pack.title} 指标实绩填报表：定量指标填“实绩值”，定性指标和任务填“完成情况”"
        f"（{'、'.join(STATUS_LABELS.values())}）；期间写 YYYY 或 YYYY-MM"
    )
    if Path(path).suffix.lower() == ".csv":
        title = None  # a CSV has no room for a title row
    return write_table(template_frame(pack, period), Path(path), sheet="实绩填报", title=title)


# --- import -----------------------------------------------------------------------------------


def read_cells(path: Path) -> list[list[Any]]:
    """The first sheet (or the csv) of an actuals file, as rows of cells."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [list(r) for r in csv.reader(fh)]
    if suffix != ".xlsx":
        raise FileRejected(path.name, f"不支持的文件类型 {suffix}；请用实绩填报模板 (.xlsx 或 .csv)")
    from industry_brain.core.settings import get_settings
    from industry_brain.ingest.reader import read_first_sheet_cells

    # Scanned and read under the import's read budget: a hostile workbook is refused, not loaded.
    return read_first_sheet_cells(path, get_settings())


def _header(cells: list[list[Any]], file: str) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(cells[:10]):
        names = [str(c).strip() if c is not None else "" for c in row]
        if "指标编号" in names:
            index = {n: j for j, n in enumerate(names) if n}
            missing = [c for c in REQUIRED if c not in index]
            if missing:
                raise FileRejected(file, f"缺少列 {'、'.join(missing)} (missing columns; use the template)")
            return i, index
    raise FileRejected(file, "找不到表头“指标编号” (no header row; use `industry-brain actuals template`)")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _period_cell(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}-{value.month:02d}"
    text = _text(value)
    if len(text) in (6, 7) and "-" in text:  # 2024-6 → 2024-06
        year, _, month = text.partition("-")
        text = f"{year}-{int(month):02d}" if month.isdigit() else text
    return normal_period(text)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return finite_figure(value)
    return finite_figure(_text(value).replace(",", "").replace("，", ""))


@dataclass
class _Parsed:
    row: int
    kind: str
    item_id: str
    period: str
    value: float | None
    status: str | None
    unit: str | None
    note: str | None


def _parse_row(
    pack: Pack,
    cells: list[Any],
    index: dict[str, int],
    n: int,
    scope: Scope,
    problems: list[tuple[int, str, str]],
) -> _Parsed | None:
    def cell(name: str) -> Any:
        j = index.get(name)
        return cells[j] if j is not None and j < len(cells) else None

    value_cell, status_cell = _text(cell("实绩值")), _text(cell("完成情况"))
    if not value_cell and not status_cell:
        return None  # a row left blank: nothing to report for it
    before = len(problems)
    if _text(cell("规划编号")) != pack.id:
        problems.append((n, "规划编号", f"{_text(cell('规划编号'))!r} 不是 {pack.id}"))
    kind = _text(cell("类型")) or KIND_INDICATOR
    item_id = _text(cell("指标编号"))
    units: tuple[str, ...] = ()
    quantified = False
    if kind == KIND_INDICATOR and item_id in {i.id for i in pack.indicators}:
        ind = pack.indicator(item_id)
        units, quantified = ind.responsible, ind.quantified
    elif kind == KIND_TASK and item_id in {t.id for t in pack.tasks}:
        units = next(t.lead_units for t in pack.tasks if t.id == item_id)
    elif kind in (KIND_INDICATOR, KIND_TASK):
        problems.append((n, "指标编号", f"{pack.id} 没有{kind} {item_id!r}"))
    else:
        problems.append((n, "类型", f"{kind!r} 应为 {KIND_INDICATOR} 或 {KIND_TASK}"))
    period = value = status = None
    try:
        period = _period_cell(cell("期间"))
    except ConfigurationError:
        problems.append((n, "期间", f"{_text(cell('期间'))!r} 应为 YYYY 或 YYYY-MM"))
    if quantified:
        if status_cell:
            problems.append((n, "完成情况", "定量指标填实绩值，不填完成情况"))
        try:
            value = _number(cell("实绩值"))
        except ValueError:
            problems.append((n, "实绩值", f"{value_cell!r} 不是数字 (not a number)"))
    elif len(problems) == before:
        if value_cell:
            problems.append((n, "实绩值", "定性指标和任务不填实绩值，请填完成情况"))
        else:
            try:
                status = status_of(status_cell)
            except ConfigurationError as exc:
                problems.append((n, "完成情况", str(exc)))
    if len(problems) == before and not scope.district_wide and scope.unit not in units:
        problems.append((n, "指标编号", f"{scope.unit} 不是 {item_id} 的责任单位"))
    if len(problems) > before or period is None:
        return None
    unit, note = _text(cell("填报单位")) or None, _text(cell("备注")) or None
    return _Parsed(n, kind, item_id, period, value, status, unit, note)


def import_actuals(
    session: Session,
    *,
    path: Path,
    reported_by: str,
    plan_id: str | None = None,
    scope: Scope | None = None,
) -> ImportSummary:
    """Import a filled actuals template: all rows or none (ActualsRejected lists every bad row)."""
    path = Path(path)
    if not path.is_file():
        raise FileRejected(path.name, "文件不存在 (file not found)")
    scope = scope or Scope.system()
    check_scope(scope)
    cells = read_cells(path)
    head, index = _header(cells, path.name)
    body = cells[head + 1 :]
    ids = {
        _text(r[index["规划编号"]])
        for r in body
        if index["规划编号"] < len(r) and _text(r[index["规划编号"]])
    }
    if plan_id is None:
        if len(ids) != 1:
            raise FileRejected(
                path.name, f"规划编号应只有一个 (found {sorted(ids) or 'none'}); 或用 --plan 指定"
            )
        plan_id = ids.pop()
    pack = current_pack(session, plan_id)
    problems: list[tuple[int, str, str]] = []
    parsed: list[_Parsed] = []
    for offset, row in enumerate(body):
        item = _parse_row(pack, row, index, head + 2 + offset, scope, problems)
        if item is not None:
            parsed.append(item)
    seen: dict[tuple[str, str, str], int] = {}
    for p in parsed:
        key = (p.kind, p.item_id, p.period)
        if key in seen:
            problems.append((p.row, "指标编号", f"{p.item_id} {p.period} 与第{seen[key]}行重复 (duplicate)"))
        seen.setdefault(key, p.row)
    if problems:
        raise ActualsRejected(path.name, sorted(problems))
    if not parsed:
        raise FileRejected(path.name, "没有填报任何实绩或完成情况 (no row filled in)")
    return _write(session, pack, path, parsed, reported_by, skipped=len(body) - len(parsed))


def _write(
    session: Session, pack: Pack, path: Path, parsed: list[_Parsed], reported_by: str, *, skipped: int
) -> ImportSummary:
    now = _now()
    batch = ActualBatch(
        plan_id=pack.id,
        file_name=path.name,
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        rows=len(parsed),
        imported_by=reported_by,
        imported_at=now,
    )
    ensure_document_actuals(session, pack)
    session.add(batch)
    session.flush()
    common = dict(plan_id=pack.id, plan_version=pack.version, reported_at=now, batch_id=batch.id)
    for p in parsed:
        if p.kind == KIND_TASK:
            reporter = p.unit or reported_by
            session.add(
                TaskReport(
                    **common,
                    task_id=p.item_id,
                    period=p.period,
                    status=p.status,
                    text=p.note,
                    reported_by=reporter,
                    row=p.row,
                )
            )
        else:
            session.add(
                IndicatorActual(
                    **common,
                    indicator_id=p.item_id,
                    period=p.period,
                    value=p.value,
                    status=p.status,
                    kind="reported",
                    source=f"{path.name} 第{p.row}行",
                    unit=p.unit,
                    reported_by=reported_by,
                    note=p.note,
                    row=p.row,
                )
            )
    session.flush()
    tasks = sum(p.kind == KIND_TASK for p in parsed)
    return ImportSummary(batch.id, pack.id, path.name, len(parsed) - tasks, tasks, skipped)


# --- listing ----------------------------------------------------------------------------------


def list_actuals(
    session: Session, *, plan_id: str, indicator_id: str | None = None, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """The plan's stored actuals (reported and document), oldest first."""
    pack = current_pack(session, plan_id)
    scope = scope or Scope.system()
    check_scope(scope)
    ensure_document_actuals(session, pack)
    result = []
    for r in stored_actuals(session, plan_id=plan_id):
        if indicator_id is not None and r.indicator_id != indicator_id:
            continue
        units = next((i.responsible for i in pack.indicators if i.id == r.indicator_id), ())
        if not scope.district_wide and not (scope.role == "department" and scope.unit in units):
            continue
        result.append(
            {
                "id": r.id,
                "plan_id": r.plan_id,
                "plan_version": r.plan_version,
                "indicator_id": r.indicator_id,
                "period": r.period,
                "value": r.value,
                "status": r.status,
                "kind": r.kind,
                "source": r.source,
                "unit": r.unit,
                "reported_by": r.reported_by,
                "reported_at": r.reported_at,
                "note": r.note,
                "batch_id": r.batch_id,
            }
        )
    return result


def task_reports(session: Session, *, plan_id: str) -> list[TaskReport]:
    stmt = select(TaskReport).where(TaskReport.plan_id == plan_id).order_by(TaskReport.id)
    return list(session.scalars(stmt).all())
