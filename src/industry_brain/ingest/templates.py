"""The departments' file templates: which fields each source sends, under which headers.

A field is a glossary idea with one canonical header (the standard template) and the aliases
departments use. Quantities carry a dimension: the unit in a header's brackets is converted to
the canonical unit on import. docs/sources.md is the reference of every template; a test checks
that it lists every field, alias and source here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from industry_brain.core.units import CANONICAL, Dimension
from industry_brain.enterprises.precedence import MASTER_ATTRIBUTES, PRECEDENCE

__all__ = ["FIELDS", "MASTER_ATTRIBUTES", "PRECEDENCE", "SOURCES", "TEMPLATES"]


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


@dataclass(frozen=True)
class Field:
    name: str  # code name (GLOSSARY), also the record column
    header: str  # the standard template's header term (unit added in brackets)
    kind: Kind
    aliases: tuple[str, ...] = ()
    dimension: Dimension | None = None
    nonnegative: bool = False

    @property
    def unit(self) -> str | None:
        return CANONICAL[self.dimension] if self.dimension else None

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
    F("established", "成立日期", Kind.date, ("注册日期", "成立时间")),
    F("above_scale", "是否规上", Kind.flag, ("是否规模以上", "规上企业")),
    F("year", "年份", Kind.year, ("年度", "统计年度", "所属年度")),
    F("month", "月份", Kind.month, ("统计月份", "所属期", "抄表月份", "电费年月")),
    F("account_no", "户号", Kind.text, ("用电户号", "电力户号")),
    F("parcel_id", "地块编号", Kind.text, ("不动产权证号", "宗地编号", "土地证号")),
    F("output_wan", "工业总产值", Q, ("总产值",), Dimension.money, True),
    F("value_added_wan", "工业增加值", Q, ("增加值",), Dimension.money),
    F("revenue_wan", "营业收入", Q, ("主营业务收入", "营业收入合计"), Dimension.money, True),
    F(
        "tax_wan",
        "实缴税金",
        Q,
        ("税收", "实缴税金合计", "实缴税收", "税收收入", "入库税金"),
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

    def field_specs(self) -> list[Field]:
        return [FIELD_BY_NAME[n] for n in self.fields]


T = Template
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
        "land",
        "land",
        "企业用地情况",
        ("credit_code", "name", "parcel_id", "year", "land_mu", "rented_mu"),
        ("credit_code",),
        ("credit_code", "parcel_id"),
        PeriodRule.year,
        "自然资源",
        additive=True,
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


@cache
def header_index() -> dict[str, str]:
    """Every header term and alias (normalised) -> field name."""
    from industry_brain.core.text import squash, to_halfwidth

    index: dict[str, str] = {}
    for f in FIELDS:
        for term in f.terms:
            index[squash(to_halfwidth(term))] = f.name
    return index
