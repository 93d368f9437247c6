"""Working days on the State Council's calendar: holidays, 调休 working weekends, 春节.

Deadlines of enterprise problems are counted in working days, and a monthly comparison has to
know how many working days each month had and where the Spring Festival fell. Both come from
the yearly 放假安排, shipped as data (data/holidays.yaml, one entry a year with the notice it
comes from); a district adds a year, or a local arrangement, in a file of the same format named
by the `workday_calendar` setting. A date outside every covered year is an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.yaml_lines import LineLoader

SHIPPED = "holidays.yaml"
YEAR_KEYS = {"notice": True, "note": False, "spring_festival": True, "holidays": True, "workdays": True}


class CalendarError(IndustryBrainError):
    """A calendar file that cannot be used, or a date it does not cover."""


@dataclass(frozen=True)
class Holiday:
    name: str
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)


@dataclass(frozen=True)
class YearArrangement:
    year: int
    notice: str
    spring_festival: dt.date
    holidays: tuple[Holiday, ...]
    workdays: frozenset[dt.date]


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, line: Any, reason: str) -> CalendarError:
        return CalendarError(f"{self.file} 第 {line} 行：{reason}")

    def date(self, value: Any, line: Any, what: str) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise self.fail(line, f"{what}“{value}”应为日期 YYYY-MM-DD")

    def year(self, year: Any, entry: Any) -> YearArrangement:
        if not isinstance(year, int) or not 1949 < year < 2200 or not isinstance(entry, dict):
            at = entry.get("__line__", "?") if isinstance(entry, dict) else "?"
            raise self.fail(at, f"年份“{year}”应为四位整数，下含各项安排")
        line = entry["__line__"]
        for key, required in YEAR_KEYS.items():
            if required and key not in entry:
                raise self.fail(line, f"{year} 年缺少“{key}”")
        unknown = sorted(set(entry) - set(YEAR_KEYS) - {"__line__"})
        if unknown:
            raise self.fail(
                line, f"{year} 年有未知字段“{'、'.join(map(str, unknown))}”；可用：{'、'.join(YEAR_KEYS)}"
            )
        holidays = tuple(self.holiday(h, year, line) for h in entry["holidays"] or [])
        off = {d for h in holidays for d in h.days()}
        workdays = frozenset(self.date(d, line, "调休上班日") for d in entry["workdays"] or [])
        for day in sorted(workdays):
            if day.weekday() < 5 or day in off or day.year != year:
                raise self.fail(line, f"调休上班日 {day} 应为 {year} 年的周六或周日，且不在假期内")
        festival = self.date(entry["spring_festival"], line, "春节（正月初一）")
        if not any(h.start <= festival <= h.end for h in holidays if h.name.startswith("春节")):
            raise self.fail(line, f"春节 {festival} 不在 {year} 年“春节”假期之内")
        return YearArrangement(year, str(entry["notice"]), festival, holidays, workdays)

    def holiday(self, h: Any, year: int, line: Any) -> Holiday:
        if not isinstance(h, dict) or not {"name", "from", "to"} <= set(h):
            raise self.fail(line, f"{year} 年的假期应写作 {{name: 名称, from: 日期, to: 日期}}")
        at = h["__line__"]
        start, end = self.date(h["from"], at, "假期开始"), self.date(h["to"], at, "假期结束")
        if end < start or (end - start).days > 14 or end.year != year:
            raise self.fail(
                at,
                f"“{h['name']}”的日期 {start} 至 {end} 不合理"
                f"（结束应在 {year} 年内、不早于开始、不超过 15 天）",
            )
        return Holiday(str(h["name"]), start, end)


def parse_calendar(text: str, *, file: str) -> dict[int, YearArrangement]:
    """The years of a calendar file; refused with the file, line and reason."""
    check = _Checker(file)
    try:
        data = yaml.load(text, Loader=LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise check.fail(
            mark.line + 1 if mark else "?", f"不是有效的 YAML（{getattr(exc, 'problem', exc)}）"
        ) from exc
    if not isinstance(data, dict):
        raise check.fail(1, "应为“年份: 安排”的映射")
    return {y: check.year(y, e) for y, e in data.items() if y != "__line__"}


class WorkdayCalendar:
    """Working days over the covered years: Monday to Friday, less the holidays, plus the 调休
    working weekends."""

    def __init__(self, years: dict[int, YearArrangement]) -> None:
        self.years = dict(sorted(years.items()))
        self._off = {d: h.name for y in self.years.values() for h in y.holidays for d in h.days()}
        self._on = frozenset(d for y in self.years.values() for d in y.workdays)

    def _covered(self, day: dt.date) -> None:
        if day.year not in self.years:
            first, last = min(self.years), max(self.years)
            raise CalendarError(
                f"{day} 不在工作日历范围内（已有 {first}-{last} 年的放假安排）；"
                "请在 workday_calendar 设置所指文件中补充该年国务院办公厅的节假日安排"
            )

    def is_workday(self, day: dt.date) -> bool:
        self._covered(day)
        if day in self._on:
            return True
        return day.weekday() < 5 and day not in self._off

    def holiday_of(self, day: dt.date) -> str | None:
        """The festival a day off belongs to, or None."""
        return self._off.get(day)

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (the day an item is received counts as day
        zero, so 3 working days from a Friday before a plain weekend is the Wednesday)."""
        if count < 0:
            raise CalendarError("工作日数不能为负")
        day = start
        while count:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def workdays_in_month(self, year: int, month: int) -> int:
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return self.workdays_between(first - dt.timedelta(days=1), last)

    def spring_festival(self, year: int) -> dt.date:
        """农历正月初一 of `year`."""
        self._covered(dt.date(year, 1, 1))
        return self.years[year].spring_festival


@cache
def _shipped() -> dict[int, YearArrangement]:
    path = resources.files("industry_brain.reference") / "data" / SHIPPED
    return parse_calendar(path.read_text(encoding="utf-8"), file=SHIPPED)


def load_calendar(extra: str | Path | None = None) -> WorkdayCalendar:
    """The shipped years, with the years of `extra` (the workday_calendar setting) over them."""
    years = dict(_shipped())
    if extra:
        path = Path(extra)
        if not path.is_file():
            raise CalendarError(f"工作日历文件 {path} 不存在（workday_calendar 设置）")
        years.update(parse_calendar(path.read_text(encoding="utf-8"), file=path.name))
    return WorkdayCalendar(years)
