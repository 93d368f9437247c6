"""经济运行 at a glance: the newest month's 当月 and 累计 of the above-scale industry's output,
electricity and tax (and sales and exports for the headline), each with its 同比 (同口径), for
the district or the signed-in town, and the number of open enterprise alerts in the scope.

`economy_overview` is the one function the cockpit tile, its headline figures and
`GET /api/v1/monitoring/overview` read. It is made of two parts the cockpit reads separately:
`economy_figures` (the area indicators, seconds on a district's panel: the cockpit keeps them
with its other derived figures until the data changes) and `open_alert_count` (one count,
read on every view, so an acknowledgement shows at once).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import kwh_scale
from industry_brain.core.scope import Scope
from industry_brain.monitoring.bulletin import subject

# the tile's indicators, and the headline's (累计 with 同比), in the order shown
TILE = ("output", "electricity", "tax")
HEADLINE = ("output", "sales", "export", "electricity", "tax")
OPEN_STATES = ("firing", "no_data")


def _scale(row: dict[str, Any]) -> tuple[float, str, int]:
    """(factor, unit shown, decimals): 万元 as 亿元; 万千瓦时 as 亿千瓦时 once the 累计 reaches
    1亿 (else as they are, one decimal)."""
    if row["unit"] == "万元":
        return 1e-4, "亿元", 2
    if row["unit"] == "万千瓦时":
        return kwh_scale(row["ytd_value"])
    return 1.0, row["unit"], 1


def _figure(row: dict[str, Any]) -> dict[str, Any]:
    factor, unit, digits = _scale(row)

    def shown(key: str, by: float = factor, places: int = digits) -> float | None:
        return None if row[key] is None else round(row[key] * by, places)

    return {
        "indicator": row["indicator"],
        "name": subject(row["indicator_name"]),
        "unit": unit,
        "month_value": shown("month_value"),
        "ytd_value": shown("ytd_value"),
        "yoy_pct": shown("yoy_pct", 1.0, 1),
        "ytd_yoy_pct": shown("ytd_yoy_pct", 1.0, 1),
    }


def _area_of(scope: Scope) -> tuple[str, str] | None:
    if scope.district_wide:
        return "district", "district"
    if scope.role == "town" and scope.township_code:
        return "township", scope.township_code
    return None


def economy_figures(
    session: Session, *, scope: Scope, settings: Any, month: str | None = None
) -> dict[str, Any]:
    """The newest (or `month`'s) figures of the scope's area: `available`, `message` when not,
    `month`, `period` (e.g. 1-10月 for the 累计), `area`, and `figures`, each with `indicator`,
    `name`, `unit` (亿元, 亿千瓦时 or 万千瓦时), `month_value`, `ytd_value`, `yoy_pct`,
    `ytd_yoy_pct` (同口径, one decimal)."""
    from industry_brain.monitoring.indicators import indicators
    from industry_brain.monitoring.series import latest_month

    area = _area_of(scope)
    if area is None:
        return {"available": False, "message": "无权查看"}
    try:
        month = month or latest_month(session)
        rows = indicators(session, month=month, scope=scope, settings=settings, area=area[0], scale="above")
    except IndustryBrainError as exc:
        return {"available": False, "message": str(exc)}
    month_no = int(month[5:])
    mine = {
        r["indicator"]: r
        for r in rows
        if r["comparable"] and r["area_id"] == area[1] and r["period"] == f"{month_no}月"
    }
    if not mine:
        return {"available": False, "message": f"{month[:4]}年{month_no}月暂无规上工业月度数据"}
    return {
        "available": True,
        "month": month,
        "period": "1月" if month_no == 1 else f"1-{month_no}月",
        "area": next(iter(mine.values()))["area"],
        "figures": [_figure(mine[k]) for k in HEADLINE if k in mine],
    }


def alerts_month(session: Session) -> str | None:
    """The newest month with stored alerts (the inbox's default month)."""
    from industry_brain.monitoring.models import MonitoringAlertMonth

    month = session.scalar(select(func.max(MonitoringAlertMonth.month)))
    return None if month is None else str(month)


def open_alert_count(session: Session, *, scope: Scope, month: str | None = None) -> dict[str, Any]:
    """The open (firing or no-data) alerts of the newest evaluated month (or `month`) that the
    scope sees, dismissed and silenced ones left out: `month`, `open`, `link` (the inbox)."""
    from industry_brain.monitoring.alerts import _silenced, visible_clause
    from industry_brain.monitoring.models import MonitoringAlert, MonitoringAlertMonth

    month = month or alerts_month(session)
    if month is None:
        return {"month": None, "open": 0, "link": "/monitoring/alerts"}
    stmt = (
        select(MonitoringAlert.credit_code, MonitoringAlert.rule)
        .join(MonitoringAlertMonth, MonitoringAlertMonth.alert_id == MonitoringAlert.id)
        .where(
            MonitoringAlertMonth.month == month,
            MonitoringAlertMonth.state.in_(OPEN_STATES),
            MonitoringAlert.dismissed_at.is_(None),
            visible_clause(session, scope),
        )
    )
    silenced = _silenced(session, month)
    n = sum(1 for code, rule in session.execute(stmt) if (code, rule) not in silenced)
    return {"month": month, "open": n, "link": f"/monitoring/alerts?month={month}"}


def open_alerts(
    session: Session, *, scope: Scope, credit_code: str, month: str | None = None
) -> dict[str, Any]:
    """One enterprise's open alerts of the newest evaluated month (or `month`), as
    open_alert_count counts them, within `scope`: `month` and `alerts`, each with `rule_name`,
    `severity`, `state`, `first_month` and `explanation` (the inbox's sentence)."""
    import json

    from industry_brain.monitoring import explain
    from industry_brain.monitoring.alerts import _silenced, visible_clause
    from industry_brain.monitoring.bulletin import SEVERITY_NAMES
    from industry_brain.monitoring.models import MonitoringAlert, MonitoringAlertMonth

    month = month or alerts_month(session)
    if month is None:
        return {"month": None, "alerts": []}
    stmt = (
        select(MonitoringAlert, MonitoringAlertMonth)
        .join(MonitoringAlertMonth, MonitoringAlertMonth.alert_id == MonitoringAlert.id)
        .where(
            MonitoringAlert.credit_code == credit_code,
            MonitoringAlertMonth.month == month,
            MonitoringAlertMonth.state.in_(OPEN_STATES),
            MonitoringAlert.dismissed_at.is_(None),
            visible_clause(session, scope),
        )
        .order_by(MonitoringAlert.rule)
    )
    silenced = _silenced(session, month)
    shown = []
    for alert, m in session.execute(stmt).all():
        if (alert.credit_code, alert.rule) in silenced:
            continue
        trace = json.loads(m.trace)
        shown.append(
            {
                "alert_id": alert.id,
                "rule_name": trace["rule_name"],
                "severity": alert.severity,
                "severity_name": SEVERITY_NAMES.get(alert.severity, alert.severity),
                "state": m.state,
                "state_name": explain.STATES.get(m.state, m.state),
                "first_month": alert.first_month,
                "explanation": explain.sentence(trace),
            }
        )
    return {"month": month, "alerts": shown}


def economy_overview(
    session: Session, *, scope: Scope, settings: Any, month: str | None = None
) -> dict[str, Any]:
    """economy_figures with the open alerts beside them (`alerts`)."""
    return {
        **economy_figures(session, scope=scope, settings=settings, month=month),
        "alerts": open_alert_count(session, scope=scope),
    }
