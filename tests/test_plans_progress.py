"""Progress arithmetic on hand-worked cases (the numbers in the comments are worked by hand)."""

from __future__ import annotations

import pytest

from industry_brain.core.errors import ConfigurationError
from industry_brain.plans.pack import Concerns, Figure, Indicator
from industry_brain.plans.progress import Observation, Thresholds, assess, expected_share, target_level

START = 2021  # a plan running 2021-01-01 .. 2025-12-31, baseline 2020


def ind(
    direction: str,
    target: float | None,
    baseline: float | None = None,
    *,
    change: str | None = None,
    unit: str = "亿元",
    target_year: int = 2025,
    responsible: tuple[str, ...] = ("区经信局",),
) -> Indicator:
    base = None if baseline is None else Figure(2020, baseline, "q")
    return Indicator(
        id="x",
        name="x",
        category="c",
        unit=unit,
        direction=direction,
        change=change,
        baseline=base,
        target=Figure(target_year, target, "q"),
        responsible=responsible,
        concerns=Concerns(),
        derive=None,
        table=None,
        where="w",
        note=None,
        pack_id="p",
    )


def run(indicator: Indicator, value: float | None, period: str, as_of: str | None = None, **kw):
    actual = None if value is None else Observation(value, period)
    return assess(indicator, period_start=kw.pop("start", START), as_of=as_of or period, actual=actual, **kw)


def test_expected_is_elapsed_share_of_the_plan_period() -> None:
    i = ind("at_least", 1200, 760.5)
    assert expected_share(i, START, "2020") == 0.0
    assert expected_share(i, START, "2023") == pytest.approx(3 / 5)
    assert expected_share(i, START, "2023-06") == pytest.approx(2.5 / 5)
    assert expected_share(i, START, "2021-01") == pytest.approx(1 / 60)
    assert expected_share(i, START, "2027") == 1.0  # past the end: the whole period has elapsed


def test_energy_intensity_decrease_by_15_percent() -> None:
    # 单位工业增加值能耗下降15%: 0.60 → target level 0.60 × 0.85 = 0.51
    i = ind("decrease_by", 15, 0.60, change="percent", unit="吨标准煤/万元", responsible=("区发改局",))
    a = run(i, 0.57, "2023")
    assert a.target_level == pytest.approx(0.51)
    assert a.progress == pytest.approx(0.03 / 0.09)  # fallen 0.03 of the 0.09 to go
    assert a.attainment == pytest.approx(5 / 15)  # fallen 5% of the 15% targeted
    assert a.expected == pytest.approx(0.6)
    # 0.333 < 0.6 − 0.05 but ≥ 0.5 × 0.6
    assert a.status == "behind"
    assert a.cagr_achieved == pytest.approx((0.57 / 0.60) ** (1 / 3) - 1)  # −1.70% a year
    assert a.cagr_required == pytest.approx(0.85 ** (1 / 5) - 1)  # −3.20% a year
    assert run(i, 0.51, "2024").status == "achieved"
    assert run(i, 0.61, "2023").status == "off_track"  # rising instead of falling


def test_share_target_in_percent_and_in_points() -> None:
    # 高新技术产业增加值占比 52.4% → 60%: 2022 actual 56.0
    share = ind("at_least", 60, 52.4, unit="%")
    a = run(share, 56.0, "2022")
    assert a.progress == pytest.approx(3.6 / 7.6)  # 0.474
    assert a.attainment == pytest.approx(56 / 60)
    assert a.expected == pytest.approx(0.4)
    assert a.status == "on_track"
    assert (a.cagr_achieved, a.cagr_required) == (None, None)  # no growth rate of a share
    # 提高5个百分点: 30% → 35%; 2024 actual 33%: progress 0.6 < 0.8 − 0.05, ≥ 0.4
    points = ind("increase_by", 5, 30, change="points", unit="%")
    b = run(points, 33, "2024")
    assert b.target_level == 35
    assert (b.progress, b.attainment) == (pytest.approx(0.6), pytest.approx(0.6))
    assert b.status == "behind"


