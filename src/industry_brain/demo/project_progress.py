"""The demo's project progress report: seed 004's 73 projects as the 发改/经信 unit would report
them on the day the demo is built, so that the project lights mean something.

Seed 004's annex gives each project's stage as of 2021 and nothing after. A district on its
platform gets a progress report every month; the demo writes one, as of `as_of`, in the same
workbook shape a department sends (docs/projects.md, "Import template"), and imports it through
`projects import`'s own path. Outcomes are drawn per project from the seed (deterministic for a
seed and a date): most projects past their end year have reached production, a few are late,
some lag on investment, a few 谋划 projects never started. docs/demo.md gives the shares.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

import xlsxwriter

from industry_brain.projects.schemas import MilestoneRow, ProjectRow

# Shares of the outcomes drawn for a project (docs/demo.md, "Projects").
LATE_SHARE = 0.10  # past its end year and still under construction
LAGGING_SHARE = 0.12  # under construction, investment 25-45 points behind time
NEVER_STARTED_SHARE = 0.5  # a 谋划 project whose start year has passed
MILESTONES = (("开工", 0.0), ("主体结顶", 0.55), ("竣工验收", 1.0))
HEADERS = (
    "项目编号",
    "项目名称",
    "建设阶段",
    "行业类别",
    "建设地点",
    "开工年份",
    "竣工年份",
    "总投资（亿元）",
    "已完成投资（亿元）",
    "用地面积（亩）",
    "建设内容",
    "进入本阶段日期",
    "来源",
)


def _date_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    days = max((end - start).days, 0)
    return start + dt.timedelta(days=rng.randint(0, days))


def _elapsed(p: ProjectRow, as_of: dt.date) -> float:
    assert p.start_year and p.end_year
    span = (dt.date(p.end_year, 12, 31) - dt.date(p.start_year, 1, 1)).days
    return min(max((as_of - dt.date(p.start_year, 1, 1)).days / span, 0.0), 1.0)


def _finished(rng: random.Random, p: ProjectRow, as_of: dt.date) -> ProjectRow:
    """Past its end year: completed, in production or at capacity, the older the further."""
    assert p.end_year
    done = dt.date(p.end_year, rng.randint(6, 12), 28)
    years_since = as_of.year - p.end_year
    if years_since >= 2:
        stage = "达产" if rng.random() < 0.75 else "投产"
    else:
        stage = "投产" if rng.random() < 0.6 else "竣工"
    since = _date_in(rng, done, min(done + dt.timedelta(days=300), as_of))
    return replace(p, stage=stage, investment_done_yi=p.investment_planned_yi, stage_since=since)


def _building(rng: random.Random, p: ProjectRow, as_of: dt.date, *, late: bool) -> ProjectRow:
    elapsed = 1.0 if late else _elapsed(p, as_of)
    share = elapsed - (rng.uniform(0.25, 0.45) if rng.random() < LAGGING_SHARE else rng.uniform(-0.05, 0.15))
    done = None
    if p.investment_planned_yi:
        done = round(p.investment_planned_yi * min(max(share, 0.05), 0.95 if late else 1.0), 2)
    since = dt.date(p.start_year or as_of.year, 3, 1)
    return replace(p, stage="续建" if (p.start_year or as_of.year) < as_of.year else "新建",
                   investment_done_yi=done, stage_since=min(since, as_of))


def progress_of(rng: random.Random, p: ProjectRow, as_of: dt.date) -> ProjectRow:
    """The project as its unit reports it on `as_of`."""
    if not (p.start_year and p.end_year):
        return replace(p, stage_since=dt.date(as_of.year - 1, 1, 1))
    if p.stage in ("谋划", "签约"):
        if p.start_year >= as_of.year or rng.random() < NEVER_STARTED_SHARE:
            return replace(p, stage_since=dt.date(min(p.start_year, as_of.year) - 1, 6, 30))
    if p.end_year < as_of.year:
        return _building(rng, p, as_of, late=True) if rng.random() < LATE_SHARE else _finished(rng, p, as_of)
    return _building(rng, p, as_of, late=False)


def _milestones(rng: random.Random, p: ProjectRow, as_of: dt.date) -> list[MilestoneRow]:
    if not (p.start_year and p.end_year) or p.stage in ("谋划", "签约"):
        return []
    start, end = dt.date(p.start_year, 3, 31), dt.date(p.end_year, 10, 31)
    rows = []
    finished = p.stage in ("竣工", "投产", "达产")
    for name, at in MILESTONES:
        planned = start + dt.timedelta(days=round((end - start).days * at))
        on_time = finished or name == "开工" or rng.random() > 0.15
        done = planned + dt.timedelta(days=rng.randint(-20, 25)) if planned < as_of and on_time else None
        rows.append(MilestoneRow(name=name, planned_date=planned, done_date=done if done and done <= as_of else None))
    return rows


def write_progress(rows: list[ProjectRow], path: Path, *, seed: int, as_of: dt.date) -> list[ProjectRow]:
    """Write the progress workbook (项目 and 节点 sheets); returns the reported rows."""
    rng = random.Random(f"{seed}:projects:{as_of.isoformat()}")
    reported = []
    for p in rows:
        q = progress_of(rng, p, as_of)
        reported.append(replace(q, milestones=_milestones(rng, q, as_of)))
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": dt.datetime(as_of.year, as_of.month, as_of.day)})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("项目")
    sheet.write_row(0, 0, HEADERS)
    for i, p in enumerate(reported, start=1):
        values = (p.code, p.name, p.stage, p.industry, p.location, p.start_year, p.end_year,
                  p.investment_planned_yi, p.investment_done_yi, p.land_mu, p.content)
        for j, v in enumerate(values):
            if v is not None:
                sheet.write(i, j, v)
        if p.stage_since:
            sheet.write_datetime(i, 11, dt.datetime.combine(p.stage_since, dt.time()), dates)
        sheet.write_string(i, 12, f"演示：{as_of.isoformat()} 项目进度报表")
    nodes = book.add_worksheet("节点")
    nodes.write_row(0, 0, ("项目名称", "项目编号", "节点名称", "计划完成日期", "实际完成日期"))
    r = 1
    for p in reported:
        for m in p.milestones:
            nodes.write_row(r, 0, (p.name, p.code, m.name))
            nodes.write_datetime(r, 3, dt.datetime.combine(m.planned_date, dt.time()), dates)  # type: ignore[arg-type]
            if m.done_date:
                nodes.write_datetime(r, 4, dt.datetime.combine(m.done_date, dt.time()), dates)
            r += 1
    book.close()
    return reported
