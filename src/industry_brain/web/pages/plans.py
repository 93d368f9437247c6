"""规划: a plan's indicators with progress and status, grouped by responsible unit; a
department sees the indicators it answers for and reports their actuals (plans.service.progress
narrows by scope, plans.actuals.record_actual checks the unit)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import STATUS_COLOURS, empty, enter, grid, header, number, title
from industry_brain.web.pages.plan_packs import pack_panel

PATH = "/plans"
STATUS = {
    "achieved": ("已完成", "green"),
    "on_track": ("符合序时进度", "green"),
    "behind": ("略有滞后", "amber"),
    "off_track": ("严重滞后", "red"),
    "no_data": ("暂无实绩", "grey"),
    "no_baseline": ("缺少基期值", "grey"),
    "check_data": ("口径待核实", "amber"),
}
REPORT_ROLES = frozenset({"department", "analyst", "admin"})


# the document's, the computed and the reported actual side by side (progress `by_kind`)
KIND_HEADERS = {"document": "文件实绩", "computed": "计算实绩", "reported": "上报实绩"}


def _by_kind(by_kind: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for kind in KIND_HEADERS:
        figure = by_kind.get(kind)
        shown = (
            "—"
            if not figure or figure.get("value") is None
            else f"{number(figure['value'])}（{figure['period']}）"
        )
        source = (
            ""
            if not figure
            else "；".join(str(figure[k]) for k in ("source", "formula", "reported_by") if figure.get(k))
        )
        cells[kind], cells[f"{kind}_source"] = shown, source
    return cells


def _value(figure: dict[str, Any] | None) -> Any:
    if not figure:
        return None
    return figure.get("level") if figure.get("value") is None else figure.get("value")


def _progress(session: Any, scope: Scope, plan_id: str, as_of: str) -> Any:
    from industry_brain.plans.service import progress
    from industry_brain.web.security import context

    # Figures derived from the enterprise record need the facts of every year: worth it for
    # the bureau and leaders, not for a unit that only reports its own actuals.
    return progress(
        session,
        plan_id=plan_id,
        as_of=as_of,
        scope=scope,
        settings=context().settings,
        compute=scope.district_wide,
    )


def _projected(p: dict[str, Any] | None) -> str:
    """预计全年 as officials read it: 12.34，达到序时 / 12.34，低于序时（应达 15.00）."""
    if not p:
        return "—"
    shown = f"{p['value']:,.2f}"
    if p["on_course"] is None:
        return shown
    if p["on_course"]:
        return f"{shown}，达到序时"
    return f"{shown}，低于序时（应达 {p['expected_level']:,.2f}）"


def _projections(session: Any, scope: Scope, result: Any) -> dict[str, dict[str, Any]]:
    """预计全年 of the indicators the monitoring's nowcast projects (views.plan_projection)."""
    from industry_brain.views.plan_projection import projections
    from industry_brain.web.security import context

    if result is None:
        return {}
    return projections(session, progress=result, scope=scope, settings=context().settings)


def _table(indicators: list[Any], lang: str, projected: dict[str, dict[str, Any]] | None = None) -> None:
    projected = projected or {}
    rows = []
    for i in indicators:
        label = STATUS.get(i.status, (i.status, "grey"))[0]
        actual = i.actual or {}
        rows.append(
            {
                "indicator": i.name,
                "unit": i.unit,
                "baseline": number(_value(i.baseline)),
                "target": number(_value(i.target)),
                "actual": number(_value(actual)),
                "period": actual.get("period", ""),
                **_by_kind(i.by_kind),
                "progress": "—" if i.progress is None else f"{i.progress:.0%}",
                "expected": "—" if i.expected is None else f"{i.expected:.0%}",
                "projected": _projected(projected.get(i.id)),
                "status": label,
            }
        )
    columns = [
        ("indicator", "指标"),
        ("unit", "单位"),
        ("baseline", "基期值"),
        ("target", "目标值"),
        ("actual", "实绩"),
        ("period", "期间"),
        *((kind, header) for kind, header in KIND_HEADERS.items()),
        ("progress", "进度"),
        ("expected", "序时进度"),
        *([("projected", "预计全年")] if projected else []),
        ("status", "状态"),
    ]
    table = grid(rows, [(k, t(h, lang)) for k, h in columns], height=min(90 + 42 * len(rows), 480))
    for col in table.options["columnDefs"]:
        if col["field"] in KIND_HEADERS:  # the source of each kind's figure, on hover
            col["tooltipField"] = f"{col['field']}_source"
            col["minWidth"] = 130  # "59.82（2024）" in full
        if col["field"] == "projected":  # "63.01，低于序时（应达 1,352.10）" in full
            col["minWidth"], col["tooltipField"] = 280, "projected"
        if col["field"] == "indicator" and projected:  # the name stays readable beside it
            col["minWidth"], col["tooltipField"] = 220, "indicator"
    table.options["tooltipShowDelay"] = 200
    table.update()


def _badges(counts: dict[str, int]) -> None:
    with ui.row():
        for key, (label, colour) in STATUS.items():
            if counts.get(key):
                ui.badge(f"{label} {counts[key]}").style(f"background: {STATUS_COLOURS[colour]}")