def test_count_target_with_a_monthly_actual() -> None:
    # 规上工业企业 800 → 1000 家; June 2021: 850 (half a year in: expected 0.5 / 5 = 0.1)
    i = ind("at_least", 1000, 800, unit="家")
    a = run(i, 850, "2021-06")
    assert a.progress == pytest.approx(0.25)
    assert a.expected == pytest.approx(0.1)
    assert a.status == "on_track"
    assert a.cagr_achieved == pytest.approx(1.0625**2 - 1)  # 6.25% in half a year
    assert a.cagr_remaining == pytest.approx((1000 / 850) ** (1 / 4.5) - 1)


def test_doubling_stated_as_fan_yi_fan() -> None:
    # 工业增加值翻一番: 100 (2020) → 200 (2025); 2023 actual 150
    i = ind("increase_by", 2, 100, change="times")
    a = run(i, 150, "2023")
    assert a.target_level == 200
    assert a.progress == pytest.approx(0.5)
    assert a.attainment == pytest.approx(0.5)  # grown 50% of the 100% targeted
    assert a.cagr_required == pytest.approx(2 ** (1 / 5) - 1)  # 14.87% a year
    assert a.cagr_achieved == pytest.approx(1.5 ** (1 / 3) - 1)  # 14.47% a year
    assert a.status == "behind"  # 0.5 < 0.6 − 0.05
    assert run(i, 150, "2023", thresholds=Thresholds(tolerance=0.1)).status == "on_track"


def test_annual_growth_target() -> None:
    # 年均增长8%: 100 → 100 × 1.08^5 = 146.93; 2022 actual 115 (7.24% a year)
    i = ind("increase_by", 8, 100, change="annual_percent")
    a = run(i, 115, "2022")
    assert a.target_level == pytest.approx(146.9328077)
    assert a.attainment == pytest.approx((1.15**0.5 - 1) * 100 / 8)  # 0.905
    assert a.progress == pytest.approx(15 / 46.9328077)  # 0.320 < 0.35, ≥ 0.2
    assert a.status == "behind"


def test_ceiling_target() -> None:
    # 控制在0.5以内 from 0.6; 2023 actual 0.55: half way, expected 0.6
    i = ind("at_most", 0.5, 0.6, unit="吨标准煤/万元")
    a = run(i, 0.55, "2023")
    assert a.progress == pytest.approx(0.5)
    assert a.attainment == pytest.approx(0.5 / 0.55)  # < 1: ceiling not yet met
    assert a.status == "behind"
    assert run(i, 0.49, "2023").attainment == pytest.approx(0.5 / 0.49)


def test_keep_at_least() -> None:
    i = ind("keep_at_least", 3, 2.9, unit="%")
    assert run(i, 3.2, "2023").status == "on_track"
    assert run(i, 2.8, "2023").status == "off_track"
    assert run(i, 3.1, "2025").status == "achieved"


def test_qualitative_status_comes_from_the_units_report() -> None:
    # 完成上级下达任务: no ratio, no pace
    i = ind("qualitative", None, unit="", responsible=("区发改局",))
    a = run(i, None, "2023")
    assert (a.status, a.attainment, a.progress) == ("no_data", None, None)
    assert "区发改局" in a.status_reason
    b = run(i, None, "2023", reported_status="on_track")
    assert (b.status, b.attainment, b.progress) == ("on_track", None, None)
    assert "区发改局" in b.status_reason
    with pytest.raises(ConfigurationError):
        run(i, None, "2023", reported_status="done")


