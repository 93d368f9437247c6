"""The chain, tier, pool, project and cluster pages in a real browser (Debian's chromium driven
by Playwright) against the real server on the small district of web_domains_fixtures: the
analyst and the town open each page, see its Chinese words and the hand-worked figures, and
the town sees nothing of another township. Screenshots go to $PYTEST_ARTIFACTS/browser."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import code
from web_domains_fixtures import NAME_OF, PASSWORD, TOWN_OF, XIKOU, Server, seed, start
from web_fixtures import free_port, stop

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
# page -> words every allowed role must see on it
PAGES = {
    "/chains": ("产业链", "链主", "节点企业"),
    "/clusters": ("产业集群", "产值（亿元）"),
    "/tiers": ("企业梯队", "各梯队企业数", "规上工业企业"),
    "/pools": ("培育库", "小升规培育库", "候选企业"),
    "/projects": ("项目库", "红黄绿灯", "三已三未"),
}
OPEN = {"/chains": "/chains?chain=fenghua-pneumatics"}
XIKOU_ONLY = [c for c, t in TOWN_OF.items() if t == XIKOU]


def artifacts() -> Path:
    folder = Path(os.environ.get("PYTEST_ARTIFACTS") or Path(__file__).parent / "artifacts") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-domains') / 'web.db'}"
    seed(url, tmp_path_factory.mktemp("files"))
    port = free_port()
    process = start(url, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", db_url=url)
    finally:
        stop(process)


def sign_in(browser: Any, server: Server, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(60_000)
    page.goto(f"{server.base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def open_page(page: Any, server: Server, path: str) -> tuple[int, str]:
    response = page.goto(f"{server.base}{path}")
    if response.status == 200:
        page.get_by_text(PAGES[path.split("?")[0]][-1]).first.wait_for()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # charts animate in
    return response.status, page.inner_text("body") if response.status == 200 else ""


@pytest.mark.parametrize("username", ["analyst", "town"])
def test_each_page_shows_its_figures_in_chinese(browser: Any, server: Server, username: str) -> None:
    page = sign_in(browser, server, username)
    try:
        for path, words in PAGES.items():
            status, text = open_page(page, server, OPEN.get(path, path))
            assert status == 200, (username, path)
            for word in words:
                assert word in text, (username, path, word)
            page.screenshot(
                path=str(artifacts() / f"domains_{username}{path.replace('/', '_')}.png"), full_page=True
            )
            if username == "town":  # no enterprise of 溪口镇, by name or by code
                html = page.content()
                for c in XIKOU_ONLY:
                    assert c not in html and NAME_OF[c] not in text, (path, c)
            if path == "/chains":
                assert page.locator(".nicegui-echart").count() == 1
                assert ("生成招商清单" in text) == (username == "analyst")
                # components: 10000 万元 (1.00 亿元) for the district, 1000 万元 (0.10 亿元, enterprise
                # 3 alone) for 锦屏街道
                assert ("1.00" if username == "analyst" else "0.10") in text
            if path == "/projects":
                assert ("共 73 个项目" if username == "analyst" else "共 2 个项目") in text
    finally:
        page.close()


def test_a_department_and_an_enterprise_are_refused_what_is_not_theirs(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "department")
    try:
        assert open_page(page, server, "/chains")[0] == 403
        status, text = open_page(page, server, "/projects")
        assert status == 200 and "共 73 个项目" in text
    finally:
        page.close()
    page = sign_in(browser, server, "enterprise")
    try:
        assert open_page(page, server, "/projects")[0] == 403
        status, text = open_page(page, server, OPEN["/chains"])
        assert status == 200 and NAME_OF[code(1)] in text and NAME_OF[code(2)] not in text
    finally:
        page.close()


def test_the_analyst_downloads_chain_nodes_and_admits_a_candidate(browser: Any, server: Server) -> None:
    from openpyxl import load_workbook

    page = sign_in(browser, server, "analyst")
    try:
        open_page(page, server, OPEN["/chains"])
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 Excel").first.click()
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        head = rows[1]
        body = {r[head.index("节点")]: r for r in rows[2:]}
        assert body["气动元件（气缸、电磁阀、气源处理）"][head.index("产值（亿元）")] == 1  # 10000 万元
        open_page(page, server, "/pools")
        # one candidate by its row's 入库, with the reason asked in a dialog
        page.locator(".ag-row", has_text=code(3)).locator(".pool-action").click()
        dialog = page.locator(".pool-decision")
        dialog.get_by_text("入库（1 家）").wait_for()
        dialog.get_by_role("button", name="确定").click()
        page.get_by_text("须写明理由").first.wait_for()  # no reason, no admission
        dialog.get_by_label("理由").fill("营收增长超过20%")
        dialog.get_by_role("button", name="确定").click()
        page.get_by_text("已入库 1 家").wait_for()
        # the page reloads with the new member; wait for it rather than for a fixed time
        page.get_by_text("在库企业（1）").first.wait_for(timeout=60_000)
        assert "营收增长超过20%" in page.inner_text("body")
        page.screenshot(path=str(artifacts() / "domains_analyst_pools_admitted.png"), full_page=True)
        # the rest ticked and admitted in bulk, then every member exited in bulk
        rows = page.locator(".ag-root").first.locator(".ag-center-cols-container .ag-row")
        left = rows.count()
        assert left >= 1
        page.locator(".ag-root").first.locator(".ag-header-select-all").click()
        page.get_by_role("button", name="入库所选").click()
        dialog.get_by_text(f"入库（{left} 家）").wait_for()
        dialog.get_by_label("理由").fill("批量入库：营收增长超过20%")
        dialog.get_by_role("button", name="确定").click()
        page.get_by_text(f"已入库 {left} 家").wait_for()
        page.get_by_text(f"在库企业（{left + 1}）").first.wait_for(timeout=60_000)
        page.locator(".ag-root").last.locator(".ag-header-select-all").click()
        page.get_by_role("button", name="出库所选").click()
        dialog.get_by_label("理由").fill("已升规")
        dialog.get_by_role("button", name="确定").click()
        page.get_by_text(f"已出库 {left + 1} 家").wait_for()
        page.get_by_text("在库企业（0）").first.wait_for(timeout=60_000)
    finally:
        page.close()


def test_the_analyst_ranks_whom_to_attract_for_a_cluster_and_downloads_it(
    browser: Any, server: Server
) -> None:
    from openpyxl import load_workbook

    page = sign_in(browser, server, "analyst")
    try:
        open_page(page, server, "/clusters?plan=fenghua-14th&cluster=fenghua-14th%2Fpneumatic")
        page.get_by_role("button", name="生成招商清单").click()
        page.get_by_text("矩阵校验值").wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 Excel").last.click()
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        head = rows[1]
        assert {"关联密度", "地区经济复杂度", "说明"} <= set(head)
        industries = {r[head.index("行业代码")] for r in rows[2:]}
        assert industries and industries <= {"3446", "3443", "3444", "3489", "4011"}
        page.screenshot(path=str(artifacts() / "domains_analyst_cluster_attract.png"), full_page=True)
    finally:
        page.close()


def test_the_cockpit_has_chains_tiers_pools_and_projects_tiles(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "analyst")
    try:
        page.goto(f"{server.base}/cockpit")
        page.locator(".cockpit-domains-ready").wait_for(state="attached", timeout=150_000)
        text = page.inner_text("body")
        assert "关键基础件（气动）产业链：" in text and "链主" in text
        assert "小升规培育库" in text and "规上工业企业" in text
        assert "红灯" in text and "计划投资" in text
        page.screenshot(path=str(artifacts() / "domains_cockpit_tiles.png"), full_page=True)
    finally:
        page.close()
