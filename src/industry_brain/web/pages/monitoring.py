"""经济运行: the month's indicators (当月, 累计, 同比 on the comparable set, 拉动), the town
ranking (晾晒), a 12-36 month chart for the district, a township, a cluster or chain, or an
enterprise, and the monthly bulletin and Excel downloads. Fed by the monitoring services with
the signed-in scope, as the API and `industry-brain monitoring ...` are: a town sees its own
township and its enterprises; enterprise figures are confidential."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import table
from industry_brain.web.pages.layout import empty, enter, header, title

PATH = "/monitoring"
INDICATORS = {
    "output": "工业总产值",
    "sales": "工业销售产值",
    "export": "出口交货值",
    "electricity": "工业用电量",
    "tax": "入库税金",
}


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


def _wan(value: Any) -> str:
    return "—" if value is None else f"{value:,.1f}"


def series_chart(data: dict[str, Any]) -> dict[str, Any]:
    """ECharts options: the monthly totals (bars) and their growth on a year earlier (line)."""
    points = data["points"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [f"{data['indicator_name']}（{data['unit']}）", "同比增速（%）"]},
        "grid": {"left": 70, "right": 60, "top": 50, "bottom": 40},
        "xAxis": {"type": "category", "data": [p["month"] for p in points]},
        "yAxis": [{"type": "value", "name": data["unit"]}, {"type": "value", "name": "%"}],
        "series": [
            {
                "name": f"{data['indicator_name']}（{data['unit']}）",
                "type": "bar",
                "data": [p["value"] for p in points],
                "itemStyle": {"color": "#1f5fa8"},
            },
            {
                "name": "同比增速（%）",
                "type": "line",
                "yAxisIndex": 1,
                "data": [p["yoy_pct"] for p in points],
                "itemStyle": {"color": "#c0504d"},
            },
        ],
    }


def _read(scope: Scope, month: str | None) -> tuple[str, list[dict[str, Any]]]:
    from industry_brain.monitoring.indicators import indicators
    from industry_brain.monitoring.series import latest_month
    from industry_brain.web.security import context, page_session

    with page_session() as session:
        month = month or latest_month(session)
        return month, indicators(session, month=month, scope=scope, settings=context().settings)


def _series(scope: Scope, kind: str, area_id: str, indicator: str, month: str, months: int) -> dict[str, Any]:
    from industry_brain.monitoring.series import series
    from industry_brain.web.security import context, page_session

    with page_session() as session:
        return series(
            session,
            scope=scope,
            settings=context().settings,
            kind=kind,
            area_id=area_id,
            indicator=indicator,
            end=month,
            months=months,
        )


INDICATOR_COLUMNS = [
    ("area", "区域"),
    ("indicator_name", "指标"),
    ("unit", "单位"),
    ("period", "期间"),
    ("month_value", "当月"),
    ("ytd_value", "累计"),
    ("yoy_pct", "同比（%）"),
    ("ytd_yoy_pct", "累计同比（%）"),
    ("contribution_pp", "拉动（百分点）"),
    ("basis", "口径"),
]
SHOWN = {
    "month_value": _wan,
    "ytd_value": _wan,
    "yoy_pct": _rate,
    "ytd_yoy_pct": _rate,
    "contribution_pp": _rate,
}


def _indicator_table(rows: list[dict[str, Any]], month: str, lang: str) -> None:
    shown_rows = [{**r, "basis": "同口径" if r["comparable"] else "简单口径"} for r in rows]
    table(
        shown_rows,
        INDICATOR_COLUMNS,
        file_name=f"运行指标_{month}.xlsx",
        title=f"{month} 规上工业运行指标",
        lang=lang,
        shown=SHOWN,
        height=360,
    )


def _ranking(rows: list[dict[str, Any]], month: str, lang: str) -> None:
    from industry_brain.monitoring.indicators import town_ranking

    head = next(
        (i for i in INDICATORS if any(r["indicator"] == i and r["month_value"] is not None for r in rows)),
        "output",
    )
    ranked = town_ranking(rows, indicator=head)
    ui.label(f"镇街晾晒：{INDICATORS[head]}累计增速排名").classes("text-subtitle1 text-weight-medium q-mt-md")
    cols = [
        ("rank", "排名"),
        ("area", "镇街"),
        ("ytd_value", "累计"),
        ("ytd_yoy_pct", "累计同比（%）"),
        ("ytd_contribution_pp", "拉动（百分点）"),
        ("yoy_pct", "当月同比（%）"),
    ]
    shown = {**SHOWN, "ytd_contribution_pp": _rate}
    table(
        ranked,
        cols,
        file_name=f"镇街晾晒_{month}.xlsx",
        title=f"{month} 镇街晾晒",
        lang=lang,
        shown=shown,
        height=300,
    )


def _bulletin_buttons(scope: Scope, month: str) -> None:
    if not scope.district_wide:
        return

    def send(fmt: str) -> None:
        from industry_brain.monitoring.bulletin import write_bulletin
        from industry_brain.web.security import context, page_session

        with tempfile.TemporaryDirectory() as tmp, page_session() as session:
            path = write_bulletin(
                session, month=month, scope=scope, settings=context().settings, output=Path(tmp) / f"b.{fmt}"
            )
            ui.download.content(path.read_bytes(), f"工业经济运行月报_{month}.{fmt}")

    with ui.row():
        ui.button("下载运行月报（Word）", icon="description", on_click=lambda: send("docx")).props("outline")
        ui.button("下载运行月报（PDF）", icon="picture_as_pdf", on_click=lambda: send("pdf")).props("outline")


def _area_choices(scope: Scope, rows: list[dict[str, Any]]) -> dict[str, str]:
    """value 'kind:id' -> label, for the chart's area selector."""
    kinds = {"district": "全区", "township": "镇街", "cluster": "集群", "chain": "产业链"}
    seen: dict[str, str] = {}
    for r in rows:
        if r["area_kind"] in kinds and r["comparable"]:
            seen.setdefault(f"{r['area_kind']}:{r['area_id']}", f"{kinds[r['area_kind']]} · {r['area']}")
    return seen


