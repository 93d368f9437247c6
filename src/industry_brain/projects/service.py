"""The project pool's reads: lists, red/amber/green flags, 三已三未 and totals against targets.

Projects are plan data, not an enterprise's confidential figures: district-wide roles and
departments see them all, a town sees the projects located in its township, an enterprise none.
docs/projects.md states every rule and threshold used here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.projects.models import Milestone, Project
from industry_brain.projects.schemas import STAGE_ALIASES, STAGES

# Flags (docs/projects.md, "Flags"). A milestone overdue by up to this many days is amber, more red.
MILESTONE_GRACE_DAYS = 30
# How long a project may sit in a stage before it counts as stalled (amber; twice as long: red).
STALL_DAYS = {"谋划": 365, "签约": 180, "竣工": 180, "投产": 730}
# Investment done / planned behind the share of construction time elapsed by more than these
# fractions: amber, red.
INVESTMENT_LAG = (0.2, 0.4)
UNDER_CONSTRUCTION = ("新建", "续建")
NOT_STARTED = ("谋划", "签约")
SANYI = {
    "signed_not_started": ("已签约未开工", ("签约",)),
    "started_not_in_production": ("已开工未投产", ("新建", "续建", "竣工")),
    "in_production_not_at_capacity": ("已投产未达产", ("投产",)),
}
RANK = {"green": 0, "amber": 1, "red": 2}


def _scoped(stmt: Select[Any], scope: Scope) -> Select[Any]:
    if scope.district_wide or scope.role == "department":
        return stmt
    if scope.role == "town" and scope.township_code:
        return stmt.where(Project.township_code == scope.township_code)
    return stmt.where(false())


def stage_of(text: str) -> str:
    if text not in STAGE_ALIASES:
        raise IndustryBrainError(f"未知的建设阶段“{text}”；可用：{'、'.join(STAGES)}")
    return STAGE_ALIASES[text]


def projects(session: Session, *, scope: Scope, stage: str | None = None) -> list[Project]:
    stmt = select(Project)
    if stage:
        stmt = stmt.where(Project.stage == stage_of(stage))
    rows = session.scalars(_scoped(stmt, scope)).all()
    order = {s: i for i, s in enumerate(STAGES)}
    return sorted(rows, key=lambda p: (order.get(p.stage, 99), p.code, p.name))


def project_dict(p: Project) -> dict[str, Any]:
    return {
        "name": p.name,
        "code": p.code,
        "stage": p.stage,
        "investment_yi": p.investment_planned_yi,
        "investment_done_yi": p.investment_done_yi,
        "land_mu": p.land_mu,
        "location": p.location,
        "township_code": p.township_code,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "industry": p.industry,
        "responsible_unit": p.responsible_unit,
        "content": p.content,
        "source": p.source,
    }


def list_projects(session: Session, *, scope: Scope, stage: str | None = None) -> list[dict[str, Any]]:
    """Each project with name, stage and investment_yi (planned total, 亿元) and the rest."""
    return [project_dict(p) for p in projects(session, scope=scope, stage=stage)]


def _milestone_flags(ms: list[Milestone], as_of: dt.date) -> list[tuple[str, str]]:
    out = []
    for m in ms:
        if m.done_date is not None or m.planned_date is None or m.planned_date >= as_of:
            continue
        late = (as_of - m.planned_date).days
        colour = "red" if late > MILESTONE_GRACE_DAYS else "amber"
        out.append((colour, f"节点“{m.name}”计划 {m.planned_date.isoformat()} 完成，已逾期 {late} 天"))
    return out


def _year_flags(p: Project, as_of: dt.date) -> list[tuple[str, str]]:
    out = []
    second_half = as_of.month >= 7
    if p.stage in NOT_STARTED and p.start_year:
        if p.start_year < as_of.year:
            out.append(("red", f"计划 {p.start_year} 年开工，仍处于{p.stage}阶段"))
        elif p.start_year == as_of.year and second_half:
            out.append(("amber", f"计划今年（{p.start_year}）开工，下半年仍未开工"))
    if p.stage in UNDER_CONSTRUCTION and p.end_year:
        if p.end_year < as_of.year:
            out.append(("red", f"计划 {p.end_year} 年竣工，仍在建（{p.stage}）"))
        elif p.end_year == as_of.year and second_half:
            out.append(("amber", f"计划今年（{p.end_year}）竣工，下半年仍在建"))
    return out


def _investment_flag(p: Project, as_of: dt.date) -> list[tuple[str, str]]:
    if p.stage not in UNDER_CONSTRUCTION or not (p.start_year and p.end_year):
        return []
    if not p.investment_planned_yi or p.investment_done_yi is None:
        return []
    span = p.end_year - p.start_year + 1
    elapsed = min(max((as_of - dt.date(p.start_year, 1, 1)).days / 365.25, 0.0), span) / span
    done = p.investment_done_yi / p.investment_planned_yi
    lag = elapsed - done
    if lag <= INVESTMENT_LAG[0]:
        return []
    colour = "red" if lag > INVESTMENT_LAG[1] else "amber"
    return [(colour, f"已完成投资 {done:.0%}，建设期已过 {elapsed:.0%}")]


def _stall_flag(p: Project, as_of: dt.date) -> list[tuple[str, str]]:
    limit = STALL_DAYS.get(p.stage)
    if limit is None or p.stage_since is None:
        return []
    days = (as_of - p.stage_since).days
    if days <= limit:
        return []
    colour = "red" if days > 2 * limit else "amber"
    return [(colour, f"自 {p.stage_since.isoformat()} 起停留在{p.stage}阶段 {days} 天（上限 {limit} 天）")]


def project_flags(session: Session, *, scope: Scope, as_of: dt.date) -> list[dict[str, Any]]:
    """Every project with its flag (red/amber/green, the worst of its reasons) and the reasons."""
    rows = projects(session, scope=scope)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in session.scalars(select(Milestone).where(Milestone.project_id.in_([p.id for p in rows]))):
        milestones[m.project_id].append(m)
    out = []
    for p in rows:
        reasons = (
            _milestone_flags(sorted(milestones[p.id], key=lambda m: m.name), as_of)
            + _year_flags(p, as_of)
            + _investment_flag(p, as_of)
            + _stall_flag(p, as_of)
        )
        flag = max((c for c, _ in reasons), key=RANK.__getitem__, default="green")
        out.append(
            {
                "name": p.name,
                "code": p.code,
                "stage": p.stage,
                "investment_yi": p.investment_planned_yi,
                "location": p.location,
                "flag": flag,
                "reasons": [r for _, r in reasons],
            }
        )
    return sorted(out, key=lambda r: (-RANK[r["flag"]], r["code"], r["name"]))


def sanyi(session: Session, *, scope: Scope) -> dict[str, dict[str, Any]]:
    """三已三未: 已签约未开工, 已开工未投产, 已投产未达产, each with its projects."""
    rows = projects(session, scope=scope)
    out = {}
    for key, (label, stages) in SANYI.items():
        members = [p for p in rows if p.stage in stages]
        out[key] = {
            "label": label,
            "stages": list(stages),
            "count": len(members),
            "investment_yi": round(sum(p.investment_planned_yi or 0 for p in members), 4),
            "projects": [
                {
                    "name": p.name,
                    "code": p.code,
                    "stage": p.stage,
                    "investment_yi": p.investment_planned_yi,
                    "location": p.location,
                    "start_year": p.start_year,
                    "end_year": p.end_year,
                }
                for p in members
            ],
        }
    return out
