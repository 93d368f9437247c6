"""Plans: the shipped packs, and every indicator's progress as of a period (对表对标).

Pages, API, CLI and the review report call these functions. docs/plans.md says how an actual
is chosen and how each status is decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.plans.catalogue import DERIVATIONS
from industry_brain.plans.models import IndicatorActual
from industry_brain.plans.pack import Figure, Indicator, Pack
from industry_brain.plans.progress import (
    STATUSES,
    Observation,
    Thresholds,
    assess,
    parse_period,
    period_point,
)
from industry_brain.plans.store import current_clusters, current_pack, current_packs

# At the same period, the responsible unit's figure is preferred over the document's, and both
# over the one computed from the enterprise record (which may miss enterprises).
KIND_RANK = {"reported": 0, "document": 1, "computed": 2}
DOCUMENT_BY = "规划文本"
BY_KIND = ("document", "computed", "reported")  # the order they are shown side by side


class PlanForbidden(IndustryBrainError):
    """The caller's role does not follow plans (a town or an enterprise)."""


@dataclass(frozen=True)
class Actual:
    value: float | None
    period: str
    kind: str
    source: str
    unit: str | None = None
    reported_by: str | None = None
    reported_at: dt.datetime | None = None
    status: str | None = None  # a qualitative indicator's reported status
    note: str | None = None
    formula: str | None = None  # a computed actual's formula


@dataclass
class IndicatorProgress:
    id: str
    name: str
    category: str
    unit: str
    direction: str
    change: str | None
    baseline: dict[str, Any] | None
    target: dict[str, Any]
    actual: dict[str, Any] | None
    computed: dict[str, Any] | None
    reported: dict[str, Any] | None
    difference: float | None
    attainment: float | None
    progress: float | None
    expected: float | None
    expected_at_actual: float | None
    cagr_achieved: float | None
    cagr_required: float | None
    cagr_remaining: float | None
    status: str
    status_reason: str
    responsible: list[str]
    concerns: dict[str, str]
    derive: str | None
    table: str | None
    where: str
    # the latest actual of each kind side by side, each with its source: what the plan document
    # states, what the enterprise record gives, what the responsible unit reported
    by_kind: dict[str, dict[str, Any] | None] = field(default_factory=dict)


@dataclass
class PlanProgress:
    plan_id: str
    title: str
    version: int
    as_of: str
    period: dict[str, int]
    counts: dict[str, int]
    indicators: list[IndicatorProgress] = field(default_factory=list)
    # {unit: {status: number of its indicators}}; an indicator with no unit counts under ""
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    # why no figure was computed from the enterprise record (None when they were computed)
    computed_note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- the packs --------------------------------------------------------------------------------


def plan_summary(pack: Pack) -> dict[str, Any]:
    return {
        "id": pack.id,
        "title": pack.title,
        "area": {"code": pack.area_code, "name": pack.area_name},
        "period": {"start": pack.period_start, "end": pack.period_end},
        "baseline_year": pack.baseline_year,
        "source": {"file": pack.source_file, "title": pack.source_title},
        "version": pack.version,
        "indicators": len(pack.indicators),
        "actuals": len(pack.actuals),
        "clusters": len(pack.clusters),
        "tasks": len(pack.tasks),
    }


def list_plans(session: Session | None = None) -> list[dict[str, Any]]:
    """Every plan of the catalogue (its current version): the shipped ones and those the district
    added (plans.store). Without a session, only the packs shipped in the package."""
    if session is None:
        from industry_brain.plans.pack import load_packs

        return [plan_summary(p) for p in load_packs()]
    return [plan_summary(p) for p in current_packs(session)]


def _figure(f: Any) -> dict[str, Any] | None:
    return None if f is None else {"year": f.year, "value": f.value, "quote": f.quote}


