"""预计全年 beside 序时进度: the monitoring's nowcast of the year's above-scale output, set against
the plan indicators that measure it, so a leader sees in June which targets the year will miss.

Spans two domains (plans and monitoring), so it lives here, not in either. An indicator is
projected when it is derived as the district's above-scale output (`output_above_scale`) or a
cluster's (`cluster_output_above_scale`, the cluster being one of the district plan in force
that year, as the monitoring's areas are), in 亿元. Its 序时 level for the year is
baseline + (target − baseline) × the share of the plan's span elapsed by the year's end; the
projection is on course when it reaches that level.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.readcache import ReadCache
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings

WAN_PER_YI = 10_000.0


def _area_of(ind: Any) -> tuple[str, str] | None:
    if ind.unit != "亿元" or ind.change == "annual_percent":
        return None
    if ind.derive == "output_above_scale":
        return "district", "district"
    cluster = (ind.concerns or {}).get("cluster")
    if ind.derive == "cluster_output_above_scale" and cluster:
        return "cluster", str(cluster)
    return None


def _level(figure: dict[str, Any] | None) -> float | None:
    if not figure:
        return None
    value = figure.get("level") if figure.get("value") is None else figure.get("value")
    return None if value is None else float(value)


# The nowcast reads three years of the monthly panel: kept per state of the data, plan version
# and as-of period, so the plans page pays for it once, not on every view.
_CACHE: ReadCache[dict[str, dict[str, Any]]] = ReadCache(size=32)


def projections(
    session: Session, *, progress: Any, scope: Scope, settings: Settings
) -> dict[str, dict[str, Any]]:
    """{indicator id: {year, month, value (亿元), growth_pct, expected_level, on_course}} for the
    projectable indicators of `progress` (plans.service.progress's result); none when the year
    has no monthly output yet or the scope sees no area figures."""
    from industry_brain.ingest.facts import data_stamp

    wanted = {i.id: area for i in progress.indicators if (area := _area_of(i)) is not None}
    if not wanted or not scope.district_wide:
        return {}
    stamp = data_stamp(session) if session is not None else None
    key = None if stamp is None else (stamp, progress.plan_id, progress.version, progress.as_of,
                                      settings.district_code, settings.database_url)  # fmt: skip
    return _CACHE.get_or_compute(key, lambda: _project(session, progress, wanted, scope, settings))


def _project(
    session: Session, progress: Any, wanted: dict[str, tuple[str, str]], scope: Scope, settings: Settings
) -> dict[str, dict[str, Any]]:
    from industry_brain.monitoring.nowcast import nowcast
    from industry_brain.plans.progress import expected_share
    from industry_brain.plans.store import current_pack

    year = int(progress.as_of[:4])
    through = int(progress.as_of[5:7]) if len(progress.as_of) >= 7 else None  # as of YYYY-MM
    try:
        cast = nowcast(
            session, year=year, scope=scope, settings=settings, indicator="output", through=through
        )
    except IndustryBrainError:
        return {}
    rows = {(r["area_kind"], r["area_id"]): r for r in cast["rows"]}
    pack = current_pack(session, progress.plan_id)
    defined = {i.id: i for i in pack.indicators}
    out: dict[str, dict[str, Any]] = {}
    for i in progress.indicators:
        row = rows.get(wanted.get(i.id, ("", "")))
        if row is None or row["projected_value"] is None:
            continue
        value = row["projected_value"] / WAN_PER_YI
        base, target = _level(i.baseline), _level(i.target)
        expected = None
        if base is not None and target is not None and i.id in defined:
            expected = base + (target - base) * expected_share(defined[i.id], pack.period_start, str(year))
        out[i.id] = {
            "year": year,
            "month": cast["month"],
            "value": round(value, 2),
            "growth_pct": row["projected_growth_pct"],
            "expected_level": None if expected is None else round(expected, 2),
            "on_course": None if expected is None else value >= expected,
        }
    return out
