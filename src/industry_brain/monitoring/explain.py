"""An alert's trace (data) and its one plain Chinese sentence, which is written from the trace
alone: what was observed, what was expected and how that was formed, the rule and threshold,
the calendar adjustment, and where the figures came from."""

from __future__ import annotations

from typing import Any

from industry_brain.core.labels import FIELDS
from industry_brain.monitoring.rules import SEVERITIES, Rule

STATES = {"pending": "待确认", "firing": "预警中", "resolved": "已解除", "no_data": "缺数据"}
BASIS = {
    "same_month_last_year": "上年同月",
    "seasonal_norm": "该企业往年同月平均（季节常态）",
    "growth_gap": "产值增速与用电增速之差",
    "ytd_run_rate": "本年累计按工作日折算全年",
}
CALENDAR = {
    "none": "未作日历调整",
    "jan_deferred": "春节所在月份与上年不同，1月不单独比较，待2月按1-2月合计比较",
    "jan_feb_combined": "春节所在月份与上年不同，按1-2月合计比较",
    "jan_feb_norm": "1、2月受春节影响，以往年1-2月的月均作常态",
    "workday_run_rate": "按国务院放假安排（含调休）的工作日折算",
    "own_pace_run_rate": "按该企业上年同期累计占全年的比例折算",
    "month_run_rate": "日历未覆盖该年，按月数折算",
}
SOURCE_NAMES = {"power": "用电数据", "stats": "统计月报", "tax": "税务月报"}


def _unit(measure: str) -> tuple[str, str]:
    name, unit = FIELDS.get(measure.replace("_ytd", ""), (measure, ""))
    if measure.endswith("_ytd_wan"):
        name = f"{name}累计"
    return name, unit


def build_trace(
    row: dict[str, Any], rule: Rule, calendar: dict[str, Any] | None, files: dict[int, str]
) -> dict[str, Any]:
    """The trace of one state row of alert_rules.alert_states (its RULE_COLUMNS and state)."""
    name, unit = _unit(rule.measure)
    sources = []
    for role, batch, line in (
        ("observed", row["obs_batch_id"], row["obs_row"]),
        ("expected", row["exp_batch_id"], row["exp_row"]),
    ):
        if batch is not None:
            sources.append(
                {
                    "role": role,
                    "source": row["source"],
                    "batch_id": batch,
                    "row": line,
                    "file": files.get(batch),
                }
            )
    cal: dict[str, Any] = {"code": row["calendar"], "text": CALENDAR.get(row["calendar"], row["calendar"])}
    if calendar:
        cal.update(
            {k: calendar.get(k) for k in ("festival", "festival_prev", "workdays_ytd", "workdays_year")}
        )
    return {
        "rule": rule.id,
        "rule_name": rule.name,
        "kind": rule.kind,
        "severity": rule.severity,
        "measure": rule.measure,
        "measure_name": name,
        "unit": unit,
        "against": rule.against,
        "month": row["month"],
        "first_month": row["first_month"],
        "state": row["state"],
        "event": {1: "fire", 0: "clear"}.get(row["event"], "band"),  # the month's own condition
        "observed": row["observed"],
        "expected": row["expected"],
        "comparison": row["measure_value"],
        "basis": row["basis"],
        "basis_text": BASIS.get(row["basis"], row["basis"]),
        "norm_years": row.get("norm_years_used"),
        "threshold": {"fire": row["fire_at"], "clear": row["clear_at"]},
        "min_months": rule.min_months,
        "calendar": cal,
        "sources": sources,
    }


def _n(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _when(trace: dict[str, Any]) -> str:
    y, m = trace["month"].split("-")
    if trace["measure"].endswith("_ytd_wan"):
        return f"{y}年1-{int(m)}月" if m != "01" else f"{y}年1月"
    if trace["calendar"]["code"] == "jan_feb_combined":
        return f"{y}年1-2月合计"
    return f"{y}年{int(m)}月"


def _finding(t: dict[str, Any]) -> str:
    obs, exp, cmp_, fire = t["observed"], t["expected"], t["comparison"], t["threshold"]["fire"]
    what, unit = t["measure_name"], t["unit"]
    if t["kind"] in ("yoy_change", "yoy_decline"):
        direction = "下降" if (cmp_ or 0) < 0 else "增长"
        change = _n(abs(cmp_ or 0), 1)
        return (
            f"{_when(t)}{what} {_n(obs)} {unit}，比上年同期 {_n(exp)} {unit}{direction} {change}%"
            f"（规则“{t['rule_name']}”：降幅达 {_n(abs(fire), 0)}% 即预警）"
        )
    if t["kind"] == "seasonal_norm":
        return (
            f"{_when(t)}{what} {_n(obs)} {unit}，仅为该企业近 {t['norm_years']} 年同期月均 {_n(exp)} {unit}"
            f"的 {_n((cmp_ or 0) * 100, 0)}%"
            f"（规则“{t['rule_name']}”：低于常态的 {_n(fire * 100, 0)}% 即预警）"
        )
    if t["kind"] == "divergence":
        against = FIELDS.get(t["against"] or "", (t["against"], ""))[0]
        return (
            f"{_when(t)}{what}同比增长 {_n(obs, 1)}%，{against}同比{'下降' if (exp or 0) < 0 else '增长'} "
            f"{_n(abs(exp or 0), 1)}%，相差 {_n(cmp_, 1)} 个百分点"
            f"（规则“{t['rule_name']}”：相差 {_n(fire, 0)} 个百分点以上即提示统计部门核实）"
        )
    cal = t["calendar"]
    below = t["kind"] == "run_rate_below"
    if cal["code"] == "own_pace_run_rate" and obs:
        how = f"按上年同期进度（累计占全年 {_n((cmp_ or 0) / obs * 100, 1)}%）折算全年"
    else:
        how = f"按已过 {cal.get('workdays_ytd')} 个工作日（全年 {cal.get('workdays_year')} 个）折算全年"
    return (
        f"{_when(t)}{what} {_n(cmp_)} {unit}，{how}约 {_n(obs)} {unit}，"
        f"{'低于' if below else '达到'}预警线 {_n(exp, 0)} {unit}"
        f"（规则“{t['rule_name']}”，规上标准为年营业收入 2000 万元）"
    )


def sentence(trace: dict[str, Any]) -> str:
    """One plain Chinese sentence, from the trace alone."""
    state = trace["state"]
    y, m = trace["month"].split("-")
    if state == "no_data":
        fy, fm = trace["first_month"].split("-")
        return (
            f"{y}年{int(m)}月未收到{trace['measure_name']}数据（缺报不视为下降）；"
            f"自 {fy}年{int(fm)}月起的“{trace['rule_name']}”预警保持，待数据到达后再判断。"
        )
    text = _finding(trace)
    if trace["calendar"]["code"] not in ("none", "own_pace_run_rate", "workday_run_rate"):
        text += f"；{trace['calendar']['text']}"
    if state == "pending":
        text += f"；须持续 {trace['min_months']} 个月才正式预警"
    elif state == "resolved":
        text += "，已回到解除线以内，预警解除"
    elif state == "firing" and trace.get("event") != "fire":
        text += f"；本月未越过预警线，但尚未回到解除线（{_n(trace['threshold']['clear'], 0)}），预警持续"
    elif state == "firing":
        text += f"，{SEVERITIES[trace['severity']]}"
    return text + "。"
