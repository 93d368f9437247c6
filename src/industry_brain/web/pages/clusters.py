"""产业集群: the clusters of a plan with output, value added, enterprises, growth and share for
a year (a chart and a table), and for the bureau one cluster's targets with their progress,
its location quotient against a shipped reference area where one publishes it, and whom to
attract for it (the chains page's ranking over the cluster's industries).
A town sees its own township's aggregates. Fed by clusters.service with the signed-in scope,
as `GET /api/v1/clusters/...` and `industry-brain clusters show` are."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import enter_domain, pct, table, tr
from industry_brain.web.pages.layout import empty, header, number, title

PATH = "/clusters"
COLUMNS = [
    ("name", "集群"),
    ("group", "口径"),
    ("output", "产值（亿元）"),
    ("value_added", "增加值（亿元）"),
    ("enterprises", "企业数"),
    ("enterprises_above_scale", "规上企业数"),
    ("growth", "增速"),
    ("share", "占比"),
]


def cluster_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts options: output (亿元, bars) and growth (%, line) per cluster."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["产值（亿元）", "增速（%）"]},
        "grid": {"bottom": 80},
        "xAxis": {"type": "category", "data": [r["name"] for r in rows], "axisLabel": {"rotate": 20}},
        "yAxis": [{"type": "value", "name": "亿元"}, {"type": "value", "name": "%"}],
        "series": [
            {"name": "产值（亿元）", "type": "bar", "data": [round(r["output"] or 0, 2) for r in rows]},
            {
                "name": "增速（%）",
                "type": "line",
                "yAxisIndex": 1,
                "data": [None if r["growth"] is None else round(100 * r["growth"], 1) for r in rows],
            },
        ],
    }


def _plans_with_clusters() -> tuple[dict[str, str], set[str]]:
    """({plan id: its name}, cluster ids) of the plans' current versions in the database: the
    shipped ones and those the district added with `plans add`."""
    from industry_brain.clusters.service import list_clusters
    from industry_brain.plans.service import list_plans
    from industry_brain.web.security import page_session

    with page_session() as session:
        clusters = list_clusters(session)
        plans = list_plans(session)
    having = {c.pack_id for c in clusters}
    named = {p["id"]: f"{p['title']}（{p['area']['name']}）" for p in plans if p["id"] in having}
    return named, {c.id for c in clusters}


def _figures(scope: Scope, plan: str, year: str) -> tuple[int, list[dict[str, Any]]]:
    from industry_brain.clusters.chain_service import latest_year
    from industry_brain.clusters.service import plan_cluster_figures
    from industry_brain.web.security import context, page_session

    with page_session() as session:
        y = int(year) if year.isdigit() else latest_year(session)
        figures = plan_cluster_figures(
            session, plan_id=plan, year=y, scope=scope, settings=context().settings
        )
    rows = []
    for f in figures:
        data = f.to_json()
        rows.append({**data, "id": f.cluster.id, "name": f.cluster.name, "group": f.cluster.group})
    return y, rows


def _targets(scope: Scope, cluster_id: str, year: int, lang: str) -> None:
    from industry_brain.clusters.references import shipped_references
    from industry_brain.clusters.service import cluster_figures
    from industry_brain.web.security import context, page_session

    # a shipped reference area that publishes this cluster gives its location quotient
    named = next((r.id for r in shipped_references() if cluster_id in r.covers()), None)
    with page_session() as session:
        figures = cluster_figures(
            session,
            cluster_id=cluster_id,
            year=year,
            scope=scope,
            settings=context().settings,
            reference=named,
        )
    ui.label(f"{figures.cluster.name}：目标进度").classes("text-subtitle1 text-weight-medium q-mt-md")
    ui.label(f"{figures.cluster.reason}（{figures.cluster.quote}）").classes("text-caption text-grey-7")
    lq = figures.location_quotient
    if lq is not None:
        said = "、".join(figures.notes) if lq.lq is None else f"{lq.lq:.3f}"
        ui.label(f"区位熵（规上工业总产值，参照 {lq.reference}：{lq.source}）：{said}").classes("text-grey-8")
    rows = [
        {
            "name": r["name"],
            "target": (r.get("target") or {}).get("value"),
            "actual": (r.get("actual") or {}).get("value"),
            "progress": r.get("progress"),
            "status": r.get("status"),
        }
        for r in figures.targets
    ]
    if not rows:
        empty("本集群没有规划目标")
        return
    cols = [
        ("name", "指标"),
        ("target", "目标值"),
        ("actual", "实绩"),
        ("progress", "进度"),
        ("status", "状态"),
    ]
    table(
        rows,
        cols,
        file_name=f"集群目标_{cluster_id.replace('/', '_')}_{year}.xlsx",
        title=f"{figures.cluster.name} 目标进度",
        lang=lang,
        shown={"progress": pct, "target": number, "actual": number},
    )


def register() -> None:
    @ui.page(PATH, title="产业集群 · 产业大脑")
    def clusters_page(request: Request, plan: str = "", year: str = "", cluster: str = "") -> None:
        from industry_brain.core.auth import NotFound
        from industry_brain.web.errors import year as year_param

        scope, lang = enter_domain(request, PATH)
        plans, cluster_ids = _plans_with_clusters()
        year_param(year)
        if (plan and plan not in plans) or (cluster and cluster not in cluster_ids):
            raise NotFound()
        header(scope, lang, PATH)
        title(tr("产业集群", lang))
        if not plans:
            empty(tr("暂无数据", lang))
            return
        plan = plan if plan in plans else ("fenghua-14th" if "fenghua-14th" in plans else next(iter(plans)))
        ui.select(
            plans,
            value=plan,
            label=tr("规划", lang),
            on_change=lambda e: ui.navigate.to(f"{PATH}?{urlencode({'plan': e.value})}"),
        ).classes("w-[32rem]")
        try:
            y, rows = _figures(scope, plan, year)
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")
            return
        version = rows[0]["cluster"].get("plan_version") if rows else None
        said = f"{y} 年" + ("" if version is None else f"，集群定义取自规划第 {version} 版")
        ui.label(said + ("" if scope.district_wide else "（本镇街企业）")).classes("text-grey-7")
        if not rows:
            empty(f"{y} 年没有可见的企业数据")
            return
        ui.echart(cluster_chart(rows)).classes("w-full h-80")
        shown = {"output": number, "value_added": number, "growth": pct, "share": pct}
        table(
            rows,
            COLUMNS,
            file_name=f"产业集群_{plan}_{y}.xlsx",
            title=f"{plans[plan]} 产业集群 {y} 年",
            lang=lang,
            shown=shown,
        )
        if scope.district_wide:
            with ui.row().classes("items-end"):
                ui.select(
                    {r["id"]: r["name"] for r in rows},
                    value=cluster if cluster in {r["id"] for r in rows} else None,
                    label="查看目标进度与招商清单",
                    on_change=lambda e: ui.navigate.to(
                        f"{PATH}?{urlencode({'plan': plan, 'year': y, 'cluster': e.value})}"
                    ),
                ).classes("w-64")
            if cluster in {r["id"] for r in rows}:
                _targets(scope, cluster, y, lang)
                _attract(scope, cluster, y, lang)


def _attract(scope: Scope, cluster_id: str, year: int, lang: str) -> None:
    """Whom to attract for the cluster: the chains page's panel over the cluster's industries."""
    from industry_brain.clusters.attract import attract_cluster
    from industry_brain.web.pages.chains import attraction_panel

    def rank(session: Any) -> tuple[Any, dict[str, Any]]:
        from industry_brain.web.security import context

        return attract_cluster(
            session, cluster_id=cluster_id, year=year, scope=scope, settings=context().settings
        )

    attraction_panel(
        scope,
        subject=cluster_id,
        year=year,
        lang=lang,
        rank=rank,
        action="clusters.attract",
        node_label="集群代码",
    )
