"""The Chinese name of every code a user may meet, and how figures are written.

Codes (field names, sources, pools, grades, states, flags, reasons, tiers) are the platform's
keys; officials read them in Chinese. Pages, Excel, Word, PDF and the CLI's tables ask here, so
one code has one name everywhere (docs/glossary.md). Township codes are named by
reference.divisions.township_name, which sits above core.

Figures: money is kept in 万元 and written in 亿元 once it reaches 1 亿; scores and money with
2 decimals, percentages with 1 (`money`, `score`, `percent`, `figure`); `readable_frame`
rounds a table's floats and renames its columns for an Excel an official opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

# field (record and facts column) -> (中文, canonical unit); the import templates' headers
# (ingest.templates.FIELDS) agree with these, a test checks
FIELDS: dict[str, tuple[str, str]] = {
    "credit_code": ("统一社会信用代码", ""),
    "name": ("企业名称", ""),
    "industry_code": ("行业代码", ""),
    "township_code": ("所属镇街", ""),
    "township": ("所属镇街", ""),
    "township_name": ("镇街名称", ""),
    "zone": ("所属园区", ""),
    "established": ("成立日期", ""),
    "above_scale": ("是否规上", ""),
    "year": ("年份", ""),
    "month": ("月份", ""),
    "period": ("期间", ""),
    "account_no": ("户号", ""),
    "parcel_id": ("地块编号", ""),
    "output_wan": ("工业总产值", "万元"),
    "output_ytd_wan": ("工业总产值本年累计", "万元"),
    "sales_wan": ("工业销售产值", "万元"),
    "sales_ytd_wan": ("工业销售产值本年累计", "万元"),
    "export_wan": ("出口交货值", "万元"),
    "export_ytd_wan": ("出口交货值本年累计", "万元"),
    "tax_ytd_wan": ("入库税金本年累计", "万元"),
    "value_added_wan": ("工业增加值", "万元"),
    "revenue_wan": ("营业收入", "万元"),
    "revenue_growth": ("营业收入增速", ""),
    "tax_wan": ("实缴税金", "万元"),
    "rd_spend_wan": ("研发经费", "万元"),
    "rd_intensity": ("研发经费占比", ""),
    "employees": ("从业人员", "人"),
    "land_mu": ("用地面积", "亩"),
    "rented_mu": ("租赁面积", "亩"),
    "energy_tce": ("综合能耗", "吨标准煤"),
    "emission_t": ("主要污染物排放量", "吨"),
    "electricity_wan_kwh": ("用电量", "万千瓦时"),
    "water_t": ("用水量", "吨"),
    "safety_accident": ("安全生产事故", "次"),
    "env_violation": ("环境违法", "次"),
    "title": ("称号", ""),
    "title_level": ("级别", ""),
    "title_year": ("认定年份", ""),
    "score": ("综合得分", "分"),
    "grade": ("评价等级", ""),
    "pool": ("评价池", ""),
    "rank": ("池内排名", ""),
    "reason": ("原因", ""),
    "source": ("来源", ""),
    "chosen_source": ("采用来源", ""),
    "chosen_value": ("采用值", ""),
    "other_source": ("其他来源", ""),
    "other_value": ("其他值", ""),
    "difference": ("相对差异", ""),
    "field": ("指标", ""),
}
# source (import batch) -> the department that sends it
SOURCES: dict[str, str] = {
    "registry": "市场监管局",
    "stats": "统计局",
    "stats-monthly": "统计局（月度快报）",
    "tax-monthly": "税务局（月度入库税金）",
    "tax": "税务局",
    "power": "电力公司",
    "land": "自然资源局",
    "environment": "生态环境局",
    "safety": "应急管理局",
    "titles": "经信局/科技局",
    "correction": "申诉更正",
    "appeal": "申诉更正",
}
POOLS: dict[str, str] = {
    "above_scale": "规上企业",
    "below_scale_3mu_plus": "规下企业（用地3亩及以上）",
    "below_scale_under_3mu": "规下企业（用地3亩以下）",
    "tenant": "租赁企业（无自有用地）",
    "not_evaluated": "不参评",
}
SCALES: dict[str, str] = {"above_scale": "规上企业", "below_scale": "规下企业"}
GRADES: dict[str, str] = {
    "A": "A类（优先支持）",
    "B": "B类（鼓励提升）",
    "C": "C类（帮扶转型）",
    "D": "D类（倒逼整治）",
    "T": "T（不参评）",
}
STATES: dict[str, str] = {
    # evaluation runs and appeals
    "draft": "草稿",
    "published": "公示中",
    "superseded": "已被取代",
    "final": "已终审",
    "pending": "待复核",
    "accepted": "已采纳",
    "rejected": "已驳回",
    # import batches
    "active": "有效",
    "failed": "失败",
    "restored": "已恢复",
    # plan indicators
    "achieved": "已完成",
    "on_track": "符合序时进度",
    "behind": "略有滞后",
    "off_track": "严重滞后",
    "no_data": "暂无实绩",
    "no_baseline": "缺少基期值",
    "check_data": "口径待核实",
    # project lights and chain nodes
    "green": "绿灯",
    "amber": "黄灯",
    "red": "红灯",
    "grey": "无数据",
    "present": "已有",
    "weak": "薄弱",
    "missing": "缺失",
    # movements between years
    "up": "上升",
    "down": "下降",
    "same": "不变",
    "new": "新增",
    "left": "退出",
    "entered": "进入",
}
# why an enterprise is not evaluated, and the one-vote vetoes
REASONS: dict[str, str] = {
    "no_land": "无用地数据",
    "no_tax": "无税收数据",
    "new_enterprise": "新办企业",
    "new": "新办企业",
    "utility": "公用事业企业",
    "low_efficiency": "低效用地（一票否决）",
    "env_violation": "环境违法（一票否决）",
    "safety_accident": "安全生产事故（一票否决）",
}
# what a tier is decided by
TIER_BASES: dict[str, str] = {"scale": "规模", "output": "产值", "title": "称号"}
ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "analyst": "经信局分析员",
    "leader": "领导",
    "department": "部门",
    "town": "镇街",
    "enterprise": "企业",
    "system": "系统",
}
# a chain node's place
STAGES: dict[str, str] = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
# how an actual was obtained
ACTUAL_KINDS: dict[str, str] = {
    "reported": "填报",
    "computed": "计算",
    "derived": "推算",
    "document": "规划文件",
    "record": "企业数据",
}
FLAGS: dict[bool, str] = {True: "是", False: "否"}
OPERATORS: dict[str, str] = {"eq": "=", "ne": "≠", "ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
# chain membership basis (how an enterprise was placed on a node)
BASES: dict[str, str] = {"class": "行业代码", "keyword": "名称关键词", "confirmed": "人工确认"}

_ALL: tuple[Mapping[Any, str], ...] = (
    STATES,
    GRADES,
    POOLS,
    SCALES,
    REASONS,
    SOURCES,
    TIER_BASES,
    ACTUAL_KINDS,
)


def label(code: Any, *vocabularies: Mapping[Any, str]) -> str:
    """The Chinese name of `code` in the given vocabularies (default: every state, grade, pool,
    scale, reason, source and tier basis); '—' for nothing, the code itself if unknown."""
    if code is None or code == "":
        return "—"
    for vocabulary in vocabularies or _ALL:
        if code in vocabulary:
            return vocabulary[code]
    return str(code)


def label_in(vocabulary: Mapping[Any, str], code: Any) -> str:
    """`label(code, vocabulary)` with the vocabulary first (for functools.partial)."""
    return label(code, vocabulary)


def vetoes(codes: str | None) -> str:
    """'env_violation,low_efficiency' -> '环境违法（一票否决）、低效用地（一票否决）'."""
    if not codes:
        return ""
    return "、".join(label(c.strip(), REASONS) for c in codes.split(",") if c.strip())


def field_label(name: str, *, unit: bool = True) -> str:
    """'tax_wan' -> '实缴税金（万元）' (or '实缴税金' without the unit)."""
    chinese, canonical = FIELDS.get(name, (name, ""))
    return f"{chinese}（{canonical}）" if unit and canonical else chinese


def source_label(source: str | None) -> str:
    return label(source, SOURCES)


def flag(value: Any) -> str:
    if value is None:
        return "—"
    return FLAGS.get(bool(value), str(value))


def criterion(field: str, op: str, value: float) -> str:
    """A pool's rule in words: ('revenue_wan', 'ge', 1000) -> '营业收入 ≥ 1000 万元'."""
    chinese, unit = FIELDS.get(field, (field, ""))
    if field == "above_scale":
        return "规上企业" if bool(value) == (op == "eq") else "规下企业"
    if field.endswith("_growth") or field == "rd_intensity":
        return f"{chinese} {OPERATORS.get(op, op)} {value * 100:g}%"
    if unit == "万元" and abs(value) >= 10_000:
        return f"{chinese} {OPERATORS.get(op, op)} {value / 10_000:g} 亿元"
    return f"{chinese} {OPERATORS.get(op, op)} {value:g}{' ' + unit if unit else ''}"


