"""The project pool's vocabulary: stages, the import template's columns, and typed rows out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# The lifecycle in order (GLOSSARY: planned, signed, new, ongoing, completed, in_production,
# at_capacity). 新建 is a project that starts construction in the period, 续建 one carried over
# already under construction; both are "under construction".
STAGES: tuple[str, ...] = ("谋划", "签约", "新建", "续建", "竣工", "投产", "达产")
STAGE_CODES: dict[str, str] = {
    "谋划": "planned",
    "签约": "signed",
    "新建": "new",
    "续建": "ongoing",
    "竣工": "completed",
    "投产": "in_production",
    "达产": "at_capacity",
}
# How the lists write a stage -> the stage (seed 004's annex writes 谋划类).
STAGE_ALIASES: dict[str, str] = {
    **{s: s for s in STAGES},
    **{f"{s}类": s for s in STAGES},
    **{f"{s}项目": s for s in STAGES},
    "储备": "谋划",
    "前期": "谋划",
    "已签约": "签约",
    "新开工": "新建",
    "在建": "续建",
    "已竣工": "竣工",
    "已投产": "投产",
    "已达产": "达产",
    **{code: s for s, code in STAGE_CODES.items()},
}


@dataclass(frozen=True)
class Column:
    name: str  # the Project attribute
    header: str  # the template's header (without unit)
    kind: str  # text, stage, money_yi, land_mu, year, years, date
    aliases: tuple[str, ...] = ()
    required: bool = False


C = Column
PROJECT_COLUMNS: tuple[Column, ...] = (
    C("code", "项目编号", "text", ("项目代码", "编号")),
    C("name", "项目名称", "text", ("名称",), required=True),
    C("stage", "建设阶段", "stage", ("建设性质", "项目阶段", "阶段"), required=True),
    C("industry", "行业类别", "text", ("所属行业", "行业", "产业类别")),
    C("location", "建设地点", "text", ("所在镇街", "项目地点", "地点")),
    C("years", "建设起止年限", "years", ("起止年限", "建设年限")),
    C("start_year", "开工年份", "year", ("开始年份", "起始年份")),
    C("end_year", "竣工年份", "year", ("结束年份", "完成年份")),
    C("investment_planned_yi", "总投资", "money_yi", ("计划总投资", "计划投资")),
    C("investment_done_yi", "已完成投资", "money_yi", ("累计完成投资", "完成投资")),
    C("land_mu", "用地面积", "land_mu", ("占地面积", "总用地面积")),
    C("responsible_unit", "责任单位", "text", ("牵头单位", "责任主体")),
    C("content", "建设内容", "text", ("建设规模与主要建设内容", "主要建设内容", "建设规模")),
    C("stage_since", "进入本阶段日期", "date", ("阶段日期",)),
    C("source", "来源", "text", ("数据来源",)),
)
MILESTONE_SHEETS = ("节点", "里程碑", "milestones")
MILESTONE_COLUMNS: tuple[Column, ...] = (
    C("project_name", "项目名称", "text", ("名称",), required=True),
    C("project_code", "项目编号", "text", ("项目代码", "编号")),
    C("name", "节点名称", "text", ("节点", "里程碑"), required=True),
    C("planned_date", "计划完成日期", "date", ("计划日期", "计划时间"), required=True),
    C("done_date", "实际完成日期", "date", ("完成日期", "实际日期")),
)
# Units accepted in a header's brackets, as a factor to the stored unit.
MONEY_TO_YI = {"亿元": 1.0, "万元": 1e-4, "元": 1e-8}
LAND_TO_MU = {"亩": 1.0, "公顷": 15.0, "平方米": 15.0 / 10000.0}


@dataclass
class MilestoneRow:
    name: str
    planned_date: dt.date | None
    done_date: dt.date | None = None


@dataclass
class ProjectRow:
    """One project as imported or listed; money in 亿元, land in 亩."""

    name: str
    stage: str
    code: str = ""
    investment_planned_yi: float | None = None
    investment_done_yi: float | None = None
    land_mu: float | None = None
    location: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    industry: str | None = None
    responsible_unit: str | None = None
    content: str | None = None
    stage_since: dt.date | None = None
    source: str | None = None
    milestones: list[MilestoneRow] = field(default_factory=list)
