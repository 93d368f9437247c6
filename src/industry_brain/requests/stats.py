"""晾晒: how each answerable unit and each township handled the cases raised in a month or a
quarter — received, on time, overdue, median working days, satisfaction, 重办 rate.

The figures are over the cases *opened* in the period (the cohort), judged at `as_of` (today by
default): a case is on time when it reached 办结 on or before its 办结 deadline (pauses and
approved 延期 included); overdue when it reached 办结 after it, or is still open past it. A
unit's row counts the cases it leads now (after any 改派). Definitions: docs/requests.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.requests import clock
from industry_brain.requests.models import EnterpriseRequest, RequestEvent
from industry_brain.requests.service import calendar_for, rules_for, visible_clause

SATISFIED = ("满意", "基本满意")
COLUMNS = {
    "received": "受理数",
    "closed": "办结数",
    "on_time": "按期办结",
    "overdue": "逾期",
    "on_time_rate": "按期办结率",
    "median_days": "办理用时中位数（工作日）",
    "satisfaction": "满意率",
    "redo_rate": "重办率",
}


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """YYYY-MM or YYYY-Qn -> (first day, last day)."""
    if m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", period):
        first = dt.date(int(m[1]), int(m[2]), 1)
        months = 1
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", period.upper()):
        first, months = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), 3
    else:
        raise ConfigurationError(
            f"期间“{period}”无效：应为 YYYY-MM（月）或 YYYY-Qn（季度），如 2024-03、2024-Q1"
        )
    month = first.month - 1 + months
    after = dt.date(first.year + month // 12, month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def received_in(period: str, scope: Scope) -> ColumnElement[bool]:
    """The cases in `scope` received on a Beijing day of `period` (the 晾晒's cohort); stored
    UTC runs 8 hours behind, so the bounds are moved to it."""
    first, last = period_bounds(period)
    start = clock.to_utc(dt.datetime.combine(first, dt.time()))
    end = clock.to_utc(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    opened = EnterpriseRequest.opened_at
    return and_(visible_clause(scope), opened >= start, opened < end)


def _ratings(session: Session, ids: list[int]) -> dict[int, str]:
    """Each case's latest rating (a 重办 keeps the rating that caused it in the history)."""
    rows = session.execute(
        select(RequestEvent.request_id, RequestEvent.detail)
        .where(RequestEvent.request_id.in_(ids), RequestEvent.action == "rate")
        .order_by(RequestEvent.request_id, RequestEvent.seq)
    ).all()
    return {rid: json.loads(detail or "{}").get("rating", "") for rid, detail in rows}


def _figures(cases: list[dict[str, Any]]) -> dict[str, Any]:
    closed = [c for c in cases if c["closed"]]
    rated = [c for c in cases if c["rating"]]
    days = [c["days"] for c in closed]
    received = len(cases)
    on_time = sum(1 for c in closed if c["on_time"])
    return {
        "received": received,
        "closed": len(closed),
        "on_time": on_time,
        "overdue": sum(1 for c in cases if c["overdue"]),
        "on_time_rate": round(on_time / len(closed), 4) if closed else None,
        "median_days": statistics.median(days) if days else None,
        "satisfaction": round(sum(1 for c in rated if c["rating"] in SATISFIED) / len(rated), 4)
        if rated
        else None,
        "redo_rate": round(sum(1 for c in rated if c["redo"]) / len(rated), 4) if rated else None,
    }


def request_stats(
    session: Session, *, scope: Scope, settings: Settings, period: str, as_of: dt.date | None = None
) -> dict[str, Any]:
    from industry_brain.reference.divisions import township_name

    first, last = period_bounds(period)
    day = as_of or clock.today()
    rules, cal = rules_for(settings), calendar_for(settings)
    found = list(session.scalars(select(EnterpriseRequest).where(received_in(period, scope))))
    ratings = _ratings(session, [c.id for c in found]) if found else {}
    cases: list[dict[str, Any]] = []
    for c in found:
        category = rules.classification.categories[c.category]
        due = clock.deadlines(c, category, cal, as_of=day).close
        closed_on = c.closed_on if c.state == "办结" else None
        closed = closed_on is not None
        ended = rules.machine.closed(c.state)
        cases.append(
            {
                "unit": c.lead_unit,
                "township": c.township_code,
                "closed": closed,
                "on_time": closed_on is not None and closed_on <= due,
                "overdue": (closed_on is not None and closed_on > due) or (not ended and day > due),
                "days": cal.workdays_between(clock.local_date(c.opened_at), closed_on) if closed_on else 0,
                "rating": ratings.get(c.id),
                "redo": c.redo_count > 0,
            }
        )
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_town: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        by_unit[case["unit"]].append(case)
        by_town[case["township"]].append(case)
    return {
        "period": period.upper(),
        "from": first.isoformat(),
        "to": last.isoformat(),
        "as_of": day.isoformat(),
        "total": _figures(cases),
        "units": [{"unit": u} | _figures(rows) for u, rows in sorted(by_unit.items())],
        "townships": [
            {"township_code": t, "township": township_name(t)} | _figures(rows)
            for t, rows in sorted(by_town.items(), key=lambda kv: kv[0] or "")
        ],
    }


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return "—"
    if key.endswith("_rate") or key == "satisfaction":
        return f"{value * 100:.1f}%"
    return value


def stats_rows(stats: dict[str, Any], part: str) -> tuple[list[str], list[list[Any]]]:
    """The headers and rows of one table of the 晾晒 (part: units or townships), as officials read them."""
    name_key, name = ("unit", "承办单位") if part == "units" else ("township", "镇街")
    headers = [name, *COLUMNS.values()]
    rows = [[r[name_key], *(_cell(k, r[k]) for k in COLUMNS)] for r in stats[part]]
    rows.append(["合计", *(_cell(k, stats["total"][k]) for k in COLUMNS)])
    return headers, rows


def write_stats_xlsx(stats: dict[str, Any], path: Path) -> Path:
    """The 晾晒 as an Excel workbook: one sheet per unit, one per township (formula-injection safe)."""
    from industry_brain.core.cells import XlsxCells, xlsx_workbook

    book = xlsx_workbook(path)
    cells = XlsxCells(book)
    bold = book.add_format({"bold": True})
    for part, title in (("units", "按承办单位"), ("townships", "按镇街")):
        ws = book.add_worksheet(title)
        ws.write_string(
            0, 0, f"涉企问题办理晾晒（{stats['from']} 至 {stats['to']} 受理，统计至 {stats['as_of']}）", bold
        )
        headers, rows = stats_rows(stats, part)
        cells.write_row(ws, 2, 0, headers, bold)
        for i, row in enumerate(rows, start=3):
            cells.write_row(ws, i, 0, row)
        ws.set_column(0, 0, 28)
        ws.set_column(1, len(headers), 14)
    book.close()
    return path
