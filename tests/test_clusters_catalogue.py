"""Clusters and projects read the plans' current versions from the database (SQLite and
PostgreSQL): a district's new version of a plan, added with `plans add`, changes the clusters'
definitions and targets in `clusters list/show`, the API and the projects' investment targets;
`plans remove` brings the old version back and `plans restore` the new one. Without a database
the shipped packs stand in, and the output says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpers import code, run_import, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.plans.pack import packs_dir
from plans_fixtures import SAMPLE_PACK

runner = CliRunner()
PNEUMATIC = "fenghua-14th/pneumatic"
HEAD = ["统一社会信用代码", "企业名称", "行业代码", "所属镇街", "是否规上", "工业总产值（万元）"]
# (n, class, township, 2021 output, 2022 output) in 万元: a pneumatic firm (3444), a firm in 3445
# that only the district's second version counts as pneumatic, and a general-equipment firm (3411)
# that only the sample plan's 智能装备 cluster (34, 351) takes in
FIRMS = [
    (1, "3444", "锦屏街道", 16000, 20000),
    (2, "3445", "岳林街道", 8000, 10000),
    (3, "3411", "锦屏街道", 30000, 40000),
]


def _cli(*args: str, db_url: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    result = runner.invoke(build_app(), [*args, "--db", db_url], input=stdin)
    assert result.exit_code == 0, result.output
    return result


def _json(*args: str, db_url: str):  # type: ignore[no-untyped-def]
    return json.loads(_cli(*args, "--json", db_url=db_url).stdout)


@pytest.fixture
def loaded(engine, settings, tmp_path):
    for year, col in ((2021, 3), (2022, 4)):
        rows = [HEAD] + [[code(f[0]), f"企业{f[0]}", f[1], f[2], "是", f[col]] for f in FIRMS]
        run_import(engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", rows), "stats", str(year))
    return engine


def _second_version(tmp_path: Path) -> Path:
    """fenghua-14th as a district would change it: version 2, the pneumatic cluster renamed and
    given one more class (3445), its output target 150 → 180 亿元, industrial investment 100 → 120."""
    data = yaml.safe_load((packs_dir() / "fenghua-14th.yaml").read_text(encoding="utf-8"))
    data["version"] = 2
    cluster = next(c for c in data["clusters"] if c["id"] == PNEUMATIC)
    cluster.update(name="气动元件", industries=[*cluster["industries"], "3445"])
    for ind in data["indicators"]:
        if ind["id"] == "cluster-pneumatic-output":
            ind["target"]["value"] = 180
            ind["target"]["quote"] = "到2025年，气动产业规模以上工业产值达到180亿元"
        if ind["id"] == "industrial-investment":
            ind["target"] = {"value": 120, "quote": "工业投资（亿元） 41.2 120"}
    path = tmp_path / "奉化十四五第2版.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _pneumatic(db_url: str) -> dict:  # type: ignore[type-arg]
    return next(c for c in _json("clusters", "list", db_url=db_url) if c["id"] == PNEUMATIC)


def _pneumatic_figures(db_url: str) -> tuple[float, float]:
    """(the cluster's output target in 亿元, its 2022 output in 亿元) from `clusters show`."""
    shown = _json("clusters", "show", PNEUMATIC, "--year", "2022", db_url=db_url)
    row = next(t for t in shown["targets"] if t["id"] == "cluster-pneumatic-output")
    return float(row["target"]["value"]), round(shown["output"], 6)


def _investment_target(db_url: str) -> tuple[float, int]:
    totals = _json("projects", "totals", db_url=db_url)
    row = next(
        t
        for t in totals["targets"]
        if t["pack"] == "fenghua-14th" and t["indicator"] == "industrial-investment"
    )
    assert totals["targets_note"] is None  # read from the database
    return row["target_yi"], row["plan_version"]


def test_a_new_version_drives_clusters_and_projects_and_remove_restore(loaded, db_url, tmp_path):
    before = _pneumatic(db_url)
    assert (before["name"], before["plan_version"], before["from_database"]) == (
        "关键基础件（气动）",
        1,
        True,
    )
    assert _pneumatic_figures(db_url) == (150, 2.0)  # firm 1 only: 20000 万元
    assert _investment_target(db_url) == (100, 1)

    _cli("plans", "add", str(_second_version(tmp_path)), "--yes", db_url=db_url)
    after = _pneumatic(db_url)
    assert (after["name"], after["plan_version"]) == ("气动元件", 2)
    assert after["industries"] == [*before["industries"], "3445"]
    assert _pneumatic_figures(db_url) == (180, 3.0)  # firms 1 and 2: 20000 + 10000 万元
    assert _investment_target(db_url) == (120, 2)
    shown = _cli("clusters", "show", PNEUMATIC, "--year", "2022", db_url=db_url).output
    assert "气动元件" in shown and "180.00" in shown
    listed = _cli("clusters", "list", db_url=db_url).output
    assert "第 2 版" in listed and "未读取数据库" not in listed

    _cli("plans", "remove", "fenghua-14th", "--version", "2", "--yes", db_url=db_url)
    assert _pneumatic(db_url)["name"] == "关键基础件（气动）" and _pneumatic_figures(db_url) == (150, 2.0)
    assert _investment_target(db_url) == (100, 1)

    _cli("plans", "restore", "fenghua-14th", db_url=db_url)
    assert _pneumatic(db_url)["plan_version"] == 2 and _pneumatic_figures(db_url) == (180, 3.0)
    assert _investment_target(db_url) == (120, 2)


def test_a_districts_own_plan_gives_its_clusters(loaded, db_url, tmp_path):
    path = tmp_path / "示例规划.yaml"
    path.write_text(SAMPLE_PACK, encoding="utf-8")
    _cli("plans", "add", str(path), db_url=db_url)
    mine = next(c for c in _json("clusters", "list", db_url=db_url) if c["id"] == "sample-plan/equipment")
    assert (mine["name"], mine["industries"], mine["plan_version"]) == ("智能装备", ["34", "351"], 1)
    shown = _json("clusters", "show", "sample-plan/equipment", "--year", "2022", db_url=db_url)
    # every firm of the record is in 34: 20000 + 10000 + 40000 万元
    assert shown["output"] == pytest.approx(7.0) and shown["growth"] == pytest.approx(7.0 / 5.4 - 1)
    assert [(t["id"], t["target"]["value"]) for t in shown["targets"]] == [("cluster-equipment", 1000)]

    _cli("plans", "remove", "sample-plan", "--yes", db_url=db_url)
    assert "sample-plan/equipment" not in {c["id"] for c in _json("clusters", "list", db_url=db_url)}
    refused = runner.invoke(
        build_app(), ["clusters", "show", "sample-plan/equipment", "--year", "2022", "--db", db_url]
    )
    assert refused.exit_code == 2 and "不存在" in refused.output


def test_without_a_database_the_shipped_packs_stand_in_and_it_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    listed = "".join(_cli("clusters", "list", db_url=url).output.split())
    assert "未读取数据库：以下取自随软件提供的规划包" in listed
    assert not (tmp_path / "none.db").exists()  # a listing creates no database
    result = runner.invoke(build_app(), ["clusters", "list", "--json", "--db", url])
    clusters = json.loads(result.stdout)
    assert PNEUMATIC in {c["id"] for c in clusters}
    assert all(c["from_database"] is False for c in clusters) and "未读取数据库" in result.stderr
