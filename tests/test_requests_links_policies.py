"""A 涉企问题 case shows the policies its enterprise qualifies for, over real HTTP (SQLite and
PostgreSQL), on web_domains_fixtures' district: as of 2025-03-01 丁铸造 (code 4, 锦屏街道) is the
one 小升规 (revenue 1600 -> 2000 万元), eligible for scale_up_reward's 10 万元; the case's
context says so, with a link to its policies page, to the town and not to another enterprise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpers import code
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.core.settings import get_settings
from industry_brain.registry import open_database
from web_domains_fixtures import Server, seed, start
from web_fixtures import free_port, stop, web_db_fixture  # noqa: F401

AS_OF = "2025-03-01"


@pytest.fixture(scope="module")
def server(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    from industry_brain.requests.service import open_request

    seed(web_db, tmp_path_factory.mktemp("district"))
    engine = open_database(web_db)
    with transaction(engine) as session:
        case = open_request(
            session,
            scope=Scope(role="analyst", username="analyst"),
            settings=get_settings(environ={}, database_url=web_db),
            credit_code=code(4),
            category="land",
            text="新厂房用地指标未落实",
        )
        number = case.id
    engine.dispose()
    port = free_port()
    process = start(web_db, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}", db_url=web_db), number
    finally:
        stop(process)


def test_the_case_shows_the_policies_its_enterprise_qualifies_for(server: tuple[Server, int]) -> None:
    live, n = server
    with live.client("town") as c:
        got = c.get(f"/api/v1/requests/{n}", params={"as_of": AS_OF})
    assert got.status_code == 200, got.text
    policies = got.json()["context"]["policies"]
    assert policies["as_of"] == AS_OF and policies["link"] == f"/policies?code={code(4)}"
    hit = [p for p in policies["items"] if p["policy"] == "scale_up_reward"]
    assert [(p["result_name"], p["amount_wan"]) for p in hit] == [("符合条件", 10.0)]
    assert all(
        p["result_name"] in ("符合条件", "符合条件但金额为零", "差一点符合") for p in policies["items"]
    )
    with live.client("enterprise") as c:  # enterprise 1: not its case
        assert c.get(f"/api/v1/requests/{n}", params={"as_of": AS_OF}).status_code == 404
