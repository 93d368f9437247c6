"""项目库: the project pool with red/amber/green flags and their reasons, projects and
investment by stage (a chart), 三已三未, investment by year beside the plans' investment
targets. Fed by projects.service and projects.totals with the signed-in scope, as the API and
`industry-brain projects ...` are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import enter_domain, table, tr
from industry_brain.web.pages.layout import STATUS_COLOURS, empty, header, number, title

PATH = "/projects"
FLAGS = {"red": "红灯", "amber": "黄灯", "green": "绿灯"}


def stage_chart(by_stage: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts options: projects (bars) and planned investment in 亿元 (line) by stage."""
    stages = [s["stage"] for s in by_stage]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["项目数", "计划投资（亿元）"]},
        "xAxis": {"type": "category", "data": stages},
        "yAxis": [{"type": "value", "name": "个"}, {"type": "value", "name": "亿元"}],
        "series": [
            {
                "name": "项目数",
                "type": "bar",
                "data": [s["count"] for s in by_stage],
                "label": {"show": True},
            },
            {
                "name": "计划投资（亿元）",
                "type": "line",
                "yAxisIndex": 1,
                "data": [round(s["investment_yi"], 2) for s in by_stage],
            },
        ],
    }


def _read(scope: Scope, as_of: dt.date) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    from industry_brain.projects.service import project_flags, sanyi
    from industry_brain.projects.totals import project_totals
    from industry_brain.web.security import page_session

    with page_session() as session:
        flags = project_flags(session, scope=scope, as_of=as_of)
        return flags, sanyi(session, scope=scope), project_totals(session, scope=scope)


def _badges(flags: list[dict[str, Any]]) -> None:
    with ui.row().classes("items-center"):
        for key, label in FLAGS.items():
            n = sum(f["flag"] == key for f in flags)
            ui.badge(f"{label} {n}").classes("text-body1 q-pa-sm").style(
                f"background: {STATUS_COLOURS[key]} !important"
            )


def _sanyi(lists: dict[str, Any], lang: str) -> None:
    ui.label(tr("三已三未", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.row():
        for item in lists.values():
            with ui.card().classes("w-64"):
                ui.label(item["label"]).classes("text-weight-medium")
                ui.label(f"{item['count']} 个 · {number(item['investment_yi'])} 亿元").classes("text-h6")
    rows = [{**p, "list": item["label"]} for item in lists.values() for p in item["projects"]]
    cols = [
        ("list", "清单"),
        ("name", "项目名称"),
        ("stage", "阶段"),
        ("investment_yi", "计划投资（亿元）"),
        ("location", "地点"),
        ("start_year", "开工年份"),
        ("end_year", "竣工年份"),
    ]
    table(rows, cols, file_name="三已三未.xlsx", title="三已三未项目清单", lang=lang, height=300)


def _totals(totals: dict[str, Any], lang: str) -> None:
    ui.label(tr("按阶段", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    if totals["by_stage"]:
        ui.echart(stage_chart(totals["by_stage"])).classes("w-full h-72")
    total = totals["total"]
    ui.label(f"共 {total['count']} 个项目，计划投资 {number(total['investment_yi'])} 亿元").classes(
        "text-grey-8"
    )
    cols = [("year", "年度"), ("investment_yi", "计划投资（亿元，按建设期均摊）")]
    table(
        totals["by_year"],
        cols,
        file_name="项目年度投资.xlsx",
        title="项目计划投资（按年度均摊）",
        lang=lang,
        shown={"investment_yi": number},
        height=260,
    )
    if totals["targets"]:
        ui.label(tr("投资目标", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
        cols = [
            ("plan", "规划"),
            ("plan_version", "规划版本"),
            ("name", "指标"),
            ("year", "目标年"),
            ("target_yi", "目标（亿元）"),
            ("target_pct", "增速目标（%）"),
            ("quote", "原文"),
        ]
        shown = {"plan_version": lambda v: f"第 {v} 版"}
        table(
            totals["targets"],
            cols,
            file_name="投资目标.xlsx",
            title="规划投资目标",
            lang=lang,
            shown=shown,
            height=260,
        )
    if totals.get("targets_note"):
        ui.label(totals["targets_note"]).classes("text-grey-7 text-caption")


def register() -> None:
    @ui.page(PATH, title="项目库 · 产业大脑")
    def projects_page(request: Request, as_of: str = "") -> None:
        from industry_brain.web.errors import iso_date

        scope, lang = enter_domain(request, PATH)
        when = iso_date(as_of, "截至日期") or dt.date.today()
        header(scope, lang, PATH)
        title(tr("项目库", lang))
        try:
            flags, lists, totals = _read(scope, when)
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")
            return
        if not flags:
            empty(tr("暂无数据", lang))
            return
        ui.label(f"截至 {when.isoformat()}").classes("text-grey-7")
        _badges(flags)
        ui.label(tr("红黄绿灯", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
        rows = [{**f, "flag_name": FLAGS[f["flag"]]} for f in flags]
        cols = [
            ("flag_name", "灯"),
            ("name", "项目名称"),
            ("stage", "阶段"),
            ("investment_yi", "计划投资（亿元）"),
            ("location", "地点"),
            ("reasons", "原因"),
        ]
        table(
            rows,
            cols,
            file_name=f"项目红黄绿灯_{when.isoformat()}.xlsx",
            title=f"项目库红黄绿灯（截至 {when}）",
            lang=lang,
            shown={"investment_yi": number},
        )
        _totals(totals, lang)
        _sanyi(lists, lang)
