"""The three 鄞州 plan packs against their seeds (000, 001, 003).

Beyond "every quote is in the seed", the seeds' own tables are parsed here, independently of the
packs, and compared row by row: 001's indicator table (19 rows: baseline, target, responsible unit),
000's annex of 27 tasks (lead leader, lead units), 001's task table and 003's 34 measures (units).
A last check walks every clause of each document that states a number with a target verb and
requires an indicator quoting it, so a target left out of a pack fails here.
"""

from __future__ import annotations

import csv
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path

import pytest

from industry_brain.plans.citations import check_citations, numbers_in, squeeze
from industry_brain.plans.pack import Pack, load_packs_from, packs_dir, seed_dir, validate_pack_file

SEEDS = {
    "yinzhou-154": "000_0180d5c81045d22e.txt",
    "yinzhou-mic2025": "001_87ed89caa0bc97ed.txt",
    "yinzhou-521": "003_9a8650da76b26e70.txt",
}
ANNEX_TABLE_001 = "附件1 主要工作目标分解表"


def _seed(pack_id: str) -> str:
    path = seed_dir() / SEEDS[pack_id]
    if not path.is_file():
        message = f"seed {path} missing (set INDUSTRY_BRAIN_SEEDS)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


@cache
def _pack(pack_id: str) -> Pack:
    return validate_pack_file(packs_dir() / f"{pack_id}.yaml")


def _between(text: str, start: str, end: str | None) -> str:
    """The text after the first `start` up to the next `end` (or the end of the text)."""
    begin = text.index(start) + len(start)
    return text[begin : text.index(end, begin)] if end else text[begin:]


def _cells(table: str) -> list[str]:
    """Table cells as the seeds write them: a line starting with a tab opens a cell, untabbed
    lines continue it (a Word cell with line breaks, e.g. "创新" / "能力")."""
    cells: list[str] = []
    for line in table.split("\n"):
        if line.startswith("\t"):
            cells.append(line.strip())
        elif line.strip() and cells:
            cells[-1] += line.strip()
    return cells


# --- every pack loads, cites its seed, and is internally consistent --------------------------------


@pytest.mark.parametrize("pack_id", sorted(SEEDS))
def test_pack_loads_and_every_figure_cites_its_seed(pack_id: str) -> None:
    seed = _seed(pack_id)
    pack = _pack(pack_id)
    assert pack.source_file == SEEDS[pack_id]
    assert (pack.area_code, pack.area_name) == ("330212", "鄞州区")
    assert check_citations(pack, seed) == []


@pytest.mark.parametrize("pack_id", sorted(SEEDS))
def test_ids_unique_and_cluster_references_resolve(pack_id: str) -> None:
    pack = _pack(pack_id)
    for items in (pack.indicators, pack.clusters, pack.tasks):
        ids = [item.id for item in items]
        assert len(ids) == len(set(ids))
    clusters = {c.id for c in pack.clusters}
    assert all(c.startswith(f"{pack_id}/") for c in clusters)
    referenced = {i.concerns.cluster for i in pack.indicators if i.concerns.cluster}
    assert referenced <= clusters
    # every cluster that carries an output target is computed from the enterprise record
    for ind in pack.indicators:
        if ind.derive in ("cluster_output", "cluster_output_above_scale"):
            assert ind.concerns.cluster in clusters and ind.unit == "亿元"


def test_the_three_packs_load_together(tmp_path: Path) -> None:
    for pack_id in SEEDS:
        (tmp_path / f"{pack_id}.yaml").write_bytes((packs_dir() / f"{pack_id}.yaml").read_bytes())
    assert [p.id for p in load_packs_from(tmp_path)] == sorted(SEEDS)


@cache
def _gbt_codes() -> frozenset[str]:
    path = resources.files("industry_brain.reference") / "data" / "gbt4754_2017.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


@pytest.mark.parametrize("pack_id", sorted(SEEDS))
def test_cluster_industries_are_gbt4754_codes(pack_id: str) -> None:
    pack = _pack(pack_id)
    assert pack.clusters
    for cluster in pack.clusters:
        assert cluster.industries, cluster.id
        for code in cluster.industries:
            assert re.fullmatch(r"\d{2,4}", code) and code in _gbt_codes(), (cluster.id, code)
        # no code listed twice or also under a broader code of the same cluster
        for code in cluster.industries:
            assert not any(code != other and code.startswith(other) for other in cluster.industries)
        assert len(cluster.reason) > 20, cluster.id


