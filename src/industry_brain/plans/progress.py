"""Progress arithmetic of one indicator: attainment, progress, 序时进度, CAGR and status.

Pure functions of a pack's indicator and one actual; docs/plans.md ("How a status is decided")
explains every rule here with the same names. Ratios are fractions (0.75 = 75%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from industry_brain.core.errors import ConfigurationError
from industry_brain.plans.pack import Indicator

STATUSES = ("achieved", "on_track", "behind", "off_track", "no_data", "no_baseline", "check_data")
REPORTED_STATUSES = ("achieved", "on_track", "behind", "off_track")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
# Units whose CAGR would be a growth rate of a rate: not shown.
_RATE_UNITS = ("%", "‰", "个百分点")
# An actual more than this many times away from both the baseline and the target is taken for a
# figure of another 口径 (a district total against a 区属 one, 万元 typed for 亿元): no progress is
# computed from it, and the status asks for the data to be checked (docs/plans.md).
CALIBER_FACTOR = 3.0


@dataclass(frozen=True)
class Thresholds:
    """When progress counts as on track, behind or off track (docs/plans.md)."""

    # on_track: progress ≥ expected − tolerance (5 percentage points of the way to the target)
    tolerance: float = 0.05
    # behind: progress ≥ off_track_share × expected; below that (or going backwards): off_track
    off_track_share: float = 0.5


@dataclass(frozen=True)
class Observation:
    """An actual: its value and period ('YYYY' or 'YYYY-MM')."""

    value: float
    period: str


@dataclass(frozen=True)
class Assessment:
    target_level: float | None  # the level the target implies (baseline × 1.15 for 增长15%, ...)
    attainment: float | None
    progress: float | None
    expected: float | None  # 序时进度 as of the as-of period
    expected_at_actual: float | None  # 序时进度 at the actual's period (what status compares with)
    cagr_achieved: float | None
    cagr_required: float | None  # baseline → target, over the whole span
    cagr_remaining: float | None  # actual → target, over the years left
    status: str
    status_reason: str


def parse_period(period: str) -> tuple[int, int]:
    """'2024' → (2024, 12); '2024-06' → (2024, 6). A year means its end."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise ConfigurationError(f"期间 {period!r} 应为 YYYY 或 YYYY-MM (period must be YYYY or YYYY-MM)")
    return int(match.group(1)), int(match.group(2) or 12)


def period_point(period: str) -> float:
    """A period's end as a fractional year: '2024' → 2024.0, '2024-06' → 2023.5."""
    year, month = parse_period(period)
    return year - 1 + month / 12


def span(indicator: Indicator, period_start: int) -> tuple[float, float]:
    """The time an indicator's target runs over: from the end of the year before the plan
    starts (or before its target year, if earlier) to the end of its target year."""
    first = min(period_start, indicator.target.year)
    return float(first - 1), float(indicator.target.year)


def expected_share(indicator: Indicator, period_start: int, period: str) -> float:
    """序时进度: the share of the span elapsed by the end of `period`, within [0, 1]."""
    begin, end = span(indicator, period_start)
    return min(1.0, max(0.0, (period_point(period) - begin) / (end - begin)))


def target_level(indicator: Indicator) -> float | None:
    """The level a target sets; None when it depends on a baseline the pack lacks."""
    value = indicator.target.value
    if value is None:
        return None
    if indicator.direction not in ("increase_by", "decrease_by"):
        return value
    if indicator.baseline is None or indicator.baseline.value is None:
        return None
    base = indicator.baseline.value
    sign = 1.0 if indicator.direction == "increase_by" else -1.0
    if indicator.change == "percent":
        return base * (1 + sign * value / 100)
    if indicator.change in ("points", "absolute"):
        return base + sign * value
    if indicator.change == "times":
        return base * value
    years = indicator.target.year - indicator.baseline.year
    return base * (1 + sign * value / 100) ** years  # annual_percent


