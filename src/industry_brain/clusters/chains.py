"""Industrial chains as data: versioned graphs of nodes, read from clusters/chains/*.yaml.

A chain file names its source (a seed document and a quote from it), and each node the GB/T
4754-2017 classes and name keywords that put an enterprise on it, with the reason for the
choice. The validator is strict: an unknown key, a class that is not a 4-digit class of the
standard, an edge to a node that does not exist or a cycle is an error naming the file, the
path inside it and the reason. docs/chains.md states the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import IndustryBrainError
from industry_brain.reference.industries import industries, is_class

STAGES = ("upstream", "midstream", "downstream")
STAGE_NAMES = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_CHAIN_KEYS = {"id", "version", "name", "scope", "source", "nodes", "edges", "notes"}
_REQUIRED_CHAIN = {"id", "version", "name", "scope", "source", "nodes", "edges"}
_NODE_KEYS = {"id", "name", "stage", "classes", "keywords", "reason"}
_SOURCE_KEYS = {"seed", "quote", "document"}


class ChainFileError(IndustryBrainError):
    """A chain file that does not follow the format; the message lists every problem."""


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    stage: str
    classes: tuple[str, ...]
    keywords: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Source:
    seed: str
    document: str
    quote: str


@dataclass(frozen=True)
class Chain:
    id: str
    version: int
    name: str
    scope: str  # the area whose plan names the chain: 奉化区, 宁波市, ...
    source: Source
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]
    notes: str = ""

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise IndustryBrainError(f"产业链 {self.id} 没有节点“{node_id}”；可用：{', '.join(self.node_ids())}")

    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    def classes(self) -> list[str]:
        """Every class of the chain, in node order, each once."""
        return list(dict.fromkeys(c for n in self.nodes for c in n.classes))


def chains_dir() -> Path:
    return Path(str(resources.files("industry_brain.clusters") / "chains"))


def _problems_of_node(raw: Any, path: str) -> list[str]:
    if not isinstance(raw, dict):
        return [f"{path}: 应为映射 (a mapping)"]
    out = [f"{path}.{k}: 未知字段 (unknown key)" for k in sorted(set(raw) - _NODE_KEYS)]
    out += [f"{path}.{k}: 缺少字段 (missing)" for k in sorted({"id", "name", "stage", "reason"} - set(raw))]
    if "id" in raw and not (isinstance(raw["id"], str) and _ID.match(raw["id"])):
        out.append(f"{path}.id: “{raw['id']}”不是合法标识 (lower-case letters, digits, - and _)")
    if "stage" in raw and raw["stage"] not in STAGES:
        out.append(f"{path}.stage: “{raw['stage']}”应为 {'/'.join(STAGES)}")
    for key in ("name", "reason"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            out.append(f"{path}.{key}: 应为非空文本 (non-empty text)")
    classes, keywords = raw.get("classes", []), raw.get("keywords", [])
    for key, value in (("classes", classes), ("keywords", keywords)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            out.append(f"{path}.{key}: 应为文本列表 (a list of text)")
    if isinstance(classes, list):
        for i, c in enumerate(classes):
            if isinstance(c, str) and not is_class(c):
                out.append(f"{path}.classes[{i}]: “{c}”不是 GB/T 4754-2017 的4位小类")
        if len(set(map(str, classes))) != len(classes):
            out.append(f"{path}.classes: 有重复的行业代码 (duplicate class)")
    if not classes and not keywords:
        out.append(f"{path}: 至少需要一个行业小类或关键词 (classes or keywords)")
    return out


def _problems_of_source(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return ["source: 应为映射 (seed, document, quote)"]
    out = [f"source.{k}: 未知字段 (unknown key)" for k in sorted(set(raw) - _SOURCE_KEYS)]
    for key in sorted(_SOURCE_KEYS):
        if not (isinstance(raw.get(key), str) and raw[key].strip()):
            out.append(f"source.{key}: 应为非空文本 (non-empty text)")
    return out


def _problems_of_graph(nodes: list[dict[str, Any]], edges: Any) -> list[str]:
    out: list[str] = []
    ids = [n.get("id") for n in nodes if isinstance(n, dict)]
    for dup in sorted({str(i) for i in ids if ids.count(i) > 1}):
        out.append(f"nodes: 节点标识“{dup}”重复 (duplicate node id)")
    owner: dict[str, str] = {}
    for i, n in enumerate(nodes):
        for c in n.get("classes", []) if isinstance(n, dict) and isinstance(n.get("classes"), list) else []:
            if c in owner and owner[c] != n.get("id"):
                out.append(f"nodes[{i}].classes: “{c}”已属于节点“{owner[c]}”；一个小类只归一个节点")
            owner.setdefault(c, str(n.get("id")))
    if not isinstance(edges, list):
        return [*out, "edges: 应为列表 (a list of [from, to])"]
    known = set(ids)
    pairs: list[tuple[str, str]] = []
    for i, e in enumerate(edges):
        if not (isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)):
            out.append(f"edges[{i}]: 应为 [起点, 终点] (a pair of node ids)")
            continue
        for x in e:
            if x not in known:
                out.append(f"edges[{i}]: 节点“{x}”不存在 (unknown node)")
        if e[0] == e[1]:
            out.append(f"edges[{i}]: 不能指向自身 (self-loop)")
        if (e[0], e[1]) in pairs:
            out.append(f"edges[{i}]: 重复的连接 (duplicate edge)")
        pairs.append((e[0], e[1]))
    if not out and _has_cycle(pairs):
        out.append("edges: 连接成环 (the graph has a cycle; a chain runs upstream → downstream)")
    return out


def _has_cycle(pairs: list[tuple[str, str]]) -> bool:
    import networkx as nx

    graph = nx.DiGraph(pairs)
    return not nx.is_directed_acyclic_graph(graph)


def problems(raw: Any, stem: str) -> list[str]:
    """Every problem of one parsed chain file, as 'path: reason' lines (empty if none)."""
    if not isinstance(raw, dict):
        return ["(文件): 应为映射 (the file must be a YAML mapping)"]
    out = [f"{k}: 未知字段 (unknown key)" for k in sorted(set(raw) - _CHAIN_KEYS)]
    out += [f"{k}: 缺少字段 (missing)" for k in sorted(_REQUIRED_CHAIN - set(raw))]
    if "id" in raw and raw["id"] != stem:
        out.append(f"id: “{raw['id']}”应与文件名“{stem}”相同")
    if "version" in raw and not (isinstance(raw["version"], int) and raw["version"] >= 1):
        out.append("version: 应为正整数 (a positive integer)")
    for key in ("name", "scope"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            out.append(f"{key}: 应为非空文本 (non-empty text)")
    if "source" in raw:
        out += _problems_of_source(raw["source"])
    nodes = raw.get("nodes")
    if "nodes" in raw and not (isinstance(nodes, list) and nodes):
        out.append("nodes: 应为非空列表 (a non-empty list)")
        nodes = []
    for i, n in enumerate(nodes or []):
        out += _problems_of_node(n, f"nodes[{i}]")
    if "edges" in raw:
        out += _problems_of_graph(nodes or [], raw["edges"])
    return out


def parse_chain(text: str, *, file_name: str) -> Chain:
    """A chain from its YAML text; ChainFileError listing every problem otherwise."""
    stem = Path(file_name).stem
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ChainFileError(f"{file_name}: 不是有效的YAML：{exc}") from None
    found = problems(raw, stem)
    if found:
        raise ChainFileError(f"{file_name}: " + "；".join(found))
    src = raw["source"]
    nodes = tuple(
        Node(
            id=n["id"],
            name=n["name"],
            stage=n["stage"],
            classes=tuple(n.get("classes", [])),
            keywords=tuple(n.get("keywords", [])),
            reason=n["reason"].strip(),
        )
        for n in raw["nodes"]
    )
    return Chain(
        id=raw["id"],
        version=raw["version"],
        name=raw["name"],
        scope=raw["scope"],
        source=Source(seed=src["seed"], document=src["document"], quote=src["quote"]),
        nodes=nodes,
        edges=tuple((a, b) for a, b in raw["edges"]),
        notes=str(raw.get("notes") or "").strip(),
    )


def load_chain_file(path: Path) -> Chain:
    return parse_chain(path.read_text(encoding="utf-8"), file_name=path.name)


@cache
def shipped_chains() -> tuple[Chain, ...]:
    """The chains that ship with the package, sorted by id."""
    files = sorted(chains_dir().glob("*.yaml"))
    return tuple(load_chain_file(p) for p in files)


def get_chain(chain_id: str) -> Chain:
    for chain in shipped_chains():
        if chain.id == chain_id:
            return chain
    ids = ", ".join(c.id for c in shipped_chains())
    raise IndustryBrainError(f"没有产业链“{chain_id}”；可用：{ids}")


def class_name(code: str) -> str:
    entry = industries().get(code)
    return entry.name if entry else code
