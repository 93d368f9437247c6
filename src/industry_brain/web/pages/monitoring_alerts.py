"""企业预警: the alerts inbox of the signed-in role for a month — a town sees its own
township's, a department the alerts its unit receives, a chain chief (链长) those of its chain's
enterprises, district-wide roles all — with each alert's sentence, and acknowledge (with a
comment), dismiss (with a reason) and silence (until a date, with a reason) from the page. Fed by
monitoring.alerts with the signed-in scope, as the API and `industry-brain monitoring alerts` are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import enter_domain, table, tr
from industry_brain.web.pages.layout import STATUS_COLOURS, empty, header, title

PATH = "/monitoring/alerts"
SEVERITY_COLOURS = {"critical": STATUS_COLOURS["red"], "warning": STATUS_COLOURS["amber"], "info": "#1565c0"}


def _read(scope: Scope, month: str | None) -> tuple[str | None, list[dict[str, Any]], dict[str, str]]:
    from sqlalchemy import func, select

    from industry_brain.enterprises.models import Enterprise
    from industry_brain.monitoring.alerts import list_alerts
    from industry_brain.monitoring.models import MonitoringAlertMonth
    from industry_brain.web.security import page_session

    with page_session() as session:
        month = month or session.scalar(select(func.max(MonitoringAlertMonth.month)))
        if month is None:
            return None, [], {}
        # the inbox holds what needs a receiver: firing, no data, just resolved; pending alerts
        # wait for their minimum run of months (the API and CLI list them with --state pending)
        rows = [r for r in list_alerts(session, month=month, scope=scope) if r["state"] != "pending"]
        codes = sorted({r["credit_code"] for r in rows})
        named = select(Enterprise.credit_code, Enterprise.name).where(Enterprise.credit_code.in_(codes))
        names = {c: n or "" for c, n in session.execute(named).all()}
        return str(month), rows, names


def _badges(rows: list[dict[str, Any]]) -> None:
    from industry_brain.monitoring.rules import SEVERITIES

    with ui.row().classes("items-center"):
        for key, label in SEVERITIES.items():
            n = sum(r["severity"] == key and r["state"] != "resolved" for r in rows)
            ui.badge(f"{label} {n}").classes("text-body1 q-pa-sm").style(
                f"background: {SEVERITY_COLOURS[key]} !important"
            )


def _act(scope: Scope, action: str, alert_id: Any, **kw: Any) -> None:
    from industry_brain.monitoring import alerts
    from industry_brain.web.security import page_session

    if not alert_id:
        ui.notify("请先选择预警编号", type="warning")
        return
    try:
        with page_session() as session:
            getattr(alerts, action)(session, alert_id=int(alert_id), scope=scope, **kw)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative")
        return
    ui.notify({"ack": "已确认", "dismiss": "已驳回", "silence": "已静默"}[action], type="positive")
    ui.navigate.reload()


def _actions(scope: Scope, rows: list[dict[str, Any]]) -> None:
    from industry_brain.monitoring.alerts import DISMISS_REASONS

    ui.label("处理预警").classes("text-subtitle1 text-weight-medium q-mt-md")
    options = {r["alert_id"]: f"{r['alert_id']} · {r['rule_name']} · {r['credit_code']}" for r in rows}
    with ui.card().classes("w-full"):
        chosen = ui.select(options, label="预警编号").classes("w-96")
        with ui.row().classes("items-end"):
            comment = ui.input("处理说明").classes("w-80")
            ui.button("确认", on_click=lambda: _act(scope, "ack", chosen.value, comment=comment.value or ""))
        with ui.row().classes("items-end"):
            reason = ui.select(list(DISMISS_REASONS.values()), label="驳回原因").classes("w-40")
            note = ui.input("说明（“其他”必填）").classes("w-64")
            ui.button(
                "驳回",
                on_click=lambda: _act(
                    scope, "dismiss", chosen.value, reason=reason.value or "", comment=note.value or ""
                ),
            ).props("color=orange")
        with ui.row().classes("items-end"):
            until = ui.input(
                "静默至（YYYY-MM-DD）", value=(dt.date.today() + dt.timedelta(days=90)).isoformat()
            ).classes("w-48")
            why = ui.input("静默原因").classes("w-64")
            ui.button(
                "静默", on_click=lambda: _silence(scope, chosen.value, until.value, why.value or "")
            ).props("color=grey")


def _silence(scope: Scope, alert_id: Any, until: str, reason: str) -> None:
    try:
        day = dt.date.fromisoformat(until)
    except ValueError:
        ui.notify(f"日期“{until}”应写作 YYYY-MM-DD", type="warning")
        return
    _act(scope, "silence", alert_id, until=day, reason=reason)


def _sentences(view: list[dict[str, Any]]) -> None:
    """Each alert's sentence in full (the grid cuts long text)."""
    ui.label("预警说明").classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.column().classes("w-full gap-1"):
        for r in view[:50]:
            with ui.row().classes("items-start no-wrap"):
                ui.badge(r["severity_name"]).style(
                    f"background: {SEVERITY_COLOURS[r['severity']]} !important"
                )
                who = r["name"] or r["credit_code"]
                handled = f"；{r['handled']}" if r["handled"] else ""
                ui.label(f"{r['alert_id']} · {who}（{r['state_name']}{handled}）：{r['explanation']}")


def register() -> None:
    @ui.page(PATH, title="企业预警 · 产业大脑")
    def monitoring_alerts_page(request: Request, month: str = "") -> None:
        from industry_brain.monitoring.alerts import ACTORS
        from industry_brain.monitoring.explain import STATES
        from industry_brain.monitoring.rules import SEVERITIES

        scope, lang = enter_domain(request, PATH)
        header(scope, lang, PATH)
        title(tr("企业预警", lang))
        try:
            shown, rows, names = _read(scope, month or None)
        except IndustryBrainError as exc:
            empty(f"{tr('暂无数据', lang)}（{exc}）")
            return
        if shown is None:
            empty("尚未计算企业预警：由管理员或经信局分析员按月计算后在此显示")
            return
        ui.label(f"{shown[:4]}年{int(shown[5:])}月 · 共 {len(rows)} 条").classes("text-grey-7")
        _badges(rows)
        view = [
            {
                **r,
                "name": names.get(r["credit_code"], ""),
                "severity_name": SEVERITIES[r["severity"]],
                "state_name": STATES[r["state"]],
                "handled": "已确认：" + (r["ack_comment"] or "") if r["acked"] else "",
            }
            for r in rows
        ]
        cols = [
            ("alert_id", "编号"),
            ("name", "企业名称"),
            ("credit_code", "统一社会信用代码"),
            ("rule_name", "规则"),
            ("severity_name", "级别"),
            ("state_name", "状态"),
            ("first_month", "起始月"),
            ("explanation", "说明"),
            ("handled", "处理"),
        ]
        table(view, cols, file_name=f"企业预警_{shown}.xlsx", title=f"企业预警（{shown}）", lang=lang)
        if rows:
            _sentences(view)
            if scope.role in ACTORS:  # a leader reads; the receivers and the bureau act
                _actions(scope, rows)
