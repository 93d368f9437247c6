"""The analyst's evaluation cycle with an appeal, in a real browser (Debian's chromium driven by
Playwright) against the real server on a small demo district: the analyst publishes a draft
with the date picker and a confirmation (a mistyped date is refused in Chinese), the enterprise
appeals with 证明材料, the analyst sees the evidence, the department figures and the far-claim
flag, opens a result's explanation, rejects with a reason, the enterprise reads the reason, and
once the deadline has passed the analyst finalizes with a confirmation. The server's clock is
moved through a file its start script reads (evaluation.workflow_common.today). Screenshots
are kept under the test's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_fixtures import free_port, wait_for_login

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
SERVER = """
import datetime as dt, pathlib, sys, uvicorn
from industry_brain.core.settings import get_settings
from industry_brain.evaluation import workflow_common
from industry_brain.web.app import create_app

clock = pathlib.Path(sys.argv[3])
workflow_common.today = lambda: (
    dt.date.fromisoformat(clock.read_text().strip()) if clock.exists() else dt.date.today()
)
uvicorn.run(create_app(get_settings(database_url=sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning")
"""
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _draft_and_accounts(url: str, year: int) -> dict[str, Any]:
    """A draft run of `year` from the record; the enterprise account is one of its above-scale
    enterprises with a tax figure (its town the town account)."""
    from sqlalchemy import select

    from industry_brain.core.auth import create_demo_accounts
    from industry_brain.core.db import transaction
    from industry_brain.core.settings import get_settings
    from industry_brain.enterprises.models import Enterprise
    from industry_brain.evaluation.method import load_method
    from industry_brain.evaluation.models import EvaluationInput, EvaluationResult
    from industry_brain.evaluation.service import facts_for, run_evaluation
    from industry_brain.registry import open_database

    settings = get_settings(environ={}, database_url=url)
    engine = open_database(url)
    with transaction(engine) as s:
        summary, _ = run_evaluation(
            s,
            year=year,
            method=load_method("huangyan-2022"),
            settings=settings,
            facts=facts_for(s, year=year, settings=settings),
            input_source="database",
            user="analyst",
        )
        row = s.execute(
            select(Enterprise.credit_code, Enterprise.name, Enterprise.township_code, EvaluationInput.tax_wan)
            .join(EvaluationResult, EvaluationResult.credit_code == Enterprise.credit_code)
            .join(EvaluationInput, EvaluationInput.credit_code == Enterprise.credit_code)
            .where(
                EvaluationResult.run_id == summary.run_id,
                EvaluationInput.run_id == summary.run_id,
                EvaluationResult.pool == "above_scale",
                EvaluationInput.tax_wan > 0,
            )
            .order_by(Enterprise.credit_code)
        ).first()
        assert row is not None
        accounts = create_demo_accounts(s, township_code=row[2], credit_code=row[0], unit="区科技局")
    engine.dispose()
    return {
        "run_id": summary.run_id,
        "code": row[0],
        "name": row[1],
        "tax": float(row[3]),
        "passwords": {a["role"]: a["password"] for a in accounts},
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:

    from industry_brain.demo.build import build_demo

    summary = build_demo(directory=tmp_path_factory.mktemp("district"), scale=0.05)
    url = summary["database"]
    seeded = _draft_and_accounts(url, min(summary["years"][-2:]))
    root = tmp_path_factory.mktemp("cycle")
    clock, evidence, log = root / "today.txt", root / "evidence", root / "server.log"
    port = free_port()
    env = {**os.environ, "INDUSTRY_BRAIN_EVIDENCE_DIR": str(evidence)}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, url, str(port), str(clock)], stdout=out, stderr=out, env=env
        )
    base = f"http://127.0.0.1:{port}"
    wait_for_login(proc, base, log)
    shots = root / "screenshots"
    shots.mkdir()
    yield {**seeded, "base": base, "clock": clock, "evidence": evidence, "shots": shots, "root": root}
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


def open_run(page: Any, server: dict[str, Any]) -> None:
    page.goto(f"{server['base']}/evaluation?run={server['run_id']}")
    page.get_by_text("评价结果明细").first.wait_for()
    page.wait_for_function("() => window.socket && window.socket.connected")
    page.wait_for_timeout(400)


def shot(page: Any, server: dict[str, Any], name: str) -> Path:
    path = server["shots"] / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_the_analysts_evaluation_cycle_with_an_appeal(browser, server):
    today = dt.date.today()
    target = today + dt.timedelta(days=10)
    page = sign_in(browser, server, "analyst")
    try:
        open_run(page, server)
        box = page.get_by_label("公示截止日期")
        # a mistyped date is refused in Chinese, before any confirmation
        box.fill("2026/13/40")
        page.get_by_role("button", name="发布公示").click()
        page.get_by_text("不是有效的日期").first.wait_for()
        # the calendar: days before tomorrow cannot be picked; pick ten days from now
        page.get_by_label("选择日期").click()
        calendar = page.locator(".publish-calendar")
        calendar.wait_for()
        if target.month != today.month:
            calendar.locator(".q-date__arrow button").nth(1).click()
            page.wait_for_timeout(300)
        calendar.locator(".q-date__calendar-item--in button").filter(
            has_text=re.compile(f"^{target.day}$")
        ).first.click()
        shot(page, server, "analyst_publish_calendar")
        page.keyboard.press("Escape")
        assert box.input_value() == target.isoformat()
        page.get_by_role("button", name="发布公示").click()
        dialog = page.locator(".q-dialog")
        dialog.get_by_text(f"申诉受理至 {target:%Y年%m月%d日}").wait_for()
        assert "对企业和镇街可见" in dialog.inner_text()
        shot(page, server, "analyst_publish_confirm")
        dialog.get_by_role("button", name="确认发布").click()
        page.get_by_text(f"已公示，截止 {target.isoformat()}").wait_for()
        page.wait_for_timeout(1500)
        open_run(page, server)
        assert "公示中" in page.inner_text("body")
    finally:
        page.close()

    proof = server["root"] / "完税证明.pdf"
    proof.write_bytes(PDF)
    claimed = round(server["tax"] * 10 + 1000)
    page = sign_in(browser, server, "enterprise")
    try:
        open_run(page, server)
        page.get_by_label("申诉值").fill(str(claimed))
        page.get_by_label("理由", exact=True).fill("税务局完税证明与公示数不符")
        page.locator(".evidence-upload input[type=file]").set_input_files(str(proof))
        page.get_by_text("已附：完税证明.pdf").wait_for()
        page.get_by_role("button", name="提出申诉").click()
        page.get_by_text("申诉已提交，等待复核").wait_for()
        page.wait_for_timeout(1500)
        open_run(page, server)
        card = page.locator(".appeal-card", has_text="税务局完税证明与公示数不符")
        card.get_by_text("待复核").wait_for()
        assert "完税证明.pdf" in card.inner_text()
        shot(page, server, "enterprise_evaluation_appealed")
    finally:
        page.close()
    stored = list(server["evidence"].iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == PDF and stored[0].suffix == ".pdf"

    page = sign_in(browser, server, "analyst")
    try:
        open_run(page, server)
        card = page.locator(".appeal-card", has_text="税务局完税证明与公示数不符")
        text = card.inner_text()
        assert "各部门数据：" in text and "税务局" in text
        card.locator(".far-claim").wait_for()
        with page.expect_download() as got:
            card.get_by_role("button", name="完税证明.pdf").click()
        assert Path(got.value.path()).read_bytes() == PDF and got.value.suggested_filename == "完税证明.pdf"
        # a result row opens that enterprise's explanation
        page.locator(".ag-row", has_text=server["code"]).first.locator(".ag-cell").first.click()
        explain = page.locator(".explain-card")
        explain.get_by_text("评价说明").wait_for()
        assert len(explain.inner_text()) > 40
        shot(page, server, "analyst_evaluation_explanation")
        explain.get_by_role("button", name="关闭").click()
        card.get_by_label("复核理由").fill("完税证明期间不属于评价年度")
        card.get_by_role("button", name="驳回").click()
        page.get_by_text("已驳回").first.wait_for()
        page.wait_for_timeout(1500)
        open_run(page, server)
        page.get_by_text("复核理由：完税证明期间不属于评价年度").wait_for()
        shot(page, server, "analyst_evaluation_reviewed")
    finally:
        page.close()

    page = sign_in(browser, server, "enterprise")
    try:
        open_run(page, server)
        page.get_by_text("复核理由：完税证明期间不属于评价年度").wait_for()
        assert "已驳回" in page.inner_text("body")
        shot(page, server, "enterprise_evaluation_rejected")
    finally:
        page.close()

    page = sign_in(browser, server, "analyst")
    try:
        open_run(page, server)
        page.get_by_role("button", name="终审").click()
        page.locator(".q-dialog").get_by_role("button", name="确认终审").click()
        page.get_by_text("起才能终审").first.wait_for()  # the window is still open today
        server["clock"].write_text((target + dt.timedelta(days=1)).isoformat())
        open_run(page, server)
        page.get_by_role("button", name="终审").click()
        dialog = page.locator(".q-dialog")
        dialog.get_by_text("不再受理申诉").wait_for()
        shot(page, server, "analyst_finalize_confirm")
        dialog.get_by_role("button", name="确认终审").click()
        page.get_by_text(f"批次 {server['run_id']} 已终审").wait_for()
        page.wait_for_timeout(1500)
        open_run(page, server)
        assert "已终审" in page.inner_text("body")
        shot(page, server, "analyst_evaluation_final")
    finally:
        page.close()
