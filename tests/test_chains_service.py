"""Chains from the database: membership, analyst corrections, scopes, gaps, the attraction
list and the commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from chains_fixtures import JINPING, XIKOU, YEAR, registry_rows, stats_rows
from helpers import code, run_import, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.clusters import chain_service as svc
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError, IndustryBrainError
from industry_brain.core.scope import Scope

CHAIN = "fenghua-pneumatics"
runner = CliRunner()


@pytest.fixture
def district(engine, settings, tmp_path):
    run_import(engine, settings, write_xlsx(tmp_path / "r.xlsx", registry_rows()), "registry")
    for year in (YEAR - 1, YEAR):
        run_import(
            engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", stats_rows(year)), "stats", str(year)
        )
    return engine


def cli(db_url, *args):
    return runner.invoke(build_app(), [*args, "--db", db_url])


def _confirm(engine, node, n, *, remove=False, note=None):
    with transaction(engine) as session:
        svc.confirm(
            session,
            chain_id=CHAIN,
            node_id=node,
            credit_code=code(n),
            remove=remove,
            scope=Scope.system(),
            by="分析员",
            note=note,
        )


def _show(engine, settings, scope=None):
    with transaction(engine) as session:
        return svc.show_chain(
            session, chain_id=CHAIN, year=YEAR, scope=scope or Scope.system(), settings=settings
        )


def test_show_from_the_database_matches_the_hand_worked_figures(district, settings):
    _confirm(district, "seals", 7)
    _confirm(district, "compressors", 5, remove=True, note="主营为冷库，非气源设备")
    view = _show(district, settings)
    nodes = {n["node_id"]: n for n in view["nodes"]}
    assert nodes["components"]["output_wan"] == 10000 and nodes["components"]["growth"] == pytest.approx(0.25)
    assert nodes["seals"]["enterprises"] == 2 and nodes["compressors"]["status"] == "missing"
    assert [r["credit_code"] for r in view["leaders"]] == [code(1), code(2), code(4)]
    assert view["chain"]["source"]["seed"] == "004_db5cf59d4b6a5775.txt"


def test_the_newest_word_of_the_analyst_decides(district, settings):
    _confirm(district, "compressors", 5, remove=True)
    _confirm(district, "compressors", 5)  # second thoughts: it is a 气源 maker after all
    nodes = {n["node_id"]: n for n in _show(district, settings)["nodes"]}
    assert nodes["compressors"]["enterprises"] == 1


def test_confirm_refuses_unknown_nodes_enterprises_and_roles(district):
    with pytest.raises(IndustryBrainError, match="没有节点"):
        _confirm(district, "nowhere", 1)
    with pytest.raises(IndustryBrainError, match="不在企业库"):
        _confirm(district, "seals", 99)
    with transaction(district) as session, pytest.raises(IndustryBrainError, match="不能修改"):
        svc.confirm(
            session,
            chain_id=CHAIN,
            node_id="seals",
            credit_code=code(1),
            remove=False,
            scope=Scope(role="town", township_code=XIKOU),
        )


def test_a_town_sees_only_its_township(district, settings):
    view = _show(district, settings, Scope(role="town", township_code=JINPING))
    assert {m["township_code"] for m in view["members"]} == {JINPING}
    nodes = {n["node_id"]: n for n in view["nodes"]}
    assert nodes["components"]["enterprises"] == 1  # 丙 only; 甲 and 乙 are in 溪口镇
    with transaction(district) as session, pytest.raises(IndustryBrainError, match="不能查看"):
        svc.show_chain(
            session,
            chain_id=CHAIN,
            year=YEAR,
            scope=Scope(role="department", unit="科技局"),
            settings=settings,
        )
    with transaction(district) as session, pytest.raises(IndustryBrainError, match="全区"):
        svc.attract(
            session,
            chain_id=CHAIN,
            year=YEAR,
            scope=Scope(role="town", township_code=JINPING),
            settings=settings,
        )


def test_gaps_name_the_reason(district, settings):
    with transaction(district) as session:
        gaps = svc.chain_gaps(session, chain_id=CHAIN, year=YEAR, scope=Scope.system(), settings=settings)
    by = {g["node_id"]: g for g in gaps}
    assert set(by) == {"castings", "seals", "compressors", "systems"}
    assert "少于 3 家" in by["castings"]["reason"]
    assert by["compressors"]["status"] == "weak"  # 戊 matches until an analyst removes it
    assert "本地无企业" not in by["compressors"]["reason"]


def test_attract_by_township_is_reproducible_and_explained(district, settings):
    with transaction(district) as session:
        a, inputs = svc.attract(session, chain_id=CHAIN, year=YEAR, scope=Scope.system(), settings=settings)
        b, again = svc.attract(session, chain_id=CHAIN, year=YEAR, scope=Scope.system(), settings=settings)
    assert a.equals(b) and inputs == again
    assert inputs["targets"] == [JINPING, XIKOU] and inputs["areas"] == 2
    assert (a["rca"] < 1).all()
    jp = a.filter(a["area"] == JINPING)
    assert jp["rank"].to_list() == list(range(1, jp.height + 1))
    # 3446 气动元件 is 溪口镇's strength, 锦屏街道 lacks it: it is listed there, with its RCA
    row = jp.filter(jp["industry"] == "3446").row(0, named=True)
    assert row["rca"] == 0.0 and row["density"] is not None and "区位熵 0.0 < 1" in row["explain"]


def test_attract_against_a_reference_file(district, settings, tmp_path):
    ref = tmp_path / "ref.csv"
    ref.write_text(
        "area,industry,value\n甲县,3446,100\n甲县,3443,100\n乙县,3443,50\n乙县,3392,50\n丙县,3392,80\n丙县,1819,20\n",
        encoding="utf-8",
    )
    with transaction(district) as session:
        frame, inputs = svc.attract(
            session, chain_id=CHAIN, year=YEAR, scope=Scope.system(), settings=settings, reference=ref
        )
    assert inputs["targets"] == ["本区"] and inputs["areas"] == 4
    assert set(frame["area"]) == {"本区"}
    bad = tmp_path / "bad.csv"
    bad.write_text("area,industry,value\n甲县,9999,1\n", encoding="utf-8")
    with (
        transaction(district) as session,
        pytest.raises(ConfigurationError, match=r"bad\.csv 第2行 列 industry"),
    ):
        svc.attract(
            session, chain_id=CHAIN, year=YEAR, scope=Scope.system(), settings=settings, reference=bad
        )


def test_commands(district, db_url, tmp_path):
    listed = json.loads(runner.invoke(build_app(), ["chains", "list", "--json"]).stdout)
    assert {"fenghua-pneumatics", "ningbo-nev"} <= {c["id"] for c in listed}
    done = cli(db_url, "chains", "confirm", CHAIN, "seals", code(7), "--by", "张三", "--note", "密封圈")
    assert done.exit_code == 0, done.output
    shown = json.loads(cli(db_url, "chains", "show", CHAIN, "--year", str(YEAR), "--json").stdout)
    assert {n["node_id"]: n["enterprises"] for n in shown["nodes"]}["seals"] == 2
    assert cli(db_url, "chains", "show", CHAIN).exit_code == 0  # the newest year by default
    gaps = json.loads(cli(db_url, "chains", "gaps", CHAIN, "--json").stdout)
    assert "compressors" in {g["node_id"] for g in gaps}
    xlsx = tmp_path / "attract.xlsx"
    result = cli(db_url, "chains", "attract", CHAIN, "--year", str(YEAR), "--output", str(xlsx), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.max_row == 2 + len(payload["candidates"])  # title row, header row, one row each
    assert cli(db_url, "chains", "show", "no-such-chain").exit_code == 2


def test_attract_with_no_area_to_rank_gives_an_empty_list(district, settings):
    """A district whose record names no township for the chain's year has nothing to rank: an
    empty list with the usual columns, not an error (it once answered 500 on the web)."""
    with transaction(district) as session:
        full, _ = svc.attract(session, chain_id=CHAIN, year=YEAR, scope=Scope.system(), settings=settings)
        empty, inputs = svc.attract(
            session, chain_id=CHAIN, year=YEAR + 10, scope=Scope.system(), settings=settings
        )
    assert empty.height == 0 and empty.columns == full.columns
    assert inputs["targets"] == []
