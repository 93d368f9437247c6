"""Two server processes on one database, as behind the documented proxy (docs/deployment.md,
"More than one process"): a sign-in, a token, a form's CSRF token and what one process writes
are good on the other, with the signing key kept in the database (no secret_key set)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from web_fixtures import ENTERPRISES, PASSWORD, free_port, seed, serve, stop, web_db_fixture  # noqa: F401

NO_SECRET = {"INDUSTRY_BRAIN_SECRET_KEY": ""}  # both processes must agree on the key in the database


@pytest.fixture(scope="module")
def pair(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    seed(web_db, tmp_path_factory.mktemp("files"))
    ports = (free_port(), free_port())
    processes = [serve(web_db, port, env=NO_SECRET) for port in ports]
    try:
        yield tuple(f"http://127.0.0.1:{p}" for p in ports)  # type: ignore[misc]
    finally:
        for process in processes:
            stop(process)


def test_a_token_from_one_process_reads_on_the_other(pair: tuple[str, str]) -> None:
    a, b = pair
    account = {"username": "analyst", "password": PASSWORD}
    token = httpx.post(f"{a}/api/v1/auth/token", data=account, timeout=60)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    on_a = httpx.get(f"{a}/api/v1/enterprises", headers=headers, timeout=60)
    on_b = httpx.get(f"{b}/api/v1/enterprises", headers=headers, timeout=60)
    assert on_a.status_code == on_b.status_code == 200
    assert on_a.json() == on_b.json()
    assert {e["credit_code"] for e in on_b.json()["items"]} == set(ENTERPRISES)


def test_a_page_signed_in_on_one_process_opens_on_the_other(pair: tuple[str, str]) -> None:
    a, b = pair
    with httpx.Client(base_url=a, timeout=60) as browser:
        form = browser.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf
        # the form from A is posted to B: the CSRF token is signed with the shared key
        signed_in = browser.post(
            f"{b}/login",
            data={"username": "leader", "password": PASSWORD, "csrf_token": csrf[1], "next": "/cockpit"},
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"].endswith("/cockpit")
        for base in (a, b):
            assert browser.get(f"{base}/cockpit").status_code == 200, base  # no redirect to /login
        out = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{b}/logout").text)
        assert out
        browser.post(f"{a}/logout", data={"csrf_token": out[1]})
        for base in (a, b):  # signed out everywhere
            gone = browser.get(f"{base}/cockpit")
            assert gone.status_code in (302, 303, 307) and "/login" in gone.headers["location"], base
