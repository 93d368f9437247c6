"""Moments are stored in UTC and read in Beijing time (UTC+8, no daylight saving)."""

from __future__ import annotations

import datetime as dt

from industry_brain.core.labels import moment


def test_a_utc_moment_reads_as_beijing_time_across_midnight_and_the_year() -> None:
    # 2026-12-31 16:30 UTC is already New Year's Day in Beijing
    assert moment(dt.datetime(2026, 12, 31, 16, 30)) == "2027-01-01 00:30"
    assert moment("2026-12-31T16:30:00") == "2027-01-01 00:30"
    assert moment(dt.datetime(2026, 7, 1, 1, 5, tzinfo=dt.UTC)) == "2026-07-01 09:05"
    # an aware moment in another zone is converted, not relabelled
    tokyo = dt.timezone(dt.timedelta(hours=9))
    assert moment(dt.datetime(2026, 7, 1, 10, 5, tzinfo=tokyo)) == "2026-07-01 09:05"


def test_nothing_reads_as_nothing() -> None:
    assert moment(None) == "" and moment("") == ""
