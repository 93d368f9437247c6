"""Calibration targets of the demo district: what seed 004 publishes for 奉化区 in 2020.

Every target names its seed file, where in it the figure is, and the exact words or cell. The
generator builds its base year (2020) to meet them; `check` measures a generated district
against them. docs/demo.md explains the choices where the seed contradicts itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from industry_brain.demo.clusters import CATEGORY_OUTPUT_2020_YI, GROUP_BY_KEY, group_of_class

if TYPE_CHECKING:
    from industry_brain.demo.generator import DemoDistrict

SEED_004 = "004_db5cf59d4b6a5775.txt"
YEAR = 2020


@dataclass(frozen=True)
class Target:
    key: str
    description: str
    value: float
    unit: str
    kind: str  # count: exact (after scaling); total: scales, relative tolerance; ratio
    tolerance: float  # relative tolerance for totals and ratios
    seed_file: str
    where: str
    quote: str


@dataclass(frozen=True)
class CheckResult:
    target: Target
    expected: float
    actual: float
    ok: bool


_SENT_1 = "全区规上工业企业实现工业总产值和增加值分别达760.5亿元、314.6亿元"
_SENT_SIZE = (
    "2020年，全区产值超亿元的企业数量、产值10亿元以上的企业数量、产值百亿元以上企业累计数量"
    "分别达到125家、6家、1家"
)
_SENT_TITLES = (
    "至2020年，宁波市“专精特新”培育企业、国家“专精特新”小巨人企业、国家级单项冠军培育企业、"
    "宁波市单项冠军示范企业、市级单项冠军培育企业、省隐形冠军企业、省隐形冠军培育企业、"
    "宁波市高成长企业培育企业分别累计达到25家、7家、1家、4家、18家、2家、6家、5家"
)


def _t(
    key: str,
    description: str,
    value: float,
    unit: str,
    kind: str,
    where: str,
    quote: str,
    tolerance: float = 0.005,
) -> Target:
    return Target(key, description, value, unit, kind, tolerance, SEED_004, where, quote)


TARGETS: tuple[Target, ...] = (
    _t(
        "above_scale_count",
        "规上工业企业数",
        601,
        "家",
        "count",
        "一(一)2; Table 1 规上企业（家）",
        "累计全区规模以上工业企业数量达到601家",
    ),
    _t("above_scale_output", "规上工业总产值", 7_605_000, "万元", "total", "一(一)1; Table 2", _SENT_1),
    _t("above_scale_value_added", "规上工业增加值", 3_146_000, "万元", "total", "一(一)1; Table 2", _SENT_1),
    _t(
        "below_scale_value_added",
        "规下工业增加值",
        622_000,
        "万元",
        "total",
        "Table 2 规下工业增加值（亿元）, 2020基数",
        "规下工业增加值（亿元） | 62.2",
    ),
    _t(
        "output_over_1yi",
        "产值超亿元企业数",
        125,
        "家",
        "count",
        "一(一)1; Table 2 产值亿元以上企业",
        _SENT_SIZE,
    ),
    _t(
        "output_5_to_10yi",
        "产值5-10亿元企业数",
        7,
        "家",
        "count",
        "一(二)1; Table 1; Table 2 其中：5-10亿",
        "工业总产值5-10亿元的只有7家",
    ),
    _t("output_over_10yi", "产值10亿元以上企业数", 6, "家", "count", "一(一)1; Table 1; Table 2", _SENT_SIZE),
    _t(
        "output_over_100yi",
        "产值百亿元以上企业数",
        1,
        "家",
        "count",
        "一(一)1; Table 1 百亿以上企业",
        _SENT_SIZE,
    ),
    _t(
        "rd_spend",
        "规上企业研发经费",
        156_000,
        "万元",
        "total",
        "一(一)3",
        "2020年奉化区规上企业研发费用支出15.6亿元",
    ),
    _t(
        "rd_enterprises",
        "有研发投入的规上企业数",
        339,
        "家",
        "count",
        "一(一)3",
        "2020年，规上工业企业中，有研发投入的企业339家",
    ),
    _t(
        "rd_intensity",
        "规上研发经费占营业收入比重",
        2.4,
        "%",
        "ratio",
        "Table 1 研发投入经费支出占主营业务收入的比重（%）, 2020年",
        "… | 1.5 | 1.8 | 2.4",
    ),
    _t(
        "output_per_mu",
        "规上亩均产值",
        262.1,
        "万元/亩",
        "ratio",
        "Table 1 土地单位面积产出率（万元/亩）, 2020年; 一(一)4",
        "区属规上工业亩均产值和工业企业亩均税收达到262.1万元/亩和22.70万元/亩",
    ),
    _t(
        "tax_per_mu",
        "规上亩均税收",
        22.7,
        "万元/亩",
        "ratio",
        "Table 1 土地利税率（万元/亩）, 2020年; 一(一)4",
        "区属规上工业亩均产值和工业企业亩均税收达到262.1万元/亩和22.70万元/亩",
    ),
    *(
        _t(
            f"category_output:{name}",
            f"{name}产业产值",
            value * 1e4,
            "万元",
            "total",
            f"Table 1 {name}产业产值（亿元）, 2020年",
            f"{name}产业产值（亿元） | … | {value}",
        )
        for name, value in CATEGORY_OUTPUT_2020_YI.items()
    ),
    _t(
        "clusters_over_100yi",
        "百亿级产业集群数（8100）",
        1,
        "个",
        "count",
        "Table 2 培育100亿产业集群（个）, 2020基数",
        "培育100亿产业集群（个） | 1 | 8",
    ),
    _t("title:专精特新:市级", "宁波市专精特新企业（累计）", 25, "家", "count", "一(一)2", _SENT_TITLES),
    _t("title:小巨人:国家级", "国家专精特新小巨人企业（累计）", 7, "家", "count", "一(一)2", _SENT_TITLES),
    _t("title:单项冠军:市级", "宁波市单项冠军示范企业（累计）", 4, "家", "count", "一(一)2", _SENT_TITLES),
    _t("title:隐形冠军:省级", "省隐形冠军企业（累计）", 2, "家", "count", "一(一)2", _SENT_TITLES),
    _t(
        "title:高新技术企业:国家级",
        "高新技术企业（累计）",
        179,
        "家",
        "count",
        "一(一)3",
        "高新技术企业数增长141%，累计达179家",
    ),
    _t(
        "key_enterprises",
        "单项冠军、隐形冠军、小巨人等重点企业（累计）",
        9,
        "家",
        "count",
        "Table 2, 2020基数",
        "累计培育形成单项冠军、隐型冠军、“专精特新”小巨人等为代表的重点企业（家） | 9",
    ),
)
TARGET_BY_KEY = {t.key: t for t in TARGETS}


def expected_value(target: Target, scale: float = 1.0) -> float:
    if target.kind == "count":
        return float(round(target.value * scale))
    if target.kind == "total":
        return target.value * scale
    return target.value


def scaled(key: str, scale: float = 1.0) -> float:
    return expected_value(TARGET_BY_KEY[key], scale)


# --- measuring ------------------------------------------------------------------------------


def _above(t: pl.DataFrame) -> pl.DataFrame:
    return t.filter(pl.col("above_scale") == 1)


def _sum(t: pl.DataFrame, col: str) -> float:
    return float(t[col].sum() or 0.0)


def _count_output(lo: float, hi: float = float("inf")) -> Callable[[pl.DataFrame], float]:
    return lambda t: float(
        _above(t).filter((pl.col("output_wan") >= lo) & (pl.col("output_wan") < hi)).height
    )


def _group_output(t: pl.DataFrame) -> dict[str, float]:
    groups = group_of_class()
    a = _above(t).with_columns(pl.col("industry_code").replace_strict(groups, default="other").alias("group"))
    return {g: float(v) for g, v in a.group_by("group").agg(pl.col("output_wan").sum()).iter_rows()}


def _category_output(category: str) -> Callable[[pl.DataFrame], float]:
    def measure(t: pl.DataFrame) -> float:
        return sum(v for g, v in _group_output(t).items() if GROUP_BY_KEY[g].category == category)

    return measure


def _clusters_over_100yi(t: pl.DataFrame) -> float:
    return float(sum(1 for g, v in _group_output(t).items() if GROUP_BY_KEY[g].is_8100 and v >= 1_000_000))


def _land(t: pl.DataFrame) -> float:
    a = _above(t)
    return _sum(a, "land_mu") + _sum(a, "rented_mu")


MEASURES: dict[str, Callable[[pl.DataFrame], float]] = {
    "above_scale_count": lambda t: float(_above(t).height),
    "above_scale_output": lambda t: _sum(_above(t), "output_wan"),
    "above_scale_value_added": lambda t: _sum(_above(t), "value_added_wan"),
    "below_scale_value_added": lambda t: _sum(t.filter(pl.col("above_scale") == 0), "value_added_wan"),
    "output_over_1yi": _count_output(10_000),
    "output_5_to_10yi": _count_output(50_000, 100_000),
    "output_over_10yi": _count_output(100_000),
    "output_over_100yi": _count_output(1_000_000),
    "rd_spend": lambda t: _sum(_above(t), "rd_spend_wan"),
    "rd_enterprises": lambda t: float(_above(t).filter(pl.col("rd_spend_wan") > 0).height),
    "rd_intensity": lambda t: 100 * _sum(_above(t), "rd_spend_wan") / _sum(_above(t), "revenue_wan"),
    "output_per_mu": lambda t: _sum(_above(t), "output_wan") / _land(t),
    "tax_per_mu": lambda t: _sum(_above(t), "tax_wan") / _land(t),
    "clusters_over_100yi": _clusters_over_100yi,
    **{f"category_output:{c}": _category_output(c) for c in CATEGORY_OUTPUT_2020_YI},
}


def measure_titles(titles: list[dict[str, Any]], year: int = YEAR) -> dict[str, float]:
    """Title counts to `year` (cumulative) and the distinct 重点企业 (小巨人 or 隐形冠军)."""
    upto = [t for t in titles if int(t["title_year"]) <= year]
    out: dict[str, float] = {}
    for target in TARGETS:
        if target.key.startswith("title:"):
            _, title, level = target.key.split(":")
            out[target.key] = float(
                len({t["credit_code"] for t in upto if t["title"] == title and t["title_level"] == level})
            )
    key = {
        t["credit_code"]
        for t in upto
        if (t["title"], t["title_level"]) in {("小巨人", "国家级"), ("隐形冠军", "省级")}
    }
    out["key_enterprises"] = float(len(key))
    return out


def manifest_path(district: DemoDistrict) -> Path:
    """The generator writes manifest.json next to the files/ folder."""
    return district.files[0].path.parent.parent / "manifest.json"


def measure(truth: pl.DataFrame, titles: list[dict[str, Any]], year: int = YEAR) -> dict[str, float]:
    t = truth.filter(pl.col("year") == year)
    values = {key: fn(t) for key, fn in MEASURES.items()}
    values.update(measure_titles(titles, year))
    return values


def check(district: DemoDistrict, scale: float = 1.0) -> list[CheckResult]:
    """Each target with the expected value (at `scale`), the district's actual value, and
    whether it is met: counts exactly, totals and ratios within the target's tolerance."""
    manifest = json.loads(manifest_path(district).read_text(encoding="utf-8"))
    actual = measure(district.truth, manifest["titles"])
    results: list[CheckResult] = []
    for target in TARGETS:
        expected = expected_value(target, scale)
        value = actual[target.key]
        if target.kind == "count":
            ok = value == expected
        else:
            ok = abs(value - expected) <= target.tolerance * abs(expected)
        results.append(CheckResult(target, expected, value, ok))
    return results
