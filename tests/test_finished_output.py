"""Everything an official or an enterprise reads is finished Chinese: every page as every role
(in Debian's chromium, the text after render), every document (the 告知书 in Word and PDF, the
plan review in Excel, Word and PDF, the attraction lists) and every Excel download of the pages,
on a small demo district served over real HTTP. A raw code (snake_case, a known enum code), an
English word of the interface, or a traceback fails the test, naming where it was seen.

The allowlist holds units, acronyms and product names officials write as they are; it is not the
way to make this test pass.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web_fixtures import free_port, serve, stop

CHROMIUM = Path("/usr/bin/chromium")
# ASCII words an interface in Chinese writes as they are (units, acronyms, file formats, products)
ALLOWED_WORDS = {
    "GDP",
    "PDF",
    "API",
    "Excel",
    "Word",
    "CSV",
    "XLS",
    "XLSX",
    "DOCX",
    "ODS",
    "TSV",
    "TXT",
    "JPG",
    "PNG",
    "GBT",
    "kWh",
}
# the language switch names the other language in that language
SWITCH = "English"
ENUM_CODES = {
    "above_scale",
    "below_scale",
    "not_evaluated",
    "low_efficiency",
    "on_track",
    "off_track",
    "no_data",
    "draft",
    "published",
    "superseded",
    "pending",
    "accepted",
    "rejected",
    "active",
    "stats",
    "tax",
    "power",
    "land",
    "registry",
    "environment",
    "science",
    "safety",
    "tenant",
    "output",
    "title",
    "scale",
    "green",
    "amber",
    "red",
}
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z&]{2,}(?![A-Za-z0-9])")
CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
TRACEBACK = ("Traceback (most recent call last)", "Internal Server Error", 'File "/')


def proper_names() -> tuple[str, ...]:
    """Names the plan documents themselves write with Latin letters (a project called
    "宁波阿诺德汽配有限公司DNA Motoring汽车零部件项目"): data quoted as it is, not interface."""
    import csv

    from industry_brain.projects.seed import seed_data_path

    with seed_data_path().open(encoding="utf-8") as fh:
        names = [r["项目名称"] for r in csv.DictReader(fh)]
    return tuple(
        sorted({m for n in names for m in re.findall(r"[A-Za-z][A-Za-z ]*[A-Za-z]", n)}, key=len)[::-1]
    )


def problems(text: str, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """What in `text` is not finished Chinese: tracebacks, snake_case codes, English words."""
    found = [f"traceback: {marker}" for marker in TRACEBACK if marker in text]
    text = CREDIT_CODE.sub(" ", text)
    for word in (*ignore, *proper_names()):
        text = text.replace(word, " ")
    found += [f"raw code: {m}" for m in sorted(set(SNAKE.findall(text)))]
    text = SNAKE.sub(" ", text)
    allowed = {w.upper() for w in ALLOWED_WORDS}  # buttons print their words in capitals
    words = {m for m in WORD.findall(text) if m.upper() not in allowed and m != SWITCH}
    found += [f"raw code: {w}" if w in ENUM_CODES else f"English: {w}" for w in sorted(words)]
    return found


def test_the_checker_catches_what_it_is_for():
    assert problems("等级 low_efficiency") == ["raw code: low_efficiency"]
    assert problems("来源 stats，营业收入 ≥ 1000 万元") == ["raw code: stats"]
    assert problems("machine-translated repost") == [
        "English: machine",
        "English: repost",
        "English: translated",
    ]
    assert problems("Traceback (most recent call last):")[0].startswith("traceback")
    assert problems("营业收入 ≥ 1000 万元，GDP 增速 6.5%，下载 Excel，代码 91330283MA2H4K7B3X") == []


# ---- the district --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from industry_brain.demo.build import build_demo

    summary = build_demo(directory=tmp_path_factory.mktemp("district"), scale=0.05)
    port = free_port()
    process = serve(summary["database"], port)
    try:
        yield {
            **summary,
            "base": f"http://127.0.0.1:{port}",
            "passwords": {a["username"]: a["password"] for a in summary["accounts"]},
            "roles": {a["username"]: a["role"] for a in summary["accounts"]},
            "scopes": {a["username"]: a["scope"] for a in summary["accounts"]},
        }
    finally:
        stop(process)


def token(district: dict[str, Any], username: str) -> str:
    response = httpx.post(
        f"{district['base']}/api/v1/auth/token",
        data={"username": username, "password": district["passwords"][username]},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def api(district: dict[str, Any], username: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token(district, username)}"}
    return httpx.Client(base_url=district["base"], headers=headers, timeout=180)


# ---- documents ----------------------------------------------------------------------------------


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def xlsx_text(content: bytes) -> str:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    parts = list(book.sheet_names)
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            parts += [str(v) for v in row if v not in (None, "")]
    return "\n".join(parts)


def xlsx_long_decimals(content: bytes) -> list[float]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [
        v
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for v in row
        if isinstance(v, float) and not v.is_integer() and len(repr(v).split(".")[1]) > 4
    ]


def document_text(name: str, content: bytes) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    if suffix == "docx":
        return docx_text(content)
    if suffix == "pdf":
        return pdf_text(content)
    if suffix == "xlsx":
        return xlsx_text(content)
    raise AssertionError(f"unexpected download {name}")


def file_name(response: httpx.Response) -> str:
    """The download's name as a browser takes it: RFC 5987 filename* first."""
    from urllib.parse import unquote

    header = response.headers["content-disposition"]
    star = re.search(r"filename\*=UTF-8''([^;]+)", header)
    assert star, f"no filename* in {header!r}"
    return unquote(star.group(1))


