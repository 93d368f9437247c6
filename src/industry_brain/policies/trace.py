"""The trace of a match, as data (docs/policies.md, “如何读追溯记录”), version TRACE_VERSION.

The trace is the match row read back: each condition's value, pass and missing figures are the
columns the engine computed (analytics.match), joined with the policy's own statement of the
condition (name, operator, the required value in force on the date, the article) and where the
value came from. Nothing is recomputed here; the near-miss message is the same numbers in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from industry_brain.core.labels import GRADES
from industry_brain.policies.fields import FIELDS, TITLE_HOLDER, needs
from industry_brain.policies.format import OPS, Condition, Policy

TRACE_VERSION = 1
RESULT_NAMES = {
    "eligible": "符合条件",
    "eligible_zero": "符合条件但金额为零",
    "not_eligible": "不符合条件",
    "unknown": "数据不全，无法判定",
}
PREVIOUS = {
    "above_scale_prev": "above_scale",
    "revenue_prev_wan": "revenue_wan",
    "output_prev_wan": "output_wan",
}
EVENTS = ("safety_accident", "env_violation")  # a flag that says an event happened: 有/无
NEAR_MISS = 0.2  # a failing numeric condition within 20% of its threshold is a near miss
Source = Mapping[tuple[str, int, str], dict[str, Any]]  # (credit_code, year, field) -> where from


def number(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v - round(v)) > 1e-9 else f"{v:,.0f}"


def required_of(policy: Policy, c: Condition, as_of: dt.date) -> Any:
    if c.title:
        return {"titles": list(c.title), "levels": list(c.levels), "within_years": c.within_years}
    if c.param:
        got = policy.parameters[c.param].at(as_of)
        return None if got is None else got[1]
    return c.value


def _show(c: Condition, value: Any) -> str:
    if c.field is None:
        return str(value)
    f = FIELDS[c.field]
    if c.field == "mu_grade" and isinstance(value, str):
        return GRADES.get(value, value)
    if f.kind == "flag":
        yes, no = ("有", "无") if c.field in EVENTS else ("是", "否")
        return {1: yes, 0: no}.get(int(value), "—") if isinstance(value, int | float) else "—"
    if isinstance(value, list):
        return "、".join(str(x) for x in value)
    return f"{number(value)}{f.unit}" if isinstance(value, int | float) else str(value)


def message(c: Condition, value: Any, required: Any, passed: bool | None) -> str:
    """“研发投入占比 2.8%，要求不低于 3%”: the condition's numbers in words."""
    if c.title:
        want = "、".join(c.levels) + "".join(c.title) if c.levels else "".join(c.title)
        return f"{c.name}：{'已认定（' + str(value) + '）' if passed else '未认定'}，要求{want}"
    assert c.op is not None and c.field is not None
    if FIELDS[c.field].kind == "flag" and value is not None:
        verdict = "符合" if passed else "不符合"
        return f"{c.name}：{verdict}（{FIELDS[c.field].name}：{_show(c, value)}）"
    shown = _show(c, value) if value is not None else "缺少数据"
    return f"{c.name} {shown}，要求{OPS[c.op]} {_show(c, required)}"


class Statement:
    """What a policy says as of a date, the same for every row: each condition's required value
    and the parameters in force. Built once per policy when many rows are read back."""

    def __init__(self, policy: Policy, as_of: dt.date) -> None:
        self.policy, self.as_of = policy, as_of
        self.required = [required_of(policy, c, as_of) for c in policy.conditions]
        self.parameters = {
            k: {"from": d.isoformat(), "value": v} for k, (d, v) in policy.params_at(as_of).items()
        }


