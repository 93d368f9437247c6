"""Whom to attract for a cluster: the candidates a cluster's codes make, the ranking checked by
hand on a tiny matrix and on a two-township district from the database (SQLite, PostgreSQL),
the scope, and `industry-brain clusters attract` with its Excel file."""

from __future__ import annotations

import json

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from chains_fixtures import JINPING, XIKOU, YEAR, registry_rows, stats_rows
from helpers import run_import, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.clusters.attract import attract_cluster, cluster_candidates, rank_attract
from industry_brain.clusters.service import ClusterNotFound
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope

CLUSTER = "fenghua-14th/pneumatic"  # 3446 3443 3444 3489 4011
runner = CliRunner()


@pytest.fixture
def district(engine, settings, tmp_path):
    run_import(engine, settings, write_xlsx(tmp_path / "r.xlsx", registry_rows()), "registry")
    for year in (YEAR - 1, YEAR):
        run_import(
            engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", stats_rows(year)), "stats", str(year)
        )
    return engine


def test_a_clusters_codes_make_its_candidates_at_each_level():
    auto = cluster_candidates(["36"], level=4)
    assert {"3611", "3612", "3660", "3670"} <= set(auto["industry"])
    assert set(auto["node_id"]) == {"36"} and auto["node_name"][0] == "汽车制造业"
    at_group = cluster_candidates(["3446", "3443", "4011"], level=3)
    assert at_group.sort("industry")["industry"].to_list() == ["344", "401"]
    assert at_group.filter(pl.col("industry") == "344")["node_id"].to_list() == ["344"]
    # a code under another code of the cluster adds nothing: 344 already takes 3446
    nested = cluster_candidates(["344", "3446"], level=4)
    assert set(nested["node_id"]) == {"344"} and nested.height == nested["industry"].n_unique()


def test_the_ranking_on_the_worked_example():
    """docs/clusters.md: A = (10, 10, 0), B = (10, 0, 10), C = (0, 0, 20) over x = 3446,
    y = 3443, z = 3392. φ_xy = φ_xz = 0.5, φ_yz = 0. C lacks x: d = 0.5 / (0.5 + 0.5 + 1) =
    0.25; C lacks y: d = 0 / (0.5 + 0 + 1) = 0."""
    matrix = pl.DataFrame(
        {
            "area": ["A", "A", "B", "B", "C"],
            "industry": ["3446", "3443", "3446", "3392", "3392"],
            "value": [10.0, 10.0, 10.0, 10.0, 20.0],
        }
    )
    cands = cluster_candidates(["3446", "3443", "3444", "3489", "4011"], level=4)
    out = rank_attract(matrix, cands, targets=["A", "C"])
    c = out.filter(pl.col("area") == "C")
    assert c["industry"].to_list() == ["3446", "3443", "3444", "3489", "4011"]
    assert c["rank"].to_list() == [1, 2, 3, 4, 5]
    assert c["density"].to_list()[:2] == [pytest.approx(0.25), pytest.approx(0.0)]
    assert c["related"][0] == pytest.approx(0.5) and c["reach"][0] == pytest.approx(2.0)
    assert c["density"].to_list()[2:] == [None, None, None]
    assert "3392" not in out["industry"].to_list()  # in the matrix, not in the cluster
    a = out.filter(pl.col("area") == "A")
    assert a["industry"].to_list() == ["3444", "3489", "4011"]  # A already has 3446 and 3443
    row = c.row(0, named=True)
    assert "关联密度 0.25 = Σφ(本地优势行业) 0.5 / Σφ(全部) 2.0" in row["explain"]
    assert "3392" in row["related_industries"] and "φ=0.50" in row["related_industries"]


