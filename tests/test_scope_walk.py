"""Walk every API route and every page as every role: the credit codes and names of enterprises
outside the role's scope never appear (enterprise A never sees enterprise B; a town never sees
another town's enterprises), and asking for one by code is the same 404 as for a code that
does not exist.

To extend: add a route template to API_ROUTES or PAGE_ROUTES. Placeholders: {code} (every
enterprise's credit code and one that does not exist), {run} (the published and the draft
run), {batch} (the import batch with rejects), and those of LISTED (the first id a list route
names: a chain, a pool, a plan, a cluster). test_the_walk_covers_every_api_route fails when
the OpenAPI document has a GET route the walk does not know.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile

import httpx
import pytest

from helpers import code
from web_fixtures import (  # noqa: F401
    ACCOUNTS,
    ENTERPRISES,
    PASSWORD,
    Live,
    live_fixture,
    page_client,
    visible_codes,
    web_db_fixture,
)

QUARTER = f"{dt.date.today().year}-Q{(dt.date.today().month - 1) // 3 + 1}"  # the seeded case's
API_ROUTES = [
    "/api/v1/health",
    "/api/v1/me",
    "/api/v1/enterprises?limit=500",
    "/api/v1/enterprises?q={code}",
    "/api/v1/enterprises/{code}",
    "/api/v1/evaluation/runs",
    "/api/v1/evaluation/runs/{run}",
    "/api/v1/evaluation/runs/{run}/results?limit=1000",
    "/api/v1/evaluation/runs/{run}/results/{code}",
    # the notices as Word: its text is read out of the file and checked like any other body
    "/api/v1/evaluation/runs/{run}/notices/{code}?format=docx",
    "/api/v1/evaluation/runs/{run}/notices?format=docx",
    "/api/v1/evaluation/runs/{run}/appeals",
    "/api/v1/evaluation/appeals/attachments/{attachment_id}",  # scope: tests/test_appeals_api.py
    "/api/v1/imports/batches",
    "/api/v1/imports/batches/{batch}/rejects",
    "/api/v1/audit?limit=1000",
    # the analytic domains (web/api_domains.routers())
    "/api/v1/chains",
    "/api/v1/chains/{chain_id}",
    "/api/v1/chains/{chain_id}/gaps",
    "/api/v1/chains/{chain_id}/attract",
    "/api/v1/clusters/{cluster_id}/attract",
    "/api/v1/tiers",
    "/api/v1/tiers/enterprises",
    "/api/v1/tiers/movement",
    "/api/v1/pools",
    "/api/v1/pools/{pool}/candidates",
    "/api/v1/pools/{pool}/members",
    "/api/v1/dossiers/{code}",
    "/api/v1/projects",
    "/api/v1/projects/flags",
    "/api/v1/projects/sanyi",
    "/api/v1/projects/totals",
    "/api/v1/plans",
    "/api/v1/plans/{plan_id}",
    "/api/v1/plans/{plan_id}/progress",
    "/api/v1/plans/{plan_id}/actuals",
    "/api/v1/plans/{plan_id}/report",
    "/api/v1/plans/{plan_id}/versions",
    "/api/v1/plans/{plan_id}/draft",
    # 惠企政策 and 经济运行监测 (today's domains): enterprise figures must stay in scope here too
    "/api/v1/policies",
    "/api/v1/policies/matches",
    "/api/v1/policies/stored",
    "/api/v1/policies/ledger",
    # the notices' scope and their content: tests/test_policies_notice.py, test_policies_api.py
    "/api/v1/policies/matches/{match_id}/notice?format=docx",
    "/api/v1/policies/runs/{run}/publicity?format=docx",
    "/api/v1/monitoring/overview",
    "/api/v1/monitoring/alerts?month=2022-06",
    "/api/v1/monitoring/alerts/summary?month=2022-06",
    "/api/v1/monitoring/rules",
    "/api/v1/monitoring/indicators?month=2022-06",
    "/api/v1/monitoring/towns?month=2022-06",
    "/api/v1/monitoring/series?month=2022-06",
    "/api/v1/monitoring/series?month=2022-06&kind=enterprise&area_id={code}",
    "/api/v1/monitoring/nowcast?year=2022",
    "/api/v1/monitoring/report?month=2022-06",
    "/api/v1/clusters",
    "/api/v1/clusters/{cluster_id}",
    # background jobs: {job} is the analyst's notices job (every enterprise); others get 404
    "/api/v1/jobs",
    "/api/v1/jobs/{job}",
    "/api/v1/jobs/{job}/file",
    # 涉企问题 (web/api_requests.py); attachments' scope: tests/test_requests_api.py
    "/api/v1/requests",
    "/api/v1/requests?credit_code={code}",  # an enterprise's cases, as its profile lists them
    "/api/v1/requests/categories",
    "/api/v1/requests/reminders",
    f"/api/v1/requests/stats?period={QUARTER}",
    f"/api/v1/requests/stats.xlsx?period={QUARTER}",
    f"/api/v1/requests/stats.docx?period={QUARTER}",
    f"/api/v1/requests/stats.pdf?period={QUARTER}",
    f"/api/v1/requests/followups?period={QUARTER}",
    "/api/v1/requests/open311/services.json",
    "/api/v1/requests/open311/requests.json",
    "/api/v1/requests/{request_id}",
    "/api/v1/requests/attachments/{attachment_id}",
    # 共性问题 (web/api_requests_common.py): district-wide only, the suggestions the analyst's
    "/api/v1/requests/common",
    "/api/v1/requests/common/suggest",
    # 标准地承诺 (web/api_commitments.py): each town's and enterprise's parcels stay its own
    "/api/v1/commitments",
    "/api/v1/commitments/reviews",
    "/api/v1/commitments/reviews.xlsx",
]
# placeholder -> (the list route naming its values, the key of a value); the first value is walked
LISTED = {
    "chain_id": ("/api/v1/chains", "id"),
    "pool": ("/api/v1/pools", "id"),
    "plan_id": ("/api/v1/plans", "id"),
    "cluster_id": ("/api/v1/clusters", "id"),
    "request_id": ("/api/v1/requests", "request_id"),
}
# Pages are fetched with the signed-in page session (the cookie); H6's pages are listed here.
PAGE_ROUTES = [
    "/",
    "/cockpit",
    "/profile",
    "/profile?code={code}",
    "/evaluation",
    "/plans",
    "/map",
    "/imports",
    "/jobs",
    "/requests",
    "/requests/case?id={request_id}",
    f"/requests/stats?period={QUARTER}",
    "/commitments",
]
ABSENT = code(999)
# Routes that answer about one enterprise: outside the scope they must be the plain 404.
ONE_ENTERPRISE = re.compile(r"/enterprises/\{code\}$|/results/\{code\}$|/dossiers/\{code\}$")


_listed: dict[tuple[str, str], str] = {}


def analyst_job(live: Live) -> str:
    """The analyst's finished notices job of the published run (a Word zip of every notice)."""
    import time

    key = (live.base, "job")
    if key not in _listed:
        with live.client("analyst") as client:
            job = client.post(
                "/api/v1/jobs/evaluation-notices", json={"run_id": live.run_published, "format": "docx-zip"}
            ).json()
            deadline = time.monotonic() + 180
            while job["state"] in ("queued", "running") and time.monotonic() < deadline:
                time.sleep(0.3)
                job = client.get(f"/api/v1/jobs/{job['id']}").json()
        assert job["state"] == "done", job
        _listed[key] = str(job["id"])
    return _listed[key]


