"""The record fields a policy condition or amount formula may name, with the department that
holds each (named in an `unknown` result) and, for derived fields, the figures they need.

docs/policies.md lists them; a policy file naming any other field is refused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str  # Chinese name, as the trace and the enterprise page show it
    kind: str  # number, flag (0/1), text
    unit: str
    holder: str  # the department that holds the figure
    needs: tuple[str, ...] = ()  # derived fields: the stored figures they are computed from


FIELDS: dict[str, Field] = {
    "industry_code": Field("国民经济行业代码", "text", "", "区统计局"),
    "township_code": Field("所在镇（街道）", "text", "", "区市场监管局"),
    "zone": Field("所在园区", "text", "", "区市场监管局"),
    "above_scale": Field("规模以上工业企业", "flag", "", "区统计局"),
    "above_scale_prev": Field("上年为规模以上工业企业", "flag", "", "区统计局", ("above_scale_prev",)),
    "revenue_wan": Field("营业收入", "number", "万元", "区统计局"),
    "output_wan": Field("工业总产值", "number", "万元", "区统计局"),
    "value_added_wan": Field("工业增加值", "number", "万元", "区统计局"),
    "tax_wan": Field("实缴税金", "number", "万元", "区税务局"),
    "rd_spend_wan": Field("研发投入", "number", "万元", "区统计局"),
    "employees": Field("从业人员", "number", "人", "区统计局"),
    "land_mu": Field("自有用地面积", "number", "亩", "区自然资源局"),
    "energy_tce": Field("综合能耗", "number", "吨标准煤", "区统计局"),
    "safety_accident": Field("安全生产事故", "flag", "", "区应急管理局"),
    "env_violation": Field("环境违法行为", "flag", "", "区生态环境局"),
    "rd_ratio": Field("研发投入占比", "number", "%", "区统计局", ("rd_spend_wan", "revenue_wan")),
    "revenue_growth": Field("营业收入增速", "number", "%", "区统计局", ("revenue_wan", "revenue_prev_wan")),
    "output_growth": Field("工业总产值增速", "number", "%", "区统计局", ("output_wan", "output_prev_wan")),
    "mu_grade": Field("亩均效益综合评价等级", "text", "", "区经信局（亩均评价）"),
    "tech_investment_wan": Field("技术改造设备投资额", "number", "万元", "区经信局（技改项目备案）"),
}
# The stored inputs a record table may carry beside FIELDS (derived fields read them).
INPUTS = ("revenue_prev_wan", "output_prev_wan")
# Title conditions read the titles records (企业荣誉称号认定名单), held by these departments.
TITLE_HOLDER = "区经信局/区科技局（认定名单）"
TITLE_LEVELS = ("国家级", "省级", "市级", "区级")


def needs(field: str) -> tuple[str, ...]:
    """The stored figures `field` is computed from (itself when stored)."""
    return FIELDS[field].needs or (field,)
