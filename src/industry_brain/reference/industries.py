"""GB/T 4754-2017 国民经济行业分类: all four levels, with names and parents."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    level: int
    parent: str | None

    @property
    def level_name(self) -> str:
        return ("section", "division", "group", "class")[self.level - 1]


@cache
def industries() -> dict[str, Industry]:
    path = resources.files(__package__) / "data" / "gbt4754_2017.csv"
    with path.open(encoding="utf-8") as fh:
        return {
            row["code"]: Industry(row["code"], row["name"], int(row["level"]), row["parent"] or None)
            for row in csv.DictReader(fh)
        }


@cache
def class_codes() -> frozenset[str]:
    """The 1381 four-digit 小类 codes enterprises carry."""
    return frozenset(c for c, i in industries().items() if i.level == 4)


def is_class(code: str) -> bool:
    return code in class_codes()


def lineage(code: str) -> list[Industry]:
    """The section, division, group and class above and including `code`, top first."""
    table = industries()
    chain: list[Industry] = []
    current: str | None = code
    while current:
        item = table[current]
        chain.append(item)
        current = item.parent
    return chain[::-1]


def division_of(code: str) -> str:
    """The 2-digit 大类 of a class, group or division code."""
    return code[:2]


def section_of(code: str) -> str:
    return lineage(code)[0].code
