"""驾驶舱 and 产业地图: the read-side figures the leaders' pages show, each narrowed by `scope`.
The evaluation's scoped reads (grades, township aggregates, runs, results, appeals) are
evaluation.scoped_views; this module assembles the cockpit from them and the other domains.

District aggregates are visible to district-wide roles; a town sees the aggregates of its own
township only; an enterprise and a department see no enterprise aggregates. Sections whose
domain is not loaded yet (plans, clusters) come back as `available=False` with a message, so a
page can say so instead of failing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings

# The evaluation's scoped reads live in the evaluation domain; the pages reach them through
# this module (service.grade_distribution, service.Section ...), so they are re-exported.
from industry_brain.evaluation.scoped_views import (
    GRADES,
    Section,
    evaluation_results,
    grade_distribution,
    latest_run,
    sees_aggregates,
    township_aggregates,
    visible_appeals,
    visible_runs,
)
from industry_brain.ingest.facts import data_stamp
from industry_brain.ingest.models import ImportBatch
from industry_brain.web.headline import Headline, headline_figures

__all__ = [
    "GRADES",
    "Cockpit",
    "Section",
    "alerts",
    "cluster_section",
    "cockpit",
    "district_plans",
    "evaluation_results",
    "grade_distribution",
    "import_batch_detail",
    "import_batches",
    "latest_data_year",
    "latest_imports",
    "latest_run",
    "plan_indicators",
    "sees_aggregates",
    "slow_sections",
    "township_aggregates",
    "visible_appeals",
    "visible_runs",
]
DISTRICT_ROLES = frozenset({"admin", "analyst", "leader", "system"})
# plan-indicator status -> colour of its tile (红黄绿 as the bureau reads them)
STATUS_COLOURS = {"achieved": "green", "on_track": "green", "behind": "amber", "off_track": "red"}


@dataclass
class Cockpit:
    year: int | None
    indicators: Section
    clusters: Section
    grades: Section
    alerts: list[dict[str, Any]]
    imports: Section

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function of a domain that may not be written yet."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def latest_data_year(session: Session) -> int | None:
    """The newest year with an active statistics batch: the statistics bureau's yearly file is
    what makes a year's figures complete (a stray tax file for a later year does not)."""
    period = session.scalar(
        select(func.max(ImportBatch.period)).where(
            ImportBatch.status == "active", ImportBatch.source == "stats"
        )
    )
    return int(period[:4]) if period and period[:4].isdigit() else None


def district_plans(
    settings: Settings, year: int | None, session: Session | None = None
) -> list[dict[str, Any]]:
    """The plans of the served district (from the plan catalogue), the one in force in `year` first."""
    list_plans = _optional("industry_brain.plans.service", "list_plans")
    if list_plans is None:
        return []
    own = [p for p in list_plans(session) if p["area"]["code"] == settings.district_code[:6]]

    def in_force(p: dict[str, Any]) -> bool:
        return year is not None and p["period"]["start"] <= year <= p["period"]["end"]

    return sorted(own, key=lambda p: (not in_force(p), -p["period"]["end"]))


def plan_indicators(
    session: Session, *, scope: Scope, settings: Settings, year: int | None, compute: bool = False
) -> Section:
    """Headline indicators of the district's plan in force against their targets, with status
    colours. `compute=False` uses the stored actuals only (reported and from the plan
    documents); `compute=True` adds the figures derived from the enterprise record (seconds: see
    slow_sections)."""
    if not scope.district_wide:  # plan progress is for the district's and the units' users
        return Section(False, "无权查看")
    progress = _optional("industry_brain.plans.service", "progress")
    plans = district_plans(settings, year, session)
    if progress is None or not plans:
        return Section(False, "规划数据待加载")
    plan = plans[0]
    as_of = str(year or plan["period"]["end"])
    try:
        result = progress(
            session, plan_id=plan["id"], as_of=as_of, scope=scope, settings=settings, compute=compute
        )
    except Exception as exc:  # a plan that cannot be read must not take the cockpit down
        return Section(False, f"规划数据待加载（{exc}）")
    rank = {"off_track": 0, "behind": 1, "check_data": 2, "on_track": 3, "achieved": 4}
    # A plan may state one indicator twice (a table's 162 and the text's 200 万元/亩): the cockpit
    # shows it once, as the pack lists it first.
    seen: set[tuple[str, str]] = set()
    unique = []
    for i in result.indicators:
        if (i.name, i.unit) not in seen:
            seen.add((i.name, i.unit))
            unique.append(i)
    ordered = sorted(unique, key=lambda i: (rank.get(i.status, 9), i.id))
    items = [{**_shown(i), "colour": STATUS_COLOURS.get(i.status, "grey")} for i in ordered]
    summary = {"plan_id": plan["id"], "title": plan["title"], "as_of": as_of, "counts": result.counts}
    return Section(True, items=items, summary=summary)


