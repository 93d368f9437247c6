"""The profile's figures by year (views.queries.figures_of, one enterprise at a time) agree
with the district's facts table (ingest.facts.resolve_year) figure for figure, on SQLite and
PostgreSQL: power readings mapped through accounts (the newest map decides), monthly rows
summed, parcels added, sources chosen by precedence."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from helpers import code, run_import, write_csv, write_xlsx
from industry_brain.core.auth import NotFound
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.ingest.facts import resolve_year
from industry_brain.views.queries import figures_of, profile_of

# derived in the facts table (from revenue, from event lists), not recorded figures
DERIVED = ("above_scale", "safety_accident", "env_violation")


def _district(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    accounts = [["户号", "统一社会信用代码", "户名"], ["3300001", code(1), "甲"], ["3300002", code(1), "甲"]]
    run_import(engine, settings, write_xlsx(tmp_path / "acc.xlsx", accounts), "power")
    # a newer map gives account 3300002 to 乙: its readings are 乙's from then on
    newer = [["户号", "统一社会信用代码", "户名"], ["3300002", code(2), "乙"]]
    run_import(engine, settings, write_xlsx(tmp_path / "acc2.xlsx", newer), "power", supplement=True)
    months = [["户号", "月份", "用电量（千瓦时）"]]
    months += [
        [a, f"2024-{m:02d}", v] for m in range(1, 13) for a, v in (("3300001", 10_000), ("3300002", 5_000))
    ]
    run_import(engine, settings, write_csv(tmp_path / "p.csv", months), "power")
    tax = [["统一社会信用代码", "企业名称", "月份", "实缴税金（万元）", "营业收入（万元）"]]
    tax += [
        [c, n, f"2024-{m:02d}", 1.5, 100] for m in range(1, 13) for c, n in ((code(1), "甲"), (code(2), "乙"))
    ]
    run_import(engine, settings, write_xlsx(tmp_path / "t.xlsx", tax), "tax")
    land = [
        ["统一社会信用代码", "企业名称", "地块编号", "用地面积（亩）"],
        [code(1), "甲", "P1", 10],
        [code(1), "甲", "P2", 5.5],
    ]
    run_import(engine, settings, write_xlsx(tmp_path / "l.xlsx", land), "land", "2024")
    stats = [
        ["统一社会信用代码", "企业名称", "实缴税金（万元）", "工业总产值（万元）"],
        [code(1), "甲", 17, 900],
    ]
    run_import(engine, settings, write_xlsx(tmp_path / "s.xlsx", stats), "stats", "2024")


def test_profile_figures_agree_with_the_facts_table(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _district(engine, settings, tmp_path)
    with transaction(engine) as session:
        facts, _ = resolve_year(session, year=2024, tolerance=settings.conflict_tolerance)
        for row in facts.to_dicts():
            (year,) = figures_of(session, scope=Scope.system(), credit_code=row["credit_code"])
            assert year["year"] == 2024
            expected = {f: row[f] for f in year["figures"] if f not in DERIVED}
            got = {f: v["value"] for f, v in year["figures"].items() if f not in DERIVED}
            assert got == pytest.approx(expected)
            assert {f for f in row if row[f] is not None} >= set(got)
        one = figures_of(session, scope=Scope.system(), credit_code=code(1))[0]
    assert one["figures"]["electricity_wan_kwh"] == {"value": pytest.approx(12.0), "source": "power"}
    assert one["figures"]["tax_wan"] == {"value": pytest.approx(18.0), "source": "tax"}  # tax before stats
    assert one["figures"]["land_mu"] == {"value": pytest.approx(15.5), "source": "land"}
    assert one["sources"]["land"]["files"] == ["l.xlsx"]


def test_outside_the_scope_the_profile_is_not_found(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _district(engine, settings, tmp_path)
    other = Scope(role="enterprise", username="b", credit_code=code(2))
    with transaction(engine) as session:
        with pytest.raises(NotFound):
            figures_of(session, scope=other, credit_code=code(1))
        with pytest.raises(NotFound):
            profile_of(session, scope=Scope(role="department", username="d", unit="x"), credit_code=code(1))
        assert profile_of(session, scope=other, credit_code=code(2))["years"][0]["year"] == 2024
