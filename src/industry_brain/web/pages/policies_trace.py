"""One match's trace on the policies page, opened from a row: each condition with the
enterprise's figure, what the policy requires, the verdict, where the figure came from and the
article; how the amount was reached; the missing figures and who holds them. Built for that
one match when it is opened (policies.service.match with its sources), never for the list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.layout import html_lines, html_table, number

if TYPE_CHECKING:
    from industry_brain.policies.format import Policy

NOWRAP = ", ".join(f".policy-trace td:nth-child({i}), .policy-trace th:nth-child({i})" for i in (2, 3, 4, 6))


def one_trace(
    scope: Scope, narrow: Scope, policy_id: str, credit_code: str, as_of: dt.date
) -> dict[str, Any] | None:
    """The entry of one enterprise and policy as `narrow` sees it (with where each value came
    from), audited as a read by `scope`; None when it is not in view."""
    from industry_brain.core.audit import audit
    from industry_brain.policies.format import policy
    from industry_brain.policies.service import match
    from industry_brain.web.security import page_session

    p = policy(policy_id)
    with page_session() as session:
        got = match(session, as_of=as_of, scope=narrow, policies=[p], code=credit_code)
        if got:
            audit(
                session,
                scope=scope,
                action="policy.read",
                target=credit_code,
                detail={"as_of": as_of.isoformat(), "policy": p.id, "via": "page"},
            )
    return got[0] if got else None


def show_trace(scope: Scope, narrow: Scope, policy_id: str, credit_code: str, as_of: dt.date) -> None:
    """Open the dialog of one live match's trace."""
    try:
        e = one_trace(scope, narrow, policy_id, credit_code, as_of)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return
    if e is None:
        ui.notify("该企业不在您的查看范围内，或该日没有这项政策的判定", type="warning")
        return
    from industry_brain.policies.format import policy

    trace_dialog(e["name"] or e["credit_code"], policy(policy_id), e["trace"]).open()


def trace_dialog(
    name: str, p: Policy, t: dict[str, Any], actions: Callable[[], None] | None = None
) -> ui.dialog:
    """A dialog of trace `t` (a live one, or one a run stored, with the policy it ran with) of
    the enterprise called `name`; `actions` adds buttons beside 关闭 (the notice downloads)."""
    from industry_brain.policies.explain import CONDITION_HEAD, amount_lines, condition_rows

    amount = f"，{number(t['amount']['amount_wan'])} 万元" if t["amount"].get("amount_wan") else ""
    ui.add_css(f"{NOWRAP} {{ white-space: nowrap; }}")
    with ui.dialog() as dialog, ui.card().classes("w-[64rem] max-w-full policy-trace"):
        ui.label(f"{name} · {p.name}").classes("text-h6")
        ui.label(f"{t['result_name']}{amount}").classes(
            "text-subtitle1 " + ("text-positive" if t["result"] == "eligible" else "text-grey-9")
        )
        ui.label(
            f"统一社会信用代码 {t['credit_code']}；判定日期 {t['as_of']}，使用 {t['figures_year']} 年数据；"
            f"政策文号 {t['document_no']}（第 {t['policy_version']} 版）"
        ).classes("text-caption text-grey-8")
        ui.label("逐条判定").classes("text-subtitle2 q-mt-sm")
        html_table(condition_rows(t), CONDITION_HEAD)
        lines = amount_lines(p, t)
        if lines:
            ui.label("金额").classes("text-subtitle2 q-mt-sm")
            html_lines(lines)
        if t["missing"]:
            ui.label("缺少的数据").classes("text-subtitle2 q-mt-sm")
            html_lines([f"{m['name']}（由{m['department']}提供）" for m in t["missing"]])
        if t.get("near_miss"):
            failed = [c["message"] for c in t["conditions"] if c["passed"] is False]
            html_lines([f"差一点符合：{failed[0]}"], classes="text-body2 text-warning q-mt-sm")
        with ui.row().classes("w-full justify-end"):
            if actions is not None:
                actions()
            ui.button("关闭", on_click=dialog.close).props("flat")
    return dialog