def condition_entries(
    policy: Policy,
    row: Mapping[str, Any],
    as_of: dt.date,
    sources: Source | None = None,
    statement: Statement | None = None,
) -> list[dict[str, Any]]:
    said = statement or Statement(policy, as_of)
    out = []
    for i, c in enumerate(policy.conditions):
        raw = row[f"c{i}_pass"]
        passed = None if raw is None else bool(raw)
        if c.title:
            value: Any = (
                None if row[f"c{i}_text"] is None else f"{row[f'c{i}_text']}，{int(row[f'c{i}_num'])}年认定"
            )
        elif FIELDS[c.field or ""].kind == "text":
            value = row[f"c{i}_text"]
        else:
            value = None if row[f"c{i}_num"] is None else round(row[f"c{i}_num"], 4)
        required = said.required[i]
        entry: dict[str, Any] = {
            "id": c.id,
            "name": c.name,
            "field": c.field,
            "op": c.op,
            "value": value,
            "required": required,
            "unit": FIELDS[c.field].unit if c.field else "",
            "passed": passed,
            "article": c.article,
            "source": _source(c, row, sources),
            "message": message(c, value, required, passed),
        }
        if (
            passed is False
            and c.field
            and isinstance(value, int | float)
            and isinstance(required, int | float)
        ):
            entry["gap"] = round(float(required) - float(value), 4)
            entry["near_miss"] = required != 0 and abs(entry["gap"]) <= NEAR_MISS * abs(float(required))
        if passed is None:
            entry["missing"] = [m for m in (row[f"c{i}_missing"] or "").split(",") if m]
        out.append(entry)
    return out


def _source(
    c: Condition, row: Mapping[str, Any], sources: Source | None
) -> dict[str, Any] | list[Any] | None:
    """Where the value came from: one place for a stored figure, a list for a derived one (each
    figure it is computed from; a previous year's figure from that year's record)."""
    if c.title:
        return {"source": "titles", "department": TITLE_HOLDER}
    found = []
    for f in needs(c.field or ""):
        year, stored = int(row["year"]), f
        if f in PREVIOUS:
            year, stored = year - 1, PREVIOUS[f]
        where = (sources or {}).get((row["credit_code"], year, stored))
        if where is not None:
            found.append({"field": f, "year": year, **where})
    if not FIELDS[c.field or ""].needs:
        return found[0] if found else None
    return found


def missing_entries(policy: Policy, row: Mapping[str, Any]) -> list[dict[str, str]]:
    """The stored figures that leave a result unknown, each once, in the order of the conditions
    and then the amount formula, with the department that holds each."""
    parts = [row[f"c{i}_missing"] or "" for i in range(len(policy.conditions))]
    names = [m for m in ("".join(parts) + (row.get("amount_missing") or "")).split(",") if m]
    seen: list[str] = []
    for m in names:
        if m not in seen:
            seen.append(m)
    return [{"field": m, "name": _field_name(m), "department": _holder(m)} for m in seen]


def _field_name(field: str) -> str:
    extra = {"revenue_prev_wan": "上年营业收入", "output_prev_wan": "上年工业总产值"}
    return FIELDS[field].name if field in FIELDS else extra.get(field, field)


def _holder(field: str) -> str:
    return FIELDS[field].holder if field in FIELDS else "区统计局"


def trace(
    policy: Policy,
    row: Mapping[str, Any],
    as_of: dt.date,
    sources: Source | None = None,
    statement: Statement | None = None,
) -> dict[str, Any]:
    """The whole trace of one match row (`statement`: the policy's, when reading many rows)."""
    said = statement or Statement(policy, as_of)
    conditions = condition_entries(policy, row, as_of, sources, said)
    failed = [c for c in conditions if c["passed"] is False]
    params = said.parameters
    a = policy.amount
    return {
        "trace_version": TRACE_VERSION,
        "policy": policy.id,
        "policy_version": policy.version,
        "document_no": policy.document_no,
        "as_of": as_of.isoformat(),
        "figures_year": int(row["year"]),
        "credit_code": row["credit_code"],
        "result": row["result"],
        "result_name": RESULT_NAMES[row["result"]],
        "conditions": conditions,
        "failed": [c["id"] for c in failed],
        "near_miss": bool(failed) and all(c.get("near_miss") for c in failed) and len(failed) == 1,
        "missing": missing_entries(policy, row) if row["result"] == "unknown" else [],
        "parameters": params,
        "amount": {
            "formula": a.formula,
            "cases": [{"when": c.when, "formula": c.formula} for c in a.cases],
            "raw_wan": row["amount_raw_wan"],
            "cap_per_enterprise_wan": a.cap_per_enterprise,
            "capped": bool(row["capped"]),
            "budget_per_year_wan": a.budget_per_year,
            "budget_factor": row["budget_factor"],
            "amount_wan": row["amount_wan"],
            "rounding": f"四舍五入保留{a.decimals}位小数（万元）；负数计为0",
        },
    }
