"""Totals of the project pool by stage and by year, beside the plans' investment targets.

A project's planned investment is spread evenly over the years from its start to its end year
(inclusive) to give the investment it plans per year; that is our assumption, since the lists
give only a total (docs/projects.md). The targets are the indicators about investment (name
containing 投资, unit 亿元) of every plan's current version in the database (plans.store.catalogue:
the shipped packs and those the district added with `plans add`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.scope import Scope
from industry_brain.projects.schemas import STAGES
from industry_brain.projects.service import projects


def investment_targets(session: Session | None) -> tuple[list[dict[str, Any]], str | None]:
    """(every investment indicator of the plans' current versions, with its target, plan
    version and source; the note saying the shipped packs stand in, where there is no database)."""
    try:
        from industry_brain.plans.store import catalogue
    except ImportError:  # the plans domain is optional to this one
        return [], None
    found = catalogue(session)
    out = []
    for pack in found.packs:
        for ind in pack.indicators:
            if "投资" not in ind.name or ind.unit != "亿元" or ind.target.value is None:
                continue
            # a growth target ("年均增长10%") is a percentage, not an amount in 亿元
            percent = bool(ind.change and "percent" in ind.change)
            out.append(
                {
                    "pack": pack.id,
                    "plan": pack.title,
                    "plan_version": pack.version,
                    "indicator": ind.id,
                    "name": ind.name,
                    "direction": ind.direction,
                    "change": ind.change,
                    "year": ind.target.year,
                    "target_yi": None if percent else ind.target.value,
                    "target_pct": ind.target.value if percent else None,
                    "quote": ind.target.quote,
                }
            )
    return out, found.note


def project_totals(session: Session, *, scope: Scope) -> dict[str, Any]:
    """{by_stage, by_year, undated, targets, targets_note, total}: counts and 亿元 in the pool,
    and the plans' investment targets (targets_note: None when read from the database)."""
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
    targets, targets_note = investment_targets(session)
    return {
        "total": {
            "count": len(rows),
            "investment_yi": round(sum(p.investment_planned_yi or 0 for p in rows), 4),
        },
        "by_stage": stages,
        "by_year": [{"year": y, "investment_yi": round(v, 4)} for y, v in sorted(by_year.items())],
        "undated": {**undated, "investment_yi": round(undated["investment_yi"], 4)},
        "targets": targets,
        "targets_note": targets_note,
    }
