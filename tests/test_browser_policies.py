"""The 惠企政策 page in a real browser (Debian's chromium by Playwright) on the small district of
web_domains_fixtures, as of 2025-03-01 (2024 figures): the analyst sees the policies, the
summary and 丁铸造 (code 4), the one 小升规, with 10 万元; enterprise 1 (规上 both years, +20%)
sees its own section, where 小升规 is no near miss (it was already 规上) and nothing of code 4.
Screenshots go to $PYTEST_ARTIFACTS/browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from helpers import code
from test_browser_domains import CHROMIUM, artifacts, sign_in
from web_domains_fixtures import NAME_OF, Server, seed, start
from web_fixtures import free_port, stop

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
URL = "/policies?as_of=2025-03-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-policies') / 'web.db'}"
    seed(url, tmp_path_factory.mktemp("files"))
    port = free_port()
    process = start(url, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", db_url=url)
    finally:
        stop(process)


def _open(page: Any, server: Server, last_word: str) -> str:
    response = page.goto(f"{server.base}{URL}")
    assert response.status == 200
    page.get_by_text(last_word).first.wait_for()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    return page.inner_text("body")


def test_the_analyst_sees_matches_with_reasons_and_the_ledger(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "analyst")
    try:
        text = _open(page, server, "兑现台账")
        page.screenshot(path=str(artifacts() / "policies_analyst.png"), full_page=True)
        for word in (
            "惠企政策",
            "“小升规”工业企业奖励",
            "匹配结果",
            "兑现台账",
            "示例〔2025〕7号",
            NAME_OF[code(4)],
        ):
            assert word in text, word
    finally:
        page.close()


def test_an_enterprise_sees_its_own_section_only(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "enterprise")
    try:
        text = _open(page, server, "办理与拨付")
        page.screenshot(path=str(artifacts() / "policies_enterprise.png"), full_page=True)
        for word in ("可享受的政策", "差一点符合的政策", "数据不全、尚无法判定的政策", "办理与拨付"):
            assert word in text, word
        assert "上年为规模以下企业：不符合" not in text  # not a near miss: not listed at all
        assert "技术改造设备投资额" in text and "区经信局（技改项目备案）" in text  # unknown, with its holder
        assert NAME_OF[code(4)] not in text and code(4) not in page.content()
    finally:
        page.close()


def test_a_row_opens_that_match_s_trace_with_its_sources(browser: Any, server: Server) -> None:
    # 丁 (code 4): 规下 in 2023 (revenue 1,600 < 2,000), 规上 in 2024 (2,000), +25% ≥ 15%: 10 万元
    page = sign_in(browser, server, "analyst")
    try:
        _open(page, server, "兑现台账")
        row = page.locator(".ag-row", has_text=NAME_OF[code(4)]).filter(has_text="小升规").first
        row.locator(".ag-cell").first.click()
        dialog = page.locator(".policy-trace")
        dialog.get_by_text("逐条判定").wait_for()
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts() / "policies_trace.png"), full_page=True)
        text = dialog.inner_text()
        for word in (
            f"{NAME_OF[code(4)]} · “小升规”工业企业奖励",
            "符合条件，10 万元",
            "营业收入增速",
            "25%",
            "不低于 15%",
            "stats-2024.xlsx",
            "核定金额 10 万元",
            "第三条",
        ):
            assert word in text, word
        for raw in ("revenue_growth", "award_wan", "eligible", "None"):
            assert raw not in text, raw
    finally:
        page.close()
