"""The project pool through the database (SQLite and PostgreSQL): the seed list, import and
re-import, refusals that write nothing, flags, 三已三未, totals and the commands."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpers import write_csv
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected
from industry_brain.core.scope import Scope
from industry_brain.projects.importer import import_projects
from industry_brain.projects.models import Milestone, Project
from industry_brain.projects.seed import load_seed_projects
from industry_brain.projects.service import list_projects, project_flags, sanyi
from industry_brain.projects.totals import project_totals

HEAD = [
    "项目名称",
    "项目编号",
    "建设阶段",
    "建设地点",
    "建设起止年限",
    "总投资（万元）",
    "已完成投资（亿元）",
]
SYSTEM = Scope.system()


def _count(engine) -> int:
    with transaction(engine) as s:
        return s.scalar(select(func.count()).select_from(Project)) or 0


def test_seed_list_loads_and_reloads(engine):
    with transaction(engine) as s:
        first = load_seed_projects(s)
    with transaction(engine) as s:
        again = load_seed_projects(s)
        listed = list_projects(s, scope=SYSTEM, stage="谋划类")
    assert (first.inserted, again.inserted, again.updated, _count(engine)) == (73, 0, 73, 73)
    assert [p["name"] for p in listed] == [
        "中铝轻量化智能物流装备项目",
        "电子信息产业园项目",
        "瑞凌二期建设项目",
        "磁性小微产业园项目",
    ]
    with transaction(engine) as s:
        totals = project_totals(s, scope=SYSTEM)
        lists = sanyi(s, scope=SYSTEM)
        town = list_projects(s, scope=Scope(role="town", township_code="330213003"))
    assert {r["stage"]: (r["count"], r["investment_yi"]) for r in totals["by_stage"]} == {
        "谋划": (4, 7.10),
        "新建": (39, 102.71),
        "续建": (30, 165.71),
    }
    assert totals["total"] == {"count": 73, "investment_yi": 275.52}
    # spread evenly: 万洋众创城 13.38亿 over 2019-2022 puts 3.345 into each year, etc.
    assert sum(y["investment_yi"] for y in totals["by_year"]) + totals["undated"][
        "investment_yi"
    ] == pytest.approx(275.52)
    assert lists["started_not_in_production"]["count"] == 69 and lists["signed_not_started"]["count"] == 0
    # 江口街道: 续建 7, 8, 21-29 and 新建 33, 38, 39 of the annex
    assert len(town) == 14 and all(p["location"].startswith("江口街道") for p in town)
    with transaction(engine) as s:
        assert list_projects(s, scope=Scope(role="enterprise", credit_code="x")) == []


def test_reimport_updates_by_name_and_code_and_converts_units(engine, tmp_path):
    path = write_csv(
        tmp_path / "p.csv", [HEAD, ["甲项目", "A1", "签约", "江口街道", "2024-2026", "25000", ""]]
    )
    with transaction(engine) as s:
        import_projects(s, path=path)
    path = write_csv(
        tmp_path / "p.csv", [HEAD, ["甲项目", "A1", "新建", "江口街道", "2024-2026", "30000", "0.5"]]
    )
    with transaction(engine) as s:
        summary = import_projects(s, path=path)
        (row,) = list_projects(s, scope=SYSTEM)
    assert (summary.inserted, summary.updated) == (0, 1)
    assert (row["stage"], row["investment_yi"], row["investment_done_yi"]) == ("新建", 3.0, 0.5)
    assert (row["start_year"], row["end_year"]) == (2024, 2026)


def test_a_bad_row_refuses_the_file_and_writes_nothing(engine, tmp_path):
    rows = [
        HEAD,
        ["好项目", "", "续建", "开发区", "2021-2023", "100", ""],
        ["坏项目", "", "开建", "开发区", "2023-2021", "abc", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with transaction(engine) as s, pytest.raises(FileRejected) as info:
        import_projects(s, path=path)
    message = str(info.value)
    assert message.startswith("bad.csv:")
    assert "第 3 行“建设阶段”列：未知的建设阶段“开建”" in message
    assert "第 3 行“总投资（万元）”列：“abc”不是数字" in message
    assert "开工年份 2023 晚于竣工年份 2021" in message
    assert _count(engine) == 0


def _with_milestones(tmp_path):
    path = tmp_path / "m.xlsx"
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as book:
        p = book.add_worksheet("项目")
        for i, row in enumerate(
            [
                [
                    "项目名称",
                    "建设阶段",
                    "开工年份",
                    "竣工年份",
                    "总投资（亿元）",
                    "已完成投资（亿元）",
                    "进入本阶段日期",
                ],
                ["A", "续建", 2023, 2025, 10, 1, "2023-01-01"],
                ["B", "签约", 2024, 2026, 5, None, "2024-01-10"],
                ["C", "投产", 2020, 2022, 3, 3, "2022-06-01"],
                ["D", "续建", 2024, 2026, 4, 2, None],
            ]
        ):
            p.write_row(i, 0, row)
        m = book.add_worksheet("节点")
        for i, row in enumerate(
            [
                ["项目名称", "节点名称", "计划完成日期", "实际完成日期"],
                ["A", "主体结顶", "2024-05-01", None],
                ["A", "开工", "2023-03-01", "2023-03-05"],
                ["D", "开工", "2024-06-01", None],
            ]
        ):
            m.write_row(i, 0, row)
    return path


def test_flags_by_hand(engine, tmp_path):
    with transaction(engine) as s:
        assert import_projects(s, path=_with_milestones(tmp_path)).milestones == 3
        flags = {f["name"]: f for f in project_flags(s, scope=SYSTEM, as_of=dt.date(2024, 6, 20))}
    # A: 主体结顶 50 days overdue -> red; 10% of the money done with 48.9% of 2023-2025 gone
    # (536 of 1095.75 days) -> lag 0.39: amber
    assert flags["A"]["flag"] == "red"
    assert flags["A"]["reasons"][0] == "节点“主体结顶”计划 2024-05-01 完成，已逾期 50 天"
    assert any(r.startswith("已完成投资 10%") for r in flags["A"]["reasons"])
    # B: 签约 for 162 days (limit 180), start year 2024 and not yet July -> green
    assert (flags["B"]["flag"], flags["B"]["reasons"]) == ("green", [])
    # C: 投产 since 2022-06-01, 750 days > 730 -> amber
    assert flags["C"]["flag"] == "amber"
    # D: 开工 19 days overdue -> amber
    assert flags["D"]["flag"] == "amber"
    with transaction(engine) as s:
        later = {f["name"]: f["flag"] for f in project_flags(s, scope=SYSTEM, as_of=dt.date(2024, 8, 1))}
    assert later["B"] == "amber"  # the second half of its start year, still only signed


def test_commands(engine, db_url, tmp_path):
    runner, app = CliRunner(), build_app()
    path = _with_milestones(tmp_path)
    done = runner.invoke(app, ["projects", "import", str(path), "--db", db_url, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["inserted"] == 4
    listed = json.loads(
        runner.invoke(app, ["projects", "list", "--stage", "续建", "--db", db_url, "--json"]).stdout
    )
    assert [(p["name"], p["stage"], p["investment_yi"]) for p in listed] == [
        ("A", "续建", 10.0),
        ("D", "续建", 4.0),
    ]
    flags = runner.invoke(app, ["projects", "flags", "--as-of", "2024-06-20", "--db", db_url, "--json"])
    assert {p["name"]: p["flag"] for p in json.loads(flags.stdout)["projects"]}["A"] == "red"
    three = json.loads(runner.invoke(app, ["projects", "sanyi", "--db", db_url, "--json"]).stdout)
    assert [p["name"] for p in three["signed_not_started"]["projects"]] == ["B"]
    assert [p["name"] for p in three["in_production_not_at_capacity"]["projects"]] == ["C"]
    totals = runner.invoke(app, ["projects", "totals", "--db", db_url, "--json"])
    assert json.loads(totals.stdout)["total"]["investment_yi"] == 22.0
    bad = runner.invoke(app, ["projects", "flags", "--as-of", "yesterday", "--db", db_url])
    assert bad.exit_code == 2
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Milestone)) == 3
