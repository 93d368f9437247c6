"""The cockpit's headline figures: the district's (or a town's) above-scale industry in the newest
data year, each beside its 同比.

同比 is computed as the statistics bureau computes it, on the comparable set (同口径): the
enterprises above scale this year, compared with their own figures of the year before, so an
enterprise entering or leaving the above-scale list is no growth or fall of the district. The
naive comparison (this year's list against last year's list) is given beside it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.labels import kwh_scale
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.ingest.facts import resolve_year

# (field, name, unit shown, factor from the stored unit to the unit shown)
FIGURES = (
    ("output_wan", "规上工业总产值", "亿元", 1e-4),
    ("value_added_wan", "规上工业增加值", "亿元", 1e-4),
    ("revenue_wan", "规上工业营业收入", "亿元", 1e-4),
    ("tax_wan", "规上工业税收", "亿元", 1e-4),
    ("electricity_wan_kwh", "规上工业用电量", "亿千瓦时", 1e-4),
)


@dataclass(frozen=True)
class Headline:
    name: str
    value: float | None
    unit: str
    yoy_pct: float | None  # 同口径
    naive_yoy_pct: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _above_scale(session: Session, *, year: int, settings: Settings, scope: Scope) -> pl.DataFrame:
    facts, _ = resolve_year(session, year=year, tolerance=settings.conflict_tolerance)
    if scope.role == "town":
        towns = select(Enterprise.credit_code).where(Enterprise.township_code == scope.township_code)
        facts = facts.filter(pl.col("credit_code").is_in(list(session.scalars(towns))))
    return facts.filter(pl.col("above_scale") == 1)


def _pct(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return round((now / before - 1) * 100, 1)


def headline_figures(
    session: Session, *, scope: Scope, settings: Settings, year: int | None
) -> list[Headline]:
    """The headline figures of `year` for what the scope may see in aggregate (none for an
    enterprise or a department)."""
    if year is None or not (scope.district_wide or (scope.role == "town" and scope.township_code)):
        return []
    now = _above_scale(session, year=year, settings=settings, scope=scope)
    if now.is_empty():
        return []
    before = _above_scale(session, year=year - 1, settings=settings, scope=scope)
    facts_before, _ = resolve_year(session, year=year - 1, tolerance=settings.conflict_tolerance)
    same = facts_before.filter(pl.col("credit_code").is_in(now["credit_code"].implode()))
    count_pct = _pct(now.height, before.height)  # a count has no comparable set
    out = [Headline("规上工业企业", float(now.height), "家", count_pct, count_pct)]
    for field, name, unit, factor in FIGURES:
        total = _sum(now, field)
        digits = 2
        if field == "electricity_wan_kwh":
            factor, unit, digits = kwh_scale(total)
        out.append(
            Headline(
                name,
                None if total is None else round(total * factor, digits),
                unit,
                _pct(total, _sum(same, field)),
                _pct(total, _sum(before, field)),
            )
        )
    land, land_before = _land(now), _land(same)
    if land > 0:
        tax_now = (_sum(now, "tax_wan") or 0.0) / land
        tax_before = (_sum(same, "tax_wan") or 0.0) / land_before if land_before else None
        out.append(
            Headline("规上工业亩均税收", round(tax_now, 2), "万元/亩", _pct(tax_now, tax_before), None)
        )
    return out


def _sum(frame: pl.DataFrame, field: str) -> float | None:
    """The column's total; None when no enterprise reported the figure."""
    if frame.is_empty() or frame[field].null_count() == frame.height:
        return None
    return float(frame[field].sum())


def _land(frame: pl.DataFrame) -> float:
    return (_sum(frame, "land_mu") or 0.0) + (_sum(frame, "rented_mu") or 0.0)
