"""Every page answers an invalid parameter, something that does not exist, a scope it does not
cover and a page the role may not open with a page in Chinese (English with the language cookie)
and a way back: 400, 404, 403, never a 500 or an exception's text. Real HTTP, as every role, on
SQLite and PostgreSQL; the JSON API keeps its JSON answers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from helpers import code
from web_fixtures import PASSWORD, TOWN_B, Live, live_fixture, web_db_fixture  # noqa: F401

ROLES = ("admin", "analyst", "leader", "department", "town", "enterprise")
# page -> the roles that may open it (web/pages/layout.PAGES and domain_common.DOMAIN_PAGES)
PAGES = {
    "/cockpit": {"admin", "analyst", "leader", "town"},
    "/profile": {"admin", "analyst", "leader", "town", "enterprise"},
    "/evaluation": {"admin", "analyst", "leader", "town", "enterprise"},
    "/plans": {"admin", "analyst", "leader", "department"},
    "/map": {"admin", "analyst", "leader", "town"},
    "/imports": {"admin", "analyst", "department"},  # a department imports its own sources
    "/chains": {"admin", "analyst", "leader", "town", "enterprise"},
    "/clusters": {"admin", "analyst", "leader", "town"},
    "/tiers": {"admin", "analyst", "leader", "town", "enterprise"},
    "/pools": {"admin", "analyst", "leader", "town", "enterprise"},
    "/projects": {"admin", "analyst", "leader", "department", "town"},
    "/requests": set(ROLES),
    "/requests/case": set(ROLES),
    "/requests/stats": {"admin", "analyst", "leader", "department", "town"},
    "/monitoring": {"admin", "analyst", "leader", "department", "town"},
    "/policies": set(ROLES),
    "/commitments": set(ROLES),  # another department than the land department sees no parcel
}
GARBAGE = ["x<'\"", "99999999999999999999", "-1", "1e309", "%00", "０"]
# page -> {parameter: values that must be refused}; each also gets GARBAGE
BAD = {
    "/profile": {"code": ["91330213BADCODE001"]},
    "/evaluation": {
        "run": ["0", "999999"],
        "grade": ["Z"],
        "pool": ["zz"],
        "town": ["33021300"],
        "industry": ["C3X"],
    },
    "/plans": {"plan": ["no-such-plan"], "as_of": ["2024-13-40", "1800-01-01"]},
    "/map": {"metric": ["no_such_metric"]},
    "/imports": {"batch": ["0", "999999"]},
    "/chains": {"chain": ["no-such-chain"], "year": ["1800"]},
    "/clusters": {"cluster": ["no-such-cluster"], "plan": ["no-such-plan"], "year": ["1800"]},
    "/tiers": {"year": ["1800", "3000"]},
    "/pools": {"pool": ["zz"], "year": ["1800"], "code": ["91330213BADCODE001"]},
    "/projects": {"as_of": ["2024-13-40", "yesterday"]},
    "/requests": {"state": ["zz", "办"]},
    "/requests/case": {"id": ["0", "999999"]},
    "/requests/stats": {"period": ["2024-13", "2024-Q5", "24-03"]},
}
# what no page may show: a traceback, an exception's name or NiceGUI's English error page
LEAKS = re.compile(
    r"Traceback|Exception|Error\b|\w+Error|OverflowError|sqlalchemy|psycopg|Server error|"
    r"This page doesn't exist|\"detail\""
)


def sign_in(live: Live, username: str) -> httpx.Client:
    """A browser signed in through the sign-in form (the page cookie, not an API token)."""
    client = httpx.Client(base_url=live.base, timeout=120)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture(scope="module")
def browsers(live: Live) -> dict[str, httpx.Client]:
    clients = {role: sign_in(live, role) for role in ROLES}
    yield clients  # type: ignore[misc]
    for c in clients.values():
        c.close()


def assert_refusal(response: httpx.Response, statuses: set[int], what: str) -> None:
    assert response.status_code in statuses, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("text/html"), what
    assert re.search(r"[\u4e00-\u9fff]", response.text), what
    assert not LEAKS.search(response.text), f"{what}: {LEAKS.search(response.text)}"
    assert 'href="/' in response.text, f"{what}: no way back"


def _cases() -> list[tuple[str, str, str]]:
    return [
        (page, name, value)
        for page, params in BAD.items()
        for name, values in params.items()
        for value in [*values, *GARBAGE]
    ]


def test_every_page_refuses_every_bad_parameter_with_a_chinese_page(
    live: Live, browsers: dict[str, httpx.Client]
) -> None:
    failures = []
    for page, name, value in _cases():
        for role in sorted(PAGES[page]):
            response = browsers[role].get(page, params={name: value})
            try:
                assert_refusal(response, {400, 403, 404}, f"{role} {page}?{name}={value}")
            except AssertionError as exc:
                failures.append(str(exc)[:400])
    assert failures == []


def test_unknown_ids_are_not_found(browsers: dict[str, httpx.Client]) -> None:
    admin = browsers["admin"]
    assert_refusal(admin.get("/evaluation", params={"run": "999999"}), {404}, "run")
    assert_refusal(admin.get("/imports", params={"batch": "999999"}), {404}, "batch")
    assert_refusal(admin.get("/profile", params={"code": code(99)}), {404}, "profile")
    assert_refusal(admin.get("/no-such-page"), {404}, "path")


def test_another_township_or_enterprise_is_out_of_scope(browsers: dict[str, httpx.Client]) -> None:
    town, enterprise = browsers["town"], browsers["enterprise"]
    assert_refusal(town.get("/evaluation", params={"town": TOWN_B}), {403}, "town evaluation")
    assert_refusal(town.get("/profile", params={"code": code(3)}), {403, 404}, "town profile")
    assert_refusal(enterprise.get("/evaluation", params={"town": TOWN_B}), {403}, "enterprise evaluation")


def test_a_page_the_role_may_not_open_is_a_chinese_page_with_a_way_home(
    browsers: dict[str, httpx.Client],
) -> None:
    homes = {"department": "/plans", "enterprise": "/profile", "town": "/cockpit"}
    for page, roles in PAGES.items():
        for role in set(ROLES) - roles:
            response = browsers[role].get(page)
            assert_refusal(response, {403}, f"{role} {page}")
            assert "无权访问此页面" in response.text and "返回首页" in response.text
            assert f'href="{homes.get(role, "/cockpit")}' in response.text


def test_the_refused_page_speaks_english_with_the_language_cookie(browsers: dict[str, httpx.Client]) -> None:
    response = browsers["department"].get("/cockpit", params={"lang": "en"})
    assert response.status_code == 403 and "You may not open this page" in response.text


def test_an_anonymous_visitor_is_sent_to_sign_in_and_the_api_keeps_json(live: Live) -> None:
    with httpx.Client(base_url=live.base) as anonymous:
        page = anonymous.get("/imports?batch=1")
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        assert anonymous.get("/api/v1/no-such-route").json() == {"detail": "未找到 (not found)"}
    with live.client("leader") as api:  # a leader imports nothing
        refused = api.get("/api/v1/imports/batches")
        assert refused.status_code == 403 and refused.headers["content-type"] == "application/json"


def test_an_upload_named_only_dots_is_refused_with_its_reason(live: Live) -> None:
    with live.client("analyst") as api:
        for name in ("..", ".", "../..", " . "):
            answer = api.post(
                "/api/v1/imports", files={"file": (name, b"a,b\n1,2\n", "text/csv")}, data={"source": "tax"}
            )
            assert answer.status_code == 400, (name, answer.text)
            assert "文件名" in answer.json()["detail"]


def test_an_unexpected_failure_is_a_chinese_500_page_naming_no_exception() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from industry_brain.web.errors import install

    app = FastAPI()

    @app.get("/broken")
    def broken() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    @app.get("/api/v1/broken")
    def broken_api() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    install(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/broken")
        assert page.status_code == 500 and "页面出错" in page.text and "登录" in page.text
        assert not LEAKS.search(page.text) and "too large" not in page.text
        assert client.get("/api/v1/broken").status_code == 500  # not a page: no HTML


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.whole_number("99999999999999999999", "批次"), "1 到 2147483647 之间的整数"),
        (lambda e: e.whole_number("-1", "批次"), "之间的整数"),
        (lambda e: e.whole_number("１２", "批次"), "之间的整数"),
        (lambda e: e.year("1800"), "1949 到 2100"),
        (lambda e: e.one_of("Z", ["A", "B"], "等级"), "可选：A、B"),
        (lambda e: e.iso_date("2024-02-30"), "不是有效日期"),
        (lambda e: e.period("2024-13"), "1 到 12"),
        (lambda e: e.credit_code("91330213BADCODE001"), "18 位统一社会信用代码"),
        (lambda e: e.upload_name(".."), "文件名"),
        (lambda e: e.upload_name("a/b/ . "), "文件名"),
    ],
)
def test_the_parameter_parsers_refuse_in_chinese(call: Any, message: str) -> None:
    from industry_brain.web import errors

    with pytest.raises(errors.BadParameter, match=message):
        call(errors)


def test_the_parameter_parsers_read_what_is_valid() -> None:
    import datetime as dt

    from industry_brain.core.scope import Scope
    from industry_brain.web import errors

    assert errors.whole_number(" 42 ", "批次") == 42 and errors.whole_number("", "批次") is None
    assert errors.period("2024-06") == "2024-06" and errors.iso_date("2024-06-30") == dt.date(2024, 6, 30)
    assert errors.upload_name("C:\\部门\\税收.xlsx") == "税收.xlsx"
    town = Scope(role="town", username="t", township_code="330213001")
    assert errors.own_township(town, "330213001") == "330213001"
    with pytest.raises(errors.OutOfScope):
        errors.own_township(town, "330213002")
