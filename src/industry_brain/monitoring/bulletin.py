"""The monthly bulletin (工业经济运行月报): one set of contents from the indicators service,
written as Word or PDF. Sections: 总体情况, 主要指标, 镇街晾晒, 产业集群, 运行走势, 重点企业变动,
预警情况 (from monitoring.alerts.summary where that module exists), 说明."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.monitoring import analytics
from industry_brain.monitoring.indicators import (
    INDICATOR_NAMES,
    MonitoringForbidden,
    indicators,
    load_panel,
    parse_month,
    town_ranking,
)

TREND_MONTHS = 24


def yi(wan: float | None, unit: str) -> str:
    """万元 as 亿元 with two decimals; 万千瓦时 as they are with one."""
    if wan is None:
        return "—"
    return f"{wan / 10000:,.2f}" if unit == "万元" else f"{wan:,.1f}"


def unit_shown(unit: str) -> str:
    return "亿元" if unit == "万元" else unit


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _growth_words(value: float | None) -> str:
    if value is None:
        return "无可比数据"
    return f"同比增长{value:.1f}%" if value >= 0 else f"同比下降{abs(value):.1f}%"


def subject(indicator_name: str) -> str:
    """规上工业总产值, 规上工业用电量: the indicator after 规上, 工业 said once."""
    return "规上" + (indicator_name if indicator_name.startswith("工业") else "工业" + indicator_name)


def _district_name(settings: Any) -> str:
    from industry_brain.reference.divisions import divisions

    place = divisions().get(settings.district_code[:6])
    return place.name if place else "全区"


def _alerts_summary(session: Session, month: str) -> list[str] | None:
    """The alerts' summary lines from monitoring.alerts.summary, None where alerts are not
    installed. Accepts a list of sentences, or a dict with `lines` or `text`."""
    if importlib.util.find_spec("industry_brain.monitoring.alerts") is None:
        return None
    module = importlib.import_module("industry_brain.monitoring.alerts")
    summary = getattr(module, "summary", None)
    if summary is None:
        return None
    got = summary(session, month=month)
    if isinstance(got, dict):
        return alert_lines(got)
    if isinstance(got, str):
        return [got]
    return [str(x) for x in got]


SEVERITY_NAMES = {"critical": "严重", "warning": "警告", "info": "提示"}


def alert_lines(got: dict[str, Any]) -> list[str]:
    """The alerts summary (monitoring.alerts.summary: total, by_severity, by_rule, by_town, top)
    as sentences: the count by severity, by rule and by township, then the top alerts' own
    explanations."""
    from industry_brain.reference.divisions import township_name

    total = int(got.get("total") or 0)
    if not total:
        return ["本月没有未解除的企业预警。"]
    severity = "、".join(
        f"{SEVERITY_NAMES.get(k, k)}{v}条" for k, v in (got.get("by_severity") or {}).items() if v
    )
    lines = [f"本月未解除的企业预警共{total}条" + (f"，其中{severity}" if severity else "") + "。"]
    names = {t.get("rule"): t.get("rule_name") for t in got.get("top") or [] if t.get("rule_name")}
    rules = [f"{names[k]}{v}条" for k, v in (got.get("by_rule") or {}).items() if k in names]
    if rules:
        lines.append("按规则：" + "、".join(rules) + "。")
    towns = [f"{township_name(k or None)}{v}条" for k, v in (got.get("by_town") or {}).items()]
    if towns:
        lines.append("按镇街：" + "、".join(towns) + "。")
    lines += [
        f"{i}. {t['explanation']}"
        for i, t in enumerate(got.get("top") or [], start=1)
        if t.get("explanation")
    ]
    return lines


def _trend(
    session: Session, *, year: int, month_no: int, indicator: str
) -> tuple[list[str], list[float | None], list[float | None]]:
    """The district's monthly totals of the last 12 months and of the 12 before them."""
    first = f"{year - 2}-{month_no + 1:02d}" if month_no < 12 else f"{year - 1}-01"
    panel = load_panel(session, first=first, last=f"{year}-{month_no:02d}")
    from industry_brain.monitoring.engine import run

    def build(panel: Any) -> Any:
        members = analytics.area_members(panel, None)
        members = members.filter(members.area_kind == "district")
        return analytics.monthly_series(panel, members, indicator=indicator)

    series = run(build, {"panel": panel})
    by = {(int(r["year"]), int(r["month_no"])): float(r["value"]) for r in series.to_dicts()}
    labels, cur, prev = [], [], []
    for k in range(12):
        m = (month_no - 11 + k - 1) % 12 + 1
        y = year if m <= month_no else year - 1
        labels.append(f"{y}年{m}月" if k == 0 or m == 1 else f"{m}月")
        cur.append(by.get((y, m)))
        prev.append(by.get((y - 1, m)))
    return labels, cur, prev


