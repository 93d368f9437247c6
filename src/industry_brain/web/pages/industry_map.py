"""产业地图: Ningbo's districts (local GeoJSON, ECharts) with the served district shaded by
亩均税收, output or D-grade count, and its townships as aggregates beside it. No township
boundaries or enterprise coordinates exist in the reference data (web/static/README.md), so
enterprises are shown per township rather than as points."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from nicegui import ui

from industry_brain.web import cockpit as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import empty, enter, grid, header, number, title

PATH = "/map"
GEOJSON_URL = "/ib-static/ningbo_districts.geojson"
MAP_NAME = "ningbo_districts"
# metric -> (label, unit, how the district value is formed from the townships)
METRICS = {
    "tax_per_mu": ("亩均税收", "万元/亩"),
    "output_wan": ("工业总产值", "万元"),
    "grade_D": ("D类企业数", "户"),
}
_REGISTER_JS = f"""
const m = await import('nicegui-echart');
if (!m.echarts.getMap('{MAP_NAME}')) {{
  const geo = await (await fetch('{GEOJSON_URL}')).json();
  m.echarts.registerMap('{MAP_NAME}', geo);
}}
return true;
"""


def district_value(towns: list[dict[str, Any]], metric: str) -> float | None:
    if not towns:
        return None
    if metric == "tax_per_mu":
        tax = sum(r["tax_wan"] or 0 for r in towns)
        land = sum(r["land_mu"] or 0 for r in towns)
        return tax / land if land else None
    return float(sum(r[metric] or 0 for r in towns))


def _map_options(district: str, value: float | None, metric: str) -> dict[str, Any]:
    label, unit = METRICS[metric]
    data = [{"name": district, "value": round(value, 2) if value is not None else None}]
    return {
        "tooltip": {"trigger": "item", "formatter": f"{{b}}<br/>{label}：{{c}} {unit}"},
        "visualMap": {
            "min": 0,
            "max": max(value or 1, 1),
            "text": ["高", "低"],
            "calculable": True,
            "inRange": {"color": ["#e3f2fd", "#0d47a1"]},
        },
        "series": [
            {
                "type": "map",
                "map": MAP_NAME,
                "nameProperty": "name",
                "roam": True,
                "label": {"show": True, "fontSize": 11},
                "data": data,
            }
        ],
    }


def _bars(towns: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    label, unit = METRICS[metric]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 90},
        "xAxis": {"type": "value", "name": unit},
        "yAxis": {"type": "category", "data": [r["township"] for r in towns]},
        "series": [
            {
                "name": label,
                "type": "bar",
                "data": [None if r[metric] is None else round(r[metric], 2) for r in towns],
            }
        ],
    }


def register() -> None:
    @ui.page(PATH, title="产业地图 · 产业大脑")
    async def map_page(request: Request, metric: str = "tax_per_mu") -> None:
        from industry_brain.web.errors import one_of
        from industry_brain.web.security import context, page_session

        scope, lang = enter(request, PATH)
        metric = one_of(metric, METRICS, "指标") or "tax_per_mu"
        with page_session() as session:
            section = service.township_aggregates(session, scope=scope)
        header(scope, lang, PATH)
        title(t("产业地图", lang))
        ui.toggle(
            {k: t(v[0], lang) for k, v in METRICS.items()},
            value=metric,
            on_change=lambda e: ui.navigate.to(f"{PATH}?metric={e.value}"),
        )
        if not section.available:
            empty(section.message)
            return
        towns = section.items
        from industry_brain.reference.divisions import divisions

        code = context().settings.district_code
        district = divisions().get(code[:6])
        name = district.name if district else code
        s = section.summary
        ui.label(f"{s['year']} 年度，评价批次 {s['run_id']}；镇街边界数据缺失，按镇街汇总列示").classes(
            "text-grey-7"
        )
        with ui.row().classes("w-full no-wrap"):
            chart = ui.echart({"series": []}).classes("h-[560px]").style("width: 55%")
            ui.echart(_bars(towns, metric)).classes("h-[560px]").style("width: 45%")
        rows = [
            r
            | {k: number(r[k]) for k in ("tax_per_mu", "tax_wan", "land_mu")}
            | {"output_yi": number(None if r["output_wan"] is None else r["output_wan"] / 10_000)}
            for r in towns
        ]
        columns = [
            ("township", "镇街"),
            ("enterprises", "企业数"),
            ("tax_per_mu", "亩均税收（万元/亩）"),
            ("output_yi", "工业总产值（亿元）"),
            ("grade_A", "A类"),
            ("grade_D", "D类"),
        ]
        grid(rows, columns, height=360)
        await ui.context.client.connected()
        await ui.run_javascript(_REGISTER_JS, timeout=10)
        chart.options.clear()
        chart.options.update(_map_options(name, district_value(towns, metric), metric))
        chart.update()
