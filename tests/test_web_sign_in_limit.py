"""The sign-in limit over real HTTP: parallel wrong passwords, on one server process and on two
sharing the database, get no more password checks than the limit; a client rotating
X-Forwarded-For does not escape it (no proxy is trusted by default); the page's and the API's
429 say when to try again. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from industry_brain.core.auth_models import AuditEntry
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from web_fixtures import PASSWORD, Live, free_port, live_fixture, serve, stop, web_db_fixture  # noqa: F401

LIMIT = 3  # the live server runs with INDUSTRY_BRAIN_LOGIN_MAX_FAILURES=3
PARALLEL = 50


def _checked(live: Live, username: str) -> list[str]:
    """The addresses of the failed password checks the audit log holds for `username`."""
    engine = open_database(live.db_url)
    try:
        with transaction(engine) as session:
            rows = session.scalars(
                select(AuditEntry.address).where(
                    AuditEntry.username == username, AuditEntry.action == "sign_in_failed"
                )
            )
            return list(rows)
    finally:
        engine.dispose()


def _attempt(url: str, username: str, headers: dict[str, str] | None = None) -> httpx.Response:
    data = {"username": username, "password": "wrong-password"}
    return httpx.post(f"{url}/api/v1/auth/token", data=data, headers=headers or {}, timeout=120)


def _assert_limited(responses: list[httpx.Response]) -> None:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * LIMIT + [429] * (len(responses) - LIMIT), statuses
    for refused in (r for r in responses if r.status_code == 429):
        assert "登录失败次数过多" in refused.json()["detail"]
        assert 0 < int(refused.headers["retry-after"]) <= 900


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(live: Live) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        responses = list(pool.map(lambda _: _attempt(live.base, "analyst"), range(PARALLEL)))
    _assert_limited(responses)
    assert len(_checked(live, "analyst")) == LIMIT
    # the right password is refused too while the window lasts
    right = httpx.post(f"{live.base}/api/v1/auth/token", data={"username": "analyst", "password": PASSWORD})
    assert right.status_code == 429


def test_two_server_processes_on_one_database_share_the_limit(live: Live) -> None:
    port = free_port()
    second = serve(live.db_url, port)
    try:
        bases = [live.base, f"http://127.0.0.1:{port}"]
        with ThreadPoolExecutor(PARALLEL) as pool:
            responses = list(pool.map(lambda i: _attempt(bases[i % 2], "leader"), range(PARALLEL)))
    finally:
        stop(second)
    _assert_limited(responses)
    assert len(_checked(live, "leader")) == LIMIT


def test_a_client_rotating_x_forwarded_for_does_not_escape_the_limit(live: Live) -> None:
    responses = [
        _attempt(live.base, "town", headers={"X-Forwarded-For": f"10.9.{i}.{i}"}) for i in range(LIMIT + 4)
    ]
    _assert_limited(responses)
    assert set(_checked(live, "town")) == {"127.0.0.1"}  # the connection's address, not the header's


def test_the_sign_in_page_says_in_chinese_when_to_try_again(live: Live) -> None:
    with httpx.Client(base_url=live.base) as browser:
        statuses = []
        for _ in range(LIMIT + 1):
            form = browser.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token
            data = {"username": "department", "password": "wrong-password", "csrf_token": token.group(1)}
            answer = browser.post("/login", data=data)
            statuses.append(answer.status_code)
    assert statuses == [401] * LIMIT + [429]
    assert "登录失败次数过多" in answer.text and "分钟后再试" in answer.text
    assert 0 < int(answer.headers["retry-after"]) <= 900