# ---- figures --------------------------------------------------------------------------------------


def money(wan: float | None, *, digits: int = 2) -> str:
    """An amount kept in 万元, as officials write it: '1.23 亿元' from 1 亿 up, else '456.70 万元'."""
    if wan is None:
        return "—"
    if abs(wan) >= 10_000:
        return f"{wan / 10_000:,.{digits}f} 亿元"
    return f"{wan:,.{digits}f} 万元"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def percent(share: float | None, *, digits: int = 1) -> str:
    """A share (0.125) as '12.5%'."""
    return "—" if share is None else f"{share * 100:.{digits}f}%"


def figure(value: Any, *, digits: int = 2) -> str:
    """A number for a table cell: counts as integers, other figures with `digits` decimals."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return flag(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def rounded(value: Any, *, share: bool = False) -> Any:
    """A float for a spreadsheet cell: percentages (shares) to 3 decimals (0.1%), the rest to 2."""
    if isinstance(value, float):
        return round(value, 3 if share else 2)
    return value


# ---- moments and people -------------------------------------------------------------------------

# The platform stores moments in UTC (core.audit.now); officials read Beijing time, which has
# kept UTC+8 without daylight saving since 1992.
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def moment(value: dt.datetime | str | None) -> str:
    """A stored UTC moment (naive or aware, or its ISO text) as Beijing time, '2026-12-07 18:31'."""
    if value is None or value == "":
        return ""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def kwh_scale(total_wan_kwh: float | None) -> tuple[float, str, int]:
    """(factor, unit, decimals) for electricity kept in 万千瓦时, chosen by a total: 亿千瓦时 with
    two decimals from 1亿 up, else 万千瓦时 with one (a township's 0.03 亿千瓦时 reads as nothing).
    One rule for the cockpit's headline and the monitoring tile, so they never disagree."""
    if (total_wan_kwh or 0) >= 10_000:
        return 1e-4, "亿千瓦时", 2
    return 1.0, "万千瓦时", 1
