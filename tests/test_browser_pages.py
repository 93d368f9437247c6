"""The pages in a real browser: Debian's chromium driven by Playwright against the real server
(uvicorn in a subprocess) on a small demo district. Each role signs in, opens every page it may
open and is refused the others, sees Chinese that renders as glyphs (not boxes) and no
enterprise outside its scope. Screenshots go to $PYTEST_ARTIFACTS/browser (default
tests/artifacts/browser).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_fixtures import wait_for_login

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")

PAGES = {
    "/cockpit": "驾驶舱",
    "/profile": "企业画像",
    "/evaluation": "亩均评价",
    "/plans": "规划",
    "/map": "产业地图",
    "/imports": "数据导入",
    "/jobs": "我的任务",
}
ALLOWED = {
    "admin": set(PAGES),
    "analyst": set(PAGES),
    "leader": {"/cockpit", "/profile", "/evaluation", "/plans", "/map", "/jobs"},
    "department": {"/plans", "/imports", "/jobs"},
    "town": {"/cockpit", "/profile", "/evaluation", "/map", "/jobs"},
    "enterprise": {"/profile", "/evaluation", "/jobs"},
}
UNIT = "区科技局"  # a responsible unit of the 鄞州 plans, for the department account
SERVER = """
import sys, uvicorn
from industry_brain.core.settings import get_settings
from industry_brain.web.app import create_app
uvicorn.run(create_app(get_settings(database_url=sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning")
"""


def artifacts() -> Path:
    root = Path(os.environ.get("PYTEST_ARTIFACTS") or Path(__file__).parent / "artifacts")
    folder = root / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _evaluate_and_open_accounts(database_url: str, run_id: int | None) -> dict[str, Any]:
    """The district's 2024 evaluation published (the demo's own when it made one), and one
    account per role: the town and the enterprise are those of enterprise A; B lies in another
    town; the department is UNIT."""
    from sqlalchemy import select

    from industry_brain.core.auth import create_demo_accounts
    from industry_brain.core.db import transaction
    from industry_brain.core.settings import get_settings
    from industry_brain.enterprises.models import Enterprise
    from industry_brain.evaluation.method import load_method
    from industry_brain.evaluation.models import EvaluationResult
    from industry_brain.evaluation.service import run_evaluation
    from industry_brain.evaluation.workflow import publish
    from industry_brain.registry import open_database

    settings = get_settings(environ={}, database_url=database_url)
    engine = open_database(settings.database_url)
    with transaction(engine) as s:
        if run_id is None:
            run, _ = run_evaluation(s, year=2024, method=load_method("huangyan-2022"), settings=settings)
            today = dt.date.today()
            publish(s, run_id=run.run_id, deadline=today + dt.timedelta(days=14), user="analyst", today=today)
            run_id = run.run_id
        rows = s.execute(
            select(Enterprise.credit_code, Enterprise.name, Enterprise.township_code)
            .join(EvaluationResult, EvaluationResult.credit_code == Enterprise.credit_code)
            .where(EvaluationResult.run_id == run_id, EvaluationResult.pool == "above_scale")
            .order_by(Enterprise.credit_code)
        ).all()
        a = rows[0]
        b = next(r for r in rows if r[2] != a[2])
        accounts = create_demo_accounts(s, township_code=a[2], credit_code=a[0], unit=UNIT)
    engine.dispose()
    return {
        "url": settings.database_url,
        "run_id": run_id,
        "a": {"code": a[0], "name": a[1], "town": a[2]},
        "b": {"code": b[0], "name": b[1], "town": b[2]},
        "passwords": {acc["role"]: acc["password"] for acc in accounts},
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:

    from industry_brain.demo.build import build_demo

    summary = build_demo(directory=tmp_path_factory.mktemp("district"), scale=0.05)
    url = summary["database"]
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:  # the server starts while the evaluation runs (2 cores)
        proc = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)], stdout=out, stderr=out)
    seeded = _evaluate_and_open_accounts(url, (summary.get("evaluation") or {}).get("run_id"))
    base = f"http://127.0.0.1:{port}"
    wait_for_login(proc, base, log)
    yield {**seeded, "base": base}
    proc.terminate()
    proc.wait(timeout=20)


def sign_in(browser: Any, server: dict[str, Any], role: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.goto(f"{server['base']}/login")
    page.fill("#username", role)
    page.fill("#password", server["passwords"][role])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def open_page(page: Any, server: dict[str, Any], path: str, *, complete: bool = True) -> Any:
    response = page.goto(f"{server['base']}{path}")
    if response.status == 200:
        page.get_by_text(PAGES[path.split("?")[0]], exact=True).last.wait_for()
        if path == "/cockpit" and complete:
            page.locator(".cockpit-ready").wait_for(state="attached", timeout=150_000)
        # NiceGUI's socket keeps the network busy, so "networkidle" is no signal: wait for the
        # page's connection instead, then for the charts' short animation
        page.wait_for_function("() => window.socket && window.socket.connected")
        page.wait_for_timeout(400)
    return response


def shot(page: Any, name: str) -> Path:
    path = artifacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_opens_its_pages_and_is_refused_the_others(browser, server, role):
    page = sign_in(browser, server, role)
    try:
        for path in PAGES:
            # the cockpit's slow sections are awaited once, in the cockpit's own test
            response = open_page(page, server, path, complete=role == "leader")
            if path not in ALLOWED[role]:
                assert response.status == 403, f"{role} must not open {path}"
                continue
            assert response.status == 200, f"{role} could not open {path}"
            text = page.inner_text("body")
            assert PAGES[path] in text and "产业大脑" in text
            png = shot(page, f"{role}{path.replace('/', '_')}")
            assert not _blank(png)
            if role in ("town", "enterprise"):
                # another town's enterprise never reaches these users, by name or by code
                assert server["b"]["code"] not in page.content() and server["b"]["name"] not in text
    finally:
        page.close()


def test_the_cockpit_shows_headline_figures_grades_and_alerts(browser, server):
    page = sign_in(browser, server, "leader")
    try:
        open_page(page, server, "/cockpit")
        text = page.inner_text("body")
        assert "重点指标" in text and "宁波市奉化区制造业高质量发展“十四五”规划" in text
        assert "规上工业总产值" in text and "同比" in text  # the headline figures, on top
        assert "计算中" not in text  # complete, never figures about to change
        assert "评价等级分布" in text and f"评价批次 {server['run_id']}" in text
        assert "产业集群" in text and "集群数据待加载" not in text
        assert page.locator(".nicegui-echart").count() == 2  # grades and clusters, drawn
        assert "项指标严重滞后" in text
        assert "户企业评为D类" in text  # an alert, linking to the D-grade list
        page.get_by_text("户企业评为D类").click()
        page.wait_for_url("**/evaluation?grade=D")
    finally:
        page.close()


def test_a_town_and_an_enterprise_cannot_open_an_enterprise_outside_their_scope(browser, server):
    a, b = server["a"], server["b"]
    for role in ("town", "enterprise"):
        page = sign_in(browser, server, role)
        try:
            open_page(page, server, f"/profile?code={b['code']}")
            text = page.inner_text("body")
            assert b["name"] not in text
            if role == "town":
                assert "未找到" in text  # the 404 page: absent and outside the scope read the same
            else:  # an enterprise's profile page is always its own
                assert a["name"] in text
        finally:
            page.close()
    page = sign_in(browser, server, "leader")
    try:
        open_page(page, server, f"/profile?code={b['code']}")
        assert b["name"] in page.inner_text("body")
        assert "评价说明" in page.inner_text("body")
        shot(page, "leader_profile_b")
    finally:
        page.close()


def test_profile_search_by_pinyin_initials(browser, server):
    from industry_brain.views.profile import initials

    page = sign_in(browser, server, "analyst")
    try:
        query = initials(server["a"]["name"])[:6]
        open_page(page, server, "/profile")
        page.get_by_label("搜索企业（名称、代码、拼音或拼音首字母）").fill(query)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/profile?q={query}")
        page.get_by_text(server["a"]["name"], exact=True).click()
        page.wait_for_url(f"**/profile?code={server['a']['code']}")
        page.get_by_text("基本信息").wait_for()
        assert server["a"]["code"] in page.inner_text("body")
    finally:
        page.close()


def test_chinese_renders_as_glyphs_not_boxes(browser, server):
    """Each of 产业大脑 must be drawn differently; four missing-glyph boxes are identical. The
    browser's document.fonts.check says yes even for boxes, so the pixels decide."""
    page = sign_in(browser, server, "leader")
    try:
        open_page(page, server, "/map")
        title = page.locator("header").get_by_text("产业大脑", exact=True)
        cjk = _cells(title.screenshot(), 4)
        page.set_content('<span id="t" style="font-size:20px">\u0378\u0378\u0378\u0378</span>')
        tofu = _cells(page.locator("#t").screenshot(), 4)
    finally:
        page.close()
    assert _least_difference(tofu) < 0.1, "the comparison itself must see identical boxes as alike"
    assert _least_difference(cjk) > 0.2, "产业大脑 rendered as identical boxes: install fonts-noto-cjk"


def test_english_can_be_switched_on_and_off(browser, server):
    page = sign_in(browser, server, "analyst")
    try:
        open_page(page, server, "/map")
        page.get_by_role("link", name="English").click()
        page.get_by_text("Industry map", exact=True).last.wait_for()
        assert "Enterprise profile" in page.inner_text("header")
        shot(page, "analyst_map_en")
        page.get_by_role("link", name="中文").click()
        page.get_by_text("产业地图", exact=True).last.wait_for()
    finally:
        page.close()


def test_an_analyst_uploads_a_file_and_downloads_its_rejects(browser, server, tmp_path):
    from openpyxl import load_workbook

    from helpers import write_csv

    bad = "91330213000000001X"  # wrong check character
    good = server["a"]["code"]
    csv = write_csv(
        tmp_path / "2024税收补充.csv",
        [
            ["统一社会信用代码", "企业名称", "实缴税金（万元）"],
            [good, server["a"]["name"], 12.5],
            [bad, "错码企业", 3],
        ],
    )
    page = sign_in(browser, server, "analyst")
    try:
        open_page(page, server, "/imports")
        page.get_by_label("期间").fill("2025")
        page.locator("input[type=file]").set_input_files(str(csv))
        # the file is read and previewed first: what would be accepted and rejected, then confirmed
        page.get_by_text("可接收 1 行，退回 1 行").wait_for()
        page.locator(".confirm-import").click()
        page.wait_for_url("**/imports?batch=*")
        page.get_by_text("退回行：1").wait_for()
        shot(page, "analyst_imports_batch")
        with page.expect_download() as download:
            page.get_by_role("button", name="下载退回表").click()
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[1][-1] == "错误原因" and rows[2][1] == bad and "校验码" in rows[2][-1]
    finally:
        page.close()


def test_evaluation_results_download_as_excel_in_scope(browser, server):
    from openpyxl import load_workbook

    from industry_brain.reference.divisions import township_name

    page = sign_in(browser, server, "town")
    try:
        open_page(page, server, "/evaluation")
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 Excel").first.click()
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        header, body = rows[1], rows[2:]
        towns = {r[header.index("镇街（区划）")] for r in body}  # the Excel names townships
        assert body and towns == {township_name(server["a"]["town"])}
    finally:
        page.close()


def test_a_department_reports_an_actual_for_its_own_indicator(browser, server):
    page = sign_in(browser, server, "department")
    try:
        assert page.url.endswith("/plans")
        open_page(page, server, "/plans")
        text = page.inner_text("body")
        assert f"责任单位：{UNIT}" in text
        assert "责任单位：区经信局" not in text  # another unit's indicators are not its business
        page.get_by_label("实绩", exact=True).fill("12")
        page.get_by_role("button", name="上报实绩").click()
        page.get_by_text("实绩已上报").wait_for()
        shot(page, "department_plans_reported")
    finally:
        page.close()


# --- pixels -------------------------------------------------------------------------------


def _blank(png: Path) -> bool:
    from PIL import Image

    with Image.open(png) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    return colours is None or len(colours) < 20


def _cells(png: bytes, n: int) -> list[list[int]]:
    """The image cut into n equal columns, each trimmed to its ink (whatever differs from the
    background, the corner pixel's grey) and scaled to 16 × 16 black-and-white pixels."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    background = img.getpixel((0, 0))
    ink = img.point(lambda v: 255 if abs(v - background) > 60 else 0)
    box = ink.getbbox()
    assert box is not None, "nothing drawn"
    ink = ink.crop(box)
    width = ink.width / n
    out = []
    for i in range(n):
        cell = ink.crop((round(i * width), 0, round((i + 1) * width), ink.height))
        cell = cell.crop(cell.getbbox() or (0, 0, cell.width, cell.height)).resize((16, 16))
        out.append([1 if v > 127 else 0 for v in cell.tobytes()])
    return out


def _least_difference(cells: list[list[int]]) -> float:
    """The smallest share of differing pixels between any two cells (0: two look the same)."""
    return min(
        sum(x != y for x, y in zip(a, b, strict=True)) / len(a)
        for i, a in enumerate(cells)
        for b in cells[i + 1 :]
    )


def test_an_enterprise_appeals_and_the_analyst_reviews(browser, server):
    page = sign_in(browser, server, "enterprise")
    try:
        open_page(page, server, "/evaluation")
        page.get_by_label("申诉值").fill("999")
        page.get_by_label("理由").fill("税务局完税证明与公示数不符")
        proof = artifacts() / "完税证明.pdf"
        proof.write_bytes(b"%PDF-1.4\n%%EOF\n")
        page.locator(".evidence-upload input[type=file]").set_input_files(str(proof))  # 证明材料 are required
        page.get_by_text("已附：完税证明.pdf").wait_for()
        page.get_by_role("button", name="提出申诉").click()
        page.get_by_text("申诉已提交，等待复核").wait_for()
        page.reload()
        page.get_by_text("待复核").first.wait_for()
        shot(page, "enterprise_evaluation_appealed")
    finally:
        page.close()
    page = sign_in(browser, server, "analyst")
    try:
        open_page(page, server, "/evaluation")
        card = page.locator(".q-card", has_text="税务局完税证明与公示数不符")
        card.get_by_label("理由").fill("完税证明期间不属于评价年度")
        card.get_by_role("button", name="驳回").click()
        page.get_by_text("已驳回").first.wait_for()
        shot(page, "analyst_evaluation_reviewed")
    finally:
        page.close()
