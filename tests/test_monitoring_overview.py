"""The cockpit's 经济运行 figures (monitoring.overview) and the alert inboxes per role, on SQLite
and PostgreSQL, through the normal import path.

Figures (stats-monthly, 万元), March: A 100000→130000, B 200000→180000 (锦屏街道), C new with
50000, D 80000 last year only (岳林街道). 当月 360000 万元 = 36.00 亿元; 同口径 {A, B}
310000 / 300000 − 1 = +3.3%; 累计 1070000 万元 = 107.00 亿元, {A, B} 920000 / 900000 − 1 = +2.2%.
锦屏街道: 当月 31.00 亿元, +3.3%.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from helpers import code, run_import, write_csv, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.enterprises.models import Enterprise
from industry_brain.monitoring import alerts
from industry_brain.monitoring.overview import economy_figures, economy_overview, open_alert_count
from monitoring_alerts_fixtures import months

HEAD = ["统一社会信用代码", "企业名称", "月份", "行业代码"]
HEAD += ["工业总产值（万元）", "工业总产值本年累计（万元）"]
ENTS = {1: ("甲", "3444", "330213001"), 2: ("乙", "1811", "330213001"), 3: ("丙", "3670", "330213002")}
ENTS[4] = ("丁", "3445", "330213002")
FIGURES = {
    2024: {1: (100_000, 300_000), 2: (200_000, 600_000), 4: (80_000, 240_000)},
    2025: {1: (130_000, 360_000), 2: (180_000, 560_000), 3: (50_000, 150_000)},
}
LEADER = Scope(role="leader", username="leader")
JINPING = Scope(role="town", username="jp", township_code="330213001")


def _place(engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:  # the master record's township (the registry's, in life)
        for n, (_, industry, town) in ENTS.items():
            s.execute(
                update(Enterprise)
                .where(Enterprise.credit_code == code(n))
                .values(township_code=town, industry_code=industry)
            )


@pytest.fixture
def monthly(engine, settings, tmp_path):  # type: ignore[no-untyped-def]
    for year, figures in FIGURES.items():
        rows = [HEAD] + [
            [code(n), ENTS[n][0], f"{year}-03", ENTS[n][1], m, ytd] for n, (m, ytd) in figures.items()
        ]
        run_import(engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", rows), "stats-monthly")
    _place(engine)
    return engine


def test_the_newest_month_in_yi_yuan_with_the_comparable_growth(monthly, settings):
    with transaction(monthly) as s:
        district = economy_figures(s, scope=LEADER, settings=settings)
        town = economy_figures(s, scope=JINPING, settings=settings)
        refused = economy_figures(s, scope=Scope(role="enterprise", credit_code=code(1)), settings=settings)
        empty = economy_figures(s, scope=LEADER, settings=settings, month="2025-07")
    assert (district["month"], district["period"], district["area"]) == ("2025-03", "1-3月", "全区")
    [output] = district["figures"]  # the file gives output only
    assert output == {
        "indicator": "output",
        "name": "规上工业总产值",
        "unit": "亿元",
        "month_value": 36.0,
        "ytd_value": 107.0,
        "yoy_pct": 3.3,
        "ytd_yoy_pct": 2.2,
    }
    assert town["area"] == "锦屏街道"
    assert (town["figures"][0]["month_value"], town["figures"][0]["yoy_pct"]) == (31.0, 3.3)
    assert refused == {"available": False, "message": "无权查看"}
    assert empty["available"] is False and "还没有任何企业月度数据" in empty["message"]


# ---- alerts: counts and inboxes per role ----------------------------------------------------

ACCOUNTS = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"], ["3300002", code(2), "乙"]]


@pytest.fixture
def alerting(engine, settings, tmp_path):  # type: ignore[no-untyped-def]
    """甲 (锦屏街道) 10 万kWh a month, from March 2024 4 万kWh: power_yoy_drop fires in April."""
    run_import(engine, settings, write_csv(tmp_path / "acc.csv", ACCOUNTS), "power")
    for year in ("2023", "2024"):
        rows = [["户号", "月份", "用电量（千瓦时）"]]
        for m in months(f"{year}-01", "2024-04" if year == "2024" else "2023-12"):
            rows += [["3300001", m, 40_000 if m >= "2024-03" else 100_000], ["3300002", m, 100_000]]
        run_import(engine, settings, write_csv(tmp_path / f"p{year}.csv", rows), "power")
    _place(engine)
    with transaction(engine) as s:
        for month in ("2024-03", "2024-04"):
            alerts.evaluate(s, month=month, scope=Scope.system())
    return engine


def _chain_of_class() -> tuple[str, str, str]:
    """(a chain's id, a class on one of its nodes, another chain's id)."""
    from industry_brain.clusters.chains import shipped_chains

    chains = shipped_chains()
    first = next(c for c in chains if any(n.classes for n in c.nodes))
    cls = next(n.classes[0] for n in first.nodes if n.classes)
    other = next(c for c in chains if cls not in c.classes())
    return first.id, cls, other.id


def test_open_alerts_are_counted_in_the_scope_and_leave_when_dismissed(alerting, settings):
    with transaction(alerting) as s:
        got = economy_overview(s, scope=LEADER, settings=settings)
        assert got["alerts"] == {"month": "2024-04", "open": 1, "link": "/monitoring/alerts?month=2024-04"}
        assert open_alert_count(s, scope=JINPING)["open"] == 1
        other = Scope(role="town", username="yl", township_code="330213002")
        assert open_alert_count(s, scope=other)["open"] == 0
        [drop] = alerts.list_alerts(s, month="2024-04", scope=JINPING, state="firing")
        alerts.dismiss(s, alert_id=drop["alert_id"], reason="检修", scope=JINPING)
        assert open_alert_count(s, scope=LEADER)["open"] == 0


def test_a_chain_chief_sees_and_handles_its_chains_enterprises_alerts(alerting):
    chain, cls, other_chain = _chain_of_class()
    with transaction(alerting) as s:
        s.execute(update(Enterprise).where(Enterprise.credit_code == code(1)).values(industry_code=cls))
    chief = Scope(role="chain_chief", username="lz", chain=chain)
    stranger = Scope(role="chain_chief", username="lz2", chain=other_chain)
    with transaction(alerting) as s:
        mine = alerts.list_alerts(s, month="2024-04", scope=chief)
        assert {r["credit_code"] for r in mine} == {code(1)}
        assert alerts.list_alerts(s, month="2024-04", scope=stranger) == []
        with pytest.raises(alerts.AlertNotFound):
            alerts.ack(s, alert_id=mine[0]["alert_id"], comment="看看", scope=stranger)
        alerts.ack(s, alert_id=mine[0]["alert_id"], comment="已约谈企业", scope=chief)
        [acked] = [r for r in alerts.list_alerts(s, month="2024-04", scope=chief) if r["acked"]]
        assert acked["ack_comment"] == "已约谈企业"


def test_the_tile_reads_as_finished_chinese_figures():
    from industry_brain.web.pages.cockpit_economy import headline_cards, tile_html

    economy = {
        "available": True,
        "month": "2025-03",
        "period": "1-3月",
        "area": "全区",
        "figures": [
            {"indicator": "output", "name": "规上工业总产值", "unit": "亿元", "month_value": 36.0,
             "ytd_value": 107.0, "yoy_pct": 3.3, "ytd_yoy_pct": -2.2},
            {"indicator": "electricity", "name": "规上工业用电量", "unit": "万千瓦时", "month_value": 123.4,
             "ytd_value": 1413.3, "yoy_pct": None, "ytd_yoy_pct": 8.5},
        ],
    }  # fmt: skip
    alerts = {"month": "2025-03", "open": 2, "link": "/monitoring/alerts?month=2025-03"}
    html = tile_html(economy, alerts, "zh-CN")
    assert "全区 2025年3月（当月）与1-3月（累计），规上工业" in html
    assert "规上工业总产值（亿元）" in html and ">36.00<" in html and ">107.00<" in html
    assert "同比 +3.3%" in html and "同比 -2.2%" in html and "同比 —" in html
    assert ">1,413.3<" in html  # 万千瓦时 with one decimal
    assert "2025年3月未解除的企业预警 2 条" in html and 'href="/monitoring/alerts?month=2025-03"' in html
    cards = headline_cards(economy, "zh-CN")
    assert "全区 2025年1-3月" in cards and "107.00 亿元" in cards
    assert headline_cards({"available": False, "message": "无权查看"}, "zh-CN") == ""
    none = tile_html(
        {"available": False, "message": "暂无"}, {"month": None, "open": 0, "link": "/x"}, "zh-CN"
    )
    assert "尚未计算企业预警" in none


def test_the_cli_gives_the_same_figures(monthly, db_url):
    import json

    from typer.testing import CliRunner

    from industry_brain.cli.main import build_app

    result = CliRunner().invoke(build_app(), ["monitoring", "overview", "--json", "--db", db_url])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["month"], got["figures"][0]["month_value"], got["figures"][0]["yoy_pct"]) == (
        "2025-03",
        36.0,
        3.3,
    )
    assert got["alerts"] == {"month": None, "open": 0, "link": "/monitoring/alerts"}
