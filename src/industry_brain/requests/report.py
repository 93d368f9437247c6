"""The 晾晒 as the report a 营商办 sends up (Word and PDF), and the 回访 sample it carries.

The report says what `request_stats` says, in the same order and with the same rounding
(stats_rows), so the document and `requests stats --json` cannot disagree: an overview, a table
per answerable unit and per township, the cases drawn for follow-up calls, and what each figure
means. core.document lays the blocks out as Word and PDF alike.

The 回访 sample is drawn from the same cohort as the figures: the cases received in the period
that are now 办结, so each unit's 办结数 is the pool its calls are drawn from. Each unit's draw is
seeded by the seed and the unit's name, so a unit's sample does not move when another unit's
cases change, and the same seed draws the same cases again (a check of the calls can be redone).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.document import Block, write_pages
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.labels import percent
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.requests import clock
from industry_brain.requests.models import EnterpriseRequest
from industry_brain.requests.service import rules_for
from industry_brain.requests.stats import (
    period_bounds,
    received_in,
    request_stats,
    stats_rows,
    write_stats_xlsx,
)

FORMATS = ("xlsx", "docx", "pdf")
CLOSED = "办结"
NUMERALS = "一二三四五六七八九十"
FOLLOWUP_HEAD = (
    "承办单位",
    "问题编号",
    "企业名称",
    "统一社会信用代码",
    "问题分类",
    "办结日期",
    "企业评价",
    "回访情况",
)
DEFINITIONS = (
    "受理数：本期内（按北京时间的受理日）受理的涉企问题件数，不论现处何种状态。",
    "办结数：其中已办结的件数。",
    "按期办结：在办结时限内办结；等待企业补充材料期间暂停计时，经批准的延期计入时限。",
    "逾期：超过办结时限才办结，或至统计日仍未办结且已超过办结时限。",
    "按期办结率：按期办结件数 ÷ 办结数。",
    "办理用时中位数：已办结问题自受理日至办结日所用工作日数的中位数。",
    "满意率：最近一次评价为“满意”或“基本满意”的件数 ÷ 至少评价过一次的件数。",
    "重办率：至少重办过一次的件数 ÷ 至少评价过一次的件数。",
    "承办单位按现主办单位统计（改派后计入新主办单位）；镇街按企业提出问题时的所属镇街统计。",
    "工作日按国务院办公厅公布的节假日安排计算（含调休上班日）。百分比保留一位小数；“—”表示尚无可计算的件数。",
)


def followups(
    session: Session, *, scope: Scope, settings: Settings, period: str, per_unit: int = 3, seed: int = 0
) -> list[dict[str, Any]]:
    """Up to `per_unit` 办结 cases of each lead unit, drawn at random (reproducibly, by `seed`)
    among the cases received in `period`; by unit, then case number."""
    if per_unit < 1:
        raise ConfigurationError(f"每单位抽取件数须至少为 1（现为 {per_unit}）")
    period_bounds(period)
    categories = rules_for(settings).classification.categories
    found = session.execute(
        select(EnterpriseRequest, Enterprise.name)
        .outerjoin(Enterprise, Enterprise.credit_code == EnterpriseRequest.credit_code)
        .where(received_in(period, scope), EnterpriseRequest.state == CLOSED)
        .order_by(EnterpriseRequest.opened_at, EnterpriseRequest.id)
    ).all()
    pools: dict[str, list[tuple[EnterpriseRequest, str | None]]] = defaultdict(list)
    for case, name in found:
        pools[case.lead_unit].append((case, name))
    rows: list[dict[str, Any]] = []
    for unit in sorted(pools):
        pool = pools[unit]
        # not for security: a reproducible draw an official can repeat
        drawn = random.Random(f"{seed}:{unit}").sample(pool, min(per_unit, len(pool)))
        for case, name in sorted(drawn, key=lambda pair: pair[0].id):
            category = categories.get(case.category)
            rows.append(
                {
                    "request_id": case.id,
                    "credit_code": case.credit_code,
                    "enterprise_name": name,
                    "lead_unit": case.lead_unit,
                    "category_name": category.name if category else case.category,
                    "closed_at": case.closed_on.isoformat() if case.closed_on else None,
                    "rating": case.rating,
                }
            )
    return rows


def period_name(period: str) -> str:
    """2026-03 → 2026年3月; 2026-Q3 → 2026年第3季度."""
    first, last = period_bounds(period)
    if first.month == last.month:
        return f"{first.year}年{first.month}月"
    return f"{first.year}年第{(first.month + 2) // 3}季度"


def day_name(day: dt.date | str | None) -> str:
    if day is None:
        return "—"
    d = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{d.year}年{d.month}月{d.day}日"


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(stats: dict[str, Any], part: str) -> Block:
    head, rows = stats_rows(stats, part)
    return Block("table", head=tuple(head), rows=[[_text(v) for v in row] for row in rows])


def _overview(stats: dict[str, Any]) -> str:
    t = stats["total"]
    if not t["received"]:
        return "本期未受理涉企问题。"
    text = f"本期共受理涉企问题 {t['received']} 件，已办结 {t['closed']} 件，其中按期办结 {t['on_time']} 件"
    if t["closed"]:
        rate, days = percent(t["on_time_rate"]), _text(t["median_days"])
        text += f"，按期办结率 {rate}，办理用时中位数 {days} 个工作日"
    text += f"；逾期 {t['overdue']} 件。"
    if t["satisfaction"] is None:
        return text + "本期尚无企业评价。"
    return text + f"企业评价满意率 {percent(t['satisfaction'])}，重办率 {percent(t['redo_rate'])}。"


def _followup_blocks(
    stats: dict[str, Any], calls: list[dict[str, Any]], per_unit: int, seed: int
) -> list[Block]:
    closed = sum(u["closed"] for u in stats["units"])
    if not calls:
        return [Block("p", "本期受理的问题中尚无办结件，暂不抽取回访。")]
    rows = [
        [
            c["lead_unit"],
            str(c["request_id"]),
            c["enterprise_name"] or "—",
            c["credit_code"],
            c["category_name"],
            day_name(c["closed_at"]),
            c["rating"] or "—",
            "",
        ]
        for c in calls
    ]
    return [
        Block(
            "p",
            f"从本期受理并已办结的 {closed} 件问题中，每个承办单位随机抽取至多 {per_unit} 件，"
            f"共 {len(calls)} 件，请电话回访企业，核实办理结果和评价，并在“回访情况”栏记录。"
            f"抽样批号 {seed}，以同一批号重新抽取，结果相同。",
        ),
        Block("table", head=FOLLOWUP_HEAD, rows=rows),
    ]


def report_title(stats: dict[str, Any]) -> str:
    return f"涉企问题办理情况晾晒（{period_name(stats['period'])}）"


def report_blocks(
    stats: dict[str, Any], calls: list[dict[str, Any]], *, per_unit: int, seed: int, today: dt.date
) -> list[Block]:
    """The report, top to bottom."""
    sections = [
        ("总体情况", [Block("p", _overview(stats))]),
        ("各承办单位办理情况", [_table(stats, "units")]),
        ("各镇街办理情况", [_table(stats, "townships")]),
        ("回访抽样", _followup_blocks(stats, calls, per_unit, seed)),
        ("指标说明", [Block("list", items=list(DEFINITIONS))]),
    ]
    out = [
        Block("title", report_title(stats)),
        Block(
            "subtitle",
            f"统计范围：{day_name(stats['from'])}至{day_name(stats['to'])}受理的涉企问题"
            f"　统计截至：{day_name(stats['as_of'])}",
        ),
    ]
    for i, (heading, body) in enumerate(sections):
        out += [Block("h", f"{NUMERALS[i]}、{heading}"), *body]
    out.append(Block("small", f"产业大脑 · 生成于 {day_name(today)}（北京时间）"))
    return out


def report_file_name(period: str, fmt: str) -> str:
    return f"涉企问题办理情况晾晒_{period.upper()}.{fmt}"


def format_of(path: Path) -> str:
    """The report format a file name asks for, by its ending."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ConfigurationError(f"输出文件“{path.name}”须以 .xlsx、.docx 或 .pdf 结尾")
    return fmt


def write_report(
    session: Session,
    *,
    scope: Scope,
    settings: Settings,
    period: str,
    path: Path,
    fmt: str,
    as_of: dt.date | None = None,
    per_unit: int = 3,
    seed: int = 0,
) -> dict[str, Any]:
    """The 晾晒 of `period` in `scope` written to `path` as xlsx (the two tables), docx or pdf
    (the whole report with its 回访 sample); answers the figures it wrote (request_stats')."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"未知的报告格式“{fmt}”；可用：{'、'.join(FORMATS)}")
    stats = request_stats(session, scope=scope, settings=settings, period=period, as_of=as_of)
    if fmt == "xlsx":
        write_stats_xlsx(stats, path)
        return stats
    calls = followups(session, scope=scope, settings=settings, period=period, per_unit=per_unit, seed=seed)
    blocks = report_blocks(stats, calls, per_unit=per_unit, seed=seed, today=clock.today())
    write_pages([blocks], path, fmt=fmt, settings=settings, title=report_title(stats))
    return stats
