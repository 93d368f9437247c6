"""驾驶舱: headline indicators against targets, clusters, grade distribution, alerts, imports;
each tile links to the page with its detail."""

from __future__ import annotations

from fastapi import Request
from nicegui import run, ui

from industry_brain.web import cockpit as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import GRADE_COLOURS, STATUS_COLOURS, empty, enter, header, number, title

PATH = "/cockpit"
STATUS_NAMES = {
    "achieved": "已完成",
    "on_track": "符合序时进度",
    "behind": "略有滞后",
    "off_track": "严重滞后",
    "no_data": "暂无实绩",
    "no_baseline": "缺少基期值",
}


def _tile(heading: str, link: str, lang: str) -> ui.card:
    card = ui.card().classes("w-full")
    with card, ui.row().classes("w-full items-center"):
        ui.label(heading).classes("text-subtitle1 text-weight-medium")
        ui.space()
        ui.link(t("查看详情", lang), link)
    return card


def _indicators(section: service.Section, lang: str) -> None:
    if section.message == "无权查看":
        return  # a town's cockpit has no plan tile
    with _tile(t("重点指标", lang), "/plans", lang):
        if not section.available:
            empty(
                t("规划数据待加载", lang) if section.message.startswith("规划数据待加载") else section.message
            )
            return
        s = section.summary
        counts = "，".join(
            f"{STATUS_NAMES[k]} {n} 项" for k, n in s["counts"].items() if n and k in STATUS_NAMES
        )
        ui.label(f"{s['title']}，截至 {s['as_of']}：{counts}").classes("text-grey-8")
        with ui.row().classes("w-full"):
            for r in section.items[:8]:
                colour = STATUS_COLOURS.get(r["colour"], "#9e9e9e")
                with ui.card().style(f"border-left: 6px solid {colour}; width: 290px"):
                    ui.label(r["name"]).classes("text-weight-medium ellipsis").style("max-width: 260px")
                    ui.label(
                        f"{t('实绩', lang)} {number(r['actual'])} / {t('目标值', lang)} {number(r['target'])}"
                        f" {r['unit']}"
                    )
                    ui.label(STATUS_NAMES.get(r["status"], r["status"])).style(f"color: {colour}")


def _grades(section: service.Section, lang: str) -> None:
    with _tile(t("评价等级分布", lang), "/evaluation", lang):
        if not section.available:
            empty(section.message)
            return
        s = section.summary
        ui.label(f"{s['year']} 年度，评价批次 {s['run_id']}，共 {s['total']} 户").classes("text-grey-8")
        data = [
            {"value": g["count"], "itemStyle": {"color": GRADE_COLOURS[g["grade"]]}} for g in section.items
        ]
        ui.echart(
            {
                "tooltip": {},
                "xAxis": {"type": "category", "data": [f"{g['grade']}类" for g in section.items]},
                "yAxis": {"type": "value", "name": "户"},
                "series": [{"type": "bar", "data": data, "label": {"show": True, "position": "top"}}],
            }
        ).classes("w-full h-64")


def _clusters(section: service.Section, lang: str) -> None:
    if not section.available:
        empty(t("集群数据待加载", lang) if section.message.startswith("集群数据待加载") else section.message)
        return
    names = [c["name"] for c in section.items]
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["工业总产值（亿元）", "增速（%）"]},
            "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 20}},
            "yAxis": [{"type": "value", "name": "亿元"}, {"type": "value", "name": "%"}],
            "series": [
                {
                    "name": "工业总产值（亿元）",
                    "type": "bar",
                    "data": [round(c["output"] or 0, 2) for c in section.items],
                },
                {
                    "name": "增速（%）",
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [
                        None if c["growth"] is None else round(c["growth"] * 100, 1) for c in section.items
                    ],
                },
            ],
        }
    ).classes("w-full h-64")


def _alerts(alerts: list[dict[str, str]], lang: str) -> ui.column:
    with _tile(t("预警", lang), "/evaluation", lang), ui.column() as column:
        if not alerts:
            empty(t("暂无", lang))
        for a in alerts[:8]:
            _alert(a)
    return column


def _alert(a: dict[str, str]) -> None:
    with ui.row().classes("items-center"):
        ui.icon("warning").style(f"color: {STATUS_COLOURS.get(a['level'], '#9e9e9e')}")
        ui.link(a["text"], a["link"])


def _imports(section: service.Section, lang: str) -> None:
    if section.message == "无权查看":
        return  # the bureau's import log is not shown to towns
    with _tile(t("最近导入", lang), "/imports", lang):
        if not section.available or not section.items:
            empty(section.message or t("暂无", lang))
            return
        for b in section.items:
            ui.label(
                f"批次 {b['batch_id']} · {b['file']} · 接收 {b['rows_accepted']} 行 · "
                f"退回 {b['rows_rejected']} 行"
                f" · {b['imported_at']}"
            ).classes("text-body2")


def register() -> None:
    @ui.page(PATH, title="驾驶舱 · 产业大脑")
    async def cockpit_page(request: Request) -> None:
        from industry_brain.web.security import context, page_session

        scope, lang = enter(request, PATH)
        settings = context().settings
        with page_session() as session:
            data = service.cockpit(session, scope=scope, settings=settings, slow=False)
        header(scope, lang, PATH)
        title(t("驾驶舱", lang))
        indicators = ui.column().classes("w-full")
        with indicators:
            _indicators(data.indicators, lang)
        with ui.grid(columns=2).classes("w-full"):
            _grades(data.grades, lang)
            with _tile(t("产业集群", lang), "/plans", lang):
                clusters = ui.column().classes("w-full")
                with clusters:
                    ui.spinner()
                    ui.label("计算中…").classes("text-grey-7 computing")
            alerts = _alerts(data.alerts, lang)
            _imports(data.imports, lang)

        def fetch() -> tuple[service.Section, service.Section]:
            with page_session() as session:
                return service.slow_sections(session, scope=scope, settings=settings, year=data.year)

        await ui.context.client.connected()
        result = await run.io_bound(fetch)
        assert result is not None
        indicators.clear()
        with indicators:
            _indicators(result[0], lang)
        late = [r for r in result[0].items if r["status"] == "off_track"]
        if late:
            with alerts:
                _alert({"level": "red", "text": f"{len(late)} 项指标严重滞后于序时进度", "link": "/plans"})
        clusters.clear()
        with clusters:
            _clusters(result[1], lang)
            ui.label().classes("cockpit-ready")  # tells a reader (and the browser tests) it is complete