def _up(indicator: Indicator, base: float | None, level: float) -> bool:
    """Whether more is better for this target."""
    if indicator.direction in ("at_least", "keep_at_least", "increase_by"):
        return True
    if indicator.direction in ("at_most", "decrease_by"):
        return False
    return base is None or level >= base


def _met(up: bool, actual: float, level: float) -> bool:
    return actual >= level if up else actual <= level


def attainment(indicator: Indicator, actual: float, level: float, elapsed: float | None) -> float | None:
    """Level targets: actual ÷ target (target ÷ actual for at_most, so that ≥ 1 always means
    met). Change targets: achieved change ÷ targeted change (annual_percent: achieved CAGR ÷
    targeted annual rate)."""
    if indicator.direction in ("at_least", "keep_at_least"):
        return actual / level if level else None
    if indicator.direction == "at_most":
        return level / actual if actual else None
    base = indicator.baseline.value if indicator.baseline else None
    change = indicator.target.value
    if base is None or not change:
        return None
    sign = 1.0 if indicator.direction == "increase_by" else -1.0
    if indicator.change == "annual_percent":
        rate = cagr(base, actual, elapsed)
        return None if rate is None else sign * rate * 100 / change
    if indicator.change == "percent":
        return (sign * (actual / base - 1) * 100) / change if base else None
    if indicator.change == "times":
        return (actual / base - 1) / (change - 1) if base else None
    return sign * (actual - base) / change  # points, absolute


def cagr(start: float | None, end: float | None, years: float | None) -> float | None:
    """Compound annual growth from `start` to `end` over `years`; None where undefined."""
    if start is None or end is None or not years or years <= 0 or start <= 0 or end <= 0:
        return None
    return float((end / start) ** (1 / years) - 1)


def _cagrs(
    indicator: Indicator, actual: float, level: float, point: float
) -> tuple[float | None, float | None, float | None]:
    if indicator.unit in _RATE_UNITS or indicator.change == "points":
        return None, None, None
    ty = indicator.target.year
    if indicator.baseline is None:  # the rate still needed needs only the actual and the target
        return None, None, cagr(actual, level, ty - point) if ty > point else None
    base, by = indicator.baseline.value, indicator.baseline.year
    return (
        cagr(base, actual, point - by),
        cagr(base, level, ty - by),
        cagr(actual, level, ty - point) if ty > point else None,
    )


def _owner(indicator: Indicator) -> str:
    return "、".join(indicator.responsible) or "未明确责任单位"


def _no_data(indicator: Indicator, as_of: str, expected: float | None) -> Assessment:
    reason = f"缺少截至 {as_of} 的实绩，待{_owner(indicator)}填报"
    if indicator.direction == "qualitative":
        reason = f"尚无{_owner(indicator)}截至 {as_of} 的完成情况报告"
    return Assessment(None, None, None, expected, None, None, None, None, "no_data", reason)


def _qualitative(indicator: Indicator, reported: str | None, as_of: str, expected: float) -> Assessment:
    if reported is None:
        return _no_data(indicator, as_of, expected)
    if reported not in REPORTED_STATUSES:
        raise ConfigurationError(f"报告状态 {reported!r} 应为 {', '.join(REPORTED_STATUSES)} 之一")
    reason = f"据{_owner(indicator)}报告"
    return Assessment(None, None, None, expected, None, None, None, None, reported, reason)


def _pace_status(p: float | None, e: float, t: Thresholds) -> tuple[str, str]:
    if p is None:
        return "off_track", "基期值已达到目标而实绩退回目标之外"
    ratio = f"进度 {p:.1%}，序时进度 {e:.1%}"
    if p >= e - t.tolerance:
        return "on_track", f"{ratio}：快于或接近序时进度"
    if p >= t.off_track_share * e and p > 0:
        return "behind", f"{ratio}：慢于序时进度"
    return "off_track", f"{ratio}：明显落后或倒退"


