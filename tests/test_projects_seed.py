"""Seed 004's annex of 73 projects: the shipped data file against an independent reading of the
seed. The annex has no totals row, so the totals per section are sums of its 总投资 column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from industry_brain.projects.seed import SEED_FILE, parse_annex, seed_data_path, write_seed_csv

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / SEED_FILE
pytestmark = pytest.mark.skipif(not SEED.exists(), reason="the seeds are not next to the work tree")
NATURES = {"续建": "续建", "新建": "新建", "谋划类": "谋划"}


def independent_reading() -> list[tuple[str, str, str]]:
    """(name, stage, investment as written): a row is found by its 建设性质 cell; the name is the
    tab cell before it and the investment the fifth tab cell after it. Untabbed continuation
    lines (a village under its street) are not cells, so they are simply left out."""
    text = SEED.read_text(encoding="utf-8")
    annex = text[text.index("重大产业项目汇总表") :]
    cells = [line[1:].strip() for line in annex.split("\n") if line.startswith("\t")]
    rows = []
    for i, cell in enumerate(cells):
        if cell in NATURES and cells[i - 2].isdigit():
            rows.append((cells[i - 1], NATURES[cell], cells[i + 5]))
    return rows


def shipped() -> list[dict[str, str]]:
    with seed_data_path().open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_all_73_projects_with_names_stages_and_investments():
    seed, data = independent_reading(), shipped()
    assert len(seed) == len(data) == 73
    assert [(r["项目名称"], r["建设阶段"]) for r in data] == [(n, s) for n, s, _ in seed]
    for row, (_, _, invest) in zip(data, seed, strict=True):
        assert row["总投资（亿元）"] == ("" if invest == "-" else invest), row["项目名称"]


def test_counts_and_totals_per_stage():
    totals: dict[str, list[float]] = {}
    for _name, stage, invest in independent_reading():
        totals.setdefault(stage, []).append(0.0 if invest == "-" else float(invest))
    assert {s: len(v) for s, v in totals.items()} == {"续建": 30, "新建": 39, "谋划": 4}
    sums = {s: round(sum(v), 2) for s, v in totals.items()}
    assert sums == {"续建": 165.71, "新建": 102.71, "谋划": 7.10}
    data = shipped()
    for stage, expected in sums.items():
        got = sum(float(r["总投资（亿元）"] or 0) for r in data if r["建设阶段"] == stage)
        assert got == pytest.approx(expected, abs=1e-9)


def test_rows_checked_by_hand():
    rows = {r.name: r for r in parse_annex(SEED.read_text(encoding="utf-8"))}
    w = rows["万洋众创城项目"]
    assert (w.stage, w.investment_planned_yi, w.land_mu, w.location, w.start_year, w.end_year) == (
        "续建",
        13.38,
        457.0,
        "开发区",
        2019,
        2022,
    )
    assert rows["君禾智能科技产业园项目"].location == "萧王庙街道陈郎埭村"  # continuation line
    assert rows["大成路两侧地段云弧宝龙项目"].land_mu == 82.0  # 用地面积为82亩
    assert rows["瑞凌二期建设项目"].investment_planned_yi is None  # "-" in the annex
    assert rows["电子信息产业园项目"].start_year is None  # no years in the annex
    assert rows["磁性小微产业园项目"].stage == "谋划"


def test_the_shipped_file_is_what_the_parser_writes(tmp_path):
    out = tmp_path / "p.csv"
    assert write_seed_csv(SEED, out) == 73
    assert out.read_bytes() == seed_data_path().read_bytes()
