"""Tiers and pools through the database (SQLite and PostgreSQL): imported stats and titles files,
tier counts, candidates, an analyst's admission and exit, the 一企一档 and the commands."""

from __future__ import annotations

import json

import pytest
from docx import Document
from typer.testing import CliRunner

from helpers import code, run_import, write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.cultivation import pools as pool_service
from industry_brain.cultivation.service import tier_counts, tier_movement
from tiers_projects_fixtures import ROWS, TITLES

CODES = {f"E{i}": code(100 + i) for i in range(1, 9)}
TOWN_A, TOWN_B = "330213001", "330213002"
STATS = [
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "是否规上",
    "营业收入（万元）",
    "工业总产值（万元）",
    "研发经费（万元）",
]


@pytest.fixture
def loaded(engine, settings, tmp_path):
    registry = [["统一社会信用代码", "企业名称", "行业代码", "所属镇街"]]
    for i, (e, c) in enumerate(CODES.items()):
        registry.append([c, f"企业{e}", "3444", TOWN_A if i < 4 else TOWN_B])
    run_import(engine, settings, write_csv(tmp_path / "reg.csv", registry), "registry")
    for year in (2022, 2023):
        rows = [STATS]
        for e, y, flag, revenue, output, rd in ROWS:
            if y == year:
                rows.append(
                    [CODES[e], f"企业{e}", "3444", {1: "是", 0: "否"}.get(flag, ""), revenue, output, rd]
                )
        run_import(engine, settings, write_csv(tmp_path / f"s{year}.csv", rows), "stats", str(year))
    titles = [["统一社会信用代码", "企业名称", "称号", "级别", "认定年份"]]
    titles += [[CODES[e], f"企业{e}", t, lv, y] for e, t, lv, y in TITLES]
    run_import(engine, settings, write_csv(tmp_path / "titles.csv", titles), "titles")
    return engine


def _by(counts):
    return {(c["tier"], c["level"]): c["count"] for c in counts}


def test_tier_counts_from_imported_files(loaded):
    with transaction(loaded) as s:
        by = _by(tier_counts(s, year=2023, scope=Scope.system()))
    assert by[("above_scale", None)] == 4
    assert (by[("output_1e8", None)], by[("output_1e9", None)], by[("output_1e10", None)]) == (4, 2, 1)
    assert by[("single_champion", "国家级")] == 1 and by[("eagle", None)] == 0


def test_a_town_counts_only_its_own_township(loaded):
    # E1-E4 are in town A: 规上 E1, E2
    with transaction(loaded) as s:
        town = _by(tier_counts(s, year=2023, scope=Scope(role="town", township_code=TOWN_A)))
        dept = _by(tier_counts(s, year=2023, scope=Scope(role="department", unit="区科技局")))
    assert town[("above_scale", None)] == 2 and town[("output_1e10", None)] == 0
    assert dept[("above_scale", None)] == 0


def test_movement_names_who_moved(loaded):
    with transaction(loaded) as s:
        moves = tier_movement(s, year_from=2022, year_to=2023, scope=Scope.system())
    ups = {(m["credit_code"], m["to_tier"]) for m in moves if m["direction"] == "up"}
    assert ups == {(CODES["E1"], "output_1e8"), (CODES["E6"], "single_champion@国家级")}
    assert [m["name"] for m in moves if m["direction"] == "down"] == ["企业E2"]


def test_admission_and_exit_are_recorded_with_who_when_why(loaded):
    with transaction(loaded) as s:
        found = pool_service.candidates(s, pool="scale_up", year=2023, scope=Scope.system())
        assert {r["credit_code"] for r in found} == {CODES["E3"], CODES["E5"]}
        pool_service.admit(
            s,
            pool="小升规培育库",
            credit_code=CODES["E3"],
            by="张三",
            reason="增长快",
            year=2023,
            scope=Scope.system(),
        )
    with transaction(loaded) as s:
        again = pool_service.candidates(s, pool="scale_up", year=2023, scope=Scope.system())
        assert {r["credit_code"]: r["member"] for r in again}[CODES["E3"]] is True
        with pytest.raises(IndustryBrainError, match="已在小升规培育库中"):
            pool_service.admit(
                s, pool="scale_up", credit_code=CODES["E3"], by="张三", reason="再次", scope=Scope.system()
            )
        pool_service.exit_pool(
            s, pool="scale_up", credit_code=CODES["E3"], by="李四", reason="已升规", scope=Scope.system()
        )
    with transaction(loaded) as s:
        hist = pool_service.history(s, credit_code=CODES["E3"], scope=Scope.system())
        assert pool_service.members(s, pool="scale_up", scope=Scope.system()) == []
    assert [(h["admitted_by"], h["admit_reason"], h["exited_by"], h["exit_reason"]) for h in hist] == [
        ("张三", "增长快", "李四", "已升规")
    ]
    with transaction(loaded) as s, pytest.raises(IndustryBrainError, match="不在企业库中"):
        pool_service.admit(
            s, pool="scale_up", credit_code=code(999), by="张三", reason="x", scope=Scope.system()
        )