def listed(live: Live, placeholder: str) -> str:
    """The first value of a placeholder filled from a list route (as admin; cached per server)."""
    key = (live.base, placeholder)
    if key not in _listed:
        route, field = LISTED[placeholder]
        with live.client("admin") as client:
            items = client.get(route).json()
        _listed[key] = str(items[0][field]) if items else "none"
    return _listed[key]


def expand(template: str, live: Live) -> list[tuple[str, str | None]]:
    """(url, the credit code it names or None) for every value of the template's placeholders."""
    codes = [*ENTERPRISES, ABSENT] if "{code}" in template else [None]
    runs = [live.run_published, live.run_draft] if "{run}" in template else [None]
    if "{job}" in template:
        template = template.replace("{job}", analyst_job(live))
    for placeholder in LISTED:
        if "{" + placeholder + "}" in template:
            template = template.replace("{" + placeholder + "}", listed(live, placeholder))
    urls = []
    for c, r in itertools.product(codes, runs):
        url = (
            template.replace("{code}", c or "")
            .replace("{run}", str(r))
            .replace("{batch}", str(live.batch_with_rejects))
        )
        urls.append((url, c))
    return urls


def forbidden_strings(username: str) -> list[str]:
    hidden = set(ENTERPRISES) - visible_codes(username)
    return [s for c in hidden for s in (c, ENTERPRISES[c][0])]


