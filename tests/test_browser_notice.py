"""The result notice from the pages, in a real browser (Debian's chromium driven by Playwright)
against the real server: an enterprise downloads its own notice as PDF on the 亩均评价 page and
as Word on its profile; a town downloads its township's notices in one document."""

from __future__ import annotations

import io
import re
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


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


def test_a_town_downloads_its_townships_notices(browser: Any, server: tuple[str, int]) -> None:
    base, run_id = server
    page = sign_in(browser, base, "town")
    try:
        page.goto(f"{base}/evaluation?run={run_id}")
        page.get_by_text("评价结果告知书").first.wait_for()
        text = docx_text(download(page, "本镇街全部告知书 Word"))
        for name, town in ENTERPRISES.values():
            assert (name in text) == (town == TOWN_A), name
    finally:
        page.close()
