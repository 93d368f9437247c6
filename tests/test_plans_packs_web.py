"""A district's own plan through the JSON API and the plans page, over real HTTP on SQLite and
PostgreSQL: upload as a draft, edit, assign units, publish; refusals with the line; only
analysts and admins edit. The page is driven in chromium and photographed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from plans_fixtures import SAMPLE_PACK
from web_fixtures import PASSWORD, Live, live_fixture, web_db_fixture  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")


def _upload(live: Live, user: str, name: str, text: str) -> Any:
    with live.client(user) as c:
        return c.post(
            "/api/v1/plan-packs", files={"file": (name, text.encode("utf-8"), "application/x-yaml")}
        )


def test_an_analyst_uploads_edits_assigns_units_and_publishes_a_plan(live: Live) -> None:
    response = _upload(live, "analyst", "示例规划.yaml", SAMPLE_PACK)
    assert response.status_code == 200, response.text
    assert (response.json()["plan_id"], response.json()["version"], response.json()["state"]) == (
        "sample-plan",
        1,
        "draft",
    )
    with live.client("analyst") as c:
        assert "sample-plan" not in {
            p["id"] for p in c.get("/api/v1/plans").json()
        }  # a draft is not a plan yet
        edit = {
            "indicators": {
                "value-added-double": {"responsible": ["区经信局", "区统计局"], "target_value": 2}
            },
            "tasks": {"task-01": {"partner_units": ["区科技局"]}},
        }
        edited = c.patch("/api/v1/plans/sample-plan/draft", json=edit)
        assert edited.status_code == 200, edited.text
        broken = c.patch(
            "/api/v1/plans/sample-plan/draft",
            json={"indicators": {"value-added-double": {"target_value": 1}}},
        )
        assert broken.status_code == 400 and "change times 的倍数应大于 1" in broken.json()["detail"]
        published = c.post("/api/v1/plans/sample-plan/draft/publish")
        assert published.status_code == 200 and published.json()["state"] == "published"
        plan = c.get("/api/v1/plans/sample-plan").json()
        versions = c.get("/api/v1/plans/sample-plan/versions").json()
    ind = {i["id"]: i for i in plan["indicators"]}
    assert ind["value-added-double"]["responsible"] == ["区经信局", "区统计局"]
    assert plan["tasks"][0]["partner_units"] == ["区科技局"]
    assert [(v["version"], v["state"], v["current"]) for v in versions] == [(1, "published", True)]


def test_an_upload_that_does_not_validate_is_refused_with_its_line(live: Live) -> None:
    text = SAMPLE_PACK.replace("id: sample-plan", "id: other-plan", 1).replace(
        "unit: 家", "unit: 家\n    colour: red"
    )
    line = text.split("\n").index("    colour: red") + 1
    response = _upload(live, "analyst", "坏.yaml", text)
    assert response.status_code == 400
    assert f"坏.yaml: 第 {line} 行（indicators[3].colour）: 未知字段" in response.json()["detail"]
    with live.client("analyst") as c:
        assert c.get("/api/v1/plans/other-plan/draft").status_code == 404


@pytest.mark.parametrize("user", ["leader", "department"])
def test_only_analysts_and_admins_upload_edit_or_publish(live: Live, user: str) -> None:
    assert _upload(live, user, "x.yaml", SAMPLE_PACK).status_code == 403
    with live.client(user) as c:
        assert c.post("/api/v1/plans/yinzhou-154/draft").status_code == 403
        assert c.patch("/api/v1/plans/yinzhou-154/draft", json={}).status_code == 403
        assert c.post("/api/v1/plans/yinzhou-154/draft/publish").status_code == 403


def _units(pack: dict[str, Any]) -> list[list[str]]:
    return [i["responsible"] for i in pack["indicators"]]


def _until(live: Live, path: str, done: Any, seconds: float = 30) -> Any:
    """The route's JSON once it answers 200 and `done` holds (the page acts over its socket)."""
    deadline = time.monotonic() + seconds
    with live.client("analyst") as c:
        while True:
            response = c.get(path)
            if response.status_code == 200 and done(response.json()):
                return response.json()
            assert time.monotonic() < deadline, f"{path}: {response.status_code} {response.text[:300]}"
            time.sleep(0.5)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_plans_page_uploads_edits_and_publishes_a_draft(live: Live, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from test_browser_pages import shot

    if not live.db_url.startswith("sqlite"):
        pytest.skip("the page is the same on both databases; the API tests cover PostgreSQL")
    path = tmp_path / "浏览器规划.yaml"
    path.write_text(SAMPLE_PACK.replace("sample-plan", "browser-plan"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
        page.set_default_timeout(90_000)  # the first plans page computes a plan's progress
        page.goto(f"{live.base}/login")
        page.fill("#username", "analyst")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live.base}/plans")
        page.get_by_text("规划管理：上传、修订、发布").click()
        page.locator(".pack-upload input[type=file]").set_input_files(str(path))
        page.wait_for_url(lambda url: "draft=browser-plan" in url, timeout=60_000)
        page.wait_for_function("() => window.socket && window.socket.connected")
        cell = page.locator('.ag-row[row-index="4"] [col-id="responsible"]').first
        cell.dblclick()
        page.keyboard.press("Control+A")
        page.keyboard.type("区经信局、区统计局")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        shot(page, "analyst_plans_draft_editor")
        page.get_by_role("button", name="保存草稿").click()
        draft = _until(
            live,
            "/api/v1/plans/browser-plan/draft",
            lambda d: _units(d["pack"])[4] == ["区经信局", "区统计局"],
        )
        assert draft["state"] == "draft"
        page.goto(f"{live.base}/plans?draft=browser-plan")  # the saved draft, as the page shows it
        page.wait_for_function("() => window.socket && window.socket.connected")
        assert (
            "区经信局、区统计局"
            in page.locator('.ag-row[row-index="4"] [col-id="responsible"]').first.inner_text()
        )
        page.get_by_role("button", name="发布为当前版本").click()
        _until(live, "/api/v1/plans/browser-plan", lambda d: True)
        browser.close()
    with live.client("analyst") as c:
        plan = c.get("/api/v1/plans/browser-plan").json()
    ind = {i["id"]: i for i in plan["indicators"]}
    assert ind["value-added-double"]["responsible"] == ["区经信局", "区统计局"]


def _published_with_a_draft(live: Live, plan_id: str) -> None:
    """Plan `plan_id` (the sample pack) published as version 1, and a draft of version 2 whose
    规上工业总产值 target is 1250 instead of 1200."""
    text = SAMPLE_PACK.replace("sample-plan", plan_id)
    assert _upload(live, "analyst", f"{plan_id}.yaml", text).status_code == 200
    with live.client("analyst") as c:
        assert c.post(f"/api/v1/plans/{plan_id}/draft/publish").status_code == 200
    revised = text.replace("value: 1200,", "value: 1250,")
    assert _upload(live, "analyst", f"{plan_id} 修订.yaml", revised).json()["version"] == 2


def test_a_discarded_draft_is_kept_and_restored_over_http(live: Live) -> None:
    _published_with_a_draft(live, "kept-plan")
    with live.client("analyst") as c:
        gone = c.delete("/api/v1/plans/kept-plan/draft")
        assert gone.json() == {"plan_id": "kept-plan", "version": 2, "discarded": True}
        assert c.get("/api/v1/plans/kept-plan/draft").status_code == 404
        states = [(v["version"], v["state"]) for v in c.get("/api/v1/plans/kept-plan/versions").json()]
        assert states == [(1, "published"), (2, "discarded")]
        with live.client("leader") as other:
            assert other.post("/api/v1/plans/kept-plan/draft/restore").status_code == 403
        back = c.post("/api/v1/plans/kept-plan/draft/restore")
        assert back.status_code == 200, back.text
        assert (back.json()["version"], back.json()["state"]) == (2, "draft")
        ind = {i["id"]: i for i in back.json()["pack"]["indicators"]}
        assert ind["output-above-scale"]["target"]["value"] == 1250
        again = c.post("/api/v1/plans/kept-plan/draft/restore")
        assert again.status_code == 400 and "已有草稿（版本 2）" in again.json()["detail"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_discarding_a_draft_on_the_page_asks_first_and_it_can_be_restored(live: Live) -> None:
    from playwright.sync_api import expect, sync_playwright

    from test_browser_pages import shot

    if not live.db_url.startswith("sqlite"):
        pytest.skip("the page is the same on both databases; the API tests cover PostgreSQL")
    _published_with_a_draft(live, "asked-plan")
    draft_path = "/api/v1/plans/asked-plan/draft"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
        page.set_default_timeout(90_000)
        page.goto(f"{live.base}/login")
        page.fill("#username", "analyst")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        # the district's own plan drives the clusters page (its 智能装备 cluster)
        assert page.goto(f"{live.base}/clusters?plan=asked-plan").status == 200
        expect(page.get_by_text("示例区制造业发展规划（奉化区）").first).to_be_visible()
        page.goto(f"{live.base}/plans?draft=asked-plan")
        page.wait_for_function("() => window.socket && window.socket.connected")
        cell = page.locator('.ag-row[row-index="0"] [col-id="name"]').first
        cell.dblclick()
        page.keyboard.press("Control+A")
        page.keyboard.type("未保存的名称")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        page.get_by_role("button", name="放弃草稿").click()
        dialog = page.locator(".discard-dialog")
        expect(dialog).to_be_visible()
        text = dialog.inner_text()
        assert "放弃草稿：示例区制造业发展规划" in text and "版本 2" in text
        assert "目标变更：规上工业总产值 2025年 1,200亿元 → 2025年 1,250亿元" in text
        assert "另有 1 处尚未保存的修改" in text
        # when it was made, in Beijing time as officials read it (stored in UTC)
        from industry_brain.core.labels import moment

        made = _until(live, draft_path, lambda d: True)["added_at"]
        assert f"于 {moment(made)} 建立" in text and "T" not in text.split("于 ")[1][:17]
        # the grid numbers the rows; the pack's own ids are not shown
        headers = page.locator(".ag-header-cell-text").all_inner_texts()
        assert "序号" in headers and "编号" not in headers
        assert "output-above-scale" not in page.locator(".ag-center-cols-container").first.inner_text()
        shot(page, "analyst_plans_discard_dialog")
        dialog.get_by_role("button", name="取消").click()
        expect(dialog).to_be_hidden()
        assert _until(live, draft_path, lambda d: True)["version"] == 2  # nothing discarded
        page.get_by_role("button", name="放弃草稿").click()
        page.locator(".discard-dialog").get_by_role("button", name="确认放弃").click()
        _until_gone(live, draft_path)
        page.wait_for_url(lambda url: "draft=" not in url, timeout=30_000)
        page.get_by_text("规划管理：上传、修订、发布").click()
        kept = page.locator(".discarded-draft").filter(has_text="示例区制造业发展规划 版本 2")
        expect(kept).to_be_visible()
        page.wait_for_timeout(600)  # the panel has opened
        shot(page, "analyst_plans_discarded_drafts")
        kept.get_by_role("button", name="恢复为草稿").click()
        draft = _until(live, draft_path, lambda d: d["version"] == 2)
        browser.close()
    ind = {i["id"]: i for i in draft["pack"]["indicators"]}
    assert ind["output-above-scale"]["target"]["value"] == 1250  # the saved draft came back
    assert ind["output-above-scale"]["name"] == "规上工业总产值"  # the unsaved edit did not


def _until_gone(live: Live, path: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    with live.client("analyst") as c:
        while c.get(path).status_code != 404:
            assert time.monotonic() < deadline, f"{path} still answers"
            time.sleep(0.5)