def indicator_json(ind: Indicator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "name": ind.name,
        "category": ind.category,
        "unit": ind.unit,
        "direction": ind.direction,
        "change": ind.change,
        "baseline": _figure(ind.baseline),
        "target": _figure(ind.target),
        "responsible": list(ind.responsible),
        "concerns": {k: v for k, v in asdict(ind.concerns).items() if v},
        "derive": ind.derive,
        "formula": DERIVATIONS[ind.derive].formula if ind.derive else None,
        "table": ind.table,
        "where": ind.where,
        "note": ind.note,
    }


def show_plan(session: Session, *, plan_id: str) -> dict[str, Any]:
    """A plan with every indicator, document actual, cluster and task as the pack states them."""
    return pack_json(current_pack(session, plan_id))


def pack_json(pack: Pack) -> dict[str, Any]:
    return {
        **plan_summary(pack),
        "indicators": [indicator_json(i) for i in pack.indicators],
        "actuals": [asdict(a) for a in pack.actuals],
        "clusters": [
            {**asdict(c), "industries": list(c.industries), "titles": list(c.titles)} for c in pack.clusters
        ],
        "tasks": [
            {**asdict(t), "lead_units": list(t.lead_units), "partner_units": list(t.partner_units)}
            for t in pack.tasks
        ],
    }


# --- actuals ----------------------------------------------------------------------------------


def ensure_document_actuals(session: Session, pack: Pack) -> int:
    """Store the actuals the plan document states (kind 'document', the seed as their source),
    once per pack version; returns how many were added. Called whenever a plan's actuals or
    progress are read, so no separate loading step is needed."""
    if not pack.actuals:
        return 0
    exists = session.scalar(
        select(IndicatorActual.id).where(
            IndicatorActual.plan_id == pack.id,
            IndicatorActual.plan_version == pack.version,
            IndicatorActual.kind == "document",
        )
    )
    if exists is not None:
        return 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for a in pack.actuals:
        session.add(
            IndicatorActual(
                plan_id=pack.id,
                plan_version=pack.version,
                indicator_id=a.indicator,
                period=str(a.year),
                value=float(a.value),
                kind="document",
                source=f"{pack.source_file}《{pack.source_title}》",
                reported_by=DOCUMENT_BY,
                reported_at=now,
                note=a.quote,
            )
        )
    session.flush()
    return len(pack.actuals)


def stored_actuals(session: Session, *, plan_id: str, as_of: str | None = None) -> list[IndicatorActual]:
    """The plan's stored actuals (all versions) up to `as_of`, latest row last."""
    rows = session.scalars(
        select(IndicatorActual).where(IndicatorActual.plan_id == plan_id).order_by(IndicatorActual.id)
    ).all()
    if as_of is None:
        return list(rows)
    limit = period_point(as_of)
    return [r for r in rows if period_point(r.period) <= limit]


def _from_row(row: IndicatorActual) -> Actual:
    return Actual(
        value=row.value,
        period=row.period,
        kind=row.kind,
        source=row.source,
        unit=row.unit,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
        status=row.status,
        note=row.note,
    )


def _latest(actuals: list[Actual]) -> Actual | None:
    """The latest period; at the same period the better kind; then the later entry."""
    if not actuals:
        return None
    ranked = sorted(
        enumerate(actuals), key=lambda p: (period_point(p[1].period), -KIND_RANK[p[1].kind], p[0])
    )
    return ranked[-1][1]


def check_scope(scope: Scope) -> None:
    """Plans are followed by district-wide roles and departments; a town or an enterprise is refused."""
    if not scope.district_wide and scope.role != "department":
        raise PlanForbidden(
            f"角色 {scope.role} 不能查看规划进度 (plans are for district and department users)"
        )


def _visible(ind: Indicator, scope: Scope) -> bool:
    return scope.district_wide or (scope.unit is not None and scope.unit in ind.responsible)


def _years(pack: Pack, as_of: str) -> list[int]:
    first = min(
        [pack.period_start - 1, pack.baseline_year] + [i.baseline.year for i in pack.indicators if i.baseline]
    )
    year, month = parse_period(as_of)
    last = year if month == 12 else year - 1  # a year's figure counts once the year is over
    return list(range(first, last + 1))


