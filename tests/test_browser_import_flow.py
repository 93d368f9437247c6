"""The department's monthly upload in a real browser (Debian's chromium via Playwright) against
`industry-brain serve`: it opens 数据导入 from its menu, uploads a corrected file, reads the
preview of who loses figures, confirms, and restores the batch it superseded. Errors speak of
the page's own 期间 field, never a command-line flag; a large file is read in a worker thread,
so the server answers others meanwhile. Screenshots go to $PYTEST_ARTIFACTS/browser."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers import code, write_csv
from industry_brain.core.auth import create_user
from industry_brain.core.db import transaction
from industry_brain.core.settings import get_settings
from industry_brain.ingest.service import import_file
from industry_brain.registry import open_database
from test_browser_pages import CHROMIUM, artifacts
from web_fixtures import PASSWORD, free_port, serve, stop

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
STATS = ["统一社会信用代码", "企业名称", "工业总产值（万元）", "从业人员（人）"]


def stats_file(path: Path, numbers, bump=()) -> Path:  # type: ignore[no-untyped-def]
    rows = [[code(n), f"测试{n}号机械有限公司", 1000.0 + n + (5 if n in bump else 0), 20] for n in numbers]
    return write_csv(path, [STATS, *rows])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("import-flow")
    url = f"sqlite:///{folder / 'flow.db'}"
    settings = get_settings(environ={}, database_url=url)
    engine = open_database(url)
    with transaction(engine) as s:
        create_user(s, username="statsdept", role="department", password=PASSWORD, unit="区统计局")
        first = import_file(
            s,
            path=stats_file(folder / "2023规上.csv", range(1, 31)),
            source="stats",
            period="2023",
            settings=settings,
        )
    engine.dispose()
    port = free_port()
    process = serve(url, port)
    try:
        yield {"base": f"http://127.0.0.1:{port}", "first": first.batch_id, "folder": folder}
    finally:
        stop(process)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(artifacts() / f"department_import_{name}.png"), full_page=True)


def ready(page: Any) -> None:
    page.wait_for_function("() => window.socket && window.socket.connected")
    page.wait_for_timeout(300)


def upload(page: Any, path: Path) -> None:
    page.locator("input[type=file]").set_input_files(str(path))


def test_the_department_uploads_sees_the_preview_confirms_and_restores(browser, server) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server['base']}/login")
        page.fill("#username", "statsdept")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        ready(page)
        page.locator("header").get_by_text("数据导入", exact=True).click()
        page.wait_for_url("**/imports")
        ready(page)
        assert "统计（规模以上工业企业主要经济指标）" in page.inner_text("body")
        shot(page, "1_page")

        # no period and none in the file: the message names the page's 期间 field, not a flag
        upload(page, stats_file(server["folder"] / "无期间.csv", range(1, 5)))
        toast = page.locator(".q-notification").last
        toast.wait_for()
        message = toast.inner_text()
        assert "期间" in message and "--" not in message
        shot(page, "2_error")
        toast.get_by_text("关闭").click()

        # a large file is read in a worker thread: the server keeps answering meanwhile
        page.get_by_label("期间").fill("2023")
        big = stats_file(server["folder"] / "大文件.csv", range(100_001, 180_001))
        upload(page, big)
        page.get_by_text("正在读取并核对文件").wait_for()
        answered = 0
        with httpx.Client(base_url=server["base"], timeout=60) as client:
            while page.get_by_text("正在读取并核对文件").count():
                assert client.get("/api/v1/health").status_code == 200
                answered += page.get_by_text("正在读取并核对文件").count()
                time.sleep(0.05)
        assert answered >= 3
        page.get_by_text("预览：大文件.csv").wait_for()
        page.get_by_role("button", name="取消").click()

        # the correction: two enterprises fewer, one figure changed
        corrected = stats_file(server["folder"] / "2023规上更正.csv", range(1, 29), bump={1})
        upload(page, corrected)
        page.get_by_text("预览：2023规上更正.csv").wait_for()
        text = page.inner_text("body")
        assert "新增 0，数据有变 1，不变 27，将失去数据 2" in text
        assert "测试29号机械有限公司" in page.content() and "测试30号机械有限公司" in page.content()
        shot(page, "3_preview")
        page.locator(".confirm-import").click()
        try:
            page.wait_for_url(lambda url: "batch=" in url, timeout=30_000)
        except Exception:
            shot(page, "debug_confirm")
            raise
        ready(page)
        new_batch = int(page.url.rsplit("=", 1)[1])
        assert new_batch != server["first"] and "状态：有效" in page.inner_text("body")
        shot(page, "4_imported")

        page.goto(f"{server['base']}/imports?batch={server['first']}")
        ready(page)
        assert f"状态：已被替代（由批次 {new_batch} 替代）" in page.inner_text("body")
        page.locator(".restore-batch").click()
        page.get_by_text(f"恢复批次 {server['first']}？").wait_for()
        shot(page, "5_restore_asks")
        page.locator(".do-restore").click()
        page.wait_for_url(lambda url: url.endswith(f"batch={server['first']}"))
        ready(page)
        page.get_by_text("状态：有效").wait_for()
        assert f"{new_batch}" in page.inner_text("body")
        shot(page, "6_restored")
        body = page.inner_text("body")
        assert "superseded" not in body and "active" not in body
    finally:
        page.close()
