"""The 标准地承诺 page in a real browser (Debian's chromium by Playwright) on web_fixtures' small
district: the analyst sees the breached parcel with its shortfall in words and the 整改 state,
and downloads the page's table as Excel with Chinese headers; the town sees nothing of town B.
Screenshots go to $PYTEST_ARTIFACTS/browser."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import code
from test_browser_domains import CHROMIUM, artifacts, sign_in
from web_fixtures import ENTERPRISES, PARCELS, Live, free_port, seed, serve, stop

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
SHORTFALL = "亩均税收 4.8 万元/亩，承诺不低于 10.0 万元/亩，差 5.2"  # code(2): 96 万元 over 20 亩


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-commitments') / 'web.db'}"
    seeded = seed(url, tmp_path_factory.mktemp("files"))
    port = free_port()
    process = serve(url, port)
    try:
        yield Live(base=f"http://127.0.0.1:{port}", db_url=url, **seeded)  # type: ignore[arg-type]
    finally:
        stop(process)


def _open(page: Any, server: Live) -> str:
    response = page.goto(f"{server.base}/commitments")
    assert response.status == 200
    page.get_by_text("各地块承诺与实际").wait_for()
    page.locator(".commitment-reviews .ag-row").first.wait_for()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    return str(page.inner_text("body"))


def test_the_analyst_sees_a_breach_and_downloads_the_excel(browser: Any, server: Live) -> None:
    from openpyxl import load_workbook

    page = sign_in(browser, server, "analyst")  # type: ignore[arg-type]
    try:
        text = _open(page, server)
        page.screenshot(path=str(artifacts() / "commitments_analyst.png"), full_page=True)
        breach = page.locator(".commitment-breach", has_text=PARCELS[code(2)])
        assert SHORTFALL in breach.inner_text() and "整改：未登记整改" in breach.inner_text()
        assert ENTERPRISES[code(2)][0] in text and "未达承诺 2" in text and "达到承诺 2" in text
        for word in ("标准地承诺", "违约责任：按差额比例退还土地出让优惠", "承诺亩均税收（万元/亩，不低于）"):
            assert word in text, word
        # what an official reads carries no code name or English word
        assert not re.search(r"\b(breached|met|not_due|unknown|tax_per_mu|None|null)\b", text)
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 Excel").click()
        assert download.value.suggested_filename.startswith("标准地达产复核_")
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        head = [str(h) for h in rows[1]]
        assert head[:3] == ["地块编号", "企业名称", "统一社会信用代码"]
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in head), head  # every header Chinese
        body = {r[0]: dict(zip(head, r, strict=True)) for r in rows[2:]}
        assert body[PARCELS[code(2)]]["未达承诺情况"] == SHORTFALL
    finally:
        page.close()


def test_the_town_sees_only_its_own_parcels(browser: Any, server: Live) -> None:
    page = sign_in(browser, server, "town")  # type: ignore[arg-type]
    try:
        text = _open(page, server)
        assert PARCELS[code(2)] in text and SHORTFALL in text
        for other in (code(3), code(4)):  # town B's enterprises and parcels
            assert PARCELS[other] not in text and ENTERPRISES[other][0] not in text
            assert other not in page.content()
    finally:
        page.close()


def test_the_analyst_records_a_rectification_from_the_page(browser: Any, server: Live) -> None:
    page = sign_in(browser, server, "analyst")  # type: ignore[arg-type]
    try:
        _open(page, server)
        card = page.locator(".commitment-breach", has_text=PARCELS[code(2)])
        card.get_by_label("整改期限（如 2027-03-31）").fill("2027-03-31")
        card.get_by_label("说明").fill("已提交增资扩产方案")
        card.get_by_role("button", name="登记整改").click()
        page.get_by_text("已登记：整改中").wait_for()
        page.wait_for_load_state("networkidle")
        card = page.locator(".commitment-breach", has_text=PARCELS[code(2)])
        card.get_by_text("整改：整改中，期限 2027-03-31").wait_for(timeout=20_000)
    finally:
        page.close()
    page = sign_in(browser, server, "town")  # type: ignore[arg-type]
    try:  # a town reads the state, and has no form to change it
        text = _open(page, server)
        assert "整改：整改中，期限 2027-03-31" in text
        assert page.get_by_role("button", name="登记整改").count() == 0
    finally:
        page.close()
