"""经济运行监测 in the JSON API over real HTTP (`industry-brain serve`), on SQLite and
PostgreSQL: the district's figures as the CLI gives them (tests/test_monitoring_service.py's
imported months: 同口径 +3.3%, naive -5.3%), a town sees only its own township and its own
enterprises, an enterprise is refused area figures and another enterprise's series, the
bulletin downloads as Word, 401 without a token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import update

from helpers import code, run_import, write_xlsx
from industry_brain.core.auth import create_user
from industry_brain.core.db import open_database, transaction
from industry_brain.core.settings import get_settings
from industry_brain.enterprises.models import Enterprise
from test_monitoring_service import ENTS, FIGURES, HEAD
from web_fixtures import PASSWORD, SignedInClients, free_port, serve, stop, web_db_fixture  # noqa: F401

JINPING, YUELIN = "330213001", "330213002"
ACCOUNTS = {
    "admin": ("admin", {}),
    "town": ("town", {"township_code": YUELIN}),
    "enterprise": ("enterprise", {"credit_code": code(1)}),
}


@dataclass
class Server(SignedInClients):
    base: str
    tokens: dict[str, str] = field(default_factory=dict)
    client_timeout = 120


def _seed(db_url: str, tmp) -> None:  # type: ignore[no-untyped-def]
    settings = get_settings(environ={}, database_url=db_url)
    engine = open_database(db_url)
    try:
        for year, figures in FIGURES.items():
            rows = [HEAD] + [
                [code(n), ENTS[n][0], f"{year}-03", ENTS[n][1], m, y] for n, (m, y) in figures.items()
            ]
            run_import(engine, settings, write_xlsx(tmp / f"s{year}.xlsx", rows), "stats-monthly")
        with transaction(engine) as s:
            for n, (_, industry, town) in ENTS.items():
                s.execute(
                    update(Enterprise)
                    .where(Enterprise.credit_code == code(n))
                    .values(township_code=town, industry_code=industry)
                )
            for username, (role, fields) in ACCOUNTS.items():
                create_user(s, username=username, role=role, password=PASSWORD, **fields)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _seed(web_db, tmp_path_factory.mktemp("monitoring"))
    port = free_port()
    process = serve(web_db, port)
    try:
        yield Server(base=f"http://127.0.0.1:{port}")
    finally:
        stop(process)


def test_the_district_as_the_cli_gives_it(server: Server) -> None:
    with server.client("admin") as c:
        rows = c.get("/api/v1/monitoring/indicators", params={"month": "2025-03", "area": "district"}).json()
        towns = c.get("/api/v1/monitoring/towns", params={"month": "2025-03"}).json()
    bureau, naive = [r for r in rows if r["indicator"] == "output"]
    assert bureau["yoy_pct"] == pytest.approx(3.33, abs=0.01) and bureau["comparable"] is True
    assert naive["yoy_pct"] == pytest.approx(-5.26, abs=0.01) and naive["comparable"] is False
    assert [t["area"] for t in towns] == ["锦屏街道", "岳林街道"]
    assert (towns[0]["rank"], towns[1]["rank"]) == (1, None)  # 岳林: no comparable enterprise


def test_a_town_sees_its_own_township_only(server: Server) -> None:
    with server.client("town") as c:
        rows = c.get("/api/v1/monitoring/indicators", params={"month": "2025-03"}).json()
        assert {(r["area_kind"], r["area_id"]) for r in rows} == {("township", YUELIN)}
        own = c.get(
            "/api/v1/monitoring/series", params={"kind": "township", "area_id": YUELIN, "month": "2025-03"}
        )
        assert own.status_code == 200
        points = own.json()["points"]  # a series is of totals: 丙 50 on 丁 80 a year before
        assert len(points) == 24 and points[-1] == {"month": "2025-03", "value": 50.0, "yoy_pct": -37.5}
        other = c.get("/api/v1/monitoring/series", params={"kind": "township", "area_id": JINPING})
        assert other.status_code == 403
        ent = c.get("/api/v1/monitoring/series", params={"kind": "enterprise", "area_id": code(1)})
        assert ent.status_code == 403  # 甲 is in 锦屏街道: its figures are confidential
        mine = c.get(
            "/api/v1/monitoring/series", params={"kind": "enterprise", "area_id": code(3), "month": "2025-03"}
        )
        assert mine.status_code == 200 and mine.json()["points"][-1]["value"] == 50.0
        assert c.get("/api/v1/monitoring/report", params={"month": "2025-03"}).status_code == 403


def test_an_enterprise_sees_itself_only(server: Server) -> None:
    with server.client("enterprise") as c:
        assert c.get("/api/v1/monitoring/indicators", params={"month": "2025-03"}).status_code == 403
        own = c.get(
            "/api/v1/monitoring/series",
            params={"kind": "enterprise", "area_id": code(1), "month": "2025-03", "months": 12},
        ).json()
        assert own["points"][-1] == {"month": "2025-03", "value": 130.0, "yoy_pct": 30.0}
        other = c.get("/api/v1/monitoring/series", params={"kind": "enterprise", "area_id": code(2)})
        assert other.status_code == 403


def test_bulletin_download_and_no_token(server: Server) -> None:
    with server.client("admin") as c:
        got = c.get("/api/v1/monitoring/report", params={"month": "2025-03", "format": "docx"})
    assert got.status_code == 200
    assert got.content[:2] == b"PK"  # a Word file is a zip
    assert "attachment" in got.headers["content-disposition"]
    with server.client() as c:
        assert c.get("/api/v1/monitoring/indicators").status_code == 401