def _movers(session: Session, *, year: int, month_no: int, indicator: str) -> list[dict[str, Any]]:
    from industry_brain.enterprises.models import Enterprise
    from industry_brain.monitoring.engine import run

    panel = load_panel(session, first=f"{year - 1}-01", last=f"{year}-{month_no:02d}")
    frame = run(
        lambda panel: analytics.movers(panel, year=year, month_no=month_no, indicator=indicator),
        {"panel": panel},
    )
    codes = frame["credit_code"].to_list()
    names = dict(
        session.execute(
            select(Enterprise.credit_code, Enterprise.name).where(Enterprise.credit_code.in_(codes))
        ).all()
    )
    rows = [{**r, "name": names.get(r["credit_code"]) or r["credit_code"]} for r in frame.to_dicts()]
    return sorted(rows, key=lambda r: -abs(r["delta"]))


def _headline_indicator(rows: list[dict[str, Any]]) -> str:
    """Output when the month has any, else the first indicator that has figures."""
    for name in INDICATOR_NAMES:
        if any(
            r["indicator"] == name and r["area_kind"] == "district" and r["month_value"] is not None
            for r in rows
        ):
            return name
    raise IndustryBrainError("本月没有任何可汇总的指标数据")


def bulletin_data(session: Session, *, month: str, scope: Scope, settings: Any) -> dict[str, Any]:
    """Everything the bulletin shows, as data (the Word and the PDF writer, and the page)."""
    if not scope.district_wide:
        raise MonitoringForbidden("运行月报汇总全区数据，仅区级账号可生成")
    year, month_no = parse_month(month)
    if month_no == 1:
        # As the statistics bureau publishes: the Spring Festival moves between January and
        # February, so January is not published alone but with February as 1-2月.
        raise IndustryBrainError(f"1月数据与2月合并为“1-2月”发布，请生成 {year}-02 的月报")
    rows = indicators(session, month=month, scope=scope, settings=settings, scale="above")
    head = _headline_indicator(rows)
    period = f"1-{month_no}月"
    shown = "1-2月" if month_no == 2 else f"{month_no}月"  # February's month is 1-2月
    district = [r for r in rows if r["area_kind"] == "district" and r["period"] == shown]
    clusters = [
        r
        for r in rows
        if r["area_kind"] in ("cluster", "chain")
        and r["indicator"] == head
        and r["comparable"]
        and r["period"] == shown
    ]
    clusters.sort(key=lambda r: (r["ytd_yoy_pct"] is None, -(r["ytd_yoy_pct"] or 0)))
    labels, cur, prev = _trend(session, year=year, month_no=month_no, indicator=head)
    return {
        "title": f"{_district_name(settings)}工业经济运行月报",
        "month": month,
        "year": year,
        "month_no": month_no,
        "period": period,
        "headline": head,
        "district": district,
        "towns": town_ranking([r for r in rows if r["period"] == shown], indicator=head),
        "clusters": clusters,
        "trend": {"labels": labels, "current": cur, "previous": prev, "indicator": head},
        "movers": _movers(session, year=year, month_no=month_no, indicator=head),
        "alerts": _alerts_summary(session, month),
    }


def overview(data: dict[str, Any]) -> list[str]:
    """The 总体情况 sentences, one per indicator with figures."""
    lines = []
    for r in data["district"]:
        if not r["comparable"] or r["ytd_value"] is None:
            continue
        unit = unit_shown(r["unit"])
        line = f"{data['period']}，全区{subject(r['indicator_name'])}{yi(r['ytd_value'], r['unit'])}{unit}，"
        line += _growth_words(r["ytd_yoy_pct"])
        if data["month_no"] > 2:  # January and February are published together, as 1-2月
            month_value = yi(r["month_value"], r["unit"])
            line += f"；{data['month_no']}月当月{month_value}{unit}，{_growth_words(r['yoy_pct'])}"
        lines.append(line + "。")
    return lines


def write_bulletin(session: Session, *, month: str, scope: Scope, settings: Any, output: Path) -> Path:
    suffix = output.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise IndustryBrainError(f"输出文件“{output.name}”应以 .docx 或 .pdf 结尾")
    data = bulletin_data(session, month=month, scope=scope, settings=settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    from industry_brain.monitoring import bulletin_render

    if suffix == ".docx":
        return bulletin_render.write_docx(data, output, settings=settings)
    return bulletin_render.write_pdf(data, output, settings=settings)
