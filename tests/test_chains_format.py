"""The chain format: the shipped chains are valid and cite their seeds; bad files are refused
with the file, path and reason."""

from __future__ import annotations

import pytest

from industry_brain.clusters.chains import ChainFileError, get_chain, parse_chain, shipped_chains
from industry_brain.plans.pack import seed_dir

GOOD = """
id: sample
version: 1
name: 样例链
scope: 奉化区
source: {seed: 004_db5cf59d4b6a5775.txt, document: 规划, quote: 气动}
nodes:
  - {id: a, name: 甲, stage: upstream, classes: ["3391"], reason: 铸件}
  - {id: b, name: 乙, stage: downstream, classes: ["3446"], keywords: [气动], reason: 元件}
edges: [[a, b]]
"""


def test_the_seeds_chains_ship():
    ids = {c.id for c in shipped_chains()}
    fenghua = {"fenghua-pneumatics", "fenghua-smart-appliances", "fenghua-fashion", "fenghua-electronics"}
    assert fenghua <= ids
    assert len([c for c in shipped_chains() if c.source.seed.startswith("002_")]) == 10


@pytest.mark.parametrize("chain", shipped_chains(), ids=lambda c: c.id)
def test_every_quote_is_in_its_seed(chain):
    path = seed_dir() / chain.source.seed
    if not path.is_file():
        pytest.skip(f"seed {path} not found (set INDUSTRY_BRAIN_SEEDS)")
    assert chain.source.quote in path.read_text(encoding="utf-8")
    names = chain.name.removesuffix("产业链").replace("（气动）", "")
    assert names.split("（")[0][:2] in chain.source.quote


def test_a_good_file_parses():
    chain = parse_chain(GOOD, file_name="sample.yaml")
    assert chain.node_ids() == ["a", "b"] and chain.edges == (("a", "b"),)
    assert get_chain("fenghua-pneumatics").node("components").classes == ("3446", "3443")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("stage: upstream", "stage: sideways"), "nodes[0].stage"),
        (('classes: ["3391"]', 'classes: ["9999"]'), "nodes[0].classes[0]: “9999”不是"),
        (('classes: ["3391"]', 'classes: ["3446"]'), "已属于节点"),
        (("edges: [[a, b]]", "edges: [[a, c]]"), "edges[0]: 节点“c”不存在"),
        (("edges: [[a, b]]", "edges: [[a, b], [b, a]]"), "连接成环"),
        (("id: sample", "id: other"), "应与文件名"),
        (("version: 1", "version: 0"), "version"),
        (("scope: 奉化区", "scope: 奉化区\ncolour: red"), "colour: 未知字段"),
        ((", reason: 铸件", ""), "nodes[0].reason: 缺少字段"),
    ],
)
def test_bad_files_are_refused_naming_file_path_and_reason(change, message):
    old, new = change
    with pytest.raises(ChainFileError) as err:
        parse_chain(GOOD.replace(old, new, 1), file_name="sample.yaml")
    assert str(err.value).startswith("sample.yaml: ") and message in str(err.value)
