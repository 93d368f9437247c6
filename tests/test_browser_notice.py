"""The result notice from the pages, in a real browser (Debian's chromium driven by Playwright)
against the real server: an enterprise downloads its own notice as PDF on the 亩均评价 page and
as Word on its profile; a town makes its township's notices as a background job, watches the
progress and downloads the zip; an analyst starts an evaluation run from the page."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest

from helpers import code
from web_fixtures import ENTERPRISES, PASSWORD, TOWN_A, free_port, seed, serve, stop

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-notice') / 'web.db'}"
    seeded = seed(url, tmp_path_factory.mktemp("files"))
    port = free_port()
    process = serve(url, port)
    try:
        yield f"http://127.0.0.1:{port}", int(seeded["run_published"])  # type: ignore[call-overload]
    finally:
        stop(process)


def sign_in(browser: Any, base: str, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    page.set_default_timeout(60_000)
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def download(page: Any, button: str) -> bytes:
    with page.expect_download() as got:
        page.get_by_role("button", name=button).first.click()
    return Path(got.value.path()).read_bytes()


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages))


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )


def test_an_enterprise_downloads_its_notice_from_both_pages(browser: Any, server: tuple[str, int]) -> None:
    base, run_id = server
    name = ENTERPRISES[code(1)][0]
    page = sign_in(browser, base, "enterprise")
    try:
        page.goto(f"{base}/evaluation?run={run_id}")
        page.get_by_text("评价结果告知书").first.wait_for()
        text = pdf_text(download(page, "告知书 PDF"))
        assert name in text and code(1) in text and ENTERPRISES[code(2)][0] not in text
        page.goto(f"{base}/profile")
        page.get_by_text("评价结果").first.wait_for()
        text = docx_text(download(page, "告知书 Word"))
        assert name in text and code(1) in text
    finally:
        page.close()


def artifacts() -> Path:
    folder = Path(os.environ.get("PYTEST_ARTIFACTS") or Path(__file__).parent / "artifacts") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_town_makes_its_notices_in_the_background_watches_and_downloads(
    browser: Any, server: tuple[str, int]
) -> None:
    base, run_id = server
    ours = {c: name for c, (name, town) in ENTERPRISES.items() if town == TOWN_A}
    page = sign_in(browser, base, "town")
    try:
        page.goto(f"{base}/evaluation?run={run_id}")
        page.get_by_text("评价结果告知书").first.wait_for()
        page.get_by_role("button", name="全部告知书 Word 压缩包").click()
        card = page.locator("[data-job]").first
        card.wait_for()
        page.screenshot(path=str(artifacts() / "jobs_town_notices_started.png"), full_page=True)
        button = card.get_by_role("button", name=re.compile("下载"))
        button.wait_for(timeout=180_000)
        assert "已完成" in card.inner_text() and f"{len(ours)} / {len(ours)}" in card.inner_text()
        page.screenshot(path=str(artifacts() / "jobs_town_notices_done.png"), full_page=True)
        with page.expect_download() as got:
            button.click()
        name = f"评价结果告知书_2022年度_批次{run_id}_锦屏街道_Word.zip"
        assert got.value.suggested_filename == name
        with zipfile.ZipFile(got.value.path()) as archive:
            members = archive.namelist()
            texts = [docx_text(archive.read(m)) for m in members]
        assert len(members) == len(ours)
        for credit_code, enterprise in ours.items():
            assert any(credit_code in m and enterprise in m for m in members)
            assert sum(enterprise in t for t in texts) == 1
        assert not any(n in t for t in texts for c, (n, town) in ENTERPRISES.items() if town != TOWN_A)
        # 我的任务 lists it with its download
        page.get_by_role("link", name="我的任务").click()
        page.wait_for_url(f"{base}/jobs")
        page.get_by_text(name).first.wait_for()
        assert "已完成" in page.locator("[data-job]").first.inner_text()
        page.screenshot(path=str(artifacts() / "jobs_town_my_jobs.png"), full_page=True)
    finally:
        page.close()


def test_an_analyst_starts_an_evaluation_run_from_the_page(browser: Any, server: tuple[str, int]) -> None:
    base, _ = server
    page = sign_in(browser, base, "analyst")
    try:
        page.goto(f"{base}/evaluation")
        page.get_by_text("发起评价").first.wait_for()
        before = page.get_by_text(re.compile(r"批次 \d+ ·")).count()
        page.get_by_role("button", name="开始评价").click()
        card = page.locator("[data-job]").first
        card.wait_for()
        opened = page.get_by_role("button", name=re.compile(r"查看评价批次 \d+"))
        opened.wait_for(timeout=180_000)
        assert "已生成评价批次" in card.inner_text() and "已完成" in card.inner_text()
        page.screenshot(path=str(artifacts() / "jobs_analyst_run_done.png"), full_page=True)
        run_id = int(re.search(r"\d+", opened.inner_text()).group())  # type: ignore[union-attr]
        opened.click()
        page.wait_for_url(f"{base}/evaluation?run={run_id}")
        page.get_by_text(f"批次 {run_id} · 草稿").first.wait_for()
        assert page.get_by_text(re.compile(r"批次 \d+ ·")).count() == before + 1
        page.screenshot(path=str(artifacts() / "jobs_analyst_new_run.png"), full_page=True)
    finally:
        page.close()
