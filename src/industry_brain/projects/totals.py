"""Totals of the project pool by stage and by year, beside the plans' investment targets.

A project's planned investment is spread evenly over the years from its start to its end year
(inclusive) to give the investment it plans per year; that is our assumption, since the lists
give only a total (docs/projects.md). The targets are the plan packs' indicators about
investment (name containing 投资, unit 亿元), read with plans.pack.load_packs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.scope import Scope
from industry_brain.projects.schemas import STAGES
from industry_brain.projects.service import projects


def investment_targets() -> list[dict[str, Any]]:
    """Every investment indicator of the shipped plan packs, with its target and source."""
    try:
        from industry_brain.plans.pack import load_packs
    except ImportError:  # the plans domain is optional to this one
        return []
    out = []
    for pack in load_packs():
        for ind in pack.indicators:
            if "投资" not in ind.name or ind.unit != "亿元" or ind.target.value is None:
                continue
            out.append(
                {
                    "pack": pack.id,
                    "indicator": ind.id,
                    "name": ind.name,
                    "direction": ind.direction,
                    "change": ind.change,
                    "year": ind.target.year,
                    "target_yi": ind.target.value,
                    "quote": ind.target.quote,
                }
            )
    return out


def project_totals(session: Session, *, scope: Scope) -> dict[str, Any]:
    """{by_stage, by_year, undated, targets, total}: counts and 亿元 in the pool."""
    rows = projects(session, scope=scope)
    counts = dict.fromkeys(STAGES, 0)
    planned = dict.fromkeys(STAGES, 0.0)
    done = dict.fromkeys(STAGES, 0.0)
    by_year: dict[int, float] = defaultdict(float)
    undated = {"count": 0, "investment_yi": 0.0}
    for p in rows:
        counts[p.stage] += 1
        planned[p.stage] += p.investment_planned_yi or 0.0
        done[p.stage] += p.investment_done_yi or 0.0
        if p.start_year and p.end_year and p.investment_planned_yi:
            span = p.end_year - p.start_year + 1
            for year in range(p.start_year, p.end_year + 1):
                by_year[year] += p.investment_planned_yi / span
        elif p.investment_planned_yi:
            undated["count"] += 1
            undated["investment_yi"] += p.investment_planned_yi
    stages = [
        {
            "stage": s,
            "count": counts[s],
            "investment_yi": round(planned[s], 4),
            "investment_done_yi": round(done[s], 4),
        }
        for s in STAGES
        if counts[s]
    ]
    return {
        "total": {
            "count": len(rows),
            "investment_yi": round(sum(p.investment_planned_yi or 0 for p in rows), 4),
        },
        "by_stage": stages,
        "by_year": [{"year": y, "investment_yi": round(v, 4)} for y, v in sorted(by_year.items())],
        "undated": {**undated, "investment_yi": round(undated["investment_yi"], 4)},
        "targets": investment_targets(),
    }
