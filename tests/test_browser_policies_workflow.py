"""免申即享 on the policies page in a real browser (Debian's chromium by Playwright), per role,
on the small district of web_domains_fixtures as of 2025-03-01 (2024 figures):

- the 区经信局 department starts the 小升规 run from the page (a background job); 丁 (code 4,
  规下 in 2023 with 1,600 万元, 规上 in 2024 with 2,000 万元, +25% ≥ 15%) is the one stored,
  eligible for 10 万元;
- removing without a reason is refused; the department confirms 丁;
- 丁 itself confirms on its own section; the department records the 10 万元 with a voucher;
- in the 亩均 A-class run (no grade: every enterprise unknown) the department removes one with
  a reason;
- each step asked before it acted, and the audit log holds each with its reason.
Screenshots go to $PYTEST_ARTIFACTS/browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from helpers import code
from industry_brain.core.auth import create_user
from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from test_browser_domains import CHROMIUM, artifacts, sign_in
from web_domains_fixtures import NAME_OF, PASSWORD, Server, seed, start
from web_fixtures import free_port, stop

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
URL = "/policies?as_of=2025-03-01"
DING = NAME_OF[code(4)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-policy-flow') / 'web.db'}"
    seed(url, tmp_path_factory.mktemp("files"))
    engine = open_database(url)
    try:
        with transaction(engine) as session:
            create_user(session, username="jxj", role="department", password=PASSWORD, unit="区经信局")
            create_user(session, username="ding", role="enterprise", password=PASSWORD, credit_code=code(4))
    finally:
        engine.dispose()
    port = free_port()
    process = start(url, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", db_url=url)
    finally:
        stop(process)


def _start_run(page: Any, server: Server, policy_name: str) -> None:
    page.goto(f"{server.base}{URL}")
    page.get_by_text("发起数据比对").first.wait_for()
    page.locator(".run-policy").click()
    page.get_by_role("option", name=policy_name).click()
    page.get_by_role("button", name="发起比对").click()
    ask = page.locator(".policy-ask")
    ask.get_by_text("同一政策每个数据年度只发起一次").wait_for()  # asked, nothing queued yet
    ask.get_by_role("button", name="发起比对").click()
    page.get_by_role("button", name="查看比对批次").wait_for(timeout=120_000)
    page.get_by_role("button", name="查看比对批次").click()
    page.wait_for_url(lambda url: "run=" in url)
    page.get_by_text("办理状态").first.wait_for()
    page.wait_for_timeout(500)


def _row(page: Any, name: str, grid: str = ".run-matches") -> Any:
    return page.locator(f"{grid} .ag-row", has_text=name).first


def test_the_workflow_per_role(browser: Any, server: Server) -> None:
    dept = sign_in(browser, server, "jxj")
    try:
        _start_run(dept, server, "“小升规”工业企业奖励")
        dept.screenshot(path=str(artifacts() / "policies_department_run.png"), full_page=True)
        row = _row(dept, DING)
        assert "符合条件" in row.inner_text() and "待部门确认" in row.inner_text()
        row.locator(".policy-action").click()
        dialog = dept.locator(".policy-decide")
        dialog.get_by_text("核定金额 10 万元").wait_for()
        dept.screenshot(path=str(artifacts() / "policies_department_decide.png"), full_page=True)
        dialog.get_by_role("button", name="剔除").click()
        dept.get_by_text("剔除企业必须写明理由").first.wait_for()  # no reason, no removal
        dialog.get_by_role("button", name="确认符合").click()
        dept.get_by_text(f"已确认：{DING}").wait_for()
        dept.wait_for_timeout(1500)  # the page reloads
        dept.get_by_text("办理状态").first.wait_for()
        assert "待企业确认" in _row(dept, DING).inner_text()
    finally:
        dept.close()

    ding = sign_in(browser, server, "ding")
    try:
        ding.goto(f"{server.base}{URL}")
        ding.get_by_text("办理与拨付").first.wait_for()
        ding.wait_for_timeout(500)
        row = _row(ding, "“小升规”工业企业奖励", ".own-matches")
        assert "部门已确认，待企业确认" in row.inner_text()
        row.locator(".policy-action").click()
        dialog = ding.locator(".policy-accept")
        dialog.get_by_text("核定金额 10 万元").wait_for()
        ding.screenshot(path=str(artifacts() / "policies_enterprise_accept.png"), full_page=True)
        dialog.get_by_role("button", name="确认享受").click()
        ding.get_by_text("已确认享受，等待部门拨付").wait_for()
        ding.wait_for_timeout(1500)
        ding.get_by_text("办理与拨付").first.wait_for()
        row = _row(ding, "“小升规”工业企业奖励", ".own-matches")
        assert "企业已确认，待拨付" in row.inner_text()
        row.get_by_text("企业已确认，待拨付").click()  # the stored trace, with its notice
        trace = ding.locator(".policy-trace")
        trace.get_by_text("逐条判定").wait_for()
        with ding.expect_download() as got:
            trace.locator(".policy-notice-pdf").click()
        assert got.value.suggested_filename == f"政策兑现告知书_“小升规”工业企业奖励_{DING}.pdf"
        ding.screenshot(path=str(artifacts() / "policies_enterprise_notice.png"), full_page=True)
    finally:
        ding.close()

    dept = sign_in(browser, server, "jxj")
    try:
        dept.goto(f"{server.base}{URL}&run=1")
        dept.get_by_text("办理状态").first.wait_for()
        dept.wait_for_timeout(500)
        _row(dept, DING).locator(".policy-action").click()
        dialog = dept.locator(".policy-pay")
        dialog.get_by_text("不能撤销").wait_for()
        dialog.locator(".pay-voucher input").fill("鄞财拨〔2025〕15号")
        dept.screenshot(path=str(artifacts() / "policies_department_pay.png"), full_page=True)
        dialog.get_by_role("button", name="登记拨付").click()
        dept.get_by_text("已登记拨付 10 万元（凭证 鄞财拨〔2025〕15号）").wait_for()
        dept.wait_for_timeout(1500)
        dept.get_by_text("办理状态").first.wait_for()
        dept.wait_for_timeout(500)
        assert "已拨付" in _row(dept, DING).inner_text()
        with dept.expect_download() as got:
            dept.locator(".policy-publicity-xlsx").click()
        assert got.value.suggested_filename.startswith("政策兑现公示名单_“小升规”工业企业奖励_批次")

        _start_run(dept, server, "亩均效益综合评价A类企业奖励")
        row = _row(dept, DING)
        assert "数据不全，无法判定" in row.inner_text()
        row.locator(".policy-action").click()
        dialog = dept.locator(".policy-decide")
        assert dialog.get_by_role("button", name="确认符合").is_disabled()  # not eligible: remove only
        dialog.locator(".decide-reason textarea").fill("未参加2024年度亩均评价")
        dialog.get_by_role("button", name="剔除").click()
        dept.get_by_text(f"已剔除：{DING}").wait_for()
        dept.wait_for_timeout(1500)
        dept.get_by_text("办理状态").first.wait_for()
        dept.wait_for_timeout(500)
        assert "部门已剔除" in _row(dept, DING).inner_text()
        dept.screenshot(path=str(artifacts() / "policies_department_removed.png"), full_page=True)
    finally:
        dept.close()

    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            got = conn.execute(
                select(AuditEntry).where(AuditEntry.action.like("policy.%")).order_by(AuditEntry.id)
            ).all()
    finally:
        engine.dispose()
    steps = [(r.action, r.username, r.target) for r in got if r.action != "policy.read"]
    assert steps == [
        ("policy.run", "jxj", "scale_up_reward"),
        ("policy.confirm", "jxj", code(4)),
        ("policy.accept", "ding", code(4)),
        ("policy.notice.read", "ding", code(4)),
        ("policy.pay", "jxj", code(4)),
        ("policy.publicity.read", "jxj", "1"),
        ("policy.run", "jxj", "mu_a_reward"),
        ("policy.remove", "jxj", code(4)),
    ]
    removed = next(r for r in got if r.action == "policy.remove")
    assert json.loads(removed.detail)["reason"] == "未参加2024年度亩均评价"
    paid = next(r for r in got if r.action == "policy.pay")
    assert json.loads(paid.detail)["amount_wan"] == 10.0