def _not_computed(pack: Pack, settings: Settings) -> str | None:
    """Why the record cannot give this plan's figures: it holds one district's enterprises, so
    only a plan of that district can be measured from it (a city plan's 规上工业总产值 is not the
    district's, nor is a neighbouring district's)."""
    if pack.area_code == settings.district_code:
        return None
    return (
        f"规划区域 {pack.area_name}（{pack.area_code}）不是本平台所服务的区域（{settings.district_code}），"
        "不从企业数据库计算实绩，只用上报与文件中的实绩"
    )


# Computed actuals of a pack, per state of the enterprise record (each takes an Ibis query).
_COMPUTED: ReadCache[dict[str, dict[int, float]]] = ReadCache(size=32)


def _computed(session: Session, pack: Pack, as_of: str, settings: Settings) -> dict[str, list[Actual]]:
    from industry_brain.ingest.facts import data_stamp
    from industry_brain.plans.computed import computed_values, facts_of_years, titles_frame

    if not any(i.derive for i in pack.indicators):
        return {}
    years = tuple(sorted(set(_years(pack, as_of))))
    stamp = data_stamp(session)
    key = None if stamp is None else (*stamp, repr(pack), years, settings.conflict_tolerance)
    values = _COMPUTED.get_or_compute(
        key,
        lambda: computed_values(
            facts_of_years(session, years=years, settings=settings),
            pack,
            titles_frame(session),
            current_clusters(session),
        ),
    )
    out: dict[str, list[Actual]] = {}
    for ind_id, by_year in values.items():
        derivation = DERIVATIONS[pack.indicator(ind_id).derive or ""]
        out[ind_id] = [
            Actual(v, str(y), "computed", f"企业数据库 {y} 年事实表", formula=derivation.formula)
            for y, v in sorted(by_year.items())
        ]
    return out


def _json(a: Actual | None) -> dict[str, Any] | None:
    return None if a is None else {k: v for k, v in asdict(a).items() if v is not None or k == "value"}


def _with_baseline(pack: Pack, ind: Indicator, actuals: list[Actual]) -> tuple[Indicator, Actual | None]:
    """An indicator whose pack states no baseline takes the actual of the pack's baseline year,
    where one is recorded or computed (the better kind first); the output says so."""
    if ind.baseline is not None or not ind.quantified:
        return ind, None
    year = str(pack.baseline_year)
    candidates = [a for a in actuals if a.period == year and a.value is not None]
    found = _latest(candidates)
    if found is None or found.value is None:
        return ind, None
    figure = Figure(pack.baseline_year, found.value, f"{found.kind}: {found.source}")
    return replace(ind, baseline=figure), found


def _baseline_json(ind: Indicator, source: Actual | None) -> dict[str, Any] | None:
    data = _figure(ind.baseline)
    if data is not None:
        data["from"] = "pack" if source is None else source.kind
    return data


def _row(
    pack: Pack, ind: Indicator, stored: list[Actual], computed: list[Actual], as_of: str, t: Thresholds
) -> IndicatorProgress:
    ind, baseline_from = _with_baseline(pack, ind, stored + computed)
    reported = _latest(stored)
    calc = _latest(computed)
    actual = _latest(stored + computed)
    difference = None
    if reported is not None and reported.value is not None:
        same = [c for c in computed if c.period == reported.period]
        if same and same[-1].value is not None:
            difference = reported.value - same[-1].value
    observation = None
    if actual is not None and actual.value is not None:
        observation = Observation(actual.value, actual.period)
    status_rows = [a for a in stored if a.status]
    a = assess(
        ind,
        period_start=pack.period_start,
        as_of=as_of,
        actual=observation,
        reported_status=status_rows[-1].status if status_rows else None,
        thresholds=t,
    )
    target = {**(_figure(ind.target) or {}), "level": a.target_level}
    by_kind = {k: _json(_latest([x for x in stored + computed if x.kind == k])) for k in BY_KIND}
    return IndicatorProgress(
        id=ind.id,
        name=ind.name,
        category=ind.category,
        unit=ind.unit,
        direction=ind.direction,
        change=ind.change,
        baseline=_baseline_json(ind, baseline_from),
        target=target,
        actual=_json(actual),
        computed=_json(calc),
        reported=_json(reported),
        difference=difference,
        attainment=a.attainment,
        progress=a.progress,
        expected=a.expected,
        expected_at_actual=a.expected_at_actual,
        cagr_achieved=a.cagr_achieved,
        cagr_required=a.cagr_required,
        cagr_remaining=a.cagr_remaining,
        status=a.status,
        status_reason=a.status_reason,
        responsible=list(ind.responsible),
        concerns={k: v for k, v in asdict(ind.concerns).items() if v},
        derive=ind.derive,
        table=ind.table,
        where=ind.where,
        by_kind=by_kind,
    )


