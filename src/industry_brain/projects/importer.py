"""Importing a project list (xlsx or csv, Chinese headers) into the project pool.

All or nothing: every row is checked first; one bad row refuses the file with each bad cell
named (file, row, column, reason) and nothing is written. A project already in the pool under
the same name and code is updated; milestones (an xlsx sheet named 节点) are matched by name.
docs/projects.md describes the template.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import FileRejected
from industry_brain.core.figures import finite_figure
from industry_brain.core.settings import Settings, get_settings
from industry_brain.core.text import squash, to_halfwidth
from industry_brain.core.units import split_header
from industry_brain.ingest.budget import run_bounded
from industry_brain.ingest.parse import parse_date
from industry_brain.ingest.reader import check_workbook
from industry_brain.projects.models import Milestone, Project
from industry_brain.projects.schemas import (
    LAND_TO_MU,
    MILESTONE_COLUMNS,
    MILESTONE_SHEETS,
    MONEY_TO_YI,
    PROJECT_COLUMNS,
    STAGE_ALIASES,
    Column,
    MilestoneRow,
    ProjectRow,
)
from industry_brain.reference.divisions import townships

Grid = list[list[str]]
MAX_ERRORS = 20


@dataclass
class ImportSummary:
    file: str
    rows_read: int
    inserted: int
    updated: int
    milestones: int
    names: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "milestones": self.milestones,
        }


class _Errors:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, row: int, column: str, reason: str) -> None:
        self.items.append(f"第 {row} 行“{column}”列：{reason}")

    def raise_if_any(self) -> None:
        if self.items:
            more = f"（另有 {len(self.items) - MAX_ERRORS} 处）" if len(self.items) > MAX_ERRORS else ""
            raise FileRejected(self.file, "；".join(self.items[:MAX_ERRORS]) + more + "。未导入任何项目")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).replace("\u3000", " ").strip()


def read_sheets(path: Path) -> dict[str, Grid]:
    """Every sheet of the file as text cells (a csv is one sheet)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("gb18030")
            return {"": [[_cell(c) for c in row] for row in csv.reader(text.splitlines())]}
        if suffix in (".xlsx", ".xls", ".ods"):
            settings = get_settings()
            sheets: dict[str, Grid] = run_bounded(
                _workbook, path, settings, settings=settings, file=path.name
            )
            return sheets
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(path.name, f"无法读取文件：{exc}") from exc
    raise FileRejected(path.name, f"不支持的文件格式 {suffix}：请用 .xlsx 或 .csv（模板见 docs/projects.md）")


def _workbook(path: Path, settings: Settings) -> dict[str, Grid]:
    """In the read budget's child: the importer's safety scan, then every sheet as text."""
    from python_calamine import CalamineWorkbook

    check_workbook(path, settings)
    try:
        book = CalamineWorkbook.from_path(str(path))
        return {
            name: [[_cell(c) for c in row] for row in book.get_sheet_by_name(name).to_python()]
            for name in book.sheet_names
        }
    except Exception as exc:  # calamine's own error types
        raise FileRejected(path.name, f"无法读取文件：{exc}") from exc


def _index(columns: tuple[Column, ...]) -> dict[str, Column]:
    return {squash(to_halfwidth(term)): c for c in columns for term in (c.header, *c.aliases)}


def _header(grid: Grid, columns: tuple[Column, ...]) -> tuple[int, dict[int, tuple[Column, str | None]]]:
    """(row index of the header, column position -> (Column, unit in brackets))."""
    index = _index(columns)
    for i, row in enumerate(grid[:10]):
        found: dict[int, tuple[Column, str | None]] = {}
        for j, text in enumerate(row):
            term, unit = split_header(text)
            if term in index:
                found[j] = (index[term], unit)
        if any(c.name in ("name", "project_name") for c, _ in found.values()):
            return i, found
    raise ValueError("找不到表头（需要“项目名称”列）")


def _number(text: str) -> float | None:
    t = to_halfwidth(text).replace(",", "").strip()
    if t in ("", "-", "—", "/", "无"):
        return None
    return finite_figure(t)


def _convert(col: Column, unit: str | None, text: str) -> Any:
    """The cell's value in the stored unit; ValueError with the reason when it cannot be."""
    if col.kind == "text":
        return text or None
    if col.kind == "stage":
        if text not in STAGE_ALIASES:
            raise ValueError(f"未知的建设阶段“{text}”（可用：谋划、签约、新建、续建、竣工、投产、达产）")
        return STAGE_ALIASES[text]
    if col.kind in ("money_yi", "land_mu"):
        factors = MONEY_TO_YI if col.kind == "money_yi" else LAND_TO_MU
        default = "亿元" if col.kind == "money_yi" else "亩"
        if (unit or default) not in factors:
            raise ValueError(f"不认识的单位“{unit}”（可用：{'、'.join(factors)}）")
        try:
            value = _number(text)
        except ValueError:
            raise ValueError(f"“{text}”不是数字") from None
        if value is not None and value < 0:
            raise ValueError(f"不能为负数：{text}")
        return None if value is None else value * factors[unit or default]
    if col.kind == "year":
        if not text:
            return None
        if not re.fullmatch(r"(19|20)\d\d", text):
            raise ValueError(f"“{text}”不是年份（如 2023）")
        return int(text)
    if col.kind == "years":
        if not text:
            return None
        m = re.fullmatch(r"((?:19|20)\d\d)\s*[-—–~至]\s*((?:19|20)\d\d)", text)
        if not m:
            raise ValueError(f"“{text}”不是起止年限（如 2020-2023）")
        return int(m.group(1)), int(m.group(2))
    if col.kind == "date":
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            raise ValueError(f"“{text}”不是日期（如 2024-06-30）")
        return parsed
    raise AssertionError(col.kind)