@pytest.mark.parametrize(
    "scope",
    [
        Scope(role="town", username="town", township_code=TOWN_A),
        Scope(role="enterprise", username="ent", credit_code=CODES["E3"]),
        Scope(role="leader", username="boss"),
        Scope(role="department", username="dept", unit="区经信局"),
    ],
    ids=lambda s: s.role,
)
def test_only_the_bureaus_analysts_admit_and_exit_whoever_calls(loaded, scope):
    """The check is in the service: the CLI, the API (403) and the page all pass through it."""
    from industry_brain.core.auth import Forbidden

    with transaction(loaded) as s:
        with pytest.raises(Forbidden, match="不能办理入库或出库"):
            pool_service.admit(s, pool="scale_up", credit_code=CODES["E3"], reason="x", scope=scope)
        analyst = Scope(role="analyst", username="analyst")
        m = pool_service.admit(s, pool="scale_up", credit_code=CODES["E3"], reason="增长快", scope=analyst)
        assert m.admitted_by == "analyst"  # by defaults to the scope's user
        with pytest.raises(Forbidden, match="不能办理入库或出库"):
            pool_service.exit_pool(s, pool="scale_up", credit_code=CODES["E3"], reason="x", scope=scope)
    with transaction(loaded) as s:
        assert [m["credit_code"] for m in pool_service.members(s, pool="scale_up", scope=Scope.system())] == [
            CODES["E3"]
        ]


def test_commands_and_the_dossier(loaded, db_url, tmp_path):
    runner = CliRunner()
    app = build_app()
    shown = runner.invoke(app, ["tiers", "show", "--year", "2023", "--db", db_url, "--json"])
    assert shown.exit_code == 0, shown.output
    assert _by(json.loads(shown.stdout)["tiers"])[("above_scale", None)] == 4
    moved = runner.invoke(app, ["tiers", "movement", "--from", "2022", "--to", "2023", "--db", db_url])
    assert moved.exit_code == 0 and "企业E1" in moved.stdout
    listed = runner.invoke(app, ["pools", "list", "--db", db_url, "--json"])
    assert [p["id"] for p in json.loads(listed.stdout)] == [
        "scale_up",
        "single_champion",
        "eagle",
        "high_tech_seedling",
    ]
    cands = runner.invoke(app, ["pools", "candidates", "eagle", "--year", "2023", "--db", db_url, "--json"])
    assert {r["credit_code"] for r in json.loads(cands.stdout)} == {CODES["E6"], CODES["E7"]}
    args = ["pools", "admit", "eagle", CODES["E6"], "--by", "王五", "--reason", "60亿龙头", "--db", db_url]
    assert runner.invoke(app, args).exit_code == 0
    bad = runner.invoke(
        app, ["pools", "exit", "eagle", CODES["E7"], "--by", "王五", "--reason", "x", "--db", db_url]
    )
    assert bad.exit_code == 2
    out = tmp_path / "e6.docx"
    made = runner.invoke(app, ["pools", "dossier", CODES["E6"], "--output", str(out), "--db", db_url])
    assert made.exit_code == 0, made.output
    text = "\n".join(c.text for t in Document(str(out)).tables for row in t.rows for c in row.cells)
    assert "企业E6" in text and "雄鹰培育库" in text and "60亿龙头" in text
    assert "制造业单项冠军企业（国家级）" in text and "560,000.00" in text


def test_candidates_are_admitted_in_bulk_with_the_reason_recorded_all_or_none(loaded):
    analyst = Scope(role="analyst", username="analyst")
    pair = [CODES["E3"], CODES["E5"]]
    with transaction(loaded) as s:
        with pytest.raises(IndustryBrainError, match="须写明理由"):
            pool_service.admit_many(
                s, pool="scale_up", credit_codes=pair, reason=" ", year=2023, scope=analyst
            )
        with pytest.raises(IndustryBrainError, match="请先选择企业"):
            pool_service.admit_many(s, pool="scale_up", credit_codes=[], reason="x", scope=analyst)
        with pytest.raises(Exception, match="不能办理入库"):
            pool_service.admit_many(
                s,
                pool="scale_up",
                credit_codes=pair,
                reason="x",
                scope=Scope(role="town", township_code=TOWN_A),
            )
    with transaction(loaded) as s:
        done = pool_service.admit_many(
            s,
            pool="scale_up",
            credit_codes=[*pair, CODES["E3"]],
            reason="营收增长超过20%",
            year=2023,
            scope=analyst,
        )
        assert [m.credit_code for m in done] == pair  # a code ticked twice counts once
    with transaction(loaded) as s:
        members = pool_service.members(s, pool="scale_up", scope=Scope.system())
        found = pool_service.candidates(s, pool="scale_up", year=2023, scope=Scope.system())
    assert [
        (m["credit_code"], m["admitted_by"], m["admit_reason"], m["candidate_year"]) for m in members
    ] == [(c, "analyst", "营收增长超过20%", 2023) for c in pair]
    assert all(r["member"] for r in found)
    # one already a member refuses the whole batch, naming it; nothing of the batch stays
    with pytest.raises(IndustryBrainError, match=f"企业 {CODES['E3']} 已在"), transaction(loaded) as s:
        pool_service.admit_many(
            s, pool="scale_up", credit_codes=[CODES["E1"], CODES["E3"]], reason="x", scope=analyst
        )
    with transaction(loaded) as s:
        assert len(pool_service.members(s, pool="scale_up", scope=Scope.system())) == 2
        pool_service.exit_many(s, pool="scale_up", credit_codes=pair, reason="已升规", scope=analyst)
    with transaction(loaded) as s:
        assert pool_service.members(s, pool="scale_up", scope=Scope.system()) == []
        hist = pool_service.history(s, credit_code=CODES["E5"], scope=Scope.system())
    assert [(h["admit_reason"], h["exit_reason"]) for h in hist] == [("营收增长超过20%", "已升规")]
