"""The departments' file templates: which fields each source sends, under which headers.

A field is a glossary idea with one canonical header (the standard template) and the aliases
departments use. Quantities carry a dimension: the unit in a header's brackets is converted to
the canonical unit on import. docs/sources.md is the reference of every template; a test checks
that it lists every field, alias and source here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from industry_brain.core.units import CANONICAL, Dimension
from industry_brain.enterprises.precedence import MASTER_ATTRIBUTES, PRECEDENCE

__all__ = ["FIELDS", "LIMITS", "MASTER_ATTRIBUTES", "PRECEDENCE", "SOURCES", "TEMPLATES"]


class Kind(StrEnum):
    code = "code"  # 统一社会信用代码
    text = "text"
    industry = "industry"  # GB/T 4754-2017 class
    township = "township"  # name or 9-digit code
    date = "date"
    flag = "flag"  # 是/否
    quantity = "quantity"  # number with a dimension
    year = "year"
    month = "month"


# The largest figure one enterprise can plausibly report, in the canonical unit: far above any
# real one (a district's largest firm is some 5000亿元, 1e4 人), so that only a mistake lands
# beyond it, such as 元 written under a 万元 header, or 1.8e308 亿元. Beyond it is a reject.
LIMITS: dict[Dimension, float] = {
    Dimension.money: 1e8,  # 1 万亿元
    Dimension.people: 1e6,
    Dimension.land: 1e6,  # 667 km², half of 鄞州
    Dimension.energy: 1e8,  # 吨标准煤
    Dimension.mass: 1e8,  # 吨
    Dimension.electricity: 1e7,  # 万千瓦时: 1000 亿千瓦时
    Dimension.events: 1e4,
}


@dataclass(frozen=True)
class DateWindow:
    """Where a date field's values may fall: before `earliest` or after today is a reject (when
    `future` is False), before `usual` a warning that asks the department to check."""

    earliest: dt.date
    usual: dt.date
    future: bool = False


@dataclass(frozen=True)
class Field:
    name: str  # code name (GLOSSARY), also the record column
    header: str  # the standard template's header term (unit added in brackets)
    kind: Kind
    aliases: tuple[str, ...] = ()
    dimension: Dimension | None = None
    nonnegative: bool = False
    window: DateWindow | None = None

    @property
    def unit(self) -> str | None:
        return CANONICAL[self.dimension] if self.dimension else None

    @property
    def bounds(self) -> tuple[float, float] | None:
        """A quantity's plausible range in its canonical unit (LIMITS; 0 up when nonnegative)."""
        if self.dimension is None:
            return None
        limit = LIMITS[self.dimension]
        return (0.0 if self.nonnegative else -limit, limit)

    @property
    def template_header(self) -> str:
        return f"{self.header}（{self.unit}）" if self.unit else self.header

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