def test_the_ranking_from_the_database_by_hand(district, settings):
    """The chains' district (tests/chains_fixtures.py): 溪口镇 has 3446 6000, 3443 3000, 3442
    500, 3484 800; 锦屏街道 3489 1000, 3392 2000, 1819 9999, 3481 100 (万元, 2024). Each
    class is in one township only, so every class present has RCA > 1 there and proximity
    1 to the classes of its own township, 0 to the other's: a class the township lacks has
    density 0 (present in the other) or none (in neither)."""
    with transaction(district) as session:
        frame, inputs = attract_cluster(
            session, cluster_id=CLUSTER, year=YEAR, scope=Scope.system(), settings=settings
        )
    assert inputs["cluster_id"] == CLUSTER and inputs["targets"] == [JINPING, XIKOU]
    assert inputs["areas"] == 2 and inputs["industries"] == 8 and inputs["candidates"] == 5
    by = {a: frame.filter(pl.col("area") == a) for a in (JINPING, XIKOU)}
    assert by[XIKOU]["industry"].to_list() == ["3489", "3444", "4011"]
    assert by[XIKOU]["density"].to_list() == [0.0, None, None]
    # 3489: reach = φ to 3392, 1819, 3481 (1 each) + φ_ii 1 = 4, related 0
    assert by[XIKOU]["reach"][0] == pytest.approx(4.0) and by[XIKOU]["related"][0] == 0.0
    assert by[JINPING]["industry"].to_list() == ["3443", "3446", "3444", "4011"]  # tie: by code
    assert by[JINPING]["density"].to_list() == [0.0, 0.0, None, None]
    assert (frame["rca"] == 0.0).all() and frame["pci"].is_null().all()  # 2 areas: no PCI
    assert "行业复杂度与机会增益不计算" in frame["explain"][0]


def test_at_division_level_the_towns_weak_share_is_listed(district, settings):
    """At 2 digits 34 is 溪口镇 10300 and 锦屏街道 1000 + 100 = 1100 of 13099; district 34 =
    11400 of 23399: RCA(锦屏, 34) = (1100 / 13099) / (11400 / 23399) < 1, so it is listed."""
    with transaction(district) as session:
        frame, inputs = attract_cluster(
            session, cluster_id=CLUSTER, year=YEAR, scope=Scope.system(), settings=settings, level=2
        )
    assert inputs["level"] == "division"
    jp = frame.filter(pl.col("area") == JINPING)
    assert jp["industry"].to_list() == ["34", "40"]
    assert jp["rca"][0] == pytest.approx((1100 / 13099) / (11400 / 23399))
    assert jp["density"].to_list() == [0.0, None]
    assert frame.filter(pl.col("area") == XIKOU)["industry"].to_list() == ["40"]


def test_only_district_wide_roles_rank_and_unknown_clusters_are_named(district, settings):
    for scope in (Scope(role="town", township_code=JINPING), Scope(role="enterprise", credit_code="x")):
        with transaction(district) as session, pytest.raises(IndustryBrainError, match="全区"):
            attract_cluster(session, cluster_id=CLUSTER, year=YEAR, scope=scope, settings=settings)
    with transaction(district) as session, pytest.raises(ClusterNotFound, match="nope"):
        attract_cluster(session, cluster_id="nope", year=YEAR, scope=Scope.system(), settings=settings)


def test_the_command_prints_and_writes_the_same_list(district, db_url, tmp_path):
    xlsx = tmp_path / "招商.xlsx"
    args = ["clusters", "attract", CLUSTER, "--year", str(YEAR), "--output", str(xlsx), "--json"]
    result = runner.invoke(build_app(), [*args, "--db", db_url])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["inputs"]["cluster_codes"] == ["3446", "3443", "3444", "3489", "4011"]
    assert len(payload["candidates"]) == 7
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.max_row == 2 + 7 and CLUSTER in str(sheet.cell(1, 1).value)
    shown = runner.invoke(build_app(), ["clusters", "attract", CLUSTER, "--db", db_url])
    assert shown.exit_code == 0 and "关键基础件" in shown.stdout
    refused = runner.invoke(
        build_app(), ["clusters", "attract", CLUSTER, "--reference", "ningbo-2020", "--db", db_url]
    )
    assert refused.exit_code == 2 and "集群级" in refused.output
    missing = runner.invoke(build_app(), ["clusters", "attract", "nope/none", "--db", db_url])
    assert missing.exit_code == 2 and "不存在" in missing.output
