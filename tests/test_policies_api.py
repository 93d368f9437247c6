"""惠企政策 in the JSON API over real HTTP (SQLite and PostgreSQL): the scopes (an enterprise its
own, a town its township's, a department only the policies it runs), the workflow's refusals
as 403/409, and the ledger. The district is web_domains_fixtures': 2023 -> 2024 revenue of
丁铸造 (code 4, 锦屏街道) 1600 -> 2000 万元: newly 规上, +25% >= 15%, the one 小升规."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from helpers import code
from web_domains_fixtures import JINPING, TOWN_OF, Server, seed, start
from web_fixtures import free_port, stop, web_db_fixture  # noqa: F401

Q = {"policy": "scale_up_reward", "as_of": "2025-03-01"}


@pytest.fixture(scope="module")
def server(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    seed(web_db, tmp_path_factory.mktemp("district"))
    port = free_port()
    process = start(web_db, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", db_url=web_db)
    finally:
        stop(process)


def test_matches_within_each_scope(server: Server) -> None:
    with server.client() as c:
        assert c.get("/api/v1/policies/matches", params=Q).status_code == 401
    with server.client("analyst") as c:
        rows = c.get("/api/v1/policies/matches", params=Q).json()
    assert {r["credit_code"] for r in rows} == set(TOWN_OF)
    (hit,) = [r for r in rows if r["result"] == "eligible"]
    assert (hit["credit_code"], hit["amount_wan"]) == (code(4), 10.0)
    assert hit["conditions"][2]["message"] == "营业收入增速 25%，要求不低于 15%"
    with server.client("town") as c:
        town = c.get("/api/v1/policies/matches", params=Q).json()
    assert {r["credit_code"] for r in town} == {k for k, t in TOWN_OF.items() if t == JINPING}
    with server.client("enterprise") as c:
        own = c.get("/api/v1/policies/matches", params=Q).json()
    assert {r["credit_code"] for r in own} == {code(1)}
    with server.client("department") as c:  # 区科技局 runs none of the shipped policies
        assert c.get("/api/v1/policies/matches", params=Q).status_code == 403


def test_workflow_over_http(server: Server) -> None:
    with server.client("department") as c:
        refused = c.post("/api/v1/policies/runs", json={"policy": "scale_up_reward", "as_of": "2025-03-01"})
        assert refused.status_code == 403 and "区经信局" in refused.json()["detail"]
    with server.client("analyst") as c:
        # a run matches the whole district and stores every trace: a job, not a request
        started = c.post("/api/v1/policies/runs", json={"policy": "scale_up_reward", "as_of": "2025-03-01"})
        assert started.status_code == 202, started.text
        job = started.json()
        deadline = time.monotonic() + 120
        while job["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.3)
            job = c.get(f"/api/v1/jobs/{job['id']}").json()
        assert job["state"] == "done", job
        run = job["result"]
        stored = c.get("/api/v1/policies/stored", params={"run": run["run_id"]}).json()
        (m,) = [s for s in stored if s["credit_code"] == code(4)]
        again = c.post(f"/api/v1/policies/matches/{m['id']}/decision", json={"decision": "accept"})
        assert again.status_code == 403  # only the enterprise itself accepts
        ok = c.post(f"/api/v1/policies/matches/{m['id']}/decision", json={"decision": "confirm"})
        assert ok.json()["status"] == "confirmed"
        twice = c.post(f"/api/v1/policies/matches/{m['id']}/decision", json={"decision": "confirm"})
        assert twice.status_code == 409
        ledger = c.get("/api/v1/policies/ledger").json()
    assert [(r["policy"], r["committed_wan"], r["paid_wan"]) for r in ledger] == [
        ("scale_up_reward", 10.0, 0.0)
    ]
    with server.client("enterprise") as c:  # code 1 sees none of code 4's matches
        assert c.get("/api/v1/policies/stored").json() == []


def test_an_enterprise_fetches_only_its_own_notice(server: Server) -> None:
    with server.client("analyst") as c:
        stored = c.get("/api/v1/policies/stored").json()
        (m,) = [s for s in stored if s["credit_code"] == code(4) and s["status"] == "confirmed"]
        got = c.get(f"/api/v1/policies/matches/{m['id']}/notice", params={"format": "docx"})
        assert got.status_code == 200 and got.content[:2] == b"PK"
        assert "filename*=UTF-8''%E6%94%BF%E7%AD%96" in got.headers["content-disposition"]  # 政策…
        listed = c.get(f"/api/v1/policies/runs/{m['run_id']}/publicity", params={"format": "xlsx"})
        assert listed.status_code == 200 and listed.content[:2] == b"PK"
    with server.client("enterprise") as c:  # code 1: code 4's notice reads as absent
        assert c.get(f"/api/v1/policies/matches/{m['id']}/notice").status_code == 404
        assert c.get(f"/api/v1/policies/runs/{m['run_id']}/publicity").status_code == 404
    with server.client("department") as c:  # 区科技局 does not run the policy
        assert c.get(f"/api/v1/policies/matches/{m['id']}/notice").status_code == 404
