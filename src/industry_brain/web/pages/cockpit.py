"""驾驶舱: headline indicators against targets, clusters, grade distribution, alerts, imports,
and the chains' gaps, tiers and pools, and the project pool's flags; each tile links to the
page with its detail."""

from __future__ import annotations

from typing import Any

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


# The chains, tiers/pools and projects tiles: who may see each (as on their own pages).
CHAIN_ROLES = frozenset({"admin", "analyst", "leader", "town"})
PROJECT_FLAGS = {"red": "红灯", "amber": "黄灯", "green": "绿灯"}


def domain_summaries(session: Any, *, scope: Any, settings: Any, year: int | None) -> dict[str, Any]:
    """What the chains, tiers/pools and projects tiles show, from the same service functions as
    their pages, with the signed-in scope; a part that cannot be computed says why."""
    import datetime as dt

    from industry_brain.clusters.chain_service import district_chains, gap_summary
    from industry_brain.core.errors import IndustryBrainError
    from industry_brain.cultivation.pools import list_pools
    from industry_brain.cultivation.service import tier_counts
    from industry_brain.projects.service import project_flags
    from industry_brain.projects.totals import project_totals

    out: dict[str, Any] = {"chains": "暂无企业数据", "tiers": "暂无企业数据"}
    parts: dict[str, Any] = {
        "pools": lambda: list_pools(session, scope=scope),
        "flags": lambda: project_flags(session, scope=scope, as_of=dt.date.today()),
        "totals": lambda: project_totals(session, scope=scope),
    }
    if year is not None:  # chains and tiers are figures of a data year
        y: int = year
        parts["chains"] = lambda: gap_summary(
            session, year=y, scope=scope, settings=settings, chains=district_chains(settings)
        )
        parts["tiers"] = lambda: [r for r in tier_counts(session, year=y, scope=scope) if r["level"] is None]
    for key, read in parts.items():
        try:
            out[key] = read() if scope.role in CHAIN_ROLES else "无权查看"
        except IndustryBrainError as exc:
            out[key] = str(exc)
    return out


def _chains_tile(chains: Any, lang: str) -> None:
    with _tile(t("产业链", lang), "/chains", lang):
        if isinstance(chains, str):
            empty(chains)
            return
        for c in chains:
            gaps = (
                f"缺失 {c['missing']} 个、薄弱 {c['weak']} 个节点" if c["missing"] or c["weak"] else "无缺链"
            )
            leader = f"；链主 {c['leader']}" if c["leader"] else ""
            with ui.row().classes("items-start no-wrap"):
                colour = "red" if c["missing"] else "amber" if c["weak"] else "green"
                ui.icon("circle").style(f"color: {STATUS_COLOURS.get(colour, '#9e9e9e')}")
                ui.link(f"{c['name']}：{gaps}{leader}", f"/chains?chain={c['id']}")


def _tiers_tile(tiers: Any, pools: Any, lang: str) -> None:
    with _tile(f"{t('企业梯队', lang)} · {t('培育库', lang)}", "/tiers", lang):
        if isinstance(tiers, str):
            empty(tiers)
        else:
            ui.label("，".join(f"{r['name']} {r['count']} 家" for r in tiers)).classes("text-body2")
        if isinstance(pools, str):
            empty(pools)
            return
        with ui.row():
            for p in pools:
                ui.link(f"{p['name']} {p['members']} 家", f"/pools?pool={p['id']}")


def _projects_tile(flags: Any, totals: Any, lang: str) -> None:
    with _tile(t("项目库", lang), "/projects", lang):
        if isinstance(flags, str):
            empty(flags)
            return
        with ui.row().classes("items-center"):
            for key, label in PROJECT_FLAGS.items():
                n = sum(1 for f in flags if f["flag"] == key)
                ui.badge(f"{label} {n}", color=STATUS_COLOURS.get(key, "#9e9e9e"))
        if isinstance(totals, dict):
            total = totals["total"]
            ui.label(f"项目 {total['count']} 个，计划投资 {number(total['investment_yi'])} 亿元").classes(
                "text-body2"
            )


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
        with ui.grid(columns=3).classes("w-full") as domains:
            ui.spinner()  # chains, tiers and pools, projects: filled in below

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

        def read_domains() -> dict[str, Any]:
            with page_session() as session:
                return domain_summaries(session, scope=scope, settings=settings, year=data.year)

        parts = await run.io_bound(read_domains)
        assert parts is not None
        domains.clear()
        with domains:
            _chains_tile(parts["chains"], lang)
            _tiers_tile(parts["tiers"], parts["pools"], lang)
            _projects_tile(parts["flags"], parts["totals"], lang)
            ui.label().classes("cockpit-domains-ready")