def test_cluster_groups_match_the_documents() -> None:
    groups = {p: sorted({c.group for c in _pack(p).clusters}) for p in SEEDS}
    assert groups == {
        "yinzhou-154": ["154"],
        "yinzhou-mic2025": ["3311", "五大细分行业"],
        "yinzhou-521": ["224X"],
    }
    # 154: one 千亿级, five 五百亿级, four 百亿级 clusters, as 一、2.工作目标 lists them
    levels = [c.level for c in _pack("yinzhou-154").clusters]
    assert (levels.count("千亿级"), levels.count("五百亿级"), levels.count("百亿级")) == (1, 5, 4)
    # 3311: three 优势, three 战略性新兴, one 高成长性, one 生产性服务业
    assert len([c for c in _pack("yinzhou-mic2025").clusters if c.group == "3311"]) == 8


# --- 001: the indicator table, parsed from the seed --------------------------------------------

_VALUE = re.compile(r"^(--|\d+(?:\.\d+)?(?:左右)?)$")


def _table_rows(table: str, *, with_unit: bool) -> list[dict[str, str | None]]:
    """Rows of 001's indicator table: a label followed by the 2016 and 2019 value cells (and the
    responsible unit in the annex); the category cell is empty where it continues the one above."""
    cells = _cells(table)
    rows: list[dict[str, str | None]] = []
    category = None
    for i in range(len(cells) - 2):
        if _VALUE.match(cells[i + 1]) and _VALUE.match(cells[i + 2]) and not _VALUE.match(cells[i]):
            if cells[i - 1] and not _VALUE.match(cells[i - 1]) and i >= 1:
                category = cells[i - 1]
            unit = cells[i + 3] if with_unit else None
            rows.append(
                {
                    "category": category,
                    "label": cells[i],
                    "base": cells[i + 1],
                    "target": cells[i + 2],
                    "unit": unit,
                }
            )
    return rows


def _annex_rows() -> list[dict[str, str | None]]:
    seed = _seed("yinzhou-mic2025")
    return _table_rows(_between(seed, "主要工作目标分解表\n", "注："), with_unit=True)


def test_001_table_has_19_rows_in_5_categories_both_times_it_appears() -> None:
    seed = _seed("yinzhou-mic2025")
    annex = _annex_rows()
    prose = _table_rows(_between(seed, "主要工作目标\n", "到2025年，培育形成"), with_unit=False)
    assert len(annex) == len(prose) == 19
    assert [(r["label"], r["base"], r["target"]) for r in annex] == [
        (r["label"], r["base"], r["target"]) for r in prose
    ]
    assert sorted({r["category"] for r in annex}) == sorted(
        ["创新能力", "质量效益", "融合发展", "绿色发展", "特色发展"]
    )


def _number(cell: str | None) -> float | None:
    assert cell is not None
    return None if cell == "--" else float(cell.removesuffix("左右"))


def test_001_table_rows_match_the_pack_one_for_one() -> None:
    pack = _pack("yinzhou-mic2025")
    table = [i for i in pack.indicators if i.table == ANNEX_TABLE_001]
    rows = _annex_rows()
    assert len(table) == len(rows)
    by_name = {i.name: i for i in table}
    for row in rows:
        label = str(row["label"])
        name = re.sub(r"（[^（）]*）$", "", label) if label.endswith(("（%）", "（件）")) else label
        ind = by_name[name]
        assert ind.category == row["category"]
        assert ind.target.year == 2019 and ind.target.value == _number(row["target"])
        base = _number(row["base"])
        if base is None:
            assert ind.baseline is None
        else:
            assert ind.baseline is not None and (ind.baseline.year, ind.baseline.value) == (2016, base)
        assert ind.responsible == (row["unit"],)
        if label.endswith("（%）") and "下降幅度" not in label:
            assert ind.unit == "%"
        if "下降幅度" in label:
            assert (ind.direction, ind.change) == ("decrease_by", "percent")


# --- tasks: 000's annex, 001's task table, 003's measures ---------------------------------------


def _annex_000() -> list[dict[str, str]]:
    seed = _seed("yinzhou-154")
    annex = _between(seed, "鄞州区“154”千百亿级产业集群培育重点任务分工表\n", None)
    parts = re.split(r"\n\t(\d+)\n", annex)
    rows = []
    for number, body in zip(parts[1::2], parts[2::2], strict=True):
        cells = [c.strip() for c in body.split("\t序号")[0].split("\t")][1:]
        _programme, name, content, leader, units = cells
        rows.append(
            {
                "n": number,
                "name": squeeze(name),
                "content": content,
                "leader": leader,
                "units": squeeze(units),
            }
        )
    return rows


