"""Working days on the State Council's 放假安排 of the shipped years, worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from industry_brain.reference.workdays import CalendarError, load_calendar, parse_calendar

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


def test_tiaoxiu_weekends_work_and_festival_weekdays_do_not(cal) -> None:
    assert cal.is_workday(D(2024, 2, 4)) and cal.is_workday(D(2024, 2, 18))  # Sundays, 调休上班
    assert not cal.is_workday(D(2024, 2, 12))  # Monday in 春节
    assert cal.is_workday(D(2024, 2, 9))  # 除夕 2024 was a working day (rest only encouraged)
    assert not cal.is_workday(D(2025, 1, 28))  # 除夕 2025 is a holiday after the 2024 revision
    assert cal.holiday_of(D(2023, 9, 29)) == "中秋节、国庆节"
    assert not cal.is_workday(D(2022, 12, 31)) and cal.holiday_of(D(2022, 12, 31)) == "元旦"  # 2023's 元旦
    assert not cal.is_workday(D(2020, 2, 1))  # the 2020 extension cancelled the Saturday shift
    assert cal.is_workday(D(2026, 1, 4))  # Sunday after 2026's 元旦


def test_deadlines_across_a_spring_festival_and_a_tiaoxiu_weekend(cal) -> None:
    # Thu 2024-02-08 + 3: Fri 9 (1); 10-17 off; Sun 18 调休 (2); Mon 19 (3)
    assert cal.add_workdays(D(2024, 2, 8), 3) == D(2024, 2, 19)
    # Fri 2024-09-13 + 1: Sat 14 is a 调休 working day
    assert cal.add_workdays(D(2024, 9, 13), 1) == D(2024, 9, 14)
    # Thu 2026-02-12 + 7 (主办): Fri 13, Sat 14 (调休), 15-23 off, Tue 24 .. Fri 27, Sat 28 (调休)
    assert cal.add_workdays(D(2026, 2, 12), 7) == D(2026, 2, 28)
    # a plain weekend: Fri 2024-03-01 + 3 -> Wed 6
    assert cal.add_workdays(D(2024, 3, 1), 3) == D(2024, 3, 6)
    assert cal.workdays_between(D(2024, 2, 8), D(2024, 2, 19)) == 3
    assert cal.add_workdays(D(2024, 3, 1), 0) == D(2024, 3, 1)


def test_working_days_per_month(cal) -> None:
    # Feb 2024: 21 weekdays, less 12-16 (5), plus Sundays 4 and 18: 18
    assert cal.workdays_in_month(2024, 2) == 18
    # Jan 2025: 23 weekdays, less 1 and 28-31 (5), plus Sunday 26: 19
    assert cal.workdays_in_month(2025, 1) == 19
    assert cal.spring_festival(2023) == D(2023, 1, 22) and cal.spring_festival(2024) == D(2024, 2, 10)


def test_the_festivals_last_as_the_notices_say(cal) -> None:
    def length(year: int, name: str) -> int:
        return next(len(list(h.days())) for h in cal.years[year].holidays if h.name == name)

    assert length(2024, "春节") == 8 and length(2026, "春节") == 9 and length(2025, "春节") == 8
    assert length(2025, "国庆节、中秋节") == 8 and length(2023, "清明节") == 1
    assert length(2020, "春节") == 10  # 1月24日 to 2月2日 after the extension
    assert sorted(cal.years) == list(range(2020, 2028))


def test_a_deadline_in_the_new_year_is_counted_on_the_provisional_2027_calendar(cal) -> None:
    """A case opened on Mon 2026-12-07 with 20 working days to 办结: Dec 8-31 give 18 (every
    weekday; no 调休 in December 2026), Fri 2027-01-01 is 元旦, Mon Jan 4 and Tue Jan 5 make 20.
    2027 holds only the statutory days until the State Council's notice is entered, and says so."""
    assert cal.add_workdays(D(2026, 12, 7), 20) == D(2027, 1, 5)
    assert cal.years[2027].notice.startswith("暂定")
    assert not cal.is_workday(D(2027, 2, 8)) and cal.is_workday(D(2027, 2, 9))  # 正月初三, 初四


def test_a_date_outside_the_calendar_is_an_error_naming_the_setting(cal) -> None:
    with pytest.raises(CalendarError, match="workday_calendar"):
        cal.is_workday(D(2019, 12, 31))


def test_a_district_adds_a_year_and_a_bad_file_is_refused_with_its_line(tmp_path) -> None:
    extra = tmp_path / "2027.yaml"
    extra.write_text(
        "2027:\n  notice: 本地试算\n  spring_festival: 2027-02-06\n  holidays:\n"
        "    - {name: 春节, from: 2027-02-05, to: 2027-02-11}\n  workdays: [2027-02-14]\n",
        encoding="utf-8",
    )
    cal = load_calendar(extra)
    assert not cal.is_workday(D(2027, 2, 8)) and cal.is_workday(D(2027, 2, 14))
    bad = "2027:\n  notice: x\n  spring_festival: 2027-02-06\n  holidays:\n" \
          "    - {name: 春节, from: 2027-02-05, to: 2027-02-11}\n  workdays: [2027-02-15]\n"  # fmt: skip
    with pytest.raises(
        CalendarError, match=r"x\.yaml 第 2 行：调休上班日 2027-02-15 应为 2027 年的周六或周日"
    ):
        parse_calendar(bad, file="x.yaml")
    with pytest.raises(CalendarError, match="第 5 行"):
        parse_calendar(bad.replace("to: 2027-02-11", "to: 2027-01-11"), file="x.yaml")
    with pytest.raises(CalendarError, match="缺少“notice”"):
        parse_calendar(
            "2027:\n  spring_festival: 2027-02-06\n  holidays: []\n  workdays: []\n", file="x.yaml"
        )
