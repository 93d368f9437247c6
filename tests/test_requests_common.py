"""共性问题: grouping cases of one cause, who may, the counts, the suggestions, the record."""

from __future__ import annotations

import pytest

from helpers import code
from industry_brain.core.audit import search_audit
from industry_brain.core.auth import Forbidden
from industry_brain.core.db import transaction
from industry_brain.requests.common import create_common, link, list_common, set_state, suggest, unlink
from industry_brain.requests.service import RequestRefused, open_request
from industry_brain.requests.views import show_request
from requests_fixtures import (
    ANALYST,
    NATURAL,
    TOWN_A,
    at,
    department,
    drive,
    enterprise,
    seed_firms,
    town,
)
from web_fixtures import live_fixture, page_client, web_db_fixture  # noqa: F401


def _case(session, settings, firm: str, day: str = "2024-03-04", hour: int = 9):  # type: ignore[no-untyped-def]
    return open_request(
        session,
        scope=ANALYST,
        settings=settings,
        credit_code=firm,
        category="land",
        text="用地指标不足",
        opened_at=at(day, hour),
    )


def _group(session, settings, ids: list[int], scope=ANALYST):  # type: ignore[no-untyped-def]
    return create_common(
        session,
        scope=scope,
        settings=settings,
        title="工业用地指标紧张",
        category="land",
        description="全区年度新增工业用地指标不足",
        request_ids=ids,
    )