def test_000_annex_has_27_tasks_with_leaders_and_lead_units() -> None:
    rows = _annex_000()
    tasks = _pack("yinzhou-154").tasks
    assert [r["n"] for r in rows] == [str(n) for n in range(1, 28)]
    assert len(tasks) == len(rows) == 27
    leader = None
    for row, task in zip(rows, tasks, strict=True):
        assert task.name == row["name"]
        assert "".join(task.lead_units) == row["units"]
        if row["leader"]:
            leader = row["leader"]
        else:  # an empty cell continues the merged cell above; the pack says so
            assert task.note and "承上行" in task.note
        assert task.lead_leader == leader
        assert (task.due == 2025) == ("2025" in row["content"])


def test_001_task_table_rows_with_responsible_units() -> None:
    seed = _seed("yinzhou-mic2025")
    lines = _between(seed, "主要任务分工表\n", "抄送").split("\n")
    content = [i for i, line in enumerate(lines) if line.startswith("\t") and len(line.strip()) >= 40]
    tasks = _pack("yinzhou-mic2025").tasks
    assert len(tasks) == len(content) == 29
    for k, (i, task) in enumerate(zip(content, tasks, strict=True)):
        end = content[k + 1] - 1 if k + 1 < len(content) else len(lines)
        units = squeeze("".join(lines[i + 1 : end])).replace("、", "")
        assert "".join(task.lead_units) == units
        assert squeeze(lines[i]) in squeeze(task.quote)


def test_003_has_34_measures_each_with_its_responsible_units() -> None:
    seed = _seed("yinzhou-521")
    measures = re.findall(r"^(\d+)\.(.+?)。(.*)\(责任单位:(.+)\)$", seed, flags=re.MULTILINE)
    tasks = _pack("yinzhou-521").tasks
    assert [int(m[0]) for m in measures] == list(range(1, 35))
    assert len(tasks) == 34
    for (_, name, body, units), task in zip(measures, tasks, strict=True):
        assert task.name == name
        assert list(task.lead_units) == [u.removesuffix("等") for u in units.split("、")]
        assert (task.due == 2027) == ("2027" in body)


# --- completeness: every number a document sets as a target is in its pack ----------------------

_TARGET_VERB = re.compile(
    r"达|突破|超|不低于|不少于|以上|以内|降至|压缩|提升至|保持|建成|培育|新增|引进|创建|累计|翻一番|增幅|增长|下降|确保|力争"
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_BODY_END = {"yinzhou-154": "附件", "yinzhou-mic2025": "附件：1", "yinzhou-521": "附件:"}
# Clauses with a number and a target word that set no district target of their own.
_NOT_TARGETS = {
    "yinzhou-154": {
        "鄞州区关于培育“154”千百亿级产业集群",  # the title
        "为深入贯彻落实宁波市培育“246”万千亿级产业集群总体部署",  # the city's programme name
        "围绕宁波市“246”万千亿级产业培育目标",
        "20个小微产业创新园“6620”空间改造提升为突破口",  # restates measures 3 and 4, which are in the pack
        "5.强化龙头企业培育",  # headings
        "6.强化骨干企业培育",
        "7.强化单打冠军培育",
        "8.强化中小企业培育",
        "大力培育一批上500亿级企业",  # no count ("一批"); the count is 1家500亿级企业 in the same measure
        "积极培育一批10亿以上骨干企业",  # no count
        "由区“工业强区”建设领导小组统一领导全区“154”产业集群培育工作",
    },
    "yinzhou-mic2025": {
        "重点突破3D扫描成像技术",  # a technology, not a figure
        "R&D经费支出占GDP比重达2.7%以上",  # the same targets as rows of 附件1, kept once
        "制造业质量竞争力指数达92以上",
        "两化融合发展水平指数达到95以上",
    },
    "yinzhou-521": {
        "推进“224X”千百亿级产业集群培育",  # names
        "8.强化关键科技力量培育",
        "“521”工程重点培育企业等用地需求",
        "“521”工程重点培育企业等关键群体",
    },
}


@pytest.mark.parametrize("pack_id", sorted(SEEDS))
def test_every_target_clause_of_the_document_is_in_the_pack(pack_id: str) -> None:
    seed = _seed(pack_id)
    body = seed[: seed.index(_BODY_END[pack_id])]
    quotes = [squeeze(i.target.quote) for i in _pack(pack_id).indicators]
    missing = []
    for line in body.split("\n"):
        if line.startswith("\t"):  # table cells: checked row by row above
            continue
        for clause in re.split(r"[，。；,;、]", line):
            text = squeeze(clause)
            numbers = {float(n) for n in _DIGITS.findall(text) if not re.fullmatch(r"20\d\d", n)}
            if not numbers or not _TARGET_VERB.search(text) or text in _NOT_TARGETS[pack_id]:
                continue
            quoting = [q for q in quotes if q in text or text in q]
            found = set().union(*(numbers_in(q) for q in quoting)) if quoting else set()
            if not numbers <= found:
                missing.append(text)
    assert missing == []
