"""经济运行 in a real browser (Debian's chromium, Playwright) on the small demo district with its
monthly reports and the newest month's alerts evaluated: the leader's cockpit shows the 经济运行
tile and the monthly headline in finished Chinese figures (亿元 with two decimals, 同比 in %),
a town's alerts inbox holds its own township's alerts only and acknowledging one works, and a
chain chief's inbox holds its chain's enterprises'. Screenshots go to
$PYTEST_ARTIFACTS/browser (default tests/artifacts/browser)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_browser_pages import CHROMIUM, SERVER, _free_port, artifacts
from web_fixtures import wait_for_login

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
PASSWORD = "monitoring-9-horse"


def _seed(url: str) -> dict[str, Any]:
    """The newest month's alerts (and the month before's, so episodes continue) evaluated, and
    a leader, a town (the township with most alerts) and a chain chief (the chain with most)."""
    from industry_brain.core.auth import create_user
    from industry_brain.core.db import transaction
    from industry_brain.core.scope import Scope
    from industry_brain.monitoring import alerts
    from industry_brain.monitoring.series import latest_month
    from industry_brain.registry import open_database

    engine = open_database(url)
    with transaction(engine) as s:
        month = latest_month(s)
        before = f"{month[:4]}-{int(month[5:]) - 1:02d}" if month[5:] != "01" else month
        for m in dict.fromkeys((before, month)):
            alerts.evaluate(s, month=m, scope=Scope.system())
    with transaction(engine) as s:
        listed = alerts.list_alerts(s, month=month, scope=Scope.system())
        rows = [r for r in listed if r["state"] != "pending"]
        towns = Counter(r["township_code"] for r in rows if r["township_code"])
        town = towns.most_common(1)[0][0]
        from industry_brain.clusters.chains import shipped_chains

        chains = {c.id: len(alerts.list_alerts(s, month=month, scope=Scope(role="chain_chief", chain=c.id)))
                  for c in shipped_chains()}  # fmt: skip
        chain = max(chains, key=lambda c: chains[c])
        chief = Scope(role="chain_chief", chain=chain)
        chain_rows = [r for r in alerts.list_alerts(s, month=month, scope=chief) if r["state"] != "pending"]
        for username, role, fields in (
            ("m-leader", "leader", {}),
            ("m-town", "town", {"township_code": town}),
            ("m-chief", "chain_chief", {"unit": chain}),
        ):
            create_user(s, username=username, role=role, password=PASSWORD, **fields)
    engine.dispose()
    own = [r for r in rows if r["township_code"] == town]
    others = [r for r in rows if r["township_code"] != town]
    return {"month": month, "town": town, "own": own, "others": others, "chain_rows": chain_rows}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:

    from industry_brain.demo.build import build_demo

    summary = build_demo(directory=tmp_path_factory.mktemp("district"), scale=0.05)
    url = summary["database"]
    seeded = _seed(url)
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)], stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    wait_for_login(proc, base, log)
    yield {**seeded, "base": base}
    proc.terminate()
    proc.wait(timeout=20)


def _sign_in(browser: Any, server: dict[str, Any], username: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(60_000)
    page.goto(f"{server['base']}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _open(page: Any, server: dict[str, Any], path: str, ready: str | None = None) -> str:
    page.goto(f"{server['base']}{path}")
    if ready:
        page.locator(ready).first.wait_for(state="attached", timeout=150_000)
    page.wait_for_function("() => window.socket && window.socket.connected")
    page.wait_for_timeout(500)
    return str(page.inner_text("body"))


def _shot(page: Any, name: str) -> Path:
    path = artifacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_the_leaders_cockpit_shows_the_economy_tile_in_finished_figures(browser, server):
    page = _sign_in(browser, server, "m-leader")
    try:
        text = _open(page, server, "/cockpit", ".cockpit-ready")
        month = server["month"]
        assert "经济运行" in text
        assert f"全区 {month[:4]}年{int(month[5:])}月（当月）与1-{int(month[5:])}月（累计），规上工业" in text
        tile = page.locator("table.cockpit-economy").inner_text()
        for name in ("规上工业总产值（亿元）", "规上工业用电量", "规上工业入库税金（亿元）"):
            assert name in tile
        assert re.search(r"\d+\.\d{2}\s", tile + " ")  # 亿元 with two decimals
        assert re.search(r"同比 [+-]\d+\.\d%", tile)  # 同比 as a percentage, one decimal
        assert "None" not in text and "nan" not in text.lower()
        # the headline on top: the month's 累计 with 同比, then the year's figures
        headline = page.locator(".cockpit-economy-headline").first.inner_text()
        assert "规上工业总产值" in headline and "亿元" in headline and "同比" in headline
        link = page.locator("a.cockpit-economy-alerts")
        assert re.fullmatch(r"\d{4}年\d{1,2}月未解除的企业预警 \d+ 条", link.inner_text())
        _shot(page, "leader_cockpit_economy")
        link.click()
        page.wait_for_url(f"**/monitoring/alerts?month={month}")
    finally:
        page.close()


def test_a_towns_inbox_holds_its_own_alerts_and_it_acknowledges_one(browser, server):
    own, others = server["own"], server["others"]
    page = _sign_in(browser, server, "m-town")
    try:
        text = _open(page, server, f"/monitoring/alerts?month={server['month']}", ".ag-root")
        assert f"共 {len(own)} 条" in text
        html = page.content()
        for r in others:
            assert r["credit_code"] not in html, "another township's alert reached the town"
        first = own[0]
        assert first["explanation"] in text
        page.get_by_label("预警编号").click()
        page.get_by_role("option").filter(has_text=f"{first['alert_id']} · ").first.click()
        page.get_by_label("处理说明").fill("已电话联系企业，核实停产原因")
        page.get_by_role("button", name="确认", exact=True).click()
        try:  # the page reloads with the alert marked as handled
            page.get_by_text("已确认：已电话联系企业，核实停产原因").first.wait_for()
        finally:
            _shot(page, "town_monitoring_alerts_acked")
        page.wait_for_function("() => window.socket && window.socket.connected")
        page.wait_for_timeout(800)
        assert f"{first['alert_id']} · " in page.inner_text("body")
        assert "已确认：已电话联系企业，核实停产原因" in page.inner_text("body")
        _shot(page, "town_monitoring_alerts_acked")
    finally:
        page.close()


def test_a_chain_chiefs_inbox_holds_its_chains_enterprises_alerts(browser, server):
    chain = server["chain_rows"]
    page = _sign_in(browser, server, "m-chief")
    try:
        text = _open(page, server, f"/monitoring/alerts?month={server['month']}")
        assert "企业预警" in text and "链长" in text
        assert f"共 {len(chain)} 条" in text
        mine = {r["credit_code"] for r in chain}
        html = page.content()
        for r in server["own"] + server["others"]:
            if r["credit_code"] not in mine:
                assert r["credit_code"] not in html, "an enterprise off the chain reached its chief"
        _shot(page, "chain_chief_monitoring_alerts")
    finally:
        page.close()


def test_the_leaders_plans_show_the_year_projected_beside_the_sequential_progress(browser, server):
    page = _sign_in(browser, server, "m-leader")
    try:
        page.set_viewport_size({"width": 2200, "height": 1200})  # every column of the grid in view
        text = _open(page, server, f"/plans?as_of={server['month'][:4]}", ".ag-root")
        assert "序时进度" in text and "预计全年" in text
        assert re.search(r"\d+\.\d{2}，(达到序时|低于序时（应达 [\d,]+\.\d{2}）)", text)
        _shot(page, "leader_plans_projected")
    finally:
        page.close()
