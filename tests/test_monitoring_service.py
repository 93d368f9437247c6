"""The monitoring commands on a database, on SQLite and PostgreSQL: stats-monthly files
imported the normal way, then `monitoring indicators`, `nowcast`, `report`; figures as in
tests/monitoring_indicator_fixtures.py (A, B in 锦屏街道; C, D in 岳林街道):

March, output, above scale: 当月 360; 同口径 {A, B} 310 / 300 - 1 = +3.3%, naive 360 / 380 - 1
= -5.3%; 锦屏街道 拉动 +3.3 pp, 岳林街道 no comparable enterprise (0 pp, naive -7.9 pp).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from helpers import code, run_import, write_xlsx
from industry_brain.cli.main import build_app
from industry_brain.core.db import transaction
from industry_brain.enterprises.models import Enterprise

runner = CliRunner()
HEAD = [
    "统一社会信用代码",
    "企业名称",
    "月份",
    "行业代码",
    "工业总产值（万元）",
    "工业总产值本年累计（万元）",
]
ENTS = {1: ("甲", "3444", "330213001"), 2: ("乙", "1811", "330213001"), 3: ("丙", "3670", "330213002")}
ENTS[4] = ("丁", "3445", "330213002")
FIGURES = {
    2024: {1: (100, 300), 2: (200, 600), 4: (80, 240)},
    2025: {1: (130, 360), 2: (180, 560), 3: (50, 150)},
}


@pytest.fixture
def db(engine, settings, tmp_path, db_url):
    for year, figures in FIGURES.items():
        rows = [HEAD] + [
            [code(n), ENTS[n][0], f"{year}-03", ENTS[n][1], month, ytd] for n, (month, ytd) in figures.items()
        ]
        run_import(engine, settings, write_xlsx(tmp_path / f"s{year}.xlsx", rows), "stats-monthly")
    with transaction(engine) as s:  # the master record's township (the registry's, in life)
        for n, (_, industry, town) in ENTS.items():
            s.execute(
                update(Enterprise)
                .where(Enterprise.credit_code == code(n))
                .values(township_code=town, industry_code=industry)
            )
    return db_url


def cli(db_url, *args):
    result = runner.invoke(build_app(), ["monitoring", *args, "--db", db_url])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_indicators_json_contract(db):
    rows = json.loads(cli(db, "indicators", "--month", "2025-03", "--json"))
    keys = {"area", "indicator", "month_value", "ytd_value", "yoy_pct", "ytd_yoy_pct", "contribution_pp"}
    assert keys | {"comparable"} <= set(rows[0])
    out = [r for r in rows if r["area_kind"] == "district" and r["indicator"] == "output"]
    bureau, naive = out
    assert (bureau["comparable"], naive["comparable"]) == (True, False)
    assert bureau["area"] == "全区"
    assert bureau["month_value"] == naive["month_value"] == 360
    assert bureau["yoy_pct"] == pytest.approx(3.33, abs=0.01)
    assert naive["yoy_pct"] == pytest.approx(-5.26, abs=0.01)
    assert bureau["ytd_yoy_pct"] == pytest.approx(2.22, abs=0.01)


def test_towns_ranked_and_area_filter(db):
    rows = json.loads(cli(db, "indicators", "--month", "2025-03", "--area", "township", "--json"))
    assert {r["area_kind"] for r in rows} == {"township"}
    jp = next(r for r in rows if r["area"] == "锦屏街道" and r["indicator"] == "output" and r["comparable"])
    yl = [r for r in rows if r["area"] == "岳林街道" and r["indicator"] == "output"]
    assert jp["contribution_pp"] == pytest.approx(3.33, abs=0.01)
    assert yl[0]["yoy_pct"] is None and yl[0]["contribution_pp"] == 0
    assert yl[1]["contribution_pp"] == pytest.approx(-7.89, abs=0.01)  # the naive row
    text = cli(db, "indicators", "--month", "2025-03", "--area", "township")
    assert "锦屏" in text and "同口径" in text


def test_a_month_without_data_is_refused(db):
    result = runner.invoke(build_app(), ["monitoring", "indicators", "--month", "2025-07", "--db", db])
    assert result.exit_code == 2
    assert "还没有任何企业月度数据" in result.output


def test_bulletin_word(db, tmp_path):
    from docx import Document

    path = tmp_path / "月报.docx"
    cli(db, "report", "--month", "2025-03", "--output", str(path))
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    # 累计 1070万元 = 0.11亿元, +2.2% on the comparable set; March 360万元 = 0.04亿元, +3.3%
    assert "1-3月，全区规上工业总产值0.11亿元，同比增长2.2%；3月当月0.04亿元，同比增长3.3%。" in text
    assert "七、预警情况" in text
    towns = doc.tables[1]
    assert [c.text for c in towns.rows[1].cells][:2] == ["1", "锦屏街道"]
    assert len(doc.inline_shapes) == 1  # the trend chart


def test_a_january_bulletin_is_refused_for_1_2(db, tmp_path):
    """January is published with February as 1-2月 (the Spring Festival moves between them)."""
    args = ["monitoring", "report", "--month", "2025-01", "--output", str(tmp_path / "x.docx"), "--db", db]
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 2 and "请生成 2025-02 的月报" in result.output
    assert not (tmp_path / "x.docx").exists()


def test_the_districts_own_plan_in_the_database_defines_the_cluster_areas(db, engine):
    """A plan the district added (not one shipped in the package) gives the cluster areas: its
    智能装备 cluster (GB/T 4754 34, 351) holds 甲 (3444) in both years and 丁 (3445) in 2024 only.
    March 2025: 当月 130; 同口径 {甲} 130 / 100 - 1 = +30.0%; naive 130 / (100 + 80) - 1 = -27.8%."""
    import yaml

    from industry_brain.plans.pack import parse_pack
    from industry_brain.plans.store import add_pack
    from plans_fixtures import SAMPLE_PACK

    text = SAMPLE_PACK.replace("start: 2021", "start: 2025").replace("name: 智能装备", "name: 本区智能装备")
    with transaction(engine) as s:
        add_pack(
            s, pack=parse_pack(yaml.safe_load(text), "本区规划.yaml"), source_name="本区规划.yaml", by="测试"
        )
    rows = json.loads(cli(db, "indicators", "--month", "2025-03", "--area", "cluster", "--json"))
    own = [r for r in rows if r["area"] == "本区智能装备" and r["indicator"] == "output"]
    bureau, naive = sorted(own, key=lambda r: not r["comparable"])
    assert bureau["month_value"] == naive["month_value"] == 130
    assert bureau["yoy_pct"] == pytest.approx(30.0, abs=0.01)
    assert naive["yoy_pct"] == pytest.approx(-27.78, abs=0.01)
