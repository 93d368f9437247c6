"""The cockpit's chains, tiers/pools and projects tiles: the same service functions as their
pages, with the viewer's scope (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from chains_fixtures import JINPING, YEAR, registry_rows, stats_rows
from helpers import run_import, write_xlsx
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.web.pages.cockpit import domain_summaries


@pytest.fixture
def district(engine, settings, tmp_path):
    run_import(engine, settings, write_xlsx(tmp_path / "r.xlsx", registry_rows()), "registry")
    for year in (YEAR - 1, YEAR):
        run_import(
            engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", stats_rows(year)), "stats", str(year)
        )
    return engine


def test_the_bureau_sees_the_district_chains_gaps_tiers_pools_and_projects(district, settings):
    with transaction(district) as session:
        parts = domain_summaries(
            session, scope=Scope(role="leader", username="l"), settings=settings, year=YEAR
        )
    chains = {c["id"]: c for c in parts["chains"]}
    assert set(chains) == {
        "fenghua-auto-parts",
        "fenghua-electronics",
        "fenghua-fashion",
        "fenghua-pneumatics",
        "fenghua-smart-appliances",
    }  # the chains 奉化区's plan names (the default district)
    # tests/chains_fixtures.py, without the analyst's words: components present; castings,
    # seals (辛 alone), compressors (戊 alone) and systems (甲 alone) weak
    pneumatics = chains["fenghua-pneumatics"]
    assert (pneumatics["present"], pneumatics["weak"], pneumatics["missing"]) == (1, 4, 0)
    assert pneumatics["leader"] == "宁波甲气动自动化有限公司"
    assert {t["tier"] for t in parts["tiers"]} and all(t["level"] is None for t in parts["tiers"])
    assert {p["id"] for p in parts["pools"]} >= {"scale_up"} and all(
        p["members"] == 0 for p in parts["pools"]
    )
    assert parts["flags"] == [] and parts["totals"]["total"]["count"] == 0


def test_a_town_sees_its_own_township_and_a_year_without_data_says_so(district, settings):
    town = Scope(role="town", username="t", township_code=JINPING)
    with transaction(district) as session:
        parts = domain_summaries(session, scope=town, settings=settings, year=YEAR)
        empty = domain_summaries(session, scope=town, settings=settings, year=None)
    pneumatics = next(c for c in parts["chains"] if c["id"] == "fenghua-pneumatics")
    assert pneumatics["leader"] == "丁铸造有限公司"  # 甲 is in 溪口镇; 丁 (2000) leads in 锦屏街道
    assert empty["chains"] == "暂无企业数据" and empty["tiers"] == "暂无企业数据"
    department = Scope(role="department", username="d", unit="区经信局")
    with transaction(district) as session:
        refused = domain_summaries(session, scope=department, settings=settings, year=YEAR)
    assert refused["chains"] == "无权查看" and refused["flags"] == "无权查看"