F = Field
Q = Kind.quantity
FIELDS: tuple[Field, ...] = (
    F("credit_code", "统一社会信用代码", Kind.code, ("社会信用代码", "信用代码", "纳税人识别号")),
    F("name", "企业名称", Kind.text, ("单位名称", "纳税人名称", "企业(单位)名称", "用户名称", "户名")),
    F(
        "industry_code",
        "行业代码",
        Kind.industry,
        ("国民经济行业代码", "行业类别代码", "国民经济行业分类代码"),
    ),
    F("township_code", "所属镇街", Kind.township, ("镇街", "乡镇街道", "所属乡镇街道", "所在镇街")),
    F("zone", "所属园区", Kind.text, ("园区", "工业集聚区", "所属工业集聚区")),
    F(
        "established",
        "成立日期",
        Kind.date,
        ("注册日期", "成立时间"),
        # Before 1900 is a typo (Excel has no earlier date); 1900-1948 is a 老字号 or a typo.
        window=DateWindow(dt.date(1900, 1, 1), dt.date(1949, 1, 1)),
    ),
    F("above_scale", "是否规上", Kind.flag, ("是否规模以上", "规上企业")),
    F("year", "年份", Kind.year, ("年度", "统计年度", "所属年度")),
    F("month", "月份", Kind.month, ("统计月份", "所属期", "抄表月份", "电费年月")),
    F("account_no", "户号", Kind.text, ("用电户号", "电力户号")),
    F("parcel_id", "地块编号", Kind.text, ("不动产权证号", "宗地编号", "土地证号")),
    F(
        "output_wan",
        "工业总产值",
        Q,
        ("总产值", "工业总产值当月", "工业总产值(当月)", "当月工业总产值", "本月工业总产值"),
        Dimension.money,
        True,
    ),
    # The monthly reports' 本年累计 figures (1月 to the report's month) and their months.
    F(
        "output_ytd_wan",
        "工业总产值本年累计",
        Q,
        ("工业总产值累计", "工业总产值(本年累计)", "工业总产值(累计)", "本年累计工业总产值", "总产值累计"),
        Dimension.money,
        True,
    ),
    F(
        "sales_wan",
        "工业销售产值",
        Q,
        ("销售产值", "工业销售产值当月", "工业销售产值(当月)"),
        Dimension.money,
        True,
    ),
    F(
        "sales_ytd_wan",
        "工业销售产值本年累计",
        Q,
        ("工业销售产值累计", "工业销售产值(本年累计)", "工业销售产值(累计)", "销售产值累计"),
        Dimension.money,
        True,
    ),
    F("export_wan", "出口交货值", Q, ("出口交货值当月", "出口交货值(当月)"), Dimension.money, True),
    F(
        "export_ytd_wan",
        "出口交货值本年累计",
        Q,
        ("出口交货值累计", "出口交货值(本年累计)", "出口交货值(累计)"),
        Dimension.money,
        True,
    ),
    F("value_added_wan", "工业增加值", Q, ("增加值",), Dimension.money),
    F("revenue_wan", "营业收入", Q, ("主营业务收入", "营业收入合计"), Dimension.money, True),
    F(
        "tax_wan",
        "实缴税金",
        Q,
        ("税收", "实缴税金合计", "实缴税收", "税收收入", "入库税金"),
        Dimension.money,
    ),
    F(
        "tax_ytd_wan",
        "入库税金本年累计",
        Q,
        ("入库税金累计", "入库税金(本年累计)", "入库税金(累计)", "实缴税金累计", "税收累计"),
        Dimension.money,
    ),
    F("rd_spend_wan", "研发经费", Q, ("研发经费支出", "R&D经费", "R&D经费支出"), Dimension.money, True),
    F(
        "employees",
        "从业人员",
        Q,
        ("年平均从业人员", "从业人员平均人数", "职工人数", "年平均职工人数"),
        Dimension.people,
        True,
    ),
    F("land_mu", "用地面积", Q, ("土地面积", "宗地面积", "自有用地面积"), Dimension.land, True),
    F("rented_mu", "租赁面积", Q, ("租用面积", "租赁用地面积"), Dimension.land, True),
    F("energy_tce", "综合能耗", Q, ("综合能源消费量", "能源消费量"), Dimension.energy, True),
    F("emission_t", "主要污染物排放量", Q, ("污染物排放量",), Dimension.mass, True),
    F("electricity_wan_kwh", "用电量", Q, ("用电量合计", "售电量", "电量"), Dimension.electricity, True),
    F("safety_accident", "安全生产事故", Q, ("安全事故", "事故起数"), Dimension.events, True),
    F("env_violation", "环境违法", Q, ("环境违法次数", "环境违法行为"), Dimension.events, True),
    F("title", "称号", Kind.text, ("荣誉称号", "认定称号", "企业称号")),
    F("title_level", "级别", Kind.text, ("认定级别", "称号级别")),
    F("title_year", "认定年份", Kind.year, ("认定年度",)),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}

# Titles the platform knows (GLOSSARY); other titles are kept as written.
TITLES = ("专精特新", "小巨人", "单项冠军", "隐形冠军", "雄鹰", "高新技术企业", "科技型中小企业")
TITLE_LEVELS = ("国家级", "省级", "市级", "区级")


class PeriodRule(StrEnum):
    none = "none"  # a snapshot (register, titles, account map): no period
    year = "year"  # yearly figures: --period YYYY or a 年份 column (or monthly rows)
    month = "month"  # monthly figures: a 月份 column or --period YYYY-MM


@dataclass(frozen=True)
class Template:
    name: str
    source: str
    title: str  # Chinese name of the file
    fields: tuple[str, ...]  # accepted fields, in the standard template's order
    required: tuple[str, ...]  # must be present as columns
    key: tuple[str, ...]  # a row's identity within one file (with its period)
    period: PeriodRule
    department: str
    additive: bool = False  # rows of one key add up (parcels); without the key every row counts
    # The file must carry at least one of these figures (beside `required`): what tells a
    # land file from a tax file that also names its enterprises by credit code.
    figures: tuple[str, ...] = ()

    def field_specs(self) -> list[Field]:
        return [FIELD_BY_NAME[n] for n in self.fields]


