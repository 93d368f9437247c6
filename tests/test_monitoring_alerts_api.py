"""The alerts API over real HTTP on SQLite and PostgreSQL: evaluate (analyst only), a town
sees its own township's alerts and no other's, ack / dismiss / silence, rules with precision."""

from __future__ import annotations

import pytest

from helpers import code, run_import, write_csv
from industry_brain.core.settings import get_settings
from industry_brain.registry import open_database
from monitoring_alerts_fixtures import months
from web_fixtures import Live, live_fixture, web_db_fixture  # noqa: F401


@pytest.fixture(scope="module")
def loaded(live: Live, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Power of 甲 (锦屏, TOWN_A) and 丙 (岳林): both at 4 万kWh from March 2024, 10 before."""
    tmp = tmp_path_factory.mktemp("power")
    engine = open_database(live.db_url)
    settings = get_settings(environ={}, database_url=live.db_url)
    accounts = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"], ["3300003", code(3), "丙"]]
    run_import(engine, settings, write_csv(tmp / "acc.csv", accounts), "power")
    for year in ("2023", "2024"):
        rows = [["户号", "月份", "用电量（千瓦时）"]]
        for m in months(f"{year}-01", f"{year}-04"):
            kwh = 40_000 if m >= "2024-03" else 100_000
            rows += [["3300001", m, kwh], ["3300003", m, kwh]]
        run_import(engine, settings, write_csv(tmp / f"p{year}.csv", rows), "power")
    engine.dispose()
    return live


def test_evaluate_list_by_scope_and_act(loaded: Live) -> None:
    analyst, town = loaded.client("analyst"), loaded.client("town")
    assert town.post("/api/v1/monitoring/alerts/evaluate", params={"month": "2024-04"}).status_code == 403
    assert analyst.post("/api/v1/monitoring/alerts/evaluate", params={"month": "2024-04"}).status_code == 200
    everyone = analyst.get("/api/v1/monitoring/alerts", params={"month": "2024-04"}).json()["alerts"]
    assert {(r["credit_code"], r["rule"], r["state"]) for r in everyone} == {
        (code(1), "power_yoy_drop", "firing"),
        (code(3), "power_yoy_drop", "firing"),
    }
    mine = town.get("/api/v1/monitoring/alerts", params={"month": "2024-04"}).json()["alerts"]
    assert [r["credit_code"] for r in mine] == [code(1)]  # 锦屏 only
    other = next(r["alert_id"] for r in everyone if r["credit_code"] == code(3))
    assert town.post(f"/api/v1/monitoring/alerts/{other}/ack", json={"comment": "看"}).status_code == 404
    own = mine[0]["alert_id"]
    for reader in ("enterprise", "leader"):  # they read; the receivers and the bureau act
        refused = loaded.client(reader).post(
            f"/api/v1/monitoring/alerts/{own}/dismiss", json={"reason": "搬迁"}
        )
        assert refused.status_code == 403, reader
    assert town.post(f"/api/v1/monitoring/alerts/{own}/ack", json={"comment": "已走访"}).status_code == 200
    bad = town.post(f"/api/v1/monitoring/alerts/{own}/dismiss", json={"reason": "不想看"})
    assert bad.status_code == 400 and "未知的驳回原因" in bad.json()["detail"]
    assert town.post(f"/api/v1/monitoring/alerts/{own}/dismiss", json={"reason": "搬迁"}).status_code == 200
    assert town.get("/api/v1/monitoring/alerts", params={"month": "2024-04"}).json()["alerts"] == []
    rules = {r["rule"]: r for r in analyst.get("/api/v1/monitoring/rules").json()["rules"]}
    assert (rules["power_yoy_drop"]["raised"], rules["power_yoy_drop"]["dismissed"]) == (2, 1)
    assert rules["power_yoy_drop"]["precision"] == 0.5
    summary = analyst.get("/api/v1/monitoring/alerts/summary", params={"month": "2024-04"}).json()
    assert summary["total"] == 1  # the dismissed one is left out
    silenced = analyst.post(f"/api/v1/monitoring/alerts/{other}/silence", json={"until": "2099-01-01"})
    assert silenced.status_code == 200
    # a silence given today covers the months from now on; April 2024 stays as it was shown
    shown = analyst.get("/api/v1/monitoring/alerts", params={"month": "2024-04"}).json()["alerts"]
    assert [r["alert_id"] for r in shown] == [other]