def _level(figure: dict[str, Any] | None) -> Any:
    if not figure:
        return None
    return figure.get("level") if figure.get("value") is None else figure.get("value")


def _shown(i: Any) -> dict[str, Any]:
    """An indicator as the cockpit reads it: a growth target beside the growth achieved, any
    other target as the level it sets beside the actual level."""
    row = {"id": i.id, "name": i.name, "unit": i.unit, "status": i.status, "status_reason": i.status_reason}
    if i.change == "annual_percent":
        achieved = None if i.cagr_achieved is None else round(i.cagr_achieved * 100, 1)
        return {
            **row,
            "unit": "%",
            "kind": "growth",
            "target": (i.target or {}).get("value"),
            "actual": achieved,
        }
    target = (i.target or {}).get("level")
    return {**row, "kind": "level", "target": target if target is not None else _level(i.target),
            "actual": _level(i.actual)}  # fmt: skip


# (indicators, clusters, headline figures, the monitoring's figures: monitoring.overview)
Slow = tuple[Section, Section, list[Headline], dict[str, Any]]
_SLOW_CACHE: ReadCache[Slow] = ReadCache(size=64)


def _data_stamp(session: Session) -> tuple[Any, ...] | None:
    """Changes whenever an import, a restore, a correction or a reported plan actual lands;
    None for a session with pending changes (nothing it reads is shared)."""
    stamp = data_stamp(session)
    if stamp is None:
        return None
    try:
        from industry_brain.plans.models import IndicatorActual

        stamp += (session.scalar(select(func.max(IndicatorActual.id))),)
    except ImportError:
        pass
    return stamp


def slow_key(session: Session, scope: Scope, settings: Settings, year: int | None) -> tuple[Any, ...] | None:
    area = (
        "district" if scope.role in DISTRICT_ROLES else (scope.role, scope.township_code, scope.credit_code)
    )
    stamp = _data_stamp(session)
    return None if stamp is None else (area, year, settings.database_url, *stamp)


def slow_sections(session: Session, *, scope: Scope, settings: Settings, year: int | None) -> Slow:
    """(indicators with derived figures, clusters, headline figures, the newest month's
    经济运行 figures): they read every enterprise's facts, so they are kept per scope and data
    state until the data changes."""
    from industry_brain.monitoring.overview import economy_figures

    def compute() -> Slow:
        indicators = plan_indicators(session, scope=scope, settings=settings, year=year, compute=True)
        clusters = cluster_section(session, scope=scope, settings=settings, year=year)
        headline = headline_figures(session, scope=scope, settings=settings, year=year)
        try:
            economy = economy_figures(session, scope=scope, settings=settings)
        except Exception as exc:  # the monitoring's figures must not take the cockpit down
            economy = {"available": False, "message": f"经济运行数据待加载（{exc}）"}
        return indicators, clusters, headline, economy

    return _SLOW_CACHE.get_or_compute(slow_key(session, scope, settings, year), compute)


def cached_slow_sections(
    session: Session, *, scope: Scope, settings: Settings, year: int | None
) -> Slow | None:
    """slow_sections when they are already known for the current data, else None (the page then
    shows a placeholder and computes them, never figures that are about to change)."""
    return _SLOW_CACHE.peek(slow_key(session, scope, settings, year))


def peek_slow_sections(key: tuple[Any, ...] | None) -> Slow | None:
    """cached_slow_sections for a key the caller already has (the page needs it twice)."""
    return _SLOW_CACHE.peek(key)


def cluster_section(session: Session, *, scope: Scope, settings: Settings, year: int | None) -> Section:
    """Output and growth of the district plan's clusters in `year`, over what the scope sees."""
    figures = _optional("industry_brain.clusters.service", "plan_cluster_figures")
    if figures is None or not sees_aggregates(scope):
        return Section(False, "集群数据待加载" if figures is None else "无权查看")
    plan = next((p for p in district_plans(settings, year, session) if p.get("clusters")), None)
    if plan is None or year is None:
        return Section(False, "集群数据待加载")
    try:
        rows = figures(session, plan_id=plan["id"], year=year, scope=scope, settings=settings)
    except Exception as exc:
        return Section(False, f"集群数据待加载（{exc}）")
    items = [
        {
            "id": f.cluster.id,
            "name": f.cluster.name,
            "output": f.output,
            "growth": f.growth,
            "share": f.share,
            "enterprises": f.enterprises,
        }
        for f in rows
    ]
    return Section(True, items=items, summary={"plan_id": plan["id"], "year": year})


