"""驾驶舱: headline indicators against targets, clusters, grade distribution, alerts, imports,
and the chains' gaps, tiers and pools, and the project pool's flags; each tile links to the
page with its detail."""

from __future__ import annotations

from html import escape as esc
from typing import Any
from urllib.parse import quote

from fastapi import Request
from nicegui import run, ui

from industry_brain.core.labels import moment
from industry_brain.core.readcache import ReadCache
from industry_brain.web import cockpit as service
from industry_brain.web.i18n import t
from industry_brain.web.pages import cockpit_economy as economy_view
from industry_brain.web.pages.layout import (
    GRADE_COLOURS,
    STATUS_COLOURS,
    empty,
    enter,
    header,
    html_lines,
    number,
    off_loop,
    title,
)
from industry_brain.web.pages.requests_links import cockpit_tile as requests_tile

PATH = "/cockpit"
STATUS_NAMES = {
    "achieved": "已完成",
    "on_track": "符合序时进度",
    "behind": "略有滞后",
    "off_track": "严重滞后",
    "no_data": "暂无实绩",
    "no_baseline": "缺少基期值",
    "check_data": "口径待核实",
}


def _tile(heading: str, link: str, lang: str) -> ui.card:
    card = ui.card().classes("w-full")
    with card:
        ui.html(
            '<div class="row items-center" style="width: 100%">'
            f'<div class="text-subtitle1 text-weight-medium">{esc(heading)}</div>'
            '<div style="flex-grow: 1"></div>'
            f'<a class="nicegui-link" href="{link}">{esc(t("查看详情", lang))}</a></div>'
        ).classes("w-full")
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
        cards = []
        for r in section.items[:8]:
            colour = STATUS_COLOURS.get(r["colour"], "#9e9e9e")
            if r.get("kind") == "growth":
                actual, target = number(r["actual"], 1), number(r["target"], 1)
                figure = f"{t('年均增长', lang)} {actual}% / {t('目标', lang)} {target}%"
            else:
                actual, target = number(r["actual"]), number(r["target"])
                figure = f"{t('实绩', lang)} {actual} / {t('目标值', lang)} {target} {r['unit']}"
            status = STATUS_NAMES.get(r["status"], r["status"])
            cards.append(
                f'<div class="q-card q-pa-md" style="border-left: 6px solid {colour}; width: 290px">'
                f'<div class="text-weight-medium ellipsis" style="max-width: 260px">{esc(r["name"])}</div>'
                f'<div>{esc(figure)}</div><div style="color: {colour}">{esc(status)}</div></div>'
            )
        # The cards as one element: see web/nicegui_speed.py for what each element costs.
        ui.html(f'<div class="row q-gutter-sm">{"".join(cards)}</div>').classes("w-full")


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
        html_lines(
            [
                f"批次 {b['batch_id']} · {b['file']} · 接收 {b['rows_accepted']} 行 · "
                f"退回 {b['rows_rejected']} 行 · {moment(b['imported_at'])}"
                for b in section.items
            ]
        )


# The chains, tiers/pools and projects tiles: who may see each (as on their own pages).
CHAIN_ROLES = frozenset({"admin", "analyst", "leader", "town"})
PROJECT_FLAGS = {"red": "红灯", "amber": "黄灯", "green": "绿灯"}
# who sees the 经济运行 tile: the roles the monitoring page's area figures are for
ECONOMY_ROLES = frozenset({"admin", "analyst", "leader", "town"})


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
        rows = []
        for c in chains:
            gaps = (
                f"缺失 {c['missing']} 个、薄弱 {c['weak']} 个节点" if c["missing"] or c["weak"] else "无缺链"
            )
            leader = f"；链主 {c['leader']}" if c["leader"] else ""
            colour = STATUS_COLOURS.get(
                "red" if c["missing"] else "amber" if c["weak"] else "green", "#9e9e9e"
            )
            text = esc(f"{c['name']}：{gaps}{leader}")
            rows.append(
                f'<div class="q-mb-xs"><span style="color: {colour}">●</span> '
                f'<a class="nicegui-link" href="/chains?chain={quote(str(c["id"]))}">{text}</a></div>'
            )
        ui.html("".join(rows))


