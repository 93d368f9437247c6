"""Area-level actuals from a 统计公报-style table, matched to fenghua-14th's indicators by name,
on SQLite and PostgreSQL; implausible figures and approximate names wait for confirmation."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpers import write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope
from industry_brain.plans.actuals import list_actuals
from industry_brain.plans.area_actuals import is_area_table, match_indicator, preview, record
from industry_brain.plans.pack import load_pack

PLAN = "fenghua-14th"
HEADER = ["指标", "单位", "期间", "数值", "比上年增长(%)", "来源"]
BULLETIN = "2023年奉化区国民经济和社会发展统计公报"


def test_names_match_exactly_after_normalising_or_approximately() -> None:
    pack = load_pack(PLAN)
    assert match_indicator("全区规上工业增加值", pack)[:2] == (
        pack.indicator("value-added-above-scale"),
        "exact",
    )
    # 规模以上 = 规上, 全区 dropped
    ind, how, _ = match_indicator("规模以上工业增加值", pack)
    assert (ind.id if ind else None, how) == ("value-added-above-scale", "normalised")
    ind, how, score = match_indicator("规上工业增加值总量", pack)
    assert how == "fuzzy" and ind is not None and 0.6 <= score < 1
    assert match_indicator("城镇居民人均可支配收入", pack)[1] == "none"
    assert is_area_table(HEADER) and not is_area_table(["规划编号", "指标编号", "指标名称"])
    # a row of the actuals template (its 类型 cell reads 指标) is not an area table's header
    assert not is_area_table(["fenghua-14th", "指标", "mu-tax", "亩均税收", "万元/亩"])


def test_a_bulletin_table_becomes_reported_actuals_with_its_source(engine, tmp_path) -> None:
    path = write_xlsx(
        tmp_path / "公报.xlsx",
        [
            HEADER,
            ["规模以上工业增加值", "亿元", "2023", 402.5, 5.1, BULLETIN],
            ["全部工业总产值", "亿元", "2023年", 1620.3, 6.2, BULLETIN],
            ["17个重点传统制造业综合增加值增长率", "%", "2023", None, 8.4, BULLETIN],
            ["城镇居民人均可支配收入", "元", "2023", 78000, 4.9, BULLETIN],
        ],
    )
    with transaction(engine) as s:
        rows = preview(s, path=path, plan_id=PLAN)
        assert [(r.indicator_id, r.match, r.recorded) for r in rows] == [
            ("value-added-above-scale", "normalised", 402.5),
            ("total-industrial-output", "exact", 1620.3),
            ("growth-17-traditional", "exact", 8.4),  # a growth target records the growth
            (None, "none", None),
        ]
        assert not any(r.needs_confirmation for r in rows)
        result = record(
            s, rows=rows, plan_id=PLAN, reported_by="统计局", confirmed=False, scope=Scope.system()
        )
    assert result["recorded"] == 3 and result["unmatched"] == ["城镇居民人均可支配收入"]
    with transaction(engine) as s:
        stored = {a["indicator_id"]: a for a in list_actuals(s, plan_id=PLAN) if a["kind"] == "reported"}
    assert stored["value-added-above-scale"]["value"] == 402.5
    assert stored["value-added-above-scale"]["source"] == BULLETIN
    assert stored["growth-17-traditional"]["value"] == 8.4


def test_a_growth_typed_into_a_level_waits_for_confirmation(engine, tmp_path) -> None:
    # 全区规上工业增加值 has a baseline of 314.6亿元: 5.4 is a growth rate typed as the level
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER, ["全区规上工业增加值", "亿元", "2023", 5.4, 5.4, "局"]])
    with transaction(engine) as s:
        rows = preview(s, path=path, plan_id=PLAN)
        assert rows[0].needs_confirmation and "五分之一" in rows[0].warnings[0]
        with pytest.raises(ConfigurationError, match="需要确认"):
            record(s, rows=rows, plan_id=PLAN, reported_by="x", confirmed=False, scope=Scope.system())
        assert (
            record(s, rows=rows, plan_id=PLAN, reported_by="x", confirmed=True, scope=Scope.system())[
                "recorded"
            ]
            == 1
        )


def test_the_actuals_import_command_takes_an_area_table(db_url, tmp_path) -> None:
    path = write_xlsx(
        tmp_path / "公报.xlsx",
        [
            HEADER,
            ["规模以上工业增加值", "亿元", "2023", 402.5, 5.1, BULLETIN],
            ["规上工业增加值总量", "亿元", "2023", 400, None, "x"],
        ],
    )
    runner = CliRunner()
    first = runner.invoke(build_app(), ["actuals", "import", str(path), "--plan", PLAN, "--db", db_url])
    assert first.exit_code == 2 and "需要确认" in first.output and "规上工业增加值总量" in first.output
    done = runner.invoke(
        build_app(), ["actuals", "import", str(path), "--plan", PLAN, "--yes", "--db", db_url]
    )
    assert done.exit_code == 0, done.output
    assert "已录入 2 条" in done.output