T = Template
MONTHLY_STATS_FIGURES = (
    "output_wan",
    "output_ytd_wan",
    "sales_wan",
    "sales_ytd_wan",
    "export_wan",
    "export_ytd_wan",
    "employees",
)
# (当月, 本年累计) of the monthly templates: a month missing from a file is derived from 累计,
# and a 累计 below the previous month's is a reject (ingest/cumulative.py).
CUMULATIVE_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "stats-monthly": (
        ("output_wan", "output_ytd_wan"),
        ("sales_wan", "sales_ytd_wan"),
        ("export_wan", "export_ytd_wan"),
    ),
    "tax-monthly": (("tax_wan", "tax_ytd_wan"),),
}
TEMPLATES: tuple[Template, ...] = (
    T(
        "registry",
        "registry",
        "企业登记信息",
        ("credit_code", "name", "industry_code", "township_code", "zone", "established"),
        ("credit_code", "name"),
        ("credit_code",),
        PeriodRule.none,
        "市场监管",
    ),
    T(
        "stats",
        "stats",
        "规模以上工业企业主要经济指标",
        (
            "credit_code",
            "name",
            "industry_code",
            "township_code",
            "year",
            "above_scale",
            "output_wan",
            "value_added_wan",
            "revenue_wan",
            "rd_spend_wan",
            "employees",
            "energy_tce",
            "tax_wan",
            "land_mu",
        ),
        ("credit_code",),
        ("credit_code",),
        PeriodRule.year,
        "统计",
        figures=(
            "above_scale",
            "output_wan",
            "value_added_wan",
            "revenue_wan",
            "rd_spend_wan",
            "employees",
            "energy_tce",
            "tax_wan",
            "land_mu",
        ),
    ),
    T(
        "tax",
        "tax",
        "企业纳税情况",
        ("credit_code", "name", "year", "month", "tax_wan", "revenue_wan"),
        ("credit_code", "tax_wan"),
        ("credit_code",),
        PeriodRule.year,
        "税务",
    ),
    T(
        "power",
        "power",
        "企业月度用电量",
        ("account_no", "credit_code", "name", "month", "electricity_wan_kwh"),
        ("account_no", "electricity_wan_kwh"),
        ("account_no",),
        PeriodRule.month,
        "电力",
    ),
    T(
        "power_accounts",
        "power",
        "用电户号与企业对应关系",
        ("account_no", "credit_code", "name"),
        ("account_no", "credit_code"),
        ("account_no",),
        PeriodRule.none,
        "电力",
    ),
    T(
        "stats-monthly",
        "stats-monthly",
        "规模以上工业企业月度快报",
        (
            "credit_code",
            "name",
            "industry_code",
            "township_code",
            "month",
            "above_scale",
            "output_wan",
            "output_ytd_wan",
            "sales_wan",
            "sales_ytd_wan",
            "export_wan",
            "export_ytd_wan",
            "employees",
        ),
        ("credit_code",),
        ("credit_code",),
        PeriodRule.month,
        "统计",
        figures=MONTHLY_STATS_FIGURES,
    ),
    T(
        "tax-monthly",
        "tax-monthly",
        "企业月度入库税金",
        ("credit_code", "name", "month", "tax_wan", "tax_ytd_wan"),
        ("credit_code",),
        ("credit_code",),
        PeriodRule.month,
        "税务",
        figures=("tax_wan", "tax_ytd_wan"),
    ),
    T(
        "land",
        "land",
        "企业用地情况",
        ("credit_code", "name", "parcel_id", "year", "land_mu", "rented_mu"),
        ("credit_code",),
        ("credit_code", "parcel_id"),
        PeriodRule.year,
        "自然资源",
        additive=True,
        figures=("land_mu", "rented_mu"),
    ),
    T(
        "environment",
        "environment",
        "企业排污与环境违法情况",
        ("credit_code", "name", "year", "emission_t", "env_violation"),
        ("credit_code",),
        ("credit_code",),
        PeriodRule.year,
        "生态环境",
        figures=("emission_t", "env_violation"),
    ),
    T(
        "safety",
        "safety",
        "企业安全生产事故情况",
        ("credit_code", "name", "year", "safety_accident"),
        ("credit_code", "safety_accident"),
        ("credit_code",),
        PeriodRule.year,
        "应急管理",
    ),
    T(
        "titles",
        "titles",
        "企业荣誉称号认定名单",
        ("credit_code", "name", "title", "title_level", "title_year"),
        ("credit_code", "title", "title_year"),
        ("credit_code", "title", "title_level"),
        PeriodRule.none,
        "经信/科技",
    ),
)
TEMPLATE_BY_NAME = {t.name: t for t in TEMPLATES}
SOURCES: tuple[str, ...] = tuple(dict.fromkeys(t.source for t in TEMPLATES))


def templates_for(source: str) -> list[Template]:
    return [t for t in TEMPLATES if t.source == source]


def carries(template: Template, present: set[str]) -> bool:
    """Whether a header naming the fields `present` carries what `template` needs."""
    return set(template.required) <= present and (
        not template.figures or bool(present & set(template.figures))
    )


@cache
def header_index() -> dict[str, str]:
    """Every header term and alias (normalised) -> field name."""
    from industry_brain.core.text import squash, to_halfwidth

    index: dict[str, str] = {}
    for f in FIELDS:
        for term in f.terms:
            index[squash(to_halfwidth(term))] = f.name
    return index


def _source_labels() -> dict[str, str]:
    from industry_brain.ingest.corrections import CORRECTION_SOURCE

    return {t.source: t.department for t in TEMPLATES} | {CORRECTION_SOURCE: "申诉更正"}


# Each source's department, as officials name it (the profile's and the evidence's 来源).
SOURCE_LABELS: dict[str, str] = _source_labels()