def _tiers_tile(tiers: Any, pools: Any, lang: str) -> None:
    with _tile(f"{t('企业梯队', lang)} · {t('培育库', lang)}", "/tiers", lang):
        if isinstance(tiers, str):
            empty(tiers)
        else:
            ui.label("，".join(f"{r['name']} {r['count']} 家" for r in tiers)).classes("text-body2")
        if isinstance(pools, str):
            empty(pools)
            return
        links = []
        for p in pools:
            name = esc(f"{p['name']} {p['members']} 家")
            to = quote(str(p["id"]))
            links.append(f'<a class="nicegui-link q-mr-md" href="/pools?pool={to}">{name}</a>')
        ui.html("".join(links))


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


def _headline(figures: list[Any], economy: dict[str, Any], lang: str, *, year: int | None) -> None:
    """The headline figures with 同比, on top of the cockpit: the newest month's 累计 (the
    monitoring's), then the newest data year's (the yearly statistics)."""
    monthly = economy_view.headline_cards(economy, lang)
    if monthly:
        ui.html(monthly).classes("w-full cockpit-headline")
    if not figures:
        return
    cards = []
    for h in figures:
        digits = 0 if h.unit == "家" else 1 if h.unit == "万千瓦时" else 2
        if h.yoy_pct is None:
            yoy = f'<div class="text-caption text-grey-7">{esc(t("同比 —", lang))}</div>'
        else:
            colour = "#2e7d32" if h.yoy_pct >= 0 else "#c62828"
            shown = f"{t('同比', lang)} {h.yoy_pct:+.1f}%"
            yoy = f'<div class="text-caption" style="color: {colour}">{esc(shown)}</div>'
        cards.append(
            '<div class="q-card q-pa-sm" style="min-width: 180px">'
            f'<div class="text-caption text-grey-8">{esc(t(h.name, lang))}（{year}年）</div>'
            f'<div class="text-h6">{esc(number(h.value, digits))} {esc(t(h.unit, lang))}</div>{yoy}</div>'
        )
    ui.html(f'<div class="row q-gutter-sm">{"".join(cards)}</div>').classes("w-full cockpit-headline")


def _economy(economy: dict[str, Any], alerts: dict[str, Any] | None, lang: str) -> None:
    """The 经济运行 tile: the newest month's 当月 and 累计 with 同比, and the open alerts."""
    if economy.get("message") == "无权查看" or alerts is None:
        return
    economy_view.economy_tile(economy, alerts, lang)


def _placeholder() -> None:
    ui.spinner()
    ui.label("计算中…").classes("text-grey-7 computing")


_DOMAINS: ReadCache[dict[str, Any]] = ReadCache(size=64)


def cached_domain_summaries(session: Any, *, scope: Any, settings: Any, year: int | None) -> dict[str, Any]:
    """domain_summaries, kept per scope and state of the data (the chains' figures take seconds)."""
    key = service.slow_key(session, scope, settings, year)
    return _DOMAINS.get_or_compute(
        key, lambda: domain_summaries(session, scope=scope, settings=settings, year=year)
    )


