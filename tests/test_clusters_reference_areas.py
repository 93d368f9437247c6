"""The shipped reference area (宁波市 2020, seed 002): every figure quotes its seed verbatim,
the cluster-level location quotient is the hand-worked ratio, and what it does not cover is
said, not guessed; `clusters references` and `clusters show --reference ningbo-2020`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from helpers import code, run_import, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.clusters.references import cluster_lq, shipped_reference, shipped_references
from industry_brain.clusters.service import cluster_figures
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.plans.pack import seed_dir

runner = CliRunner()
MATERIALS = "ningbo-14th/materials"  # 3232 3240 325 3985 3073 3091 3061 2659
NINGBO_SHARE = 2174.6 / 17887.1
HEAD = ["统一社会信用代码", "企业名称", "行业代码", "所属镇街", "是否规上", "工业总产值（万元）"]
# 2020, 万元: the cluster's above-scale output 3000 of the district's 10000 (enterprise 3 is
# below scale and counts in neither)
FIRMS = [
    (1, "3240", "锦屏街道", "是", 3000),
    (2, "1811", "锦屏街道", "是", 7000),
    (3, "3240", "岳林街道", "否", 500),
]


@pytest.fixture
def district(engine, settings, tmp_path):
    rows = [HEAD] + [[code(n), f"企业{n}", cls, town, above, out] for n, cls, town, above, out in FIRMS]
    run_import(engine, settings, write_xlsx(tmp_path / "s2020.xlsx", rows), "stats", "2020")
    return engine


@pytest.mark.parametrize("ref", shipped_references(), ids=lambda r: r.id)
def test_every_figure_and_every_unused_one_quotes_its_seed(ref):
    path = seed_dir() / ref.source["seed"]
    if not path.is_file():
        pytest.skip(f"seed {path} not found (set INDUSTRY_BRAIN_SEEDS)")
    text = path.read_text(encoding="utf-8")
    for f in ref.figures:
        assert f.quote in text and f"{f.value:g}" in f.quote, f.quote
    for n in ref.not_used:
        assert n["quote"] in text and n["why"]


def test_ningbo_2020_holds_the_citys_total_and_its_new_materials():
    ref = shipped_reference("ningbo-2020")
    assert ref is not None and ref.area == "宁波市" and ref.measure == "output"
    assert ref.value("total", 2020) == 17887.1 and ref.value(MATERIALS, 2020) == 2174.6
    assert ref.covers() == [MATERIALS]
    assert shipped_reference("ningbo-2021") is None


def test_the_cluster_level_quotient_by_hand():
    ref = shipped_reference("ningbo-2020")
    assert ref is not None
    lq, note = cluster_lq(
        ref, cluster_id=MATERIALS, year=2020, measure="output", region_value=3.0, region_total=12.0
    )
    assert note is None and lq.lq == pytest.approx(0.25 / NINGBO_SHARE)  # ≈ 2.056
    assert (lq.reference_value, lq.reference_total, lq.reference_covered) == (2174.6, 17887.1, True)
    other, why = cluster_lq(
        ref, cluster_id="ningbo-14th/auto", year=2020, measure="output", region_value=1, region_total=2
    )
    assert other.lq is None and not other.reference_covered and MATERIALS in (why or "")
    later, why = cluster_lq(
        ref, cluster_id=MATERIALS, year=2024, measure="output", region_value=1, region_total=2
    )
    assert later.lq is None and "2020" in (why or "")
    with pytest.raises(ConfigurationError, match="口径"):
        cluster_lq(ref, cluster_id=MATERIALS, year=2020, measure="employees", region_value=1, region_total=2)


def test_clusters_show_against_the_shipped_reference(district, settings):
    with transaction(district) as session:
        f = cluster_figures(
            session,
            cluster_id=MATERIALS,
            year=2020,
            scope=Scope.system(),
            settings=settings,
            reference="ningbo-2020",
        )
    assert f.output == pytest.approx(0.3) and f.district_output == pytest.approx(1.0)
    lq = f.location_quotient
    assert lq is not None and lq.reference == "ningbo-2020" and "宁波市" in (lq.source or "")
    assert lq.lq == pytest.approx(0.3 / NINGBO_SHARE)
    assert f.to_json()["lq"] == pytest.approx(2.4676, abs=1e-4)


def test_the_commands(district, db_url):
    listed = runner.invoke(build_app(), ["clusters", "references", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [r["id"] for r in json.loads(listed.stdout)] == ["ningbo-2020"]
    args = ["clusters", "show", MATERIALS, "--year", "2020", "--reference", "ningbo-2020", "--json"]
    shown = runner.invoke(build_app(), [*args, "--db", db_url])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["lq"] == pytest.approx(0.3 / NINGBO_SHARE)
    other = ["clusters", "show", "ningbo-14th/auto", "--year", "2020", "--reference", "ningbo-2020", "--json"]
    body = json.loads(runner.invoke(build_app(), [*other, "--db", db_url]).stdout)
    assert body["lq"] is None and any(MATERIALS in n for n in body["notes"])
    nowhere = ["clusters", "show", MATERIALS, "--year", "2020", "--reference", "no-such-ref"]
    refused = runner.invoke(build_app(), [*nowhere, "--db", db_url])
    assert refused.exit_code == 2 and "no-such-ref" in refused.output
