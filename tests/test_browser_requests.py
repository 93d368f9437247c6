"""涉企问题 pages in a real browser (Debian's chromium via Playwright) against `industry-brain serve`:
an enterprise raises a problem on its page and lands on its case; the unit's inbox, the case page
with its deadlines and history, the analyst's step form, and the 晾晒 render in Chinese, with no
raw codes. Screenshots go to tests/artifacts/browser/requests_*.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import code
from test_browser_pages import CHROMIUM, artifacts
from test_requests_api import LEAD, _step, live_fixture  # noqa: F401
from web_fixtures import PASSWORD, Live

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
RAW = ("co_unit", "approval", "land", "request_id", "overdue", "chain_chief", "None")


@pytest.fixture(scope="module", name="web_db", params=["sqlite"])
def web_db_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"


def _sign_in(browser: Any, live: Live, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.goto(f"{live.base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _open(page: Any, live: Live, path: str, words: str) -> str:
    response = page.goto(f"{live.base}{path}")
    assert response.status == 200, (path, response.status)
    page.get_by_text(words).first.wait_for()
    page.wait_for_function("() => window.socket && window.socket.connected")
    page.wait_for_timeout(500)
    return str(page.inner_text("body"))


def _shot(page: Any, name: str) -> Path:
    path = artifacts() / f"requests_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000  # a page with content, not a blank one
    return path


def test_an_enterprise_raises_a_problem_on_its_page_and_follows_it(browser: Any, live: Live) -> None:
    page = _sign_in(browser, live, "enterprise")
    try:
        text = _open(page, live, "/requests", "提出问题")
        assert "我的问题" in text and "涉企问题" in text
        page.get_by_label("问题描述").fill("新厂房用地指标迟迟未落实，影响项目开工")
        page.get_by_role("button", name="提交").click()
        page.wait_for_url(lambda url: "/requests/case" in url)
        text = _open(page, live, page.url.removeprefix(live.base), "办理记录")
        assert "用地保障" in text and "办结时限" in text and "提出问题" in text and LEAD in text
        assert not any(raw in text for raw in RAW), text
        _shot(page, "enterprise_case")
    finally:
        page.close()


def test_the_unit_inbox_the_case_page_and_the_league_table(browser: Any, live: Live) -> None:
    with live.client("enterprise") as c:
        n = c.post(
            "/api/v1/requests", data={"credit_code": code(1), "category": "审批服务", "text": "施工许可卡点"}
        ).json()["request_id"]
    _step(live, "analyst", n, "accept")
    _step(live, "analyst", n, "assign")
    page = _sign_in(browser, live, "analyst")
    try:
        text = _open(page, live, f"/requests/case?id={n}", "办理记录")
        assert all(w in text for w in ("受理时限", "答复时限", "办结时限", "交办", "区审管办"))
        assert "办理" in text and not any(raw in text for raw in RAW), text
        _shot(page, "analyst_case")
        text = _open(page, live, "/requests", "提出问题")
        assert "逾期" in text
        _shot(page, "analyst_inbox")
        period = dt.date.today().strftime("%Y-%m")
        text = _open(page, live, f"/requests/stats?period={period}", "按承办单位")
        assert "按期办结率" in text and "满意率" in text and "区审管办" in text
        assert not any(raw in text for raw in RAW), text
        _shot(page, "stats")
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 Excel").first.click()
        assert download.value.suggested_filename.endswith(".xlsx")
        for fmt, words in (("pdf", "下载晾晒报告（PDF）"), ("docx", "下载晾晒报告（Word）")):
            with page.expect_download() as download:
                page.get_by_role("button", name=words).click()
            assert download.value.suggested_filename == f"涉企问题办理情况晾晒_{period}.{fmt}"
            content = Path(download.value.path()).read_bytes()
            assert content.startswith(b"%PDF" if fmt == "pdf" else b"PK")
    finally:
        page.close()
    page = _sign_in(browser, live, "town_b")
    try:
        assert page.goto(f"{live.base}/requests/case?id={n}").status == 404  # another town's case
    finally:
        page.close()


def _warm_profile(live: Live, credit_code: str) -> None:
    """View the profile once before the browser does: a fresh server's first profile computes the
    evaluation's explanation cold (seconds on this shared machine, past NiceGUI's 3 s limit)."""
    import time

    from web_fixtures import page_client

    client = page_client(live.base, "town")
    try:
        for _ in range(10):
            if client.get(f"/profile?code={credit_code}").status_code == 200:
                return
            time.sleep(3)
    finally:
        client.close()


def test_a_case_links_to_its_enterprise_whose_profile_lists_the_case(browser: Any, live: Live) -> None:
    with live.client("enterprise") as c:
        n = c.post(
            "/api/v1/requests", data={"credit_code": code(1), "category": "用地保障", "text": "厂房扩建用地"}
        ).json()["request_id"]
    _warm_profile(live, code(1))
    page = _sign_in(browser, live, "town")
    try:
        _open(page, live, f"/requests/case?id={n}", "企业概况")
        page.locator(".case-context-ready").wait_for()  # the policy matches, filled in once read
        text = str(page.inner_text("body"))
        assert "匹配中" not in text
        assert all(
            w in text for w in ("锦屏甲机械有限公司", "锦屏街道", "机械零部件加工", "亩均评价", "惠企政策")
        )
        assert code(1) not in text and "3484" not in text and "330213001" not in text
        assert not any(raw in text for raw in RAW), text
        _shot(page, "case_context")
        page.locator("a.case-enterprise").click()
        page.wait_for_url(lambda url: "/profile" in url)
        page.get_by_text(f"第 {n} 号").first.wait_for()
        page.wait_for_function("() => window.socket && window.socket.connected")
        text = str(page.inner_text("body"))
        assert "企业画像" in text and "涉企问题" in text and "锦屏甲机械有限公司" in text
        assert f"第 {n} 号" in text and "待受理" in text and LEAD in text
        _shot(page, "profile_cases")
        page.get_by_text(f"第 {n} 号").first.click()
        page.wait_for_url(lambda url: f"/requests/case?id={n}" in url)
    finally:
        page.close()