def _report(scope: Scope, plan_id: str, indicators: list[Any], lang: str) -> None:
    from industry_brain.plans.actuals import record_actual

    options = {i.id: i.name for i in indicators}
    with ui.card().classes("w-full"):
        ui.label(t("上报实绩", lang)).classes("text-subtitle1 text-weight-medium")
        with ui.row().classes("items-end"):
            which = ui.select(options, value=next(iter(options), None), label=t("指标", lang)).classes("w-96")
            period = ui.input(t("期间", lang), value=str(dt.date.today().year - 1)).classes("w-32")
            value = ui.number(t("实绩", lang)).classes("w-32")
            note = ui.input("说明").classes("w-64")

            def go() -> None:
                from industry_brain.core.auth import audit
                from industry_brain.web.security import page_session

                try:
                    with page_session() as session:
                        record_actual(
                            session,
                            plan_id=plan_id,
                            indicator_id=which.value,
                            period=period.value,
                            value=value.value,
                            reported_by=scope.username,
                            note=note.value or None,
                            scope=scope,
                        )
                        audit(
                            session,
                            scope=scope,
                            action="plans.record_actual",
                            target=f"{plan_id}/{which.value}",
                            detail={"period": period.value, "value": value.value},
                        )
                except IndustryBrainError as exc:
                    ui.notify(str(exc), type="negative", multi_line=True)
                    return
                ui.notify("实绩已上报", type="positive")
                ui.timer(1.0, ui.navigate.reload, once=True)

            ui.button(t("上报实绩", lang), on_click=go)


def _review(scope: Scope, plan_id: str, as_of: str, lang: str) -> None:
    """对表对标评估报告 as Excel, Word or PDF, made by a background job with its progress card."""
    from industry_brain.plans.review_jobs import FORMATS, KIND, review_request
    from industry_brain.web.pages.jobs import job_card, start_job

    with ui.row().classes("items-center q-mt-sm"):
        ui.label(t("对表对标评估报告", lang)).classes("text-subtitle2")
        for fmt, label in FORMATS.items():

            def go(fmt: str = fmt) -> None:
                job = start_job(
                    scope,
                    KIND,
                    lambda s: review_request(scope=scope, plan_id=plan_id, as_of=as_of, fmt=fmt, session=s),
                )
                if job is not None:
                    with cards:
                        job_card(scope, job, lang)

            ui.button(label, icon="description", on_click=go).props("outline no-caps")
    cards = ui.column().classes("w-full")


def register() -> None:
    @ui.page(PATH, title="规划 · 产业大脑")
    def plans_page(request: Request, plan: str = "", as_of: str = "", draft: str = "") -> None:
        from industry_brain.core.auth import NotFound
        from industry_brain.plans.service import list_plans
        from industry_brain.web.cockpit import district_plans, latest_data_year
        from industry_brain.web.errors import period
        from industry_brain.web.security import context, page_session

        scope, lang = enter(request, PATH)
        with page_session() as session:
            plans = list_plans(session)
        as_of = period(as_of) or ""
        if plan and plan not in {p["id"] for p in plans}:
            raise NotFound()
        header(scope, lang, PATH)
        title(t("规划", lang))
        with page_session() as session:
            as_of = as_of or str(latest_data_year(session) or dt.date.today().year - 1)
            if scope.role == "department" and not plan:
                plan = next(
                    (p["id"] for p in plans if _progress(session, scope, p["id"], as_of).indicators), ""
                )
            default = district_plans(context().settings, int(as_of[:4]), session) or plans
            plan = plan or (default[0]["id"] if default else "")
            try:
                result = _progress(session, scope, plan, as_of) if plan else None
            except IndustryBrainError as exc:
                empty(f"{t('规划数据待加载', lang)}（{exc}）")
                return
            projected = _projections(session, scope, result)
        with ui.row().classes("items-end"):
            ui.select(
                {p["id"]: f"{p['title']}（{p['area']['name']}）" for p in plans},
                value=plan or None,
                label=t("规划", lang),
                on_change=lambda e: ui.navigate.to(f"{PATH}?{urlencode({'plan': e.value, 'as_of': as_of})}"),
            ).classes("w-[32rem]")
            ui.label(f"截至 {as_of}").classes("text-grey-7")
        pack_panel(scope, plan, draft[:60], lang)  # analyst and admin: upload, edit, publish
        if result is None or not result.indicators:
            empty(t("暂无", lang) if plans else t("规划数据待加载", lang))
            return
        _badges(result.counts)
        _review(scope, result.plan_id, as_of, lang)
        units: dict[str, list[Any]] = {}
        for i in result.indicators:
            for unit in i.responsible or ["未明确责任单位"]:
                if scope.role != "department" or unit == scope.unit:
                    units.setdefault(unit, []).append(i)
        for unit, indicators in sorted(units.items(), key=lambda kv: (kv[0] == "未明确责任单位", kv[0])):
            ui.label(f"{t('责任单位', lang)}：{unit}（{len(indicators)} 项）").classes(
                "text-subtitle1 text-weight-medium q-mt-md"
            )
            _table(indicators, lang, projected)
        if scope.role in REPORT_ROLES:
            _report(scope, result.plan_id, result.indicators, lang)
