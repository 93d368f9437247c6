"""Units of the departments' files and their canonical units.

Canonical units (GLOSSARY): money 万元, land 亩, electricity 万千瓦时, energy 吨标准煤 (tce),
mass 吨, people 人. A header names its unit in brackets, e.g. 工业总产值（亿元）; `split_header`
separates the term from the unit and `factor` gives the multiplier to the canonical unit.
"""

from __future__ import annotations

import re
from enum import StrEnum

from industry_brain.core.text import squash, to_halfwidth


class Dimension(StrEnum):
    money = "money"
    land = "land"
    electricity = "electricity"
    energy = "energy"
    mass = "mass"
    people = "people"
    events = "events"


CANONICAL: dict[Dimension, str] = {
    Dimension.money: "万元",
    Dimension.land: "亩",
    Dimension.electricity: "万千瓦时",
    Dimension.energy: "吨标准煤",
    Dimension.mass: "吨",
    Dimension.people: "人",
    Dimension.events: "次",
}

# Multipliers to the canonical unit. 1 亩 = 10000/15 m² exactly; 1 公顷 = 15 亩.
_FACTORS: dict[Dimension, dict[str, float]] = {
    Dimension.money: {
        "元": 1e-4,
        "千元": 0.1,
        "万元": 1.0,
        "百万元": 100.0,
        "亿元": 1e4,
    },
    Dimension.land: {
        "亩": 1.0,
        "平方米": 15 / 10000,
        "m2": 15 / 10000,
        "m²": 15 / 10000,
        "㎡": 15 / 10000,
        "公顷": 15.0,
        "hm2": 15.0,
        "hm²": 15.0,
        "万平方米": 15.0,
        "平方公里": 1500.0,
        "km2": 1500.0,
        "km²": 1500.0,
    },
    Dimension.electricity: {
        "千瓦时": 1e-4,
        "千瓦·时": 1e-4,
        "kwh": 1e-4,
        "kw·h": 1e-4,
        "kw.h": 1e-4,
        "度": 1e-4,
        "兆瓦时": 0.1,
        "mwh": 0.1,
        "万千瓦时": 1.0,
        "万kwh": 1.0,
        "万kw·h": 1.0,
        "万度": 1.0,
        "亿千瓦时": 1e4,
    },
    Dimension.energy: {
        "吨标准煤": 1.0,
        "tce": 1.0,
        "吨标煤": 1.0,
        "万吨标准煤": 1e4,
        "万吨标煤": 1e4,
        "万tce": 1e4,
        "千克标准煤": 1e-3,
        "kgce": 1e-3,
    },
    Dimension.mass: {"吨": 1.0, "t": 1.0, "千克": 1e-3, "kg": 1e-3, "公斤": 1e-3, "万吨": 1e4},
    Dimension.people: {"人": 1.0},
    Dimension.events: {"次": 1.0, "起": 1.0, "件": 1.0},
}

_BRACKETED = re.compile(r"^(?P<term>.*?)[(\[【](?P<unit>[^()\[\]【】]*)[)\]】]\s*$")


def split_header(header: str) -> tuple[str, str | None]:
    """'工业总产值（万元）' -> ('工业总产值', '万元'); a header without brackets has no unit."""
    text = squash(to_halfwidth(header))
    match = _BRACKETED.match(text)
    if not match:
        return text, None
    unit = match.group("unit").removeprefix("单位:").removeprefix("单位：")
    return match.group("term"), unit or None


def factor(dimension: Dimension, unit: str | None) -> float | None:
    """Multiplier from `unit` to the canonical unit of `dimension`; None if it is not a unit
    of that dimension. A missing unit means the canonical unit."""
    if unit is None:
        return 1.0
    key = squash(to_halfwidth(unit)).lower()
    return _FACTORS[dimension].get(key)


def known_units(dimension: Dimension) -> list[str]:
    return list(_FACTORS[dimension])
