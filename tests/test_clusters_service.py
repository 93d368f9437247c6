"""A cluster's figures from the database (SQLite and PostgreSQL), its scope, its reference
file, and the `clusters` commands."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from helpers import code, run_import, write_csv, write_xlsx
from industry_brain.clusters import service
from industry_brain.clusters.service import cluster_figures, read_reference
from industry_brain.core.db import transaction
from industry_brain.core.errors import FileRejected, IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.plans.store import Catalogue

HEAD = [
    "统一社会信用代码",
    "企业名称",
    "行业代码",
    "所属镇街",
    "是否规上",
    "工业总产值（万元）",
    "工业增加值（万元）",
]
TOWN_A, TOWN_B = "330213001", "330213002"
# (n, class, township, above, 2021 output, 2022 output, 2022 value added); 万元
FIRMS = [
    (1, "3444", "锦屏街道", "是", 16000, 20000, 5000),
    (2, "3445", "岳林街道", "是", 8000, 10000, 2000),
    (3, "3444", "锦屏街道", "否", 400, 500, 100),
    (4, "1811", "锦屏街道", "是", 176000, 170000, 30000),
]
CLUSTER = SimpleNamespace(
    id="test-pack/pneumatic",
    name="气动",
    group="8100",
    level="百亿级",
    industries=("3444", "3445"),
    titles=(),
    reason="气动元件",
    quote="气动产业集群",
    version=1,
    pack_id="test-pack",
)
PACK = SimpleNamespace(id="test-pack", version=1, clusters=(CLUSTER,), indicators=())


@pytest.fixture(autouse=True)
def packs(monkeypatch):
    monkeypatch.setattr(service, "_catalogue", lambda session: Catalogue([PACK]))


@pytest.fixture
def loaded(engine, settings, tmp_path):
    for year, col in ((2021, 4), (2022, 5)):
        rows = [HEAD] + [
            [code(f[0]), f"企业{f[0]}", f[1], f[2], f[3], f[col], f[6] if year == 2022 else f[col] / 5]
            for f in FIRMS
        ]
        run_import(engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", rows), "stats", str(year))
    return engine


def figures(engine, settings, **kw):
    with transaction(engine) as session:
        return cluster_figures(
            session, cluster_id=CLUSTER.id, year=2022, settings=settings, **{"scope": Scope.system(), **kw}
        )


def test_figures_of_a_cluster_from_the_database(loaded, settings):
    f = figures(loaded, settings)
    assert (f.enterprises, f.enterprises_above_scale) == (3, 2)
    assert f.output == pytest.approx(3.0) and f.value_added == pytest.approx(0.7)
    assert f.growth == pytest.approx(0.25)  # 2.4 → 3.0 亿元
    assert f.district_output == pytest.approx(20.0)
    assert f.share == pytest.approx(0.15)
    assert f.location_quotient is None


def test_a_town_sees_its_own_township_only(loaded, settings):
    town = Scope(role="town", username="t", township_code=TOWN_A)
    f = figures(loaded, settings, scope=town)
    assert (f.enterprises, f.output) == (2, pytest.approx(2.0))  # enterprise 2 is in 岳林街道
    assert f.district_output == pytest.approx(19.0)  # 20000 + 170000 万元
    with pytest.raises(IndustryBrainError, match="没有可见的企业数据"):
        figures(loaded, settings, scope=Scope(role="department", username="d", unit="区经信局"))


def test_location_quotient_from_a_reference_file(loaded, settings, tmp_path):
    ref = write_csv(
        tmp_path / "city.csv",
        [
            ["year", "industry_code", "value"],
            [2022, "3444", 300],
            [2022, "3445", 100],
            [2022, "total", 10000],
        ],
    )
    f = figures(loaded, settings, reference=ref)
    assert f.location_quotient.lq == pytest.approx(0.15 / 0.04)
    assert f.to_json()["lq"] == pytest.approx(3.75)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["year", "code", "value"]], "缺少列 industry_code"),
        ([["year", "industry_code", "value"], [2022, "34", "abc"]], "第2行 列 value"),
        ([["year", "industry_code", "value"], [2022, "C34", 1]], "第2行 列 industry_code"),
        ([["year", "industry_code", "value"], ["二〇二二", "34", 1]], "第2行 列 year"),
        ([["year", "industry_code", "value"], [2022, "34", 1], [2022, "344", 1]], "344 属于 34"),
        ([["year", "industry_code", "value"], [2022, "34", 1], [2022, "34", 2]], "重复"),
    ],
)
def test_a_bad_reference_file_is_refused_naming_the_place(tmp_path, rows, message):
    with pytest.raises(FileRejected, match=message):
        read_reference(write_csv(tmp_path / "ref.csv", rows))


def test_an_unknown_cluster_is_named(loaded, settings):
    with transaction(loaded) as session, pytest.raises(IndustryBrainError, match="不存在"):
        cluster_figures(session, cluster_id="nope", year=2022, scope=Scope.system(), settings=settings)


def test_clusters_commands(loaded, settings, db_url):
    from industry_brain.clusters.cli import clusters_app as app

    runner = CliRunner()
    listed = runner.invoke(app, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)[0]["industries"] == ["3444", "3445"]
    shown = runner.invoke(app, ["show", CLUSTER.id, "--year", "2022", "--json", "--db", db_url])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert (data["output"], data["enterprises"], data["share"]) == (
        pytest.approx(3.0),
        3,
        pytest.approx(0.15),
    )
    text = runner.invoke(app, ["show", CLUSTER.id, "--year", "2022", "--db", db_url])
    assert "规上工业总产值" in text.stdout and "25.0%" in text.stdout
    missing = runner.invoke(app, ["show", CLUSTER.id, "--year", "2019", "--db", db_url])
    assert missing.exit_code == 2
