"""Chains, tiers and pools, projects, plans and clusters in the JSON API over real HTTP, on
SQLite and PostgreSQL, for every role: the figures are the hand-worked ones of
web_domains_fixtures, the scope holds (a town sees its township's enterprises only, an
enterprise only itself, a department is refused enterprise figures), 401 without a token, and
confidential reads and changes are in the audit log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpers import code
from web_domains_fixtures import (
    CHAIN,
    DEPT_PLAN,
    JINPING,
    TOWN_OF,
    UNIT,
    YEAR,
    Server,
    seed,
    start,
    visible,
)
from web_fixtures import free_port, stop, web_db_fixture  # noqa: F401

POOL = "scale_up"


@pytest.fixture(scope="module")
def server(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    seed(web_db, tmp_path_factory.mktemp("district"))
    port = free_port()
    process = start(web_db, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", db_url=web_db)
    finally:
        stop(process)


def _codes(rows: list[dict]) -> set[str]:
    return {r["credit_code"] for r in rows}


def _audit(server: Server, action: str, username: str) -> list[dict]:
    with server.client("admin") as c:
        return c.get("/api/v1/audit", params={"action": action, "username": username}).json()


def test_without_a_token_every_route_is_401(server: Server) -> None:
    gets = [
        "/api/v1/chains",
        f"/api/v1/chains/{CHAIN}",
        f"/api/v1/chains/{CHAIN}/gaps",
        f"/api/v1/chains/{CHAIN}/attract",
        "/api/v1/clusters/fenghua-14th/pneumatic/attract",
        "/api/v1/tiers",
        "/api/v1/tiers/enterprises",
        "/api/v1/tiers/movement?year_from=2023&year_to=2024",
        "/api/v1/pools",
        f"/api/v1/pools/{POOL}/candidates",
        f"/api/v1/pools/{POOL}/members",
        f"/api/v1/dossiers/{code(1)}",
        "/api/v1/projects",
        "/api/v1/projects/flags",
        "/api/v1/projects/sanyi",
        "/api/v1/projects/totals",
        "/api/v1/plans",
        f"/api/v1/plans/{DEPT_PLAN}",
        f"/api/v1/plans/{DEPT_PLAN}/progress?as_of=2024",
        f"/api/v1/plans/{DEPT_PLAN}/report?as_of=2024",
        "/api/v1/clusters",
        "/api/v1/clusters/fenghua-14th/auto",
    ]
    with server.client() as c:
        for route in gets:
            assert c.get(route).status_code == 401, route
        for route, body in (
            (f"/api/v1/chains/{CHAIN}/confirm", {"node_id": "seals", "credit_code": code(7)}),
            (f"/api/v1/pools/{POOL}/admit", {"credit_code": code(3), "reason": "x"}),
            (f"/api/v1/plans/{DEPT_PLAN}/actuals", {"indicator_id": "x", "period": "2024"}),
        ):
            response = c.post(route, json=body, headers={"Authorization": "Bearer ibt_forged"})
            assert response.status_code == 401, route


def test_a_chain_shows_the_hand_worked_figures_to_the_bureau(server: Server) -> None:
    with server.client("analyst") as c:
        listed = {ch["id"]: ch for ch in c.get("/api/v1/chains").json()}
        view = c.get(f"/api/v1/chains/{CHAIN}", params={"year": YEAR}).json()
        default_year = c.get(f"/api/v1/chains/{CHAIN}").json()["year"]
    assert listed[CHAIN]["nodes"] == len(view["nodes"])
    assert default_year == YEAR  # the newest imported year
    nodes = {n["node_id"]: n for n in view["nodes"]}
    assert nodes["components"]["output_wan"] == 10000
    assert nodes["components"]["growth"] == pytest.approx(0.25)
    assert nodes["castings"]["status"] == "weak"
    assert [r["credit_code"] for r in view["leaders"]] == [code(1), code(2), code(4)]
    assert _codes(view["members"]) <= visible("analyst") and code(3) in _codes(view["members"])
    entries = _audit(server, "chains.read", "analyst")
    assert entries and entries[0]["target"] == CHAIN


@pytest.mark.parametrize("username", ["town", "enterprise"])
def test_a_town_and_an_enterprise_see_only_their_own_on_the_chain(server: Server, username: str) -> None:
    with server.client(username) as c:
        view = c.get(f"/api/v1/chains/{CHAIN}").json()
        gaps = c.get(f"/api/v1/chains/{CHAIN}/gaps").json()
    members = _codes(view["members"]) | _codes(view["leaders"])
    assert members and members <= visible(username)
    nodes = {n["node_id"]: n for n in view["nodes"]}
    if username == "town":  # 锦屏街道: only enterprise 3 (keyword 气动) on components
        assert nodes["components"]["output_wan"] == 1000 and nodes["components"]["enterprises"] == 1
    else:  # enterprise 1 alone: components 6000
        assert nodes["components"]["output_wan"] == 6000
    assert {g["node_id"] for g in gaps} == {n for n, v in nodes.items() if v["status"] != "present"}


def test_a_department_is_refused_chain_figures_and_only_the_bureau_ranks_whom_to_attract(
    server: Server,
) -> None:
    with server.client("department") as c:
        assert c.get(f"/api/v1/chains/{CHAIN}").status_code == 403
        assert c.get("/api/v1/chains").status_code == 200  # definitions are not confidential
    for username in ("town", "enterprise", "department"):
        with server.client(username) as c:
            assert c.get(f"/api/v1/chains/{CHAIN}/attract").status_code == 403, username
    with server.client("leader") as c:
        body = c.get(f"/api/v1/chains/{CHAIN}/attract").json()
        assert c.get("/api/v1/chains/no-such-chain").status_code == 404
    assert sorted(body["inputs"]["targets"]) == sorted({JINPING, *TOWN_OF.values()})
    assert body["candidates"] and all(r["rca"] < 1 for r in body["candidates"])


def test_whom_to_attract_for_a_cluster_as_json_and_excel(server: Server) -> None:
    import io

    import openpyxl

    route = "/api/v1/clusters/fenghua-14th/pneumatic/attract"
    for username in ("town", "enterprise", "department"):
        with server.client(username) as c:
            assert c.get(route).status_code == 403, username
    with server.client("analyst") as c:
        body = c.get(route).json()
        xlsx = c.get(route, params={"format": "xlsx"})
        assert c.get("/api/v1/clusters/no-such/cluster/attract").status_code == 404
        shown = c.get("/api/v1/clusters/fenghua-14th/pneumatic")  # the figures route still answers
    assert shown.status_code == 200 and shown.json()["cluster_id"] == "fenghua-14th/pneumatic"
    assert body["inputs"]["cluster_id"] == "fenghua-14th/pneumatic"
    assert body["inputs"]["cluster_codes"] == ["3446", "3443", "3444", "3489", "4011"]
    assert body["candidates"] and all(r["rca"] < 1 for r in body["candidates"])
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2 + len(body["candidates"])
    assert [e["target"] for e in _audit(server, "clusters.attract", "analyst")] == [
        "fenghua-14th/pneumatic"
    ] * 2


def test_only_an_analyst_confirms_a_member_and_the_change_is_audited(server: Server) -> None:
    payload = {"node_id": "seals", "credit_code": code(7), "note": "主营密封件"}
    for username in ("leader", "town", "enterprise", "department"):
        with server.client(username) as c:
            assert c.post(f"/api/v1/chains/{CHAIN}/confirm", json=payload).status_code == 403
    with server.client("analyst") as c:
        response = c.post(f"/api/v1/chains/{CHAIN}/confirm", json=payload)
        assert response.status_code == 200, response.text
        assert response.json()["action"] == "add" and response.json()["by"] == "analyst"
        nodes = {n["node_id"]: n for n in c.get(f"/api/v1/chains/{CHAIN}").json()["nodes"]}
    assert nodes["seals"]["enterprises"] == 2 and nodes["seals"]["output_wan"] == 900
    entries = _audit(server, "chains.confirm", "analyst")
    assert entries[0]["target"] == f"{CHAIN}/seals/{code(7)}"


def _above_scale(rows: list[dict]) -> int:
    return next(r["count"] for r in rows if r["tier"] == "above_scale" and r["level"] is None)


def test_tier_counts_are_the_scope_s_own(server: Server) -> None:
    expected = {"analyst": 4, "leader": 4, "town": 2, "enterprise": 1}
    for username, count in expected.items():
        with server.client(username) as c:
            assert _above_scale(c.get("/api/v1/tiers", params={"year": YEAR}).json()) == count, username
            rows = c.get("/api/v1/tiers/enterprises", params={"year": YEAR}).json()
            assert _codes(rows) <= visible(username)
    with server.client("department") as c:
        assert c.get("/api/v1/tiers").status_code == 403
        assert c.get("/api/v1/pools").status_code == 403
    with server.client("town") as c:
        moved = c.get("/api/v1/tiers/movement", params={"year_from": YEAR - 1, "year_to": YEAR}).json()
    assert _codes(moved) <= visible("town")
    assert _audit(server, "tiers.read", "town")


def test_pool_candidates_admission_and_members_within_scope(server: Server) -> None:
    with server.client("analyst") as c:
        found = c.get(f"/api/v1/pools/{POOL}/candidates", params={"year": YEAR}).json()
        assert _codes(found) == {code(3), code(5)}
        for n in (3, 5):
            body = {"credit_code": code(n), "reason": "营收增长超过20%", "year": YEAR}
            response = c.post(f"/api/v1/pools/{POOL}/admit", json=body)
            assert response.status_code == 200, response.text
            assert response.json()["admitted_by"] == "analyst"
        again = c.post(f"/api/v1/pools/{POOL}/admit", json={"credit_code": code(3), "reason": "x"})
        assert again.status_code == 400 and "已在" in again.json()["detail"]
        pools = {p["id"]: p for p in c.get("/api/v1/pools").json()}
        assert pools[POOL]["members"] == 2
        assert c.get("/api/v1/pools/no-such-pool/members").status_code == 404
    with server.client("town") as c:
        assert _codes(c.get(f"/api/v1/pools/{POOL}/candidates", params={"year": YEAR}).json()) == {code(3)}
        assert _codes(c.get(f"/api/v1/pools/{POOL}/members").json()) == {code(3)}
        assert (
            c.post(f"/api/v1/pools/{POOL}/admit", json={"credit_code": code(8), "reason": "x"}).status_code
            == 403
        )
        # refused by the service (cultivation.pools.authorise) with the status the route gave
        for route in (f"/api/v1/pools/{POOL}/exit", "/api/v1/pools/no-such-pool/admit"):
            assert c.post(route, json={"credit_code": code(3), "reason": "x"}).status_code == 403, route
    with server.client("enterprise") as c:
        assert c.get(f"/api/v1/pools/{POOL}/members").json() == []
        own = {"credit_code": code(1), "reason": "x"}
        assert c.post(f"/api/v1/pools/{POOL}/admit", json=own).status_code == 403
    with server.client("analyst") as c:
        gone = c.post(f"/api/v1/pools/{POOL}/exit", json={"credit_code": code(5), "reason": "已升规"})
        assert gone.status_code == 200 and gone.json()["exit_reason"] == "已升规"
        assert _codes(c.get(f"/api/v1/pools/{POOL}/members").json()) == {code(3)}
    assert [e["target"] for e in _audit(server, "pools.exit", "analyst")] == [f"{POOL}/{code(5)}"]
    assert len(_audit(server, "pools.admit", "analyst")) == 2


def test_pool_admission_and_exit_in_bulk_are_all_or_none_with_the_reason(server: Server) -> None:
    with server.client("analyst") as c:
        members = {m["credit_code"] for m in c.get(f"/api/v1/pools/{POOL}/members").json()}
        outside = sorted({code(3), code(5)} - members)
        inside = sorted(members)
        if inside:  # one already a member refuses the whole batch, naming it
            body = {"credit_codes": [*outside, inside[0]], "reason": "营收增长超过20%", "year": YEAR}
            refused = c.post(f"/api/v1/pools/{POOL}/admit-many", json=body)
            assert refused.status_code == 400 and inside[0] in refused.json()["detail"]
            assert {m["credit_code"] for m in c.get(f"/api/v1/pools/{POOL}/members").json()} == members
        body = {"credit_codes": outside, "reason": "营收增长超过20%", "year": YEAR}
        done = c.post(f"/api/v1/pools/{POOL}/admit-many", json=body)
        assert done.status_code == 200, done.text
        assert [(m["credit_code"], m["admit_reason"]) for m in done.json()] == [
            (o, "营收增长超过20%") for o in outside
        ]
        both = {"credit_codes": [code(3), code(5)], "reason": "已升规"}
        gone = c.post(f"/api/v1/pools/{POOL}/exit-many", json=both)
        assert gone.status_code == 200 and {m["exit_reason"] for m in gone.json()} == {"已升规"}
        assert c.get(f"/api/v1/pools/{POOL}/members").json() == []
        empty = c.post(f"/api/v1/pools/{POOL}/admit-many", json={"credit_codes": [], "reason": "x"})
        assert empty.status_code == 422
    with server.client("town") as c:
        body = {"credit_codes": [code(3)], "reason": "x"}
        assert c.post(f"/api/v1/pools/{POOL}/admit-many", json=body).status_code == 403


def test_a_dossier_outside_the_scope_is_404_like_one_that_does_not_exist(server: Server) -> None:
    with server.client("town") as c:
        mine = c.get(f"/api/v1/dossiers/{code(3)}")
        other, absent = c.get(f"/api/v1/dossiers/{code(5)}"), c.get(f"/api/v1/dossiers/{code(999)}")
    assert mine.status_code == 200 and mine.json()["master"]["统一社会信用代码"] == code(3)
    assert other.status_code == absent.status_code == 404 and other.content == absent.content
    with server.client("enterprise") as c:
        assert c.get(f"/api/v1/dossiers/{code(1)}").status_code == 200
        assert c.get(f"/api/v1/dossiers/{code(2)}").status_code == 404
    assert _audit(server, "dossier.read", "town")[0]["target"] == code(3)


def test_projects_by_role(server: Server) -> None:
    with server.client("analyst") as c:
        everything = c.get("/api/v1/projects").json()
        signed = c.get("/api/v1/projects", params={"stage": "签约"}).json()
        flags = c.get("/api/v1/projects/flags", params={"as_of": "2024-12-31"}).json()
        totals = c.get("/api/v1/projects/totals").json()
        sanyi = c.get("/api/v1/projects/sanyi").json()
    assert len(everything) == 73 == len(flags) == totals["total"]["count"]
    assert {"name", "stage", "investment_yi"} <= set(everything[0])
    assert all(p["stage"] == "签约" for p in signed)
    assert sanyi["signed_not_started"]["count"] == len(signed)
    assert {f["flag"] for f in flags} <= {"red", "amber", "green"}
    with server.client("town") as c:
        mine = c.get("/api/v1/projects").json()
        assert c.get("/api/v1/projects/totals").json()["total"]["count"] == len(mine) == 2
    assert {p["township_code"] for p in mine} == {JINPING}
    with server.client("department") as c:
        assert len(c.get("/api/v1/projects").json()) == 73
    with server.client("enterprise") as c:
        assert c.get("/api/v1/projects").json() == []


def test_plans_for_the_bureau_and_a_department_s_own_indicators(server: Server) -> None:
    for username in ("town", "enterprise"):
        with server.client(username) as c:
            assert c.get("/api/v1/plans").status_code == 403
            assert c.get(f"/api/v1/plans/{DEPT_PLAN}/progress", params={"as_of": "2024"}).status_code == 403
    with server.client("department") as c:
        result = c.get(f"/api/v1/plans/{DEPT_PLAN}/progress", params={"as_of": "2024"}).json()
        mine = result["indicators"]
        assert mine and all(UNIT in i["responsible"] for i in mine)
        own = "high-tech-share"  # a quantified indicator of 区科技局
        reported = c.post(
            f"/api/v1/plans/{DEPT_PLAN}/actuals",
            json={"indicator_id": own, "period": "2024", "value": 12, "status": None},
        )
        plan = c.get(f"/api/v1/plans/{DEPT_PLAN}").json()
    others = [i["id"] for i in plan["indicators"] if UNIT not in i.get("responsible", [])]
    assert reported.status_code == 200, reported.text
    assert reported.json()["reported_by"] == "department"
    with server.client("department") as c:
        refused = c.post(
            f"/api/v1/plans/{DEPT_PLAN}/actuals",
            json={"indicator_id": others[0], "period": "2024", "value": 1},
        )
    assert refused.status_code == 403
    assert _audit(server, "plans.record_actual", "department")[0]["target"] == f"{DEPT_PLAN}/{own}"
    with server.client("analyst") as c:
        everything = c.get(
            f"/api/v1/plans/{DEPT_PLAN}/progress", params={"as_of": "2024", "compute": "false"}
        ).json()
        report = c.get(f"/api/v1/plans/{DEPT_PLAN}/report", params={"as_of": "2024"})
        assert c.get("/api/v1/plans/no-such-plan").status_code == 404
    assert len(everything["indicators"]) > len(result["indicators"])
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert "attachment" in report.headers["content-disposition"]


def test_cluster_figures_are_the_scope_s_aggregates(server: Server) -> None:
    with server.client("analyst") as c:
        ids = [cl["id"] for cl in c.get("/api/v1/clusters").json()]
        assert "fenghua-14th/auto" in ids
        whole = c.get("/api/v1/clusters/fenghua-14th/pneumatic", params={"year": YEAR})
        assert c.get("/api/v1/clusters/nowhere/none").status_code == 404
    with server.client("town") as c:
        town = c.get("/api/v1/clusters/fenghua-14th/pneumatic", params={"year": YEAR})
    assert whole.status_code == 200 and town.status_code == 200, (whole.text, town.text)
    assert town.json()["enterprises"] <= whole.json()["enterprises"]
    assert "targets" not in town.json() or town.json()["targets"] == []
    for username in ("department", "enterprise"):
        with server.client(username) as c:
            assert c.get("/api/v1/clusters/fenghua-14th/pneumatic").status_code == 403


def test_malformed_requests_are_refused_with_4xx_never_5xx(server: Server) -> None:
    with server.client("analyst") as c:
        nul = c.post(f"/api/v1/pools/{POOL}/admit", json={"credit_code": code(8), "reason": "a\x00b"})
        bad = c.post(f"/api/v1/chains/{CHAIN}/confirm", json={"node_id": "seals", "credit_code": "x\x00"})
        same = c.get("/api/v1/tiers/movement", params={"year_from": YEAR, "year_to": YEAR})
        stage = c.get("/api/v1/projects", params={"stage": "开会"})
        node = c.post(f"/api/v1/chains/{CHAIN}/confirm", json={"node_id": "nowhere", "credit_code": code(1)})
        dossier = c.get("/api/v1/dossiers/not-a-code")
    assert nul.status_code == bad.status_code == dossier.status_code == 422
    assert same.status_code == stage.status_code == node.status_code == 400
    assert "开会" in stage.json()["detail"] and "nowhere" in node.json()["detail"]


def test_the_openapi_document_describes_these_routes(server: Server) -> None:
    with server.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for route in (
        "/api/v1/chains/{chain_id}",
        "/api/v1/pools/{pool}/admit",
        "/api/v1/projects/flags",
        "/api/v1/plans/{plan_id}/progress",
        "/api/v1/clusters/{cluster_id}",
    ):
        assert route in paths, route
