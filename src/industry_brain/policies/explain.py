"""A trace in words, for the people who read it: the page's trace dialog and the 政策兑现告知书.

Nothing here decides anything: each line is the trace's own numbers (policies/trace.py) said in
Chinese, with names for fields and parameters (never the identifiers of the policy file), and
where a value came from (department, file and row).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from industry_brain.core.labels import GRADES
from industry_brain.policies.fields import FIELDS
from industry_brain.policies.format import OPS, Policy
from industry_brain.policies.trace import EVENTS, number

VERDICTS = {True: "满足", False: "不满足", None: "缺少数据"}
_BIN = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " × ", ast.Div: " ÷ "}
_RANK = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}
_CMP = {ast.Eq: "为", ast.NotEq: "不为", ast.Lt: "低于", ast.LtE: "不高于", ast.Gt: "高于", ast.GtE: "不低于"}
EXTRA_NAMES = {"revenue_prev_wan": "上年营业收入", "output_prev_wan": "上年工业总产值"}


def name_of(policy: Policy, ident: str) -> str:
    """The Chinese name of a field, a parameter or a title condition's level in `policy`."""
    if ident in policy.parameters:
        return policy.parameters[ident].name
    if ident in FIELDS:
        return FIELDS[ident].name
    if ident in EXTRA_NAMES:
        return EXTRA_NAMES[ident]
    for c in policy.conditions:
        if ident == f"{c.id}_level":
            return "认定级别"
    return ident


def formula_words(policy: Policy, text: str) -> str:
    """A formula of the policy file in words: “技术改造设备投资额 × 补助比例 ÷ 100”."""
    return _words(policy, ast.parse(str(text).strip(), mode="eval").body)


def _words(policy: Policy, node: ast.expr) -> str:
    w = lambda n: _words(policy, n)  # noqa: E731
    if isinstance(node, ast.Constant):
        v = node.value
        return number(float(v)) if isinstance(v, int | float) else f"“{v!s}”"
    if isinstance(node, ast.Name):
        return name_of(policy, node.id)
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        left, right = _group(policy, node.left, op, right=False), _group(policy, node.right, op, right=True)
        return f"{left}{_BIN[op]}{right}"
    if isinstance(node, ast.UnaryOp):
        return f"−{w(node.operand)}" if isinstance(node.op, ast.USub) else f"并非{w(node.operand)}"
    if isinstance(node, ast.BoolOp):
        return ("且" if isinstance(node.op, ast.And) else "或").join(w(v) for v in node.values)
    if isinstance(node, ast.Compare):
        return f"{w(node.left)}{_CMP[type(node.ops[0])]} {w(node.comparators[0])}"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [w(a) for a in node.args]
    if node.func.id == "when":
        return f"{args[0]} 时为 {args[1]}，否则为 {args[2]}"
    if len(args) == 1:
        return args[0]
    return f"{'、'.join(args)}中的{'较小者' if node.func.id == 'min' else '较大者'}"


def _group(policy: Policy, node: ast.expr, outer: type[ast.operator], *, right: bool) -> str:
    """An operand in words, bracketed where the arithmetic needs it: a + b × c, (a + b) × c."""
    text = _words(policy, node)
    if isinstance(node, ast.BinOp):
        inner, rank = _RANK[type(node.op)], _RANK[outer]
        if inner > rank or (inner == rank and not (right and outer in (ast.Sub, ast.Div))):
            return text
    elif not isinstance(node, ast.BoolOp | ast.Call | ast.Compare):
        return text
    return f"（{text}）"


def value_words(c: Mapping[str, Any]) -> str:
    """The enterprise's value of a trace condition, with its unit."""
    value, field = c.get("value"), c.get("field")
    if value is None:
        return "缺少数据"
    if field is None:
        return str(value)
    f = FIELDS[field]
    if field == "mu_grade":
        return GRADES.get(str(value), str(value))
    if f.kind == "flag" and isinstance(value, int | float):
        yes, no = ("有", "无") if field in EVENTS else ("是", "否")
        return yes if int(value) == 1 else no
    if isinstance(value, int | float):
        return f"{number(float(value))}{f.unit}"
    return str(value)


