"""The committed indicators of a 标准地 parcel, each a condition over the enterprise record.

A commitment is read as a policies condition ("actual >= committed", or "<= committed" for
energy and emissions): the actual value is an expression in the policies expression language
(policies/expr.py) over the record fields of policies/fields.py and the parcel's area, so the
same compiler turns it into an Ibis column and no second engine exists. The shortfall wording
is the same numbers in words: "亩均税收 18.2 万元/亩，承诺不低于 25.0 万元/亩，差 6.8".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from industry_brain.policies.expr import compile_expr, parse
from industry_brain.policies.fields import FIELDS


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str  # Chinese name, as the trace and the page show it
    unit: str
    formula: str  # over record fields and `area_mu` (the parcel's area)
    op: str  # ">=" (not lower than) or "<=" (not higher than)
    decimals: int = 1


INDICATORS: dict[str, Indicator] = {
    "output_per_mu": Indicator("output_per_mu", "亩均产值", "万元/亩", "output_wan / area_mu", ">="),
    "tax_per_mu": Indicator("tax_per_mu", "亩均税收", "万元/亩", "tax_wan / area_mu", ">="),
    "energy_per_wan": Indicator(
        "energy_per_wan", "单位能耗", "吨标准煤/万元", "energy_tce / output_wan", "<=", 2
    ),
}
OP_WORDS = {">=": "不低于", "<=": "不高于"}


def actual(ind: Indicator, record: Any, area_mu: Any) -> Any:
    """The Ibis column of the indicator's actual value over `record` (a table of FIELDS)."""
    tree, names = parse(ind.formula, set(FIELDS) | {"area_mu"})
    values = {n: (area_mu if n == "area_mu" else record[n]) for n in names}
    return compile_expr(tree, values)


def holders(ind: Indicator) -> list[str]:
    """The departments holding the figures the indicator is computed from."""
    _, names = parse(ind.formula, set(FIELDS) | {"area_mu"})
    return sorted({FIELDS[n].holder for n in names if n in FIELDS})


def figures(ind: Indicator) -> list[str]:
    """The record fields the indicator is computed from."""
    _, names = parse(ind.formula, set(FIELDS) | {"area_mu"})
    return sorted(n for n in names if n in FIELDS)


def shortfall(ind: Indicator, value: float, committed: float) -> str:
    """The breach in words, with the decimals officials write for the indicator."""
    d = ind.decimals
    gap = committed - value if ind.op == ">=" else value - committed
    return (
        f"{ind.name} {value:.{d}f} {ind.unit}，承诺{OP_WORDS[ind.op]} {committed:.{d}f} {ind.unit}，"
        f"差 {gap:.{d}f}"
    )
