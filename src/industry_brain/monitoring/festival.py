"""The calendar the alert rules compare months on: working days per month and where the
Spring Festival window fell, from the State Council's 放假安排 (reference/workdays.py).

Factories close around the festival from about a week before 正月初一 to about two weeks
after it. When that window puts a different number of days into January than a year earlier
(the festival "moved"), a January or February compared alone with last year's shows the move,
not the enterprise: the rules then compare 1-2月 combined.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from industry_brain.reference.workdays import WorkdayCalendar, load_calendar

WINDOW_BEFORE = 7  # days before 正月初一 that factories wind down
WINDOW_AFTER = 15  # days after it (to 元宵) before they are back to full work
MOVED_DAYS = 3  # a change of this many January days in the window counts as a move

CALENDAR_SCHEMA = pl.Schema(
    {
        "year": pl.Int64(),
        "month_no": pl.Int64(),
        "workdays": pl.Int64(),
        "workdays_ytd": pl.Int64(),
        "workdays_year": pl.Int64(),
        "moved": pl.Int64(),
        "festival": pl.String(),
        "festival_prev": pl.String(),
        "jan_days": pl.Int64(),
        "jan_days_prev": pl.Int64(),
    }
)


def january_days(festival: dt.date) -> int:
    """Days of the festival window [初一 − 7, 初一 + 15] that fall in January."""
    start = festival - dt.timedelta(days=WINDOW_BEFORE)
    window = (start + dt.timedelta(days=i) for i in range(WINDOW_BEFORE + WINDOW_AFTER + 1))
    return sum(1 for day in window if day.month == 1)


def calendar_frame(years: list[int], calendar: WorkdayCalendar | None = None) -> pl.DataFrame:
    """One row per covered year and month: working days (the month's, the year's so far, the
    year's), and whether the festival moved against the year before (1: compare 1-2月 combined;
    also 1 when the year before is not covered, the safe side)."""
    cal = calendar or load_calendar()
    rows = []
    for year in sorted(set(years)):
        if year not in cal.years:
            continue
        days = [cal.workdays_in_month(year, m) for m in range(1, 13)]
        sf = cal.spring_festival(year)
        prev = cal.spring_festival(year - 1) if year - 1 in cal.years else None
        jan, jan_prev = january_days(sf), (january_days(prev) if prev else None)
        moved = 1 if jan_prev is None or abs(jan - jan_prev) >= MOVED_DAYS else 0
        for m in range(1, 13):
            rows.append(
                {
                    "year": year,
                    "month_no": m,
                    "workdays": days[m - 1],
                    "workdays_ytd": sum(days[:m]),
                    "workdays_year": sum(days),
                    "moved": moved,
                    "festival": sf.isoformat(),
                    "festival_prev": prev.isoformat() if prev else None,
                    "jan_days": jan,
                    "jan_days_prev": jan_prev,
                }
            )
    return pl.DataFrame(rows, schema=CALENDAR_SCHEMA)