def required_words(c: Mapping[str, Any]) -> str:
    """What a trace condition requires: “不低于 3%”, “省级、市级专精特新，1 年内认定”."""
    required, field = c.get("required"), c.get("field")
    if isinstance(required, dict):  # a title condition
        levels = "、".join(required.get("levels") or [])
        want = f"{levels}{'、'.join(required.get('titles') or [])}"
        within = required.get("within_years")
        if not within:
            return want
        return want + (f"（{within} 年内认定）" if within > 1 else "（当年认定）")
    op = OPS.get(str(c.get("op")), "")
    if field is None:
        return f"{op} {required}"
    f = FIELDS[field]
    if isinstance(required, list):
        shown = "、".join(GRADES.get(str(x), str(x)) if field == "mu_grade" else str(x) for x in required)
        return f"{op} {shown}"
    if field == "mu_grade":
        return f"{op} {GRADES.get(str(required), str(required))}"
    if f.kind == "flag" and isinstance(required, int | float):
        yes, no = ("有", "无") if field in EVENTS else ("是", "否")
        return yes if int(required) == 1 else no
    if isinstance(required, int | float):
        return f"{op} {number(float(required))}{f.unit}"
    return f"{op} {required}"


def source_words(source: Any) -> str:
    """Where a value came from: “区统计局（stats-2024.xlsx 第 12 行）”; a derived value names
    each figure it is computed from."""
    if not source:
        return "—"
    if isinstance(source, list):
        return "；".join(f"{_field_name(s['field'])}（{s['year']} 年）：{_one_source(s)}" for s in source)
    return _one_source(source)


def _field_name(field: str) -> str:
    return FIELDS[field].name if field in FIELDS else EXTRA_NAMES.get(field, "相关数据")


def _one_source(s: Mapping[str, Any]) -> str:
    where = str(s.get("department") or "—")
    if s.get("run_id") is not None:
        return f"{where}，评价批次 {s['run_id']}"
    if s.get("file"):
        row = f" 第 {s['row']} 行" if s.get("row") else ""
        return f"{where}（{s['file']}{row}）"
    return where


CONDITION_HEAD = ("条件", "企业数据", "要求", "判定", "数据来源", "条款")


def condition_rows(trace: Mapping[str, Any]) -> list[list[str]]:
    """Per condition: 条件, 企业数据, 要求, 判定, 数据来源, 条款."""
    return [
        [
            str(c["name"]),
            value_words(c),
            required_words(c),
            VERDICTS[c["passed"]],
            source_words(c.get("source")),
            str(c.get("article") or "—"),
        ]
        for c in trace["conditions"]
    ]


def amount_lines(policy: Policy, trace: Mapping[str, Any]) -> list[str]:
    """How the amount was reached, line by line (only for a result that has one)."""
    a = trace["amount"]
    if trace["result"] not in ("eligible", "eligible_zero"):
        return []
    lines = [f"计算公式：{formula_words(policy, a['formula'])}"]
    for case in a.get("cases") or []:
        lines.append(
            f"其中{formula_words(policy, case['when'])}时，按{formula_words(policy, case['formula'])}计算"
        )
    if a.get("raw_wan") is not None:
        lines.append(f"按公式测算 {number(float(a['raw_wan']))} 万元")
    cap = _value(policy, a.get("cap_per_enterprise_wan"), trace)
    if cap is not None:
        cut = "，超出部分不予兑现" if a.get("capped") else ""
        lines.append(f"单个企业上限 {number(cap)} 万元{cut}")
    budget = _value(policy, a.get("budget_per_year_wan"), trace)
    if budget is not None:
        factor = a.get("budget_factor")
        if factor is not None and factor < 1 - 1e-9:
            lines.append(
                f"政策年度预算 {number(budget)} 万元，符合条件企业的金额合计超出预算，"
                f"按比例核减为测算金额的 {factor:.2%}"
            )
        else:
            lines.append(f"政策年度预算 {number(budget)} 万元，未超出预算")
    amount = a.get("amount_wan")
    lines.append(f"核定金额 {number(float(amount or 0))} 万元（{a['rounding']}）")
    return lines


def _value(policy: Policy, raw: Any, trace: Mapping[str, Any]) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        got = trace.get("parameters", {}).get(raw)
        return None if got is None else float(got["value"])
    return float(raw)
