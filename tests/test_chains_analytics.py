"""A chain's figures on every engine, against the hand-worked district (chains_fixtures)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from chains_fixtures import YEAR, facts, overrides
from helpers import code
from industry_brain.clusters.chain_analytics import ChainParams
from industry_brain.clusters.chain_service import compute_chain
from industry_brain.clusters.chains import get_chain

HAS_SPARK = importlib.util.find_spec("pyspark") is not None
SPARK = pytest.mark.skipif(not HAS_SPARK and not os.environ.get("CI"), reason="PySpark not installed")
ENGINES = [
    "duckdb",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=[SPARK, pytest.mark.slow]),
]


@pytest.fixture(params=ENGINES)
def run(request):
    engine = request.param
    url = request.getfixturevalue("pg_url") if engine == "postgres" else None

    def compute(params: ChainParams | None = None, said=None):
        return compute_chain(
            facts(),
            get_chain("fenghua-pneumatics"),
            overrides() if said is None else said,
            year=YEAR,
            params=params or ChainParams(),
            engine=engine,
            postgres_url=url,
        )

    return compute


def _nodes(result):
    return {r["node_id"]: r for r in result["nodes"].to_dicts()}


def test_node_figures_match_the_hand_worked_district(run):
    n = _nodes(run())
    c = n["components"]
    assert (c["enterprises"], c["output_wan"], c["output_prev_wan"]) == (3, 10000.0, 8000.0)
    assert c["growth"] == pytest.approx(0.25)
    assert c["hhi"] == pytest.approx(0.46)
    assert c["top_n_share"] == pytest.approx(1.0)
    assert c["chain_share"] == pytest.approx(10000 / 12900)
    assert n["seals"]["hhi"] == pytest.approx(65 / 81)
    assert n["seals"]["growth"] is None  # no prior-year output on the node
    assert n["castings"]["growth"] == pytest.approx(0.25)
    assert n["systems"]["output_wan"] == 6000.0  # enterprise 1 by keyword 自动化


def test_gap_status_per_node(run):
    n = _nodes(run())
    status = {k: v["status"] for k, v in n.items()}
    assert status == {
        "castings": "weak",
        "seals": "weak",
        "components": "present",
        "compressors": "missing",
        "systems": "weak",
    }
    assert n["compressors"]["enterprises"] == 0 and n["compressors"]["hhi"] is None


def test_analyst_overrides_beat_the_automatic_match(run):
    members = run()["members"]
    on = {(r["node_id"], r["credit_code"]): r["basis"] for r in members.to_dicts()}
    assert on[("seals", code(7))] == "confirmed"
    assert ("compressors", code(5)) not in on
    assert on[("components", code(3))] == "keyword"
    assert on[("components", code(1))] == "class"
    without = run(said=overrides().head(0))["members"]
    assert ("compressors", code(5)) in {(r["node_id"], r["credit_code"]) for r in without.to_dicts()}


def test_leaders_count_each_enterprise_once(run):
    leaders = run()["leaders"]
    assert leaders["credit_code"].to_list() == [code(1), code(2), code(4)]
    assert leaders["chain_share"].to_list() == pytest.approx([6000 / 12900, 3000 / 12900, 2000 / 12900])
    assert leaders["nodes"].to_list() == [2, 1, 1]


def test_parameters_change_what_they_say(run):
    result = run(ChainParams(top_n=2, leader_top_n=5, leader_min_share=0.1, weak_min_enterprises=1))
    n = _nodes(result)
    assert n["components"]["top_n_share"] == pytest.approx(0.9)
    assert n["systems"]["status"] == "present"  # 1 enterprise is enough; 46.5% of output
    assert n["seals"]["status"] == "present"  # 2 enterprises, 900 / 12900 = 7.0% ≥ 5%
    # 丙 holds 1000 / 12900 = 7.8% < 10%: not a leader even with room for five
    assert result["leaders"]["credit_code"].to_list() == [code(1), code(2), code(4)]
