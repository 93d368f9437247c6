"""标准地承诺 in the JSON API over real HTTP (SQLite and PostgreSQL): each role sees its own
parcels (a town its township's enterprises', an enterprise its own, the land department and the
bureau all, another department none), the stored 达产复核 with the shortfall in words and each
figure's source file, the Excel download with Chinese headers, and who may run a review.

The district is web_fixtures': 20 亩 parcels with 10 万元/亩 of tax committed, reviewed against
2022's taxes: code(1) 30.0 and code(3) 18.0 meet it, code(2) 4.8 and code(4) 2.7 fall short."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
import pytest

from helpers import code
from industry_brain.core.auth import create_user
from industry_brain.core.db import transaction
from industry_brain.registry import open_database
from web_fixtures import PARCELS, PASSWORD, TOWN_B, Live, live_fixture, web_db_fixture  # noqa: F401

LAND = "区自然资源和规划分局"


@pytest.fixture(scope="module")
def land(live: Live) -> Live:
    """The server, with an account of the land department (a unit naming 自然资源)."""
    engine = open_database(live.db_url)
    try:
        with transaction(engine) as session:
            create_user(session, username="land", role="department", password=PASSWORD, unit=LAND)
    finally:
        engine.dispose()
    return live


def _parcels(live: Live, username: str, route: str = "/api/v1/commitments", **params: object) -> list[str]:
    with live.client(username) as c:
        got = c.get(route, params=params)
    assert got.status_code == 200, got.text
    return sorted(r["parcel_id"] for r in got.json())


def test_each_role_sees_only_its_parcels(land: Live) -> None:
    with land.client() as c:
        assert c.get("/api/v1/commitments").status_code == 401
        assert c.get("/api/v1/commitments/reviews").status_code == 401
    everything = sorted(PARCELS.values())
    for route in ("/api/v1/commitments", "/api/v1/commitments/reviews"):
        assert _parcels(land, "analyst", route) == everything
        assert _parcels(land, "land", route) == everything
        assert _parcels(land, "town", route) == [PARCELS[code(1)], PARCELS[code(2)]]  # not town B's
        assert _parcels(land, "enterprise", route) == [PARCELS[code(1)]]  # its own only
        assert _parcels(land, "department", route) == []  # 区科技局 holds no land
        # a town asking for another town's parcels gets none of them
        assert _parcels(land, "town", route, township=TOWN_B) == []
    assert _parcels(land, "analyst", township=TOWN_B) == [PARCELS[code(3)], PARCELS[code(4)]]
    assert _parcels(land, "analyst", year=2023) == everything  # reviewed on 2023-06-30
    assert _parcels(land, "analyst", year=2024) == []


def test_reviews_carry_the_shortfall_and_the_sources(land: Live) -> None:
    with land.client("analyst") as c:
        got = {r["parcel_id"]: r for r in c.get("/api/v1/commitments/reviews", params={"year": 2022}).json()}
    assert {p: r["result"] for p, r in got.items()} == {
        PARCELS[code(1)]: "met",
        PARCELS[code(2)]: "breached",
        PARCELS[code(3)]: "met",
        PARCELS[code(4)]: "breached",
    }
    short = got[PARCELS[code(2)]]
    (tax,) = short["trace"]["indicators"]
    assert tax["shortfall"] == "亩均税收 4.8 万元/亩，承诺不低于 10.0 万元/亩，差 5.2"
    assert tax["source"][0]["file"] == "tax-2022.csv"
    assert short["result_name"] == "未达承诺" and short["rectification_state"] is None
    assert short["committed"]["tax_per_mu"] == 10.0 and short["area_mu"] == 20.0
    with land.client("analyst") as c:  # a figures year nobody reviewed against: nothing
        assert c.get("/api/v1/commitments/reviews", params={"year": 2021}).json() == []


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_excel_is_the_reviews_in_chinese(land: Live) -> None:
    with land.client("analyst") as c:
        got = c.get("/api/v1/commitments/reviews.xlsx")
    assert got.status_code == 200, got.text
    name = unquote(re.search(r"filename\*=UTF-8''(.+)$", got.headers["content-disposition"])[1])  # type: ignore[index]
    assert name.startswith("标准地达产复核_") and name.endswith(".xlsx")
    rows = _sheet(got.content)
    assert str(rows[0][0]).startswith("标准地达产复核结果")
    headers = [str(h) for h in rows[1]]
    assert headers[:2] == ["地块编号", "企业名称"]
    assert "承诺亩均税收（万元/亩，不低于）" in headers and "实际亩均税收（万元/亩）" in headers
    assert not [h for h in headers if re.search(r"[A-Za-z]{3,}", h)]  # no code names
    by = {r[0]: dict(zip(headers, r, strict=True)) for r in rows[2:]}
    breach = by[PARCELS[code(2)]]
    assert breach["复核结果"] == "未达承诺" and breach["实际亩均税收（万元/亩）"] == 4.8
    assert breach["未达承诺情况"] == "亩均税收 4.8 万元/亩，承诺不低于 10.0 万元/亩，差 5.2"
    assert breach["整改状态"] == "未登记整改" and breach["所属镇街"] == "锦屏街道"
    assert by[PARCELS[code(1)]]["整改状态"] == "无需整改"
    with land.client("town") as c:  # the town's file holds its own parcels only
        town = _sheet(c.get("/api/v1/commitments/reviews.xlsx").content)
    assert sorted(r[0] for r in town[2:]) == [PARCELS[code(1)], PARCELS[code(2)]]


def test_only_the_land_department_and_the_bureau_run_a_review(land: Live) -> None:
    body = {"as_of": "2025-12-01", "year": 2022}
    for username in ("department", "town", "enterprise", "leader"):
        with land.client(username) as c:
            assert c.post("/api/v1/commitments/reviews", json=body).status_code == 403, username
    with land.client("land") as c:
        ran = c.post("/api/v1/commitments/reviews", json=body)
        assert ran.status_code == 200, ran.text
        assert sorted(r["parcel_id"] for r in ran.json()) == sorted(PARCELS.values())
        newest = c.get("/api/v1/commitments/reviews", params={"as_of": "2025-12-01"}).json()
    assert {r["id"] for r in newest} == {r["id"] for r in ran.json()}
    assert {r["as_of"] for r in newest} == {"2025-12-01"}


def test_the_land_department_records_the_rectification_of_a_breach(land: Live) -> None:
    with land.client("land") as c:
        got = {r["parcel_id"]: r for r in c.get("/api/v1/commitments/reviews").json()}
        breach, met = got[PARCELS[code(2)]]["id"], got[PARCELS[code(1)]]["id"]
        step = {"state": "in_progress", "deadline": "2027-03-31", "note": "已提交增资扩产方案"}
        refused = c.post(f"/api/v1/commitments/reviews/{met}/rectification", json=step)
        assert refused.status_code == 400 and "无需整改" in refused.json()["detail"]
        done = c.post(f"/api/v1/commitments/reviews/{breach}/rectification", json=step)
        assert done.status_code == 200, done.text
        assert done.json()["state_name"] == "整改中" and done.json()["recorded_by"] == "land"
    for username in ("enterprise", "town", "department"):
        with land.client(username) as c:
            assert c.post(f"/api/v1/commitments/reviews/{breach}/rectification", json=step).status_code == 403
    with land.client("town") as c:  # the town reads the state of its enterprise's breach
        mine = {r["parcel_id"]: r for r in c.get("/api/v1/commitments/reviews").json()}
    assert mine[PARCELS[code(2)]]["rectification_state"] == "in_progress"
    assert mine[PARCELS[code(2)]]["rectification"][-1]["deadline"] == "2027-03-31"