def body_text(response: httpx.Response) -> str:
    """The text a user reads: a Word download's document XML, a PDF's text, else the body."""
    if response.content.startswith(b"%PDF"):
        import pypdf

        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
        return text + re.sub(r"\s+", "", text)  # a name a table cell wrapped reads whole again
    if response.content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            if "word/document.xml" in archive.namelist():
                return archive.read("word/document.xml").decode("utf-8")
            if "xl/workbook.xml" in archive.namelist():  # an Excel download: its cells' text
                return "\n".join(
                    archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
                )
            parts = []  # a zip of Word files (a notices job): every member's name and text
            for name in archive.namelist():
                with zipfile.ZipFile(io.BytesIO(archive.read(name))) as docx:
                    parts += [name, docx.read("word/document.xml").decode("utf-8")]
            return "\n".join(parts)
    return response.text


def check(body: str, username: str, url: str) -> None:
    for secret in forbidden_strings(username):
        assert secret not in body, f"{username} saw {secret} at {url}"


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_no_api_route_shows_an_enterprise_outside_the_scope(live: Live, username: str) -> None:
    errors: list[str] = []  # every server error of the walk, not only the first
    with live.client(username) as client:
        not_found = client.get(f"/api/v1/enterprises/{ABSENT}")
        for template in API_ROUTES:
            for url, named in expand(template, live):
                try:
                    response = client.get(url)
                except httpx.TransportError as exc:  # the server dropped the connection
                    errors.append(f"{url}: {exc!r}")
                    continue
                if response.status_code >= 500:
                    errors.append(f"{url}: {response.status_code}")
                check(body_text(response), username, url)
                hidden = bool(named) and named not in visible_codes(username)
                if ONE_ENTERPRISE.search(template) and hidden and response.status_code == 404:
                    assert response.content == not_found.content, url
    assert errors == []


def _page_client(live: Live, username: str) -> httpx.Client:
    return page_client(live.base, username)


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_no_page_shows_an_enterprise_outside_the_scope(live: Live, username: str) -> None:
    client = _page_client(live, username)
    try:
        for template in PAGE_ROUTES:
            for url, _ in expand(template, live):
                response = client.get(url)
                assert response.status_code < 500, (url, response.status_code)
                check(response.text, username, url)
    finally:
        client.close()


def test_the_walk_covers_every_api_route(live: Live) -> None:
    spec = httpx.get(f"{live.base}/openapi.json").json()
    walked = {re.sub(r"\?.*", "", t) for t in API_ROUTES}
    placeholders = {"credit_code": "code", "run_id": "run", "batch_id": "batch", "job_id": "job"}
    placeholders |= {name: name for name in LISTED}
    for path, operations in spec["paths"].items():
        if "get" in operations:
            as_walked = re.sub(r"\{(\w+)\}", lambda m: "{" + placeholders.get(m[1], m[1]) + "}", path)
            assert as_walked in walked, f"GET {path} is not in API_ROUTES"
