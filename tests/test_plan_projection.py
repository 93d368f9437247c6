"""预计全年 beside 序时进度 (views.plan_projection): the monitoring's nowcast set against the plan
indicators that measure above-scale output, hand-worked on the shipped 奉化区“十四五” pack.

全区规上工业产值: baseline 760.5 亿元 (2020), target 1500 亿元 (2025). By the end of 2024, 4 of the
span's 5 years have passed: 序时 level 760.5 + (1500 − 760.5) × 0.8 = 1352.1 亿元. A projection
of 14,000,000 万元 = 1400.00 亿元 reaches it; 13,000,000 万元 = 1300.00 亿元 does not.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from industry_brain.core.scope import Scope
from industry_brain.views import plan_projection


def _pack() -> Any:
    from industry_brain.plans.pack import load_packs

    packs = load_packs()
    every = packs.values() if isinstance(packs, dict) else packs
    return next(p for p in every if p.id == "fenghua-14th")


def _progress(as_of: str) -> Any:
    district = SimpleNamespace(
        id="output-above-scale", unit="亿元", change=None, derive="output_above_scale", concerns={},
        baseline={"value": 760.5}, target={"level": 1500.0},
    )  # fmt: skip
    ratio = SimpleNamespace(
        id="mu-tax", unit="万元/亩", change=None, derive="mu_tax_above_scale", concerns={},
        baseline={"value": 30.0}, target={"level": 40.0},
    )  # fmt: skip
    return SimpleNamespace(as_of=as_of, plan_id="fenghua-14th", indicators=[district, ratio])


@pytest.mark.parametrize(("projected_wan", "on_course"), [(14_000_000.0, True), (13_000_000.0, False)])
def test_the_year_projected_against_its_sequential_level(monkeypatch, projected_wan, on_course):
    asked: dict[str, Any] = {}

    def nowcast(session: Any, **kw: Any) -> dict[str, Any]:
        asked.update(kw)
        row = {"area_kind": "district", "area_id": "district", "projected_value": projected_wan}
        return {"year": 2024, "month": 6, "rows": [{**row, "projected_growth_pct": 8.0}]}

    monkeypatch.setattr("industry_brain.monitoring.nowcast.nowcast", nowcast)
    monkeypatch.setattr("industry_brain.plans.store.current_pack", lambda session, plan_id: _pack())
    got = plan_projection.projections(
        None, progress=_progress("2024-06"), scope=Scope(role="leader"), settings=None
    )  # type: ignore[arg-type]
    assert (asked["year"], asked["through"], asked["indicator"]) == (2024, 6, "output")
    assert got == {
        "output-above-scale": {
            "year": 2024,
            "month": 6,
            "value": projected_wan / 10_000,
            "growth_pct": 8.0,
            "expected_level": 1352.1,
            "on_course": on_course,
        }
    }  # the 亩均 ratio is no output: not projected


def test_no_projection_outside_district_wide_roles():
    town = Scope(role="town", township_code="330213001")
    assert plan_projection.projections(None, progress=_progress("2024"), scope=town, settings=None) == {}  # type: ignore[arg-type]
