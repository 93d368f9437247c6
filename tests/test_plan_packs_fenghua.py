"""The packs of seeds 002 and 004 (ningbo-14th, fenghua-13th, fenghua-14th) against their seeds.

Seed 004's two indicator tables are parsed here from the seed text, independently of the packs,
so that a row left out of a pack, a row added twice or a figure copied wrongly fails a test.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from industry_brain.demo.clusters import GROUPS, ZONES
from industry_brain.plans.citations import check_citations, squeeze
from industry_brain.plans.pack import Indicator, Pack, check_pack_set, packs_dir, seed_dir, validate_pack_file
from industry_brain.reference.industries import industries

PACK_IDS = ("ningbo-14th", "fenghua-13th", "fenghua-14th")
SEED_004 = "004_db5cf59d4b6a5775.txt"

# A table cell holding a figure rather than a row label: 503.0, 94.80%, 23.8（2019年）, 75以上,
# 50 以上, -4.5, ——, 比2015年下降16%, 完成, 完成上级下达的目标任务.
_VALUE_CELL = re.compile(
    r"^(?:——|完成|完成上级下达的目标任务|比\d{4}年下降[\d.]+%|-?\d+(?:\.\d+)?%?(?:（\d{4}年）)?(?:\s*以上)?)$"
)


# Table 2 baselines kept in the indicator's note instead of `baseline`: 19.5（2019年） is the 13th
# plan's cumulative fall, not where the 14th plan's starts; -4.5 belongs to a qualitative target
# and the citation check does not read signs.
_BASE_IN_NOTE = {"pollutant-reduction": "19.5", "energy-intensity-reduction": "-4.5"}


@cache
def pack(pack_id: str) -> Pack:
    return validate_pack_file(packs_dir() / f"{pack_id}.yaml")


def seed(file_name: str) -> str:
    path = seed_dir() / file_name
    if not path.is_file():
        message = f"seed {path} not found (set INDUSTRY_BRAIN_SEEDS)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Path(path).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]

    @property
    def squeezed(self) -> str:
        return squeeze(self.label + "".join(self.cells))


def table_rows(text: str, caption: str, end: str, width: int) -> list[Row]:
    """The rows of a seed table: a label cell followed by `width` figure cells. Cells arrive one
    a line, tab-indented; category cells and empty continuation cells are not followed by figures."""
    start = text.index(caption)
    block = text[start : text.index(end, start)]
    cells = [line.strip() for line in block.splitlines() if line.startswith("\t")]
    rows = []
    for i, cell in enumerate(cells):
        following = cells[i + 1 : i + 1 + width]
        if (
            cell
            and not _VALUE_CELL.match(cell)
            and len(following) == width
            and all(_VALUE_CELL.match(c) for c in following)
        ):
            rows.append(Row(cell, tuple(following)))
    return rows


def table1() -> list[Row]:
    return table_rows(seed(SEED_004), "表1 “十三五”奉化工业发展主要指标实现情况表", "（二）存在问题", 3)


def table2() -> list[Row]:
    return table_rows(
        seed(SEED_004), "表2 奉化区“十四五”制造业高质量发展目标", "围绕宁波市“246+”产业集群建设", 2
    )


def figure(cell: str) -> float | None:
    """The number a cell states (比2015年下降16% → 16; 23.8（2019年） → 23.8), None for ——/完成."""
    match = re.match(r"^(?:比\d{4}年下降)?(-?\d+(?:\.\d+)?)", cell)
    return float(match.group(1)) if match else None


def rows_to_indicators(rows: list[Row], p: Pack, table: str) -> dict[Row, Indicator]:
    by_quote = {squeeze(i.target.quote): i for i in p.indicators if i.table == table}
    return {row: by_quote[row.squeezed] for row in rows if row.squeezed in by_quote}


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_pack_loads_and_cites_its_seed(pack_id: str) -> None:
    p = pack(pack_id)
    assert p.id == pack_id
    assert check_citations(p, seed(p.source_file)) == []


def test_seed_tables_parse_to_the_rows_a_reader_counts() -> None:
    # Independent of the packs: the parser must find every row of both tables, no more.
    one, two = table1(), table2()
    assert (len(one), len(two)) == (27, 30)
    assert (one[0].label, one[-1].label) == ("工业总产值（亿元）", "工业固体废物综合利用率")
    assert (two[0].label, two[-1].label) == ("全部工业总产值（亿元）", "工业固体废物综合利用率（%）")


@pytest.mark.parametrize(
    ("pack_id", "table", "rows"), [("fenghua-13th", "表1", table1), ("fenghua-14th", "表2", table2)]
)
def test_each_table_row_is_one_indicator(pack_id: str, table: str, rows) -> None:
    p = pack(pack_id)
    in_table = [i for i in p.indicators if i.table == table]
    seed_rows = rows()
    assert len(in_table) == len(seed_rows)
    assert sorted(squeeze(i.target.quote) for i in in_table) == sorted(r.squeezed for r in seed_rows)


def test_table1_figures_match_the_seed() -> None:
    p = pack("fenghua-13th")
    matched = rows_to_indicators(table1(), p, "表1")
    assert len(matched) == 27
    for row, ind in matched.items():
        base, target, _ = row.cells
        assert (ind.baseline.value if ind.baseline else None) == figure(base), row.label
        assert ind.target.value == figure(target), row.label
        assert (ind.baseline.year if ind.baseline else 2015, ind.target.year) == (2015, 2020)


def test_fenghua_13th_actuals_are_table1s_2020_column() -> None:
    p = pack("fenghua-13th")
    actuals = {a.indicator: a for a in p.actuals}
    assert len(actuals) == len(p.actuals) == 27
    for row, ind in rows_to_indicators(table1(), p, "表1").items():
        actual = actuals[ind.id]
        assert actual.year == 2020
        stated = figure(row.cells[2])
        if stated is None:
            # "完成" in the table: the number comes from the text, cited there, not from the row.
            assert row.cells[2] == "完成"
            assert squeeze(actual.quote) != row.squeezed and actual.note
        else:
            assert actual.value == stated, row.label


def test_table2_figures_match_the_seed() -> None:
    p = pack("fenghua-14th")
    matched = rows_to_indicators(table2(), p, "表2")
    assert len(matched) == 30
    for row, ind in matched.items():
        base, target = row.cells
        if ind.id in _BASE_IN_NOTE:
            assert ind.baseline is None and _BASE_IN_NOTE[ind.id] in (ind.note or ""), row.label
        else:
            assert ind.baseline is not None and ind.baseline.value == figure(base), row.label
            assert ind.baseline.year == (2019 if "2019年" in base else 2020), row.label
        assert ind.target.value == figure(target), row.label
        assert (ind.direction == "qualitative") == (ind.target.value is None)


def test_clusters_are_valid_gbt4754_codes_with_reasons() -> None:
    known = industries()
    for pack_id in PACK_IDS:
        for cluster in pack(pack_id).clusters:
            assert cluster.industries, cluster.id
            for code in cluster.industries:
                assert code in known and known[code].level in (2, 3, 4), (cluster.id, code)
            assert cluster.reason.strip()


def test_fenghua_8100_clusters_use_the_demo_districts_classes() -> None:
    clusters = {c.id.partition("/")[2]: c for c in pack("fenghua-14th").clusters}
    eight = [g for g in GROUPS if g.is_8100]
    assert len(eight) == 8 == sum(c.group == "8100" for c in clusters.values())
    for group in eight:
        cluster = clusters[group.key]
        assert cluster.name == group.name
        assert sorted(cluster.industries) == sorted(i.code for i in group.industries)


def test_fenghua_8100_and_zone_targets() -> None:
    p = pack("fenghua-14th")
    by_cluster = {i.concerns.cluster: i for i in p.indicators if i.concerns.cluster}
    assert {c.id for c in p.clusters} == set(by_cluster)
    assert all(i.derive == "cluster_output_above_scale" and i.unit == "亿元" for i in by_cluster.values())
    zones = {i.concerns.zone: i.target.value for i in p.indicators if i.concerns.zone}
    # The demo district is built on these zones; names and sizes must agree with the plan.
    assert zones == {z.name: z.target_yi for z in ZONES}
    assert sum(zones.values()) == 1550


def test_ningbo_246_and_frontier_clusters() -> None:
    p = pack("ningbo-14th")
    levels = {}
    for c in p.clusters:
        levels.setdefault((c.group, c.level), []).append(c.name)
    assert {k: len(v) for k, v in levels.items()} == {
        ("246", "万亿级"): 2,
        ("246", "五千亿级"): 4,
        ("246", "千亿级"): 6,
        ("前沿产业", "百亿级"): 7,
    }
    floors = {"万亿级": 10000, "五千亿级": 5000, "千亿级": 1000, "百亿级": 100}
    targets = {i.concerns.cluster: i.target.value for i in p.indicators if i.concerns.cluster}
    assert targets == {c.id: floors[c.level] for c in p.clusters}


def test_ids_unique_and_cluster_references_resolve() -> None:
    packs = [pack(pack_id) for pack_id in PACK_IDS]
    check_pack_set(packs)  # raises on a duplicate cluster id or a dangling concerns.cluster
    for p in packs:
        for items in (p.indicators, p.clusters, p.tasks):
            ids = [item.id for item in items]
            assert len(ids) == len(set(ids)), p.id
        assert all(c.id.startswith(f"{p.id}/") for c in p.clusters)