def _rows(
    grid: Grid, columns: tuple[Column, ...], file: str, errors: _Errors
) -> list[tuple[int, dict[str, Any]]]:
    try:
        head, found = _header(grid, columns)
    except ValueError as exc:
        raise FileRejected(file, str(exc)) from None
    missing = [c.header for c in columns if c.required and c not in [f for f, _ in found.values()]]
    if missing:
        raise FileRejected(file, f"缺少必需的列：{'、'.join(missing)}")
    out = []
    for i, row in enumerate(grid[head + 1 :], start=head + 2):
        if not any(row) or (row and row[0].startswith(("合计", "总计", "小计"))):
            continue
        values: dict[str, Any] = {}
        for j, (col, unit) in found.items():
            text = row[j] if j < len(row) else ""
            try:
                values[col.name] = _convert(col, unit, text)
            except ValueError as exc:
                errors.add(i, grid[head][j], str(exc))
            if col.required and not text:
                errors.add(i, grid[head][j], "必填，不能为空")
        out.append((i, values))
    return out


def _project(values: dict[str, Any], row: int, errors: _Errors, file: str) -> ProjectRow:
    start, end = values.pop("years", None) or (None, None)
    values.setdefault("start_year", None)
    values.setdefault("end_year", None)
    values["start_year"] = values["start_year"] or start
    values["end_year"] = values["end_year"] or end
    if values["start_year"] and values["end_year"] and values["start_year"] > values["end_year"]:
        errors.add(row, "建设起止年限", f"开工年份 {values['start_year']} 晚于竣工年份 {values['end_year']}")
    values["code"] = values.get("code") or ""
    values["name"] = values.get("name") or ""
    values["stage"] = values.get("stage") or ""  # a bad stage is already an error
    values.setdefault("source", None)
    values["source"] = values["source"] or f"{file} 第{row}行"
    return ProjectRow(**{k: v for k, v in values.items() if k in ProjectRow.__dataclass_fields__})


def parse_file(path: Path) -> list[ProjectRow]:
    """The file's projects with their milestones, or FileRejected naming every bad cell."""
    file = path.name
    sheets = read_sheets(path)
    errors = _Errors(file)
    milestone_sheet = next((s for s in sheets if s in MILESTONE_SHEETS), None)
    project_sheet = next(s for s in sheets if s != milestone_sheet)
    projects: dict[tuple[str, str], ProjectRow] = {}
    for row, values in _rows(sheets[project_sheet], PROJECT_COLUMNS, file, errors):
        p = _project(values, row, errors, file)
        key = (p.name or "", p.code)
        if key in projects:
            errors.add(row, "项目名称", f"项目“{p.name}”（编号“{p.code}”）在文件中重复")
        projects[key] = p
    if milestone_sheet is not None:
        for row, v in _rows(sheets[milestone_sheet], MILESTONE_COLUMNS, f"{file}[{milestone_sheet}]", errors):
            owner = projects.get((v.get("project_name") or "", v.get("project_code") or ""))
            if owner is None:
                errors.add(row, "项目名称", f"节点表第 {row} 行的项目“{v.get('project_name')}”不在项目表中")
                continue
            owner.milestones.append(MilestoneRow(v["name"], v.get("planned_date"), v.get("done_date")))
    errors.raise_if_any()
    return list(projects.values())


def township_of(location: str | None, county: str) -> str | None:
    """The 9-digit township a location names first (江口街道王溆浦村 -> 江口街道)."""
    if not location:
        return None
    for d in sorted(townships(county), key=lambda d: -len(d.name)):
        if location.startswith(d.name):
            return d.code
    return None


def import_projects(session: Session, *, path: Path, user: str | None = None) -> ImportSummary:
    """Check the whole file, then insert or update every project (flushes, never commits)."""
    rows = parse_file(Path(path))
    county = get_settings().district_code
    now = dt.datetime.now()
    summary = ImportSummary(file=Path(path).name, rows_read=len(rows), inserted=0, updated=0, milestones=0)
    for r in rows:
        project = session.scalars(
            select(Project).where(Project.name == r.name, Project.code == r.code)
        ).first()
        if project is None:
            project = Project(name=r.name, code=r.code)
            session.add(project)
            summary.inserted += 1
        else:
            summary.updated += 1
        if project.stage != r.stage and r.stage_since is None:
            project.stage_since = now.date() if project.stage else None
        for attr in ProjectRow.__dataclass_fields__:
            if attr not in ("name", "code", "milestones", "stage_since"):
                setattr(project, attr, getattr(r, attr))
        if r.stage_since is not None:
            project.stage_since = r.stage_since
        project.township_code = township_of(r.location, county)
        project.updated_at = now
        session.flush()
        summary.milestones += _milestones(session, project, r.milestones)
        summary.names.append(r.name)
    return summary


def _milestones(session: Session, project: Project, rows: list[MilestoneRow]) -> int:
    existing = {
        m.name: m for m in session.scalars(select(Milestone).where(Milestone.project_id == project.id))
    }
    for r in rows:
        m = existing.get(r.name) or Milestone(project_id=project.id, name=r.name)
        m.planned_date, m.done_date = r.planned_date, r.done_date
        session.add(m)
    session.flush()
    return len(rows)
