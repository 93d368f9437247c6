"""The JSON API and sign-in over real HTTP, on SQLite and PostgreSQL: tokens, 401/404, scopes,
the audit log, the sign-in rate limit, disabled users, CSRF on the sign-in form, imports and
the offline API browser."""

from __future__ import annotations

import re

import httpx
import pytest

from helpers import code
from industry_brain.core.auth import disable_user
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from web_fixtures import ENTERPRISES, PASSWORD, TAXES, TOWN_A, Live, live_fixture, web_db_fixture  # noqa: F401

NOT_FOUND = {"detail": "未找到 (not found)"}


def test_a_token_from_username_and_password_opens_the_api(live: Live) -> None:
    response = httpx.post(f"{live.base}/api/v1/auth/token", data={"username": "town", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 12 * 3600
    me = httpx.get(f"{live.base}/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "username": "town",
        "role": "town",
        "township_code": TOWN_A,
        "unit": None,
        "credit_code": None,
    }


def test_a_long_lived_api_token_is_accepted_as_bearer(live: Live) -> None:
    me = httpx.get(f"{live.base}/api/v1/me", headers={"Authorization": f"Bearer {live.api_token}"})
    assert me.status_code == 200 and me.json()["username"] == "analyst"


def test_wrong_password_is_401_without_saying_which_part_was_wrong(live: Live) -> None:
    wrong_pw = httpx.post(
        f"{live.base}/api/v1/auth/token", data={"username": "leader", "password": "nope-nope"}
    )
    no_user = httpx.post(
        f"{live.base}/api/v1/auth/token", data={"username": "nobody", "password": "nope-nope"}
    )
    assert wrong_pw.status_code == no_user.status_code == 401
    assert wrong_pw.json() == no_user.json()


def test_without_a_valid_token_every_api_route_is_401(live: Live) -> None:
    routes = [
        "/api/v1/me",
        "/api/v1/enterprises",
        f"/api/v1/enterprises/{code(1)}",
        "/api/v1/evaluation/runs",
        f"/api/v1/evaluation/runs/{live.run_published}/results",
        "/api/v1/imports/batches",
        "/api/v1/audit",
    ]
    for route in routes:
        for headers in ({}, {"Authorization": "Bearer ibt_forged"}, {"Authorization": "Basic YTpi"}):
            response = httpx.get(live.base + route, headers=headers)
            assert response.status_code == 401, (route, headers)
            assert response.headers["www-authenticate"] == "Bearer"
    assert httpx.get(f"{live.base}/api/v1/health").json()["status"] == "ok"


def test_outside_the_scope_is_404_with_the_same_body_as_a_code_that_does_not_exist(live: Live) -> None:
    absent = code(999)
    with live.client("enterprise") as c:
        assert c.get(f"/api/v1/enterprises/{code(1)}").status_code == 200
        other, nothing = c.get(f"/api/v1/enterprises/{code(2)}"), c.get(f"/api/v1/enterprises/{absent}")
        assert other.status_code == nothing.status_code == 404
        assert other.content == nothing.content and other.json() == NOT_FOUND
    with live.client("town") as c:
        assert c.get(f"/api/v1/enterprises/{code(2)}").status_code == 200
        other = c.get(f"/api/v1/enterprises/{code(3)}")
        assert other.status_code == 404 and other.content == nothing.content


def test_the_list_holds_exactly_the_scope_and_pages_and_filters(live: Live) -> None:
    with live.client("town") as c:
        page = c.get("/api/v1/enterprises").json()
        assert page["total"] == 2
        assert {e["credit_code"] for e in page["items"]} == {code(1), code(2)}
        assert page["items"][0] == {
            "credit_code": code(1),
            "name": ENTERPRISES[code(1)][0],
            "industry_code": "3484",
            "township_code": TOWN_A,
            "township": "锦屏街道",
        }
    with live.client("leader") as c:
        assert c.get("/api/v1/enterprises", params={"limit": 1, "offset": 3}).json()["items"][0][
            "credit_code"
        ] == (code(4))
        found = c.get("/api/v1/enterprises", params={"q": "塑料"}).json()
        assert [e["credit_code"] for e in found["items"]] == [code(3)]
        assert c.get("/api/v1/enterprises", params={"q": code(2)[:17].lower()}).json()["total"] == 1
        assert c.get("/api/v1/enterprises", params={"q": "100%_"}).json()["total"] == 0
    with live.client("department") as c:
        assert c.get("/api/v1/enterprises").json()["total"] == 0


def test_an_enterprise_shows_its_figures_by_year_with_their_sources(live: Live) -> None:
    with live.client("analyst") as c:
        body = c.get(f"/api/v1/enterprises/{code(1)}").json()
    assert body["sources"]["township_code"] == "registry"
    assert [y["year"] for y in body["years"]] == [2022, 2021]
    for year in body["years"]:
        assert year["figures"]["tax_wan"] == {"value": TAXES[year["year"]][code(1)], "source": "tax"}
        assert year["sources"]["tax"]["files"] == [f"tax-{year['year']}.csv"]


def test_reads_of_figures_and_sign_ins_are_in_the_audit_log_for_admins_only(live: Live) -> None:
    with live.client("leader") as c:
        c.get(f"/api/v1/enterprises/{code(4)}")
    with live.client("admin") as c:
        entries = c.get("/api/v1/audit", params={"username": "leader", "action": "enterprise.read"}).json()
        assert entries[0]["target"] == code(4) and entries[0]["address"] == "127.0.0.1"
        assert entries[0]["role"] == "leader"
        sign_ins = c.get("/api/v1/audit", params={"username": "leader", "action": "sign_in"}).json()
        assert {e["action"] for e in sign_ins} >= {"sign_in"}
    with live.client("analyst") as c:
        assert c.get("/api/v1/audit").status_code == 403


def test_sign_in_is_refused_after_too_many_failures_even_with_the_right_password(live: Live) -> None:
    url = f"{live.base}/api/v1/auth/token"
    for _ in range(3):  # the server runs with INDUSTRY_BRAIN_LOGIN_MAX_FAILURES=3
        assert httpx.post(url, data={"username": "locked", "password": "wrong-wrong"}).status_code == 401
    refused = httpx.post(url, data={"username": "locked", "password": PASSWORD})
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 900  # the seconds left of the window
    # other users from the same address are not affected
    assert httpx.post(url, data={"username": "analyst", "password": PASSWORD}).status_code == 200


def test_a_disabled_user_cannot_sign_in_and_its_tokens_stop_working(live: Live) -> None:
    assert (
        httpx.post(
            f"{live.base}/api/v1/auth/token", data={"username": "gone", "password": PASSWORD}
        ).status_code
        == 401
    )
    token = live.token("retiring")
    engine = open_database(live.db_url)
    try:
        with transaction(engine) as session:
            disable_user(session, username="retiring")
    finally:
        engine.dispose()
    response = httpx.get(f"{live.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_sign_in_form_needs_its_csrf_token_and_sets_a_secure_session_cookie(live: Live) -> None:
    with httpx.Client(base_url=live.base) as browser:
        refused = browser.post("/login", data={"username": "analyst", "password": PASSWORD})
        assert refused.status_code == 403 and "ib_session" not in refused.cookies
        form = browser.get("/login?next=/")
        assert "用户名" in form.text and "English" in form.text
        token = _form_token(form.text)
        forged = browser.post(
            "/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": "x.y"}
        )
        assert forged.status_code == 403
        signed_in = browser.post(
            "/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token, "next": "/"}
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        cookie = next(h for h in signed_in.headers.get_list("set-cookie") if h.startswith("ib_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert browser.get("/cockpit").status_code == 200
        out = browser.post("/logout", data={"csrf_token": _form_token(browser.get("/logout").text)})
        assert out.status_code == 303
        assert browser.get("/cockpit").status_code == 303


def test_pages_redirect_to_sign_in_and_sign_in_goes_back_only_to_local_pages(live: Live) -> None:
    with httpx.Client(base_url=live.base) as browser:
        away = browser.get("/cockpit")
        assert away.status_code == 303 and away.headers["location"].startswith("/login?next=")
        english = browser.get("/login?lang=en&next=//evil.example/")
        assert "Username" in english.text and 'value="/"' in english.text
        token = _form_token(english.text)
        response = browser.post(
            "/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "https://evil.example/",
            },
        )
        assert response.headers["location"] == "/"


def test_evaluation_results_are_scoped_and_drafts_are_for_district_wide_roles(live: Live) -> None:
    run, draft = live.run_published, live.run_draft
    with live.client("enterprise") as c:
        mine = c.get(f"/api/v1/evaluation/runs/{run}/results").json()
        assert [r["credit_code"] for r in mine["items"]] == [code(1)]
        assert c.get(f"/api/v1/evaluation/runs/{run}/results/{code(1)}").json()["explanation"]
        assert c.get(f"/api/v1/evaluation/runs/{run}/results/{code(2)}").json() == NOT_FOUND
        assert c.get(f"/api/v1/evaluation/runs/{draft}").status_code == 404
        assert [r["run_id"] for r in c.get("/api/v1/evaluation/runs").json()] == [run]
    with live.client("town") as c:
        got = c.get(f"/api/v1/evaluation/runs/{run}/results").json()
        assert {r["credit_code"] for r in got["items"]} == {code(1), code(2)}
        assert c.get(f"/api/v1/evaluation/runs/{run}").json()["grades"] == {}
    with live.client("analyst") as c:
        assert c.get(f"/api/v1/evaluation/runs/{draft}/results").json()["total"] == 4
        assert sum(c.get(f"/api/v1/evaluation/runs/{run}").json()["grades"].values()) == 4
        assert (
            c.get(f"/api/v1/evaluation/runs/{run}/results", params={"township_code": TOWN_A}).json()["total"]
            == 2
        )
    with live.client("department") as c:
        assert c.get(f"/api/v1/evaluation/runs/{run}/results").json()["items"] == []


def test_analysts_import_files_and_read_batches_and_rejects_others_may_not(live: Live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = "统一社会信用代码,企业名称,实缴税金（万元）\n" + f"{code(2)},锦屏乙电子有限公司,99\n"
    with live.client("analyst") as c:
        result = c.post(
            "/api/v1/imports",
            data={"source": "tax", "period": "2023"},
            files={"file": ("tax-2023.csv", csv.encode("utf-8"), "text/csv")},
        )
        assert result.status_code == 200, result.text
        assert result.json()["rows_accepted"] == 1 and result.json()["file"] == "tax-2023.csv"
        batches = c.get("/api/v1/imports/batches").json()
        assert batches[-1]["batch_id"] == result.json()["batch_id"]
        rejects = c.get(f"/api/v1/imports/batches/{live.batch_with_rejects}/rejects").json()
        assert rejects["rows"][0][1] == "91330213BADCODE001"
        bad = c.post("/api/v1/imports", data={"source": "nonsense"}, files={"file": ("x.csv", b"a,b\n1,2\n")})
        assert bad.status_code == 400 and "nonsense" in bad.json()["detail"]
    for role in ("town", "leader", "enterprise"):
        with live.client(role) as c:
            assert c.get("/api/v1/imports/batches").status_code == 403
            assert (
                c.post("/api/v1/imports", data={"source": "tax"}, files={"file": ("t.csv", b"")}).status_code
                == 403
            )


def test_the_api_browser_loads_only_local_assets(live: Live) -> None:
    page = httpx.get(f"{live.base}/api/docs")
    assert page.status_code == 200
    urls = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", page.text) + re.findall(
        r"url: ?'([^']+)'", page.text
    )
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in urls:
        assert httpx.get(live.base + u).status_code == 200, u
    spec = httpx.get(f"{live.base}/openapi.json").json()
    assert "/api/v1/enterprises/{credit_code}" in spec["paths"]


def test_an_upload_names_the_sheet_of_a_workbook(live: Live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "上年"
    book.active.append(["统一社会信用代码", "企业名称", "实缴税金（万元）"])
    book.active.append([code(2), "锦屏乙电子有限公司", 50])
    this_year = book.create_sheet("本年")
    this_year.append(["统一社会信用代码", "企业名称", "实缴税金（万元）"])
    this_year.append([code(2), "锦屏乙电子有限公司", 77])
    path = tmp_path / "tax.xlsx"
    book.save(path)
    with live.client("analyst") as c:
        result = c.post(
            "/api/v1/imports",
            data={"source": "tax", "period": "2022", "sheet": "本年"},
            files={"file": ("tax.xlsx", path.read_bytes())},
        )
        assert result.status_code == 200, result.text
        assert result.json()["rows_accepted"] == 1
        missing = c.post(
            "/api/v1/imports",
            data={"source": "tax", "period": "2022", "sheet": "汇总"},
            files={"file": ("tax.xlsx", path.read_bytes())},
        )
        assert missing.status_code == 400 and "汇总" in missing.json()["detail"]
        years = c.get(f"/api/v1/enterprises/{code(2)}").json()["years"]
    [year_2022] = [y for y in years if y["year"] == 2022]
    assert year_2022["figures"]["tax_wan"] == {"value": 77, "source": "tax"}  # 本年, not 上年's 50


def test_health_says_when_the_start_up_cockpit_is_computed(live: Live) -> None:
    import time

    deadline = time.monotonic() + 120
    state = httpx.get(f"{live.base}/api/v1/health").json()["cockpit"]
    assert state in ("warming", "ready")
    while state != "ready" and time.monotonic() < deadline:
        time.sleep(0.5)
        state = httpx.get(f"{live.base}/api/v1/health").json()["cockpit"]
    assert state == "ready"