def assess(
    indicator: Indicator,
    *,
    period_start: int,
    as_of: str,
    actual: Observation | None,
    reported_status: str | None = None,
    thresholds: Thresholds | None = None,
) -> Assessment:
    """The indicator's standing as of `as_of` given its latest actual (and, for a qualitative
    indicator, the status its responsible unit last reported)."""
    t = thresholds or Thresholds()
    expected = expected_share(indicator, period_start, as_of)
    if indicator.direction == "qualitative":
        return _qualitative(indicator, reported_status, as_of, expected)
    if actual is None:
        return _no_data(indicator, as_of, expected)
    base = indicator.baseline.value if indicator.baseline else None
    level = target_level(indicator)
    if level is None:
        reason = "缺少基期值，无法换算目标水平"
        return Assessment(None, None, None, expected, None, None, None, None, "no_baseline", reason)
    point = period_point(actual.period)
    elapsed = point - indicator.baseline.year if indicator.baseline else None
    att = attainment(indicator, actual.value, level, elapsed)
    up = _up(indicator, base, level)
    moves = base is not None and level != base and (level > base) == up
    prog = (actual.value - base) / (level - base) if moves and base is not None else None
    at_actual = expected_share(indicator, period_start, actual.period)
    cagrs = _cagrs(indicator, actual.value, level, point)
    if (mismatch := _caliber(indicator, actual, base, level)) is not None:
        return Assessment(level, None, None, expected, at_actual, None, None, None, "check_data", mismatch)
    status, reason = _status(indicator, actual, level, base, prog, at_actual, up, t)
    if status == "no_baseline" and cagrs[2] is not None:
        reason += f"；距目标尚需年均增长 {cagrs[2]:.1%}"
    return Assessment(level, att, prog, expected, at_actual, *cagrs, status, reason)


def _caliber(indicator: Indicator, actual: Observation, base: float | None, level: float) -> str | None:
    """Why the actual cannot be of the same 口径 as the target, or None."""
    # Without a baseline a count may rightly start far below its target (新增 40 家 from 8).
    if indicator.unit in _RATE_UNITS or base is None or base <= 0 or actual.value <= 0 or level <= 0:
        return None
    refs = (base, level)
    against = f"基期值 {base:g}、目标 {level:g}"
    shown = f"{actual.period} 实绩 {actual.value:g}{indicator.unit}"
    if all(r / actual.value > CALIBER_FACTOR for r in refs):
        why = f"{shown}不到{against}的三分之一"
    elif all(actual.value / r > CALIBER_FACTOR for r in refs):
        why = f"{shown}超过{against}的三倍"
    else:
        return None
    return f"{why}，统计口径可能不一致，请核实数据"


def _status(
    indicator: Indicator,
    actual: Observation,
    level: float,
    base: float | None,
    prog: float | None,
    at_actual: float,
    up: bool,
    t: Thresholds,
) -> tuple[str, str]:
    met = _met(up, actual.value, level)
    year = parse_period(actual.period)[0]
    if indicator.direction == "keep_at_least":
        if not met:
            return (
                "off_track",
                f"{actual.period} 实绩低于应保持的 {level:g}{indicator.unit}",
            )
        if year >= indicator.target.year:
            return "achieved", f"{actual.period} 实绩保持在 {level:g}{indicator.unit} 以上"
        return (
            "on_track",
            f"{actual.period} 实绩保持在 {level:g}{indicator.unit} 以上，须保持至 {indicator.target.year} 年",
        )
    if met:
        return "achieved", f"{actual.period} 实绩已达到目标 {level:g}{indicator.unit}"
    if year >= indicator.target.year:
        return (
            "off_track",
            f"目标年 {indicator.target.year} 已到，实绩未达到 {level:g}{indicator.unit}",
        )
    if base is None:
        return "no_baseline", f"缺少基期值，无法计算进度；目标完成 {actual.value / level:.1%}"
    return _pace_status(prog, at_actual, t)
