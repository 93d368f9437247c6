"""The small expression language of amount formulas and case conditions.

A formula is one Python-syntax expression over record fields, parameters, numbers and strings:
`+ - * /`, comparisons, `and`/`or`/`not`, `min(a, b, ...)`, `max(a, b, ...)` and
`when(condition, then, otherwise)`. Nothing else parses (no attribute, no call of any other
name), so a policy file cannot run code. `compile_expr` turns a checked expression into an Ibis
expression over the names it is given.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

import ibis

_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
FUNCTIONS = ("min", "max", "when")


class ExprError(ValueError):
    pass


def parse(text: str, known: set[str]) -> tuple[ast.expr, set[str]]:
    """The checked syntax tree of `text` and the names it reads; ExprError names what is wrong."""
    try:
        tree = ast.parse(str(text).strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExprError(f"公式无法解析：{exc.msg}") from exc
    names: set[str] = set()
    _check(tree, known, names)
    return tree, names


def _check(node: ast.AST, known: set[str], names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float | str):
            raise ExprError(f"公式中不允许的常量 {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id not in known:
            raise ExprError(f"公式中未知的名称“{node.id}”（可用：字段、参数、条件的 _level）")
        names.add(node.id)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        _check(node.left, known, names)
        _check(node.right, known, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        _check(node.operand, known, names)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, known, names)
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP:
        _check(node.left, known, names)
        _check(node.comparators[0], known, names)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if node.keywords or not node.args or (node.func.id == "when" and len(node.args) != 3):
            raise ExprError(f"函数 {node.func.id} 的参数不对（when 需要 3 个）")
        for a in node.args:
            _check(a, known, names)
    else:
        raise ExprError(f"公式中不允许的写法：{ast.unparse(node)}")


def compile_expr(tree: ast.expr, values: Mapping[str, Any]) -> Any:
    """An Ibis expression for `tree`; `values` maps each name to an Ibis value or a constant."""
    c: Callable[[ast.expr], Any] = lambda n: compile_expr(n, values)  # noqa: E731
    if isinstance(tree, ast.Constant):
        v = tree.value
        return ibis.literal(float(v), "float64") if isinstance(v, int | float) else ibis.literal(v, "string")
    if isinstance(tree, ast.Name):
        v = values[tree.id]
        return ibis.literal(float(v), "float64") if isinstance(v, int | float) else v
    if isinstance(tree, ast.BinOp):
        a, b = c(tree.left), c(tree.right)
        op = _BIN[type(tree.op)]
        if op == "/":
            return ibis.ifelse(b == 0, ibis.null("float64"), a / b)
        return {"+": a + b, "-": a - b, "*": a * b}[op]
    if isinstance(tree, ast.UnaryOp):
        v = c(tree.operand)
        return -v if isinstance(tree.op, ast.USub) else ~v
    if isinstance(tree, ast.BoolOp):
        parts = [c(v) for v in tree.values]
        return reduce((lambda a, b: a & b) if isinstance(tree.op, ast.And) else (lambda a, b: a | b), parts)
    if isinstance(tree, ast.Compare):
        a, b = c(tree.left), c(tree.comparators[0])
        op = _CMP[type(tree.ops[0])]
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    assert isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name)
    args = [c(a) for a in tree.args]
    if tree.func.id == "when":
        return ibis.ifelse(args[0], args[1], args[2])
    if len(args) == 1:
        return args[0]
    # least/greatest of a null is null on some engines and not others: a null stays null.
    pick = ibis.least if tree.func.id == "min" else ibis.greatest
    anynull = reduce(lambda a, b: a | b, [x.isnull() for x in args])
    return ibis.ifelse(anynull, ibis.null("float64"), pick(*args))