def check_download(response: httpx.Response, where: str) -> str:
    assert response.status_code == 200, f"{where}: {response.status_code} {response.text[:300]}"
    name = file_name(response)
    assert re.search(r"[\u4e00-\u9fff]", name), f"{where}: file name {name!r} is not Chinese"
    text = document_text(name, response.content)
    assert problems(text) == [], f"{where} ({name})"
    if name.endswith(".xlsx"):
        assert xlsx_long_decimals(response.content) == [], f"{where}: figures with long decimals"
    return text


def test_the_notices_as_word_and_pdf_are_finished(district):
    run = district["evaluation"]["run_id"]
    enterprise = district["scopes"]["enterprise"]["credit_code"]
    with api(district, "enterprise") as client:
        for fmt in ("docx", "pdf"):
            text = check_download(
                client.get(f"/api/v1/evaluation/runs/{run}/notices/{enterprise}", params={"format": fmt}),
                f"notice {fmt}",
            )
            assert "评价结果告知书" in text and "差别化政策" in text
            assert "verify" not in text and "征求意见稿" not in text
    with api(district, "town") as client:
        check_download(
            client.get(f"/api/v1/evaluation/runs/{run}/notices", params={"format": "docx"}), "town notices"
        )


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_the_plan_review_is_finished(district, fmt):
    with api(district, "analyst") as client:
        response = client.get("/api/v1/plans/fenghua-14th/report", params={"as_of": "2024-12", "format": fmt})
        text = check_download(response, f"plan review {fmt}")
    assert "对表对标" in text or "完成率" in text


def test_the_attraction_lists_are_finished(district):
    with api(district, "analyst") as client:
        chains = client.get("/api/v1/chains").json()
        assert chains, "the demo has no chain"
        chain_id = chains[0]["id"]
        check_download(
            client.get(f"/api/v1/chains/{chain_id}/attract", params={"format": "xlsx"}), "chain attract"
        )
        clusters = client.get("/api/v1/clusters").json()
        cluster_id = clusters[0]["id"]
        check_download(
            client.get(f"/api/v1/clusters/{cluster_id}/attract", params={"format": "xlsx"}), "cluster attract"
        )


# ---- pages in chromium ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


def sign_in(browser: Any, district: dict[str, Any], username: str) -> Any:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{district['base']}/login")
    page.fill("#username", username)
    page.fill("#password", district["passwords"][username])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def pages_of(role: str) -> list[str]:
    from industry_brain.web.pages.domain_common import DOMAIN_PAGES
    from industry_brain.web.pages.layout import PAGES

    return [p for p, (_, roles) in {**PAGES, **DOMAIN_PAGES}.items() if role in roles]


def rendered(page: Any, url: str) -> str:
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    page.wait_for_function("() => window.socket && window.socket.connected")
    page.wait_for_timeout(1500)  # the pages fill their tables after the first paint
    # an icon is a ligature: its name is text in the DOM, but a reader sees the glyph
    return str(
        page.evaluate(
            """() => {
                const style = document.createElement('style');
                style.textContent = '.q-icon, .material-icons { display: none !important }';
                document.head.appendChild(style);
                const text = document.body.innerText;
                style.remove();
                return text;
            }"""
        )
    )


def drill_downs(page: Any, base: str, path: str) -> list[str]:
    """The links a page offers into its own details (a chain, a cluster, a pool, an enterprise)."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    inner = sorted({h for h in hrefs if h and h.startswith(path + "?")})
    return [base + h for h in inner[:3]]


def downloads(page: Any) -> list[tuple[str, bytes]]:
    """Click every Excel/Word download button on the page, and collect the files."""
    files = []
    buttons = page.get_by_role("button").filter(has_text=re.compile("下载"))
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible() or not button.is_enabled():
            continue
        try:
            with page.expect_download(timeout=60_000) as info:
                button.click()
        except Exception as exc:  # a button that downloads nothing is reported, not skipped
            files.append((f"<no download from {button.inner_text()!r}: {exc}>", b""))
            continue
        download = info.value
        files.append((download.suggested_filename, Path(download.path()).read_bytes()))
    return files


@pytest.mark.parametrize("username", ["admin", "analyst", "leader", "department", "town", "enterprise"])
def test_every_page_reads_as_finished_chinese(browser, district, username):
    role = district["roles"][username]
    page = sign_in(browser, district, username)
    seen: dict[str, list[str]] = {}
    try:
        for path in pages_of(role):
            urls = [district["base"] + path]
            for i, url in enumerate(urls):
                text = rendered(page, url)
                found = problems(text, ignore=(username,))
                if found:
                    seen[url.removeprefix(district["base"])] = found
                if i == 0:
                    urls += drill_downs(page, district["base"], path)
                if role == "analyst" and i == 0:
                    for name, content in downloads(page):
                        where = f"{path} download {name}"
                        if not content:
                            seen[where] = [name]
                            continue
                        bad = problems(document_text(name, content))
                        if name.endswith(".xlsx") and xlsx_long_decimals(content):
                            bad.append("figures with long decimals")
                        if not re.search(r"[\u4e00-\u9fff]", name):
                            bad.append(f"file name {name}")
                        if bad:
                            seen[where] = bad
    finally:
        page.context.close()
    report = artifacts() / f"{username}.json"
    report.write_text(json.dumps(seen, ensure_ascii=False, indent=1))
    assert seen == {}, f"see {report}"


def artifacts() -> Path:
    root = Path(os.environ.get("PYTEST_ARTIFACTS") or Path(__file__).parent / "artifacts")
    folder = root / "finished"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