def _fill(
    slow: service.Slow, headline: ui.element, indicators: ui.element, clusters: ui.element,
    alerts: ui.element, lang: str, *, year: int | None = None, open_alerts: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    headline.clear()
    with headline:
        _headline(slow[2], slow[3], lang, year=year)
        _economy(slow[3], open_alerts, lang)
    indicators.clear()
    with indicators:
        _indicators(slow[0], lang)
    late = [r for r in slow[0].items if r["status"] == "off_track"]
    if late:
        with alerts:
            _alert({"level": "red", "text": f"{len(late)} 项指标严重滞后于序时进度", "link": "/plans"})
    clusters.clear()
    with clusters:
        _clusters(slow[1], lang)
        ui.label().classes("cockpit-ready")  # tells a reader (and the browser tests) it is complete


def _fill_domains(parts: dict[str, Any], domains: ui.element, lang: str) -> None:
    domains.clear()
    with domains:
        _chains_tile(parts["chains"], lang)
        _tiers_tile(parts["tiers"], parts["pools"], lang)
        _projects_tile(parts["flags"], parts["totals"], lang)
        ui.label().classes("cockpit-domains-ready")


def register() -> None:
    @ui.page(PATH, title="驾驶舱 · 产业大脑")
    async def cockpit_page(request: Request) -> None:
        from industry_brain.monitoring.overview import open_alert_count
        from industry_brain.requests.views import case_counts
        from industry_brain.web.security import context, page_session

        scope, lang = enter(request, PATH)
        settings = context().settings

        def first() -> tuple[Any, Any, Any, Any, dict[str, Any]]:
            with page_session() as session:
                data = service.cockpit(session, scope=scope, settings=settings, slow=False)
                key = service.slow_key(session, scope, settings, data.year)
                # read on every view, so an acknowledged alert leaves the count at once
                count = open_alert_count(session, scope=scope) if scope.role in ECONOMY_ROLES else None
                # one counting query, on every view: a case closed leaves the tile at once
                cases = case_counts(session, scope=scope, settings=settings)
                return data, service.peek_slow_sections(key), _DOMAINS.peek(key), count, cases

        data, slow, parts, count, cases = await off_loop(first)
        header(scope, lang, PATH)
        title(t("驾驶舱", lang))
        headline = ui.column().classes("w-full")
        # Figures that are about to change are never shown: until the derived figures are known
        # for the current data, the tiles say they are being computed.
        indicators = ui.column().classes("w-full")
        with indicators:
            if slow is None and data.indicators.message != "无权查看":
                _placeholder()
        with ui.grid(columns=2).classes("w-full"):
            _grades(data.grades, lang)
            with _tile(t("产业集群", lang), "/plans", lang):
                clusters = ui.column().classes("w-full")
                if slow is None:
                    with clusters:
                        _placeholder()
            alerts = _alerts(data.alerts, lang)
            _imports(data.imports, lang)
            requests_tile(cases, lang)
        with ui.grid(columns=3).classes("w-full") as domains:
            if parts is None:
                ui.spinner()  # chains, tiers and pools, projects: filled in below
        if slow is not None:
            _fill(slow, headline, indicators, clusters, alerts, lang, year=data.year, open_alerts=count)
        if parts is not None:
            _fill_domains(parts, domains, lang)
        if slow is not None and parts is not None:
            return

        def fetch() -> service.Slow:
            with page_session() as session:
                return service.slow_sections(session, scope=scope, settings=settings, year=data.year)

        def read_domains() -> dict[str, Any]:
            with page_session() as session:
                return cached_domain_summaries(session, scope=scope, settings=settings, year=data.year)

        await ui.context.client.connected()
        if slow is None:
            result = await run.io_bound(fetch)
            assert result is not None
            _fill(result, headline, indicators, clusters, alerts, lang, year=data.year, open_alerts=count)
        if parts is None:
            fetched = await run.io_bound(read_domains)
            assert fetched is not None
            _fill_domains(fetched, domains, lang)


def warm(engine: Any, settings: Any) -> None:
    """Compute the district's cockpit for the newest data year (run in a background thread when
    the server starts), so the first leader to open it sees it complete at once."""
    from industry_brain.core.db import transaction
    from industry_brain.core.scope import Scope
    from industry_brain.requests.views import case_counts

    scope = Scope(role="leader", username="system")
    with transaction(engine) as session:
        case_counts(session, scope=scope, settings=settings)  # loads the 涉企问题 rules and calendar
        year = service.latest_data_year(session)
        if year is None:
            return
        service.slow_sections(session, scope=scope, settings=settings, year=year)
        cached_domain_summaries(session, scope=scope, settings=settings, year=year)
