"""Security headers over real HTTP and in Debian's chromium: every response carries a
Content-Security-Policy that the pages' own scripts satisfy (the pages render, the socket
connects, no violation is reported), Permissions-Policy, nosniff, Referrer-Policy and no framing;
HSTS and Secure cookies only over HTTPS, which behind a proxy only a proxy the operator names
can say. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from web_fixtures import PASSWORD, Live, free_port, live_fixture, serve, stop, web_db_fixture  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
# page -> a text the rendered page shows (its heading); the API docs render Swagger UI
RENDERED = {
    "/cockpit": "驾驶舱",
    "/evaluation": "亩均评价",
    "/map": "产业地图",
    "/imports": "数据导入",
    "/chains": "产业链",
    "/api/docs": "产业大脑 industry-brain API",
    "/evaluation?grade=Z": "参数无效",
}


def _artifacts() -> Path:
    root = Path(os.environ.get("PYTEST_ARTIFACTS") or Path(__file__).parent / "artifacts")
    folder = root / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[-1] for d in (p.strip() for p in policy.split(";"))}


def test_every_kind_of_response_carries_the_security_headers(live: Live) -> None:
    for path in ("/login", "/api/v1/health", "/cockpit", "/no-such-page", "/openapi.json"):
        response = httpx.get(f"{live.base}{path}")
        csp = _directives(response)
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'", path
        assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'", path
        assert "*" not in response.headers["content-security-policy"], path
        assert "camera=()" in response.headers["permissions-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "same-origin", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert "strict-transport-security" not in response.headers, f"{path}: HSTS over plain HTTP"


def test_x_forwarded_proto_from_an_unnamed_proxy_is_ignored(live: Live) -> None:
    response = httpx.get(f"{live.base}/login", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in response.headers
    assert all("secure" not in c.lower() for c in response.headers.get_list("set-cookie"))


def test_behind_a_named_proxy_https_gets_hsts_secure_cookies_and_the_client_address(live: Live) -> None:
    port = free_port()
    proxied = serve(live.db_url, port, env={"INDUSTRY_BRAIN_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
        # the cookies are Secure, so a client over plain HTTP (the proxy's side) keeps them only
        # when told: pass them on by hand, as the browser on the HTTPS side would
        with httpx.Client(base_url=base, headers=headers) as browser:
            form = browser.get("/login")
            assert form.headers["strict-transport-security"].startswith("max-age=")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token
            data = {"username": "leader", "password": PASSWORD, "csrf_token": token.group(1)}
            jar = {"ib_csrf": form.headers["set-cookie"].split("ib_csrf=", 1)[1].split(";")[0]}
            signed_in = browser.post("/login", data=data, cookies=jar)
            assert signed_in.status_code == 303
            session = re.search(r"ib_session=([^;]+)", ",".join(signed_in.headers.get_list("set-cookie")))
            assert session
            page = browser.get("/cockpit", cookies={"ib_session": session.group(1)})
            assert page.status_code == 200  # NiceGUI's own storage cookie is set here
        cookies = [*form.headers.get_list("set-cookie"), *signed_in.headers.get_list("set-cookie")]
        cookies += page.headers.get_list("set-cookie")
        names = {c.split("=", 1)[0] for c in cookies}
        assert {"ib_csrf", "ib_session", "session"} <= names, names
        for cookie in cookies:
            assert "secure" in [a.strip().lower() for a in cookie.split(";")[1:]], cookie
        with httpx.Client(base_url=base) as api:
            token_answer = api.post(
                "/api/v1/auth/token",
                data={"username": "admin", "password": PASSWORD},
                headers={"X-Forwarded-For": "10.1.2.3"},
            )
            access = token_answer.json()["access_token"]
            audit = api.get(
                "/api/v1/audit",
                params={"username": "leader", "action": "sign_in"},
                headers={"Authorization": f"Bearer {access}"},
            ).json()
        assert "10.1.2.3" in {e["address"] for e in audit}
    finally:
        stop(proxied)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_pages_render_in_chromium_without_a_policy_violation(live: Live) -> None:
    from playwright.sync_api import sync_playwright

    if not live.db_url.startswith("sqlite"):
        pytest.skip("the headers do not depend on the database: one browser run is enough")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page.set_default_timeout(60_000)
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation',"
            " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        page.on(
            "console",
            lambda m: (
                problems.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text or "CSP violation" in m.text
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.goto(f"{live.base}/login")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        for path, shown in RENDERED.items():
            page.goto(f"{live.base}{path}")
            page.get_by_text(shown).first.wait_for()
            if not path.startswith("/api") and "grade" not in path:
                page.wait_for_function("() => window.socket && window.socket.connected")
            page.wait_for_timeout(500)
            name = re.sub(r"\W+", "_", path).strip("_")
            page.screenshot(path=str(_artifacts() / f"csp_{name}.png"))
        browser.close()
    assert problems == []
