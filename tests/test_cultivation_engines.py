"""Tiers, movement and pool candidates on every engine, on the same hand-worked fixture."""

from __future__ import annotations

import pytest

from industry_brain.cultivation import analytics
from industry_brain.cultivation.rules import pool, tier_rules
from industry_brain.cultivation.service import run
from tiers_projects_fixtures import facts, titles

ENGINES = ["duckdb", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=ENGINES)
def compute(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None

    def go(build):
        return run(build, facts(), titles(), engine=engine, postgres_url=url)

    return go


def test_tiers_of_2023_by_hand(compute):
    rules = tier_rules()
    tiers = compute(lambda f, t: analytics.assign_tiers(f, t, rules, year=2023))
    got = {(r["tier"], r["level"]): set() for r in tiers.to_dicts()}
    for r in tiers.to_dicts():
        got[(r["tier"], r["level"])].add(r["credit_code"])
    assert got[("above_scale", None)] == {"E1", "E2", "E6", "E7"}  # E5: the flag says no
    assert got[("output_1e8", None)] == {"E1", "E2", "E6", "E7"}
    assert got[("output_1e9", None)] == {"E6", "E7"}
    assert got[("output_5e9", None)] == {"E6", "E7"}
    assert got[("output_1e10", None)] == {"E7"}
    assert got[("specialised_sme", "省级")] == {"E6"}
    assert got[("single_champion", "国家级")] == {"E6"}
    assert got[("high_tech_enterprise", "国家级")] == {"E7"}
    assert got[("little_giant", "国家级")] == {"E2"}
    assert ("specialised_sme", "市级") not in got  # E3's title is from 2024


def test_counts_of_2022(compute):
    rules = tier_rules()
    counts = compute(lambda f, t: analytics.tier_counts(analytics.assign_tiers(f, t, rules, year=2022)))
    by = {(r["tier"], r["level"]): r["count"] for r in counts.to_dicts()}
    # 2022: E1 9000万 is below 亿元; E2 15亿 is in 10亿 but not 50亿
    assert by[("above_scale", None)] == 4
    assert by[("output_1e8", None)] == 3
    assert by[("output_1e9", None)] == 3
    assert by[("output_5e9", None)] == 2
    assert by[("output_1e10", None)] == 1
    assert ("single_champion", None) not in by  # granted in 2023
    assert by[("little_giant", None)] == by[("little_giant", "国家级")] == 1


def test_movement_2022_to_2023(compute):
    rules = tier_rules()
    moved = compute(lambda f, t: analytics.movement(f, t, rules, year_from=2022, year_to=2023))
    rows = {(r["credit_code"], r["change"]): r for r in moved.to_dicts()}
    assert (rows[("E1", "size")]["from_tier"], rows[("E1", "size")]["to_tier"]) == (
        "above_scale",
        "output_1e8",
    )
    assert rows[("E1", "size")]["direction"] == "up"
    assert (rows[("E2", "size")]["from_tier"], rows[("E2", "size")]["to_tier"]) == (
        "output_1e9",
        "output_1e8",
    )
    assert rows[("E2", "size")]["direction"] == "down"
    assert rows[("E6", "title")]["to_tier"] == "single_champion@国家级"
    assert set(rows) == {("E1", "size"), ("E2", "size"), ("E6", "title")}


@pytest.mark.parametrize(
    ("pool_id", "year", "expected"),
    [
        ("scale_up", 2023, {"E3", "E5"}),
        ("scale_up", 2022, set()),  # no 2021 figures: no growth, no candidate
        ("single_champion", 2022, {"E2", "E6"}),  # 小巨人 E2, 专精特新 E6
        ("single_champion", 2023, {"E2"}),  # E6 became a national champion
        ("eagle", 2022, {"E2", "E6", "E7"}),
        ("eagle", 2023, {"E6", "E7"}),
        # E1 4.375% >= 4%, E8 5.6% >= 5%; E6 0.89% < 3%; E7 already holds the title
        ("high_tech_seedling", 2023, {"E1", "E8"}),
    ],
)
def test_candidates(compute, pool_id, year, expected):
    rules = tier_rules()
    p = pool(pool_id)
    got = compute(lambda f, t: analytics.candidates(f, t, rules, p, year=year))
    assert set(got["credit_code"].to_list()) == expected
