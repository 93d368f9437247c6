"""宁波市 administrative divisions to township level (NBS 统计用区划代码, GB/T 2260 counties)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent: str | None
    gb2260: str | None
    township_type: str | None


@cache
def divisions() -> dict[str, Division]:
    path = resources.files(__package__) / "data" / "ningbo_admin_divisions.csv"
    with path.open(encoding="utf-8") as fh:
        return {
            r["code"]: Division(
                r["code"],
                r["name"],
                r["level"],
                r["parent"] or None,
                r["gb2260"] or None,
                r["township_type"] or None,
            )
            for r in csv.DictReader(fh)
        }


def townships(county_code: str | None = None) -> list[Division]:
    return [
        d
        for d in divisions().values()
        if d.level == "township" and (county_code is None or d.parent == county_code)
    ]


@cache
def _township_index(county_code: str) -> dict[str, str]:
    """Name forms -> 9-digit code; names inside `county_code` win over the rest of Ningbo."""
    index: dict[str, str] = {}
    ordered = sorted(townships(), key=lambda d: d.parent == county_code)
    for d in ordered:
        for form in {
            d.name,
            d.name.removesuffix("街道"),
            d.name.removesuffix("镇"),
            d.name.removesuffix("乡"),
        }:
            if form:
                index[form] = d.code
        index[d.code] = d.code
    return index


def resolve_township(text: str, county_code: str) -> str | None:
    """A township as written (name, short name or 9-digit code) -> its 9-digit code."""
    return _township_index(county_code).get(text.strip())


def known_township_name(code: str | None) -> str | None:
    """A township code's name, or None for no code or a code that names no township."""
    if code is None:
        return None
    division = divisions().get(code)
    return division.name if division else None


def township_name(code: str | None) -> str:
    """A 9-digit township code -> its name (锦屏街道); '未归属镇街' for none, the code if unknown."""
    if not code:
        return "未归属镇街"
    division = divisions().get(str(code))
    return division.name if division else str(code)