def _chart_panel(scope: Scope, rows: list[dict[str, Any]], month: str) -> None:
    choices = _area_choices(scope, rows)
    if not choices:
        return
    ui.label("月度走势").classes("text-subtitle1 text-weight-medium q-mt-md")
    state = {"area": next(iter(choices)), "indicator": "output", "months": 24, "enterprise": ""}
    with ui.row().classes("items-center"):
        area = ui.select(choices, value=state["area"], label="区域").classes("w-72")
        ind = ui.select(INDICATORS, value="output", label="指标").classes("w-40")
        span = ui.select({12: "12个月", 24: "24个月", 36: "36个月"}, value=24, label="月数").classes("w-32")
        ent = ui.input("企业统一社会信用代码（可选）").classes("w-72")
    chart = ui.echart({}).classes("w-full h-80")
    note = ui.label("").classes("text-grey-7")

    def draw() -> None:
        code = (ent.value or "").strip().upper()
        kind, area_id = ("enterprise", code) if code else str(area.value).split(":", 1)
        try:
            data = _series(scope, kind, area_id, str(ind.value), month, int(span.value))
        except IndustryBrainError as exc:
            note.text = str(exc)
            return
        chart.options.clear()
        chart.options.update(series_chart(data))
        chart.update()
        note.text = f"{data['area']}：截至{month}的{len(data['points'])}个月（无报送的月份为空，不计为零）"

    for control in (area, ind, span):
        control.on_value_change(lambda _e: draw())
    ent.on("keydown.enter", lambda _e: draw())
    draw()


def register() -> None:
    @ui.page(PATH, title="经济运行 · 产业大脑")
    def monitoring_page(request: Request, month: str = "") -> None:
        scope, lang = enter(request, PATH)
        header(scope, lang, PATH)
        title("经济运行监测")
        try:
            month_shown, rows = _read(scope, month or None)
        except IndustryBrainError as exc:
            empty(f"暂无数据（{exc}）")
            return
        ui.label(f"{month_shown} · 规上工业 · 增速按同口径计算，与简单口径不同时另列").classes("text-grey-7")
        with ui.row().classes("items-center"):
            chosen = ui.input("月份（如 2024-06）", value=month_shown).classes("w-40")
            ui.button("查看", on_click=lambda: ui.navigate.to(f"{PATH}?month={chosen.value}")).props("flat")
        _bulletin_buttons(scope, month_shown)
        _chart_panel(scope, rows, month_shown)
        ui.label("主要指标").classes("text-subtitle1 text-weight-medium q-mt-md")
        head = [
            r
            for r in rows
            if r["area_kind"] in ("district", "township")
            and (scope.district_wide or r["area_kind"] == "township")
        ]
        # February leads with 1-2月, as the bureau publishes it
        head.sort(key=lambda r: r["period"] != "1-2月")
        _indicator_table([r for r in head if r["area_kind"] == "district"] or head, month_shown, lang)
        if scope.district_wide or scope.role == "department":
            _ranking(rows, month_shown, lang)