def test_missing_baseline() -> None:
    level = ind("at_least", 1000, None, unit="家")
    a = run(level, 900, "2023")
    assert a.status == "no_baseline"
    assert a.attainment == pytest.approx(0.9)
    assert a.progress is None
    assert run(level, 1001, "2023").status == "achieved"  # met needs no baseline
    change = ind("decrease_by", 15, None, change="percent")
    b = run(change, 0.5, "2023")
    assert (b.status, b.target_level, b.attainment) == ("no_baseline", None, None)
    assert "基期" in b.status_reason


def test_no_actual_names_the_responsible_unit() -> None:
    a = run(ind("at_least", 1200, 760.5, responsible=("区统计局",)), None, "2023")
    assert a.status == "no_data"
    assert "区统计局" in a.status_reason
    assert a.expected == pytest.approx(0.6)


def test_actuals_past_the_target_year() -> None:
    # a 十三五 target (2016-2020) judged in 2022
    i = ind("at_least", 1000, 500, target_year=2020)
    short = run(i, 900, "2022", start=2016)
    assert short.status == "off_track" and "2020" in short.status_reason
    assert short.expected == 1.0
    assert short.progress == pytest.approx(0.8)
    met = run(i, 1100, "2022", start=2016)
    assert met.status == "achieved" and met.attainment == pytest.approx(1.1)
    # a 2019 actual seen in 2022: judged on its own pace (expected 4/5 at 2019)
    stale = run(i, 900, "2019", as_of="2022", start=2016)
    assert (stale.expected, stale.expected_at_actual, stale.status) == (1.0, pytest.approx(0.8), "on_track")


def test_later_target_in_an_earlier_plan_runs_to_its_own_year() -> None:
    # a 2017-2019 plan with a 2025 target: the span is 2017-01-01 .. 2025-12-31
    i = ind("at_least", 1000, 100, target_year=2025)
    assert expected_share(i, 2017, "2019") == pytest.approx(3 / 9)
    assert target_level(i) == 1000


def test_every_threshold_and_derivation_is_documented() -> None:
    import dataclasses
    from pathlib import Path

    from industry_brain.plans.catalogue import DERIVATIONS

    text = (Path(__file__).resolve().parents[1] / "docs" / "plans.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(Thresholds):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{f.name}` |"))
        assert f"| {f.default:g} |" in row, f.name
    for d in DERIVATIONS.values():
        assert f"| `{d.key}` | {d.name} | {d.unit} | {d.formula} |" in text, d.key


def test_required_growth_needs_only_the_actual_and_the_target() -> None:
    # No baseline; 2023 actual 800, target 1000 in 2025: (1000/800)^(1/2) − 1 = 11.80% a year
    a = run(ind("at_least", 1000, None), 800, "2023")
    assert a.status == "no_baseline"
    assert a.cagr_remaining == pytest.approx((1000 / 800) ** 0.5 - 1)
    assert "尚需年均增长 11.8%" in a.status_reason
    assert (a.cagr_achieved, a.cagr_required) == (None, None)


def test_an_actual_of_another_caliber_is_not_progress() -> None:
    # 亩均税收 150.8 → 162 万元/亩; the record's 区属 figure 32.76 is a fifth of both: no -1050%
    i = ind("at_least", 162, 150.8, unit="万元/亩")
    a = run(i, 32.76, "2024")
    assert (a.status, a.progress, a.attainment) == ("check_data", None, None)
    assert "口径" in a.status_reason and "32.76" in a.status_reason
    # 5.4 typed into a 亿元 indicator whose baseline is 760.5 (5.4万亿? 540万元?): checked
    assert run(ind("at_least", 1500, 760.5), 5.4, "2023").status == "check_data"
    # far above both as well (万元 typed for 亿元)
    assert run(ind("at_least", 1500, 760.5), 8_000_000, "2023").status == "check_data"
    # within three times of either: an ordinary status
    assert run(ind("at_least", 1500, 760.5), 300, "2023").status == "off_track"
    # a count without a baseline may start far below its target
    assert run(ind("at_least", 40, None, unit="家"), 8, "2023").status == "no_baseline"
