"""涉企问题 where it meets the other pages: the enterprise's context on a case (views.case_context),
the 涉企问题 section of the enterprise's profile, and the cockpit's tile of open and overdue
cases. Each is one HTML element (escaped): every NiceGUI element costs the server on every view
(web/nicegui_speed.py), and these sit on pages read often."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as esc
from typing import Any

from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.i18n import t

CASE_PATH = "/requests/case"
OVERDUE_PATH = "/requests?overdue=1"
RED, GREEN = "#c62828", "#2e7d32"


def may_open(scope: Scope, link: str | None) -> bool:
    """Whether the signed-in role may open the page `link` goes to (the menus' role lists)."""
    from industry_brain.web.pages.domain_common import DOMAIN_PAGES
    from industry_brain.web.pages.layout import PAGES

    if not link:
        return False
    entry = PAGES.get(link.split("?")[0]) or DOMAIN_PAGES.get(link.split("?")[0])
    return entry is not None and scope.role in entry[1]


def _a(scope: Scope, text: str, link: str | None, classes: str = "") -> str:
    if may_open(scope, link):
        return f'<a class="nicegui-link {classes}" href="{esc(link or "")}">{esc(text)}</a>'
    return esc(text)


def _wan(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f} 万元"


def _month(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def _alert_lines(scope: Scope, alerts: dict[str, Any] | None) -> list[str]:
    if alerts is None:
        return []  # the enterprise is not shown the officials' early warnings
    if alerts["month"] is None:
        return ["企业预警：尚未计算"]
    shown = f"企业预警（{_month(alerts['month'])}，未解除 {len(alerts['items'])} 条）"
    head = _a(scope, shown, alerts["link"])
    items = [f"{a['rule_name']}（{a['severity_name']}，{a['state_name']}）" for a in alerts["items"]]
    return [f"{head}：{esc('；'.join(items) or '无')}"]


def _policy_line(scope: Scope, policies: dict[str, Any]) -> str:
    head = _a(scope, f"惠企政策（判定日期 {policies['as_of']}）", policies["link"])
    if policies["message"]:
        return f"{head}：{esc(policies['message'])}"
    items = [
        f"{p['policy_name']}（{p['result_name']}"
        + (f"，{_wan(p['amount_wan'])}" if p["result"] == "eligible" else "")
        + "）"
        for p in policies["items"]
    ]
    return f"{head}：{esc('；'.join(items) or '暂无符合或差一点符合的政策')}"


def context_block(scope: Scope, context: dict[str, Any]) -> Callable[[dict[str, Any] | None], None]:
    """The case's 企业概况: who the enterprise is, its grade, alerts and policies, each linking to
    the page it comes from when the role may open it. Without the policies yet (None) their line
    says they are being matched; the function returned fills them in."""
    box = ui.card().classes("w-full case-context")
    with box:
        ui.label("企业概况").classes("text-subtitle1 text-weight-medium")
        body = ui.html(_context_html(scope, context)).classes("w-full")

    def fill(policies: dict[str, Any] | None) -> None:
        body.set_content(_context_html(scope, {**context, "policies": policies}))
        if policies is not None:
            body.classes("case-context-ready")

    return fill


def _context_html(scope: Scope, context: dict[str, Any]) -> str:
    e, g = context["enterprise"], context["grade"]
    lines = [
        f"企业：{_a(scope, e['name'], e['link'], 'case-enterprise')}　所属镇街：{esc(e['township'])}"
        f"　行业：{esc(e['industry'])}",
        "亩均评价："
        + (
            _a(scope, f"{g['year']} 年度 {g['grade_label']}（{g['status_label']}）", g["link"])
            if g
            else "暂无已公布的评价"
        ),
        *_alert_lines(scope, context["alerts"]),
        _policy_line(scope, context["policies"]) if context["policies"] else "惠企政策：匹配中…",
    ]
    return "".join(f'<div class="text-body2 q-mb-xs">{line}</div>' for line in lines)


def profile_cases(cases: list[dict[str, Any]], lang: str) -> None:
    """The profile's 涉企问题: each case with its state, lead unit, 办结 deadline and whether it
    is overdue, linking to the case."""
    with ui.card().classes("w-full profile-cases"):
        ui.label(t("涉企问题", lang)).classes("text-subtitle1 text-weight-medium")
        if not cases:
            ui.label(t("暂无", lang)).classes("text-grey-7 q-pa-md")
            return
        head = "".join(f"<th>{esc(h)}</th>" for h in ("编号", "分类", "状态", "主办单位", "办结时限", "逾期"))
        rows = "".join(
            "<tr>"
            f'<td><a class="nicegui-link" href="{CASE_PATH}?id={c["request_id"]}">'
            f"第 {c['request_id']} 号</a></td>"
            f"<td>{esc(c['category_name'])}</td><td>{esc(c['state'])}</td><td>{esc(c['lead_unit'])}</td>"
            f"<td>{esc(c['due'])}</td>"
            + (f'<td style="color: {RED}">已逾期</td>' if c["overdue"] else "<td></td>")
            + "</tr>"
            for c in cases
        )
        ui.html(
            f'<table class="ib-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        ).classes("w-full")


def cockpit_tile(counts: dict[str, Any], lang: str) -> None:
    """The cockpit's 涉企问题 tile: the open cases and the overdue ones in scope, linking to the
    inbox of the overdue."""
    n, late = counts["open"], counts["overdue"]
    html = (
        '<div class="row items-center" style="width: 100%">'
        f'<div class="text-subtitle1 text-weight-medium">{esc(t("涉企问题", lang))}</div>'
        '<div style="flex-grow: 1"></div>'
        f'<a class="nicegui-link" href="/requests">{esc(t("查看详情", lang))}</a></div>'
        f'<div class="text-body1 q-mt-sm">未办结 <span class="text-h6 cockpit-requests-open">{n}</span> 件，'
        f'<a class="nicegui-link cockpit-requests-overdue" href="{OVERDUE_PATH}" '
        f'style="color: {RED if late else GREEN}">其中已逾期 {late} 件</a></div>'
        f'<div class="text-caption text-grey-7">按 {esc(counts["as_of"])} 的办理时限计</div>'
    )
    with ui.card().classes("w-full"):
        ui.html(html).classes("w-full cockpit-requests")
