"""A case's clocks: 受理, 答复, 办结 and 协办 deadlines in working days, paused while the case
waits on the enterprise, moved by approved 延期, restarted by 重办; and the reminder and 督办
ladder once one is near or missed.

Working days come from reference.workdays (the State Council's 放假安排 with its 调休 working
weekends). The receiving day is day zero: a 3-working-day clock from Friday 2024-02-02 ends on
Tuesday 2024-02-06, because Sunday 2024-02-04 was a 调休 working day. Times are stored as naive
UTC; the day a clock counts from is the day in Beijing time (UTC+8), the day officials see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from industry_brain.core.labels import BEIJING
from industry_brain.reference.workdays import WorkdayCalendar
from industry_brain.requests.models import EnterpriseRequest
from industry_brain.requests.rules import Category, Routing


def to_utc(moment: dt.datetime) -> dt.datetime:
    """A moment as stored: naive UTC. A naive moment is taken as Beijing time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def local_date(stored: dt.datetime) -> dt.date:
    """The Beijing day of a stored (naive UTC) moment."""
    return stored.replace(tzinfo=dt.UTC).astimezone(BEIJING).date()


def to_beijing(stored: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) moment in Beijing time, naive, as officials read it."""
    return stored.replace(tzinfo=dt.UTC).astimezone(BEIJING).replace(tzinfo=None)


def today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def paused_now(case: EnterpriseRequest, calendar: WorkdayCalendar, as_of: dt.date) -> int:
    """Working days spent waiting on the enterprise, counting a wait still open at `as_of`."""
    live = calendar.workdays_between(case.paused_since, as_of) if case.paused_since else 0
    return case.paused_days + live


@dataclass(frozen=True)
class Deadlines:
    accept: dt.date
    reply: dt.date
    close: dt.date
    co_unit: dt.date | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "accept": self.accept.isoformat(),
            "reply": self.reply.isoformat(),
            "close": self.close.isoformat(),
            "co_unit": self.co_unit.isoformat() if self.co_unit else None,
        }


def deadlines(
    case: EnterpriseRequest, category: Category, calendar: WorkdayCalendar, *, as_of: dt.date | None = None
) -> Deadlines:
    """The case's deadlines; with `as_of`, a wait still open counts up to that day."""
    paused = paused_now(case, calendar, as_of) if as_of else case.paused_days
    moved = paused + case.extension_days
    start = case.clock_start

    def days(which: str) -> int:
        return category.clock(case.priority, which)

    # 受理 is the service centre's own step, before anyone waits on the enterprise: never paused.
    accept = calendar.add_workdays(local_date(case.opened_at), days("accept"))
    co_unit = None
    if case.assigned_on and case.co_units.strip("、"):
        co_unit = calendar.add_workdays(max(case.assigned_on, start), days("co_unit") + paused)
    return Deadlines(
        accept,
        calendar.add_workdays(start, days("reply") + moved),
        calendar.add_workdays(start, days("close") + moved),
        co_unit,
    )


def store_deadlines(case: EnterpriseRequest, category: Category, calendar: WorkdayCalendar) -> None:
    d = deadlines(case, category, calendar)
    case.accept_due, case.reply_due, case.due, case.co_due = d.accept, d.reply, d.close, d.co_unit


def running_clocks(case: EnterpriseRequest, closed: bool, co_open: bool) -> list[str]:
    """The clocks still running in the case's state (a clock stops once its step is done)."""
    if closed:
        return []
    running = ["close"]
    if case.state == "待受理":
        running.append("accept")
    if case.replied_on is None:
        running.append("reply")
    if co_open:
        running.append("co_unit")
    return running


def ladder(
    case: EnterpriseRequest,
    d: Deadlines,
    clocks: list[str],
    routing: Routing,
    calendar: WorkdayCalendar,
    as_of: dt.date,
) -> list[dict[str, Any]]:
    """The reminders and 督办 that apply at `as_of`: for each running clock, the highest rung
    reached (a missed deadline escalates; one near its end reminds)."""
    found = []
    for clock in clocks:
        due = getattr(d, clock)
        if due is None:
            continue
        if as_of > due:
            late = calendar.workdays_between(due, as_of)
            rungs = [r for r in routing.ladder if r.after is not None and late >= r.after]
        else:
            left = calendar.workdays_between(as_of, due)
            rungs = [r for r in routing.ladder if r.before is not None and left <= r.before]
            late = 0
        if rungs:
            rung = max(rungs, key=lambda r: r.after if r.after is not None else -1 - (r.before or 0))
            found.append(
                {
                    "clock": clock,
                    "due": due.isoformat(),
                    "level": rung.level,
                    "to": rung.to,
                    "late_workdays": late,
                }
            )
    return found