def progress(
    session: Session,
    *,
    plan_id: str,
    as_of: str,
    scope: Scope,
    settings: Settings,
    thresholds: Thresholds | None = None,
    compute: bool = True,
) -> PlanProgress:
    """Every indicator of the plan the scope may see, as of `as_of` ('YYYY' or 'YYYY-MM').

    `compute=False` skips the figures derived from the enterprise record (faster, e.g. for a
    unit that only reports)."""
    check_scope(scope)
    parse_period(as_of)
    pack = current_pack(session, plan_id)
    shown = [i for i in pack.indicators if _visible(i, scope)]
    ensure_document_actuals(session, pack)
    by_indicator: dict[str, list[Actual]] = {}
    for row in stored_actuals(session, plan_id=plan_id, as_of=as_of):
        by_indicator.setdefault(row.indicator_id, []).append(_from_row(row))
    note = _not_computed(pack, settings) if compute else "未计算（--no-compute）"
    computed = _computed(session, pack, as_of, settings) if note is None else {}
    limit = period_point(as_of)
    t = thresholds or Thresholds()
    rows = []
    for ind in shown:
        calc = [c for c in computed.get(ind.id, []) if period_point(c.period) <= limit]
        rows.append(_row(pack, ind, by_indicator.get(ind.id, []), calc, as_of, t))
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    by_unit: dict[str, dict[str, int]] = {}
    for r in rows:
        for unit in r.responsible or [""]:
            tally = by_unit.setdefault(unit, dict.fromkeys(STATUSES, 0))
            tally[r.status] += 1
    return PlanProgress(
        plan_id=pack.id,
        title=pack.title,
        version=pack.version,
        as_of=as_of,
        period={"start": pack.period_start, "end": pack.period_end},
        counts=counts,
        indicators=rows,
        by_unit=by_unit,
        tasks=_tasks(session, pack, as_of, scope),
        computed_note=note,
    )


def _tasks(session: Session, pack: Pack, as_of: str, scope: Scope) -> list[dict[str, Any]]:
    """Each task the scope may see with its units' latest report up to `as_of` (or no_data)."""
    from industry_brain.plans.models import TaskReport

    limit = period_point(as_of)
    stmt = select(TaskReport).where(TaskReport.plan_id == pack.id).order_by(TaskReport.id)
    latest: dict[str, TaskReport] = {}
    for row in session.scalars(stmt):
        if period_point(row.period) <= limit:
            best = latest.get(row.task_id)
            if best is None or period_point(row.period) >= period_point(best.period):
                latest[row.task_id] = row
    result = []
    for task in pack.tasks:
        units = task.lead_units + task.partner_units
        if not scope.district_wide and scope.unit not in units:
            continue
        report = latest.get(task.id)
        result.append(
            {
                "id": task.id,
                "name": task.name,
                "lead_leader": task.lead_leader,
                "lead_units": list(task.lead_units),
                "partner_units": list(task.partner_units),
                "due": task.due,
                "status": report.status if report else "no_data",
                "period": report.period if report else None,
                "text": report.text if report else None,
                "reported_by": report.reported_by if report else None,
                "reported_at": report.reported_at if report else None,
            }
        )
    return result
