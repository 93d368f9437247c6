"""Monthly time series (12-36 months) of one area or one enterprise, for the monitoring page's
charts and the API: each month's total and its growth on the same month a year earlier."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.monitoring import analytics
from industry_brain.monitoring.engine import EXPLICIT_SCHEMA, run
from industry_brain.monitoring.indicators import (
    INDICATOR_NAMES,
    UNITS,
    MonitoringForbidden,
    area_definitions,
    area_name,
    load_panel,
    parse_month,
)

SERIES_KINDS = ("district", "township", "cluster", "chain", "enterprise")


def _shift(year: int, month_no: int, back: int) -> tuple[int, int]:
    k = year * 12 + month_no - 1 - back
    return k // 12, k % 12 + 1


def _check_scope(session: Session, scope: Scope, kind: str, area_id: str) -> None:
    from industry_brain.enterprises.models import Enterprise

    if kind == "enterprise":
        town = session.scalar(select(Enterprise.township_code).where(Enterprise.credit_code == area_id))
        if not scope.sees_enterprise(credit_code=area_id, township_code=town):
            raise MonitoringForbidden("无权查看该企业的数据（企业数据保密）")
        return
    if scope.district_wide or scope.role == "department":
        return
    if scope.role == "town" and kind == "township" and area_id == scope.township_code:
        return
    raise MonitoringForbidden("无权查看该区域的数据：镇街账号只能查看本镇街")


def series(
    session: Session,
    *,
    scope: Scope,
    settings: Any,
    kind: str,
    area_id: str,
    indicator: str,
    end: str,
    months: int = 24,
) -> dict[str, Any]:
    """{area, kind, area_id, indicator, indicator_name, unit, points}: `months` (12-36) months
    ending at `end`, each {month, value, yoy_pct}; an area sums its 规上 enterprises, an
    enterprise is itself. A month without any report is value None (no data), not 0."""
    if kind not in SERIES_KINDS:
        raise IndustryBrainError(f"区域类型“{kind}”未知；可用：{', '.join(SERIES_KINDS)}")
    if indicator not in INDICATOR_NAMES:
        raise IndustryBrainError(f"指标“{indicator}”未知；可用：{', '.join(INDICATOR_NAMES)}")
    if not 12 <= months <= 36:
        raise IndustryBrainError("月数应在 12 至 36 之间")
    _check_scope(session, scope, kind, area_id)
    year, month_no = parse_month(end)
    fy, fm = _shift(year, month_no, months - 1 + 12)
    panel = load_panel(session, first=f"{fy}-{fm:02d}", last=end)
    prefixes, explicit, names = area_definitions(session, settings, year)
    if kind == "enterprise":
        explicit = pl.DataFrame([("enterprise", area_id, area_id)], schema=EXPLICIT_SCHEMA, orient="row")
        prefixes = prefixes.clear()

    def build(panel: Any, prefixes: Any, explicit: Any) -> Any:
        members = analytics.area_members(panel, prefixes, explicit)
        members = members.filter(members.area_kind == kind, members.area_id == area_id)
        scale = "all" if kind == "enterprise" else "above"
        return analytics.monthly_series(panel, members, indicator=indicator, scale=scale)

    frame = run(build, {"panel": panel, "prefixes": prefixes, "explicit": explicit})
    values = {(int(r["year"]), int(r["month_no"])): float(r["value"]) for r in frame.to_dicts()}
    points = []
    for back in range(months - 1, -1, -1):
        y, m = _shift(year, month_no, back)
        value, prev = values.get((y, m)), values.get((y - 1, m))
        yoy = None if value is None or not prev else round((value / prev - 1) * 100, 2)
        points.append(
            {"month": f"{y}-{m:02d}", "value": None if value is None else round(value, 2), "yoy_pct": yoy}
        )
    name = _enterprise_name(session, area_id) if kind == "enterprise" else area_name(names, kind, area_id)
    return {
        "area": name,
        "kind": kind,
        "area_id": area_id,
        "indicator": indicator,
        "indicator_name": INDICATOR_NAMES[indicator],
        "unit": UNITS.get(indicator, "万元"),
        "points": points,
    }


def _enterprise_name(session: Session, credit_code: str) -> str:
    from industry_brain.enterprises.models import Enterprise

    return session.scalar(select(Enterprise.name).where(Enterprise.credit_code == credit_code)) or credit_code


def latest_month(session: Session) -> str:
    """The newest month with any monthly report ('YYYY-MM'); an error when there is none."""
    from industry_brain.ingest.models import ImportBatch, Record

    month = session.scalar(
        select(Record.period)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(ImportBatch.status == "active", Record.period.like("____-__"))
        .order_by(Record.period.desc())
        .limit(1)
    )
    if not month:
        raise IndustryBrainError("还没有任何企业月度数据（请先导入月报、税收或用电）")
    return str(month)