def latest_imports(session: Session, *, scope: Scope, limit: int = 5) -> Section:
    if scope.role not in ("admin", "analyst", "leader", "system"):
        return Section(False, "无权查看")
    stmt = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    items = [
        {
            "batch_id": b.id,
            "source": b.source,
            "period": b.period,
            "file": b.file_name,
            "rows_accepted": b.rows_accepted,
            "rows_rejected": b.rows_rejected,
            "warnings": b.warnings,
            "imported_at": b.imported_at.isoformat(sep=" ", timespec="minutes"),
        }
        for b in session.scalars(stmt)
    ]
    return Section(True, items=items)


def alerts(session: Session, *, scope: Scope, indicators: Section, grades: Section) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in indicators.items:
        if r.get("status") == "off_track":
            out.append(
                {
                    "level": "red",
                    "text": f"指标“{r.get('name', r.get('indicator'))}”进度滞后",
                    "link": "/plans",
                }
            )
    if grades.available:
        d = next((g["count"] for g in grades.items if g["grade"] == "D"), 0)
        if d:
            out.append(
                {"level": "amber", "text": f"{d} 户企业评为D类（倒逼整治）", "link": "/evaluation?grade=D"}
            )
    if scope.role in ("admin", "analyst", "system"):
        stmt = select(ImportBatch.id, ImportBatch.file_name, ImportBatch.rows_rejected).where(
            ImportBatch.status == "active", ImportBatch.rows_rejected > 0
        )
        for batch_id, name, n in session.execute(stmt.order_by(ImportBatch.id.desc()).limit(5)):
            out.append(
                {
                    "level": "amber",
                    "text": f"导入批次 {batch_id}（{name}）退回 {n} 行",
                    "link": f"/imports?batch={batch_id}",
                }
            )
    return out


def cockpit(
    session: Session, *, scope: Scope, settings: Settings, year: int | None = None, slow: bool = True
) -> Cockpit:
    """Every section of the cockpit. `slow=False` leaves the indicators and the clusters out, for
    a page that shows the rest at once and takes slow_sections from the cache or fetches them
    afterwards."""
    year = year or latest_data_year(session)
    if slow:
        indicators, clusters, _, _ = slow_sections(session, scope=scope, settings=settings, year=year)
    else:  # stored actuals alone would be figures about to change: none until computed
        indicators = Section(False, "计算中" if scope.district_wide else "无权查看")
        clusters = Section(False, "计算中")
    grades = grade_distribution(session, scope=scope)
    return Cockpit(
        year=year,
        indicators=indicators,
        clusters=clusters,
        grades=grades,
        alerts=alerts(session, scope=scope, indicators=indicators, grades=grades),
        imports=latest_imports(session, scope=scope),
    )


IMPORT_ROLES = frozenset({"admin", "analyst", "system"})


def import_batches(session: Session, *, scope: Scope) -> list[dict[str, Any]]:
    """The import batches the scope may read, newest first (the bureau's import log for analysts
    and admins; a department's own sources' batches)."""
    from industry_brain.ingest.access import importable_sources
    from industry_brain.ingest.batches import list_batches

    allowed = importable_sources(scope)
    return [b for b in reversed(list_batches(session)) if b["source"] in allowed]


def import_batch_detail(session: Session, *, batch_id: int, scope: Scope) -> dict[str, Any] | None:
    """One batch with its rejects (as the department sent them, to send back) and warnings;
    None when it does not exist or the scope may not read the import log."""
    from industry_brain.ingest.access import importable_sources
    from industry_brain.ingest.batches import rejects_table
    from industry_brain.ingest.models import BatchWarning

    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.source not in importable_sources(scope):
        return None
    rejects, title = rejects_table(session, batch_id=batch_id)
    warnings = [
        {"row": w.row, "column": w.column, "value": w.value, "message": w.message}
        for w in session.scalars(
            select(BatchWarning).where(BatchWarning.batch_id == batch_id).order_by(BatchWarning.id)
        )
    ]
    return {
        "batch_id": batch.id,
        "source": batch.source,
        "period": batch.period,
        "file": batch.file_name,
        "status": batch.status,
        "superseded_by": batch.superseded_by,
        "rows_accepted": batch.rows_accepted,
        "rejects": rejects,
        "rejects_title": title,
        "warnings": warnings,
    }