def test_a_group_links_its_cases_and_counts_enterprises_and_townships(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """Firm 1 (town A) raised two cases, firm 3 (town B) one: 3 cases, 2 enterprises, 2 townships,
    all 3 open; a case of firm 4 outside the group is not counted."""
    with transaction(engine) as session:
        seed_firms(session)
        ids = [_case(session, settings, code(1), hour=h).id for h in (9, 10)]
        ids.append(_case(session, settings, code(3)).id)
        _case(session, settings, code(4))
        group = _group(session, settings, ids)
    with transaction(engine) as session:
        (row,) = list_common(session, scope=ANALYST, settings=settings)
        assert (row["cases"], row["enterprises"], row["townships"], row["open_cases"]) == (3, 2, 2, 3)
        assert (row["title"], row["state"], row["category_name"]) == ("工业用地指标紧张", "在办", "用地保障")
        # the enterprise sees the group's title on its own case
        shown = show_request(session, scope=enterprise(code(3)), settings=settings, request_id=ids[2])
        assert shown["common_problem"] == {"id": group.id, "title": "工业用地指标紧张", "state": "在办"}
        set_state(session, scope=ANALYST, common_id=group.id, state="已提交政策研究", reason="报区政府研究")
    with transaction(engine) as session:
        (row,) = list_common(session, scope=ANALYST, settings=settings)
        assert row["state"] == "已提交政策研究"


def test_only_the_service_centre_groups_and_a_case_is_in_one_group(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        seed_firms(session)
        a, b = _case(session, settings, code(1)), _case(session, settings, code(2))
        group = _group(session, settings, [a.id])
        for scope in (town(TOWN_A), department(NATURAL), enterprise(code(1))):
            with pytest.raises(Forbidden):
                _group(session, settings, [b.id], scope=scope)
            with pytest.raises(Forbidden):
                link(session, scope=scope, common_id=group.id, request_id=b.id)
            with pytest.raises(Forbidden):
                list_common(session, scope=scope, settings=settings)
        with pytest.raises(RequestRefused, match="已归入共性问题“工业用地指标紧张”"):
            _group(session, settings, [b.id, a.id])
    with transaction(engine) as session:
        with pytest.raises(RequestRefused, match="已归入"):
            link(session, scope=ANALYST, common_id=group.id, request_id=a.id)
        with pytest.raises(RequestRefused, match="状态"):
            set_state(session, scope=ANALYST, common_id=group.id, state="完成", reason="x")
        # unlinked, it may join another group
        unlink(session, scope=ANALYST, common_id=group.id, request_id=a.id)
        other = _group(session, settings, [a.id])
        assert other.id != group.id


def test_the_history_and_the_audit_record_the_link(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        seed_firms(session)
        case = _case(session, settings, code(1))
        group = _group(session, settings, [case.id])
        unlink(session, scope=ANALYST, common_id=group.id, request_id=case.id)
    with transaction(engine) as session:
        shown = show_request(session, scope=ANALYST, settings=settings, request_id=case.id)
        steps = [(e["action_name"], e["text"], e["to_state"]) for e in shown["history"]]
        assert steps[1:] == [
            ("归入共性问题", "工业用地指标紧张", "待受理"),
            ("移出共性问题", "工业用地指标紧张", "待受理"),
        ]
        assert shown["common_problem"] is None
        actions = [e["action"] for e in search_audit(session, action="requests.common.")]
        assert sorted(actions) == ["requests.common.create", "requests.common.link", "requests.common.unlink"]


def test_suggestions_are_open_ungrouped_cases_of_one_category_and_chain(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """Firms 1 and 2 (auto parts, town A) have open 用地 cases; firm 3 (auto parts, town B) a
    closed one; firm 4 (textiles, town B) an open one. Suggested: the chain's two open cases and
    town A's same two — never firm 3's closed case, never a set of one enterprise."""
    with transaction(engine) as session:
        seed_firms(session)
        closed = drive(session, settings, _case(session, settings, code(3), hour=8), "办结")
        one, two = _case(session, settings, code(1)), _case(session, settings, code(2))
        _case(session, settings, code(4))
    with transaction(engine) as session:
        found = suggest(session, scope=ANALYST, settings=settings, as_of=at("2024-03-08").date())
        by_basis = {s["basis"]: s for s in found}
        assert sorted(by_basis) == ["chain", "township"]
        assert by_basis["chain"]["request_ids"] == [one.id, two.id]
        assert by_basis["chain"]["basis_name"].startswith("汽车")
        assert by_basis["township"]["request_ids"] == [one.id, two.id]
        assert closed.id not in {i for s in found for i in s["request_ids"]}
        with pytest.raises(Forbidden):
            suggest(session, scope=town(TOWN_A), settings=settings)
        # grouped, they are no longer suggested; outside the window neither
        _group(session, settings, [one.id])
        assert suggest(session, scope=ANALYST, settings=settings, as_of=at("2024-03-08").date()) == []
        assert suggest(session, scope=ANALYST, settings=settings, as_of=at("2024-06-03").date()) == []


def test_over_http_only_the_service_centre_manages_groups_and_every_viewer_sees_the_title(live) -> None:  # type: ignore[no-untyped-def]
    """Against `industry-brain serve`: the analyst raises three cases (two firms of town A, one
    of town B), groups them; the town, the department and the enterprise get 403 creating,
    linking and listing; the enterprise reads the group's title on its case and its page."""
    with live.client("analyst") as c:
        ids = [
            c.post(
                "/api/v1/requests",
                data={"credit_code": firm, "category": "用地保障", "text": "用地指标未落实"},
            ).json()["request_id"]
            for firm in (code(1), code(1), code(3))
        ]
        body = {
            "title": "工业用地指标紧张",
            "category": "land",
            "description": "新增用地指标不足",
            "request_ids": ids[:2],
        }
    for user in ("town", "department", "enterprise"):
        with live.client(user) as c:
            assert c.post("/api/v1/requests/common", json=body).status_code == 403
            assert c.get("/api/v1/requests/common").status_code == 403
            assert c.get("/api/v1/requests/common/suggest").status_code == 403
    with live.client("analyst") as c:
        made = c.post("/api/v1/requests/common", json=body)
        assert made.status_code == 200, made.text
        group = made.json()["id"]
        linked = c.post(f"/api/v1/requests/common/{group}/link", json={"request_id": ids[2]})
        assert linked.json()["request_ids"] == ids
        again = c.post("/api/v1/requests/common", json=body | {"request_ids": [ids[0]]})
        assert again.status_code == 400 and "已归入共性问题" in again.json()["detail"]
        row = next(r for r in c.get("/api/v1/requests/common").json() if r["id"] == group)
        assert (row["cases"], row["enterprises"], row["townships"]) == (3, 2, 2)
        moved = c.post(
            f"/api/v1/requests/common/{group}/state", json={"state": "已解决", "reason": "出台新政"}
        )
        assert moved.json()["state"] == "已解决"
    with live.client("town") as c:
        assert c.post(f"/api/v1/requests/common/{group}/link", json={"request_id": ids[0]}).status_code == 403
    with live.client("enterprise") as c:
        assert c.get(f"/api/v1/requests/{ids[0]}").json()["common_problem"]["title"] == "工业用地指标紧张"
    pages = page_client(live.base, "enterprise")
    try:
        assert "已归入共性问题：工业用地指标紧张" in pages.get(f"/requests/case?id={ids[0]}").text
    finally:
        pages.close()
    pages = page_client(live.base, "analyst")
    try:
        assert "新增用地指标不足" in pages.get("/requests").text
    finally:
        pages.close()


def test_the_cli_groups_links_moves_and_suggests(db_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from industry_brain.cli.main import build_app

    with transaction(engine) as session:
        seed_firms(session)
        one, two = (_case(session, settings, code(n)).id for n in (1, 2))
        _case(session, settings, code(3))
    runner, app = CliRunner(), build_app()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["requests", "common", *args, "--db", db_url])
        assert result.exit_code == 0, result.output
        return result.output

    made = json.loads(
        run(
            "create",
            "--title",
            "用地紧张",
            "--category",
            "用地保障",
            "--text",
            "指标不足",
            "--case",
            str(one),
            "--json",
        )
    )
    assert made["state"] == "在办"
    run("link", str(made["id"]), "--case", str(two))
    run("state", str(made["id"]), "--state", "已提交政策研究", "--reason", "报区政府")
    (row,) = json.loads(run("list", "--json"))
    assert (row["cases"], row["enterprises"], row["townships"], row["state"]) == (2, 2, 1, "已提交政策研究")
    assert "用地紧张" in run("list")
    assert json.loads(run("suggest", "--json")) == []  # only firm 3's case is left ungrouped
    refused = runner.invoke(
        app, ["requests", "common", "link", str(made["id"]), "--case", str(one), "--db", db_url]
    )
    assert refused.exit_code != 0 and "已归入共性问题" in refused.output


def test_two_analysts_linking_one_case_at_once_leave_it_in_one_group(live) -> None:  # type: ignore[no-untyped-def]
    """Two groups, one case linked to both at the same moment: one link lands, the other is
    refused with the reason (taken again on a fresh read), and the history has one link."""
    from concurrent.futures import ThreadPoolExecutor

    with live.client("analyst") as c:
        firm = {"credit_code": code(2), "category": "用地保障", "text": "用地指标未落实"}
        a, b, case = (c.post("/api/v1/requests", data=firm).json()["request_id"] for _ in range(3))
        new = {"category": "land", "description": "原因"}
        groups = [
            c.post("/api/v1/requests/common", json=new | {"title": f"第{n}组", "request_ids": [n]}).json()[
                "id"
            ]
            for n in (a, b)
        ]

    def put(group: int) -> int:
        with live.client("analyst") as c:
            return c.post(f"/api/v1/requests/common/{group}/link", json={"request_id": case}).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(put, groups))
    assert codes == [200, 400]
    with live.client("analyst") as c:
        history = c.get(f"/api/v1/requests/{case}").json()["history"]
    assert [e["action"] for e in history].count("common_link") == 1
