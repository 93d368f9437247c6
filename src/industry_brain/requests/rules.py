"""The rules officials tune, as data: the classification with its units and clocks, the routing
and escalation ladder, and the state machine (requests/data/*.yaml, format in docs/requests.md).

Each file is validated whole before anything uses it: a file that does not validate is refused
with its name, line and reason (`RulesError`), and nothing changes. Districts replace a file by
naming their own in the `requests_rules_dir` setting (a folder holding any of the three files).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import IndustryBrainError

CLOCKS = ("accept", "reply", "close", "co_unit")
CLOCK_NAMES = {"accept": "受理", "reply": "答复", "close": "办结", "co_unit": "协办"}
ROLES_IN_MACHINE = ("enterprise", "town", "analyst", "admin", "department", "chain_chief")
PARTIES = ("own", "lead", "co", "any")
NEEDS = ("reason", "text", "unit", "days", "rating", "of")
GUARDS = ("before_due", "extension_pending", "within_dispute", "satisfied", "unsatisfied")
RATINGS = ("满意", "基本满意", "不满意")


class RulesError(IndustryBrainError):
    """A rules file that cannot be used: its name, line and the reason."""


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line, so an error can name it."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    # each key's own line, so a wrong value is named where it is written
    mapping["__keys__"] = {loader.construct_object(k): k.start_mark.line + 1 for k, _ in node.value}
    return mapping


META = ("__line__", "__keys__")


def line_of(entry: dict[str, Any], key: Any) -> Any:
    return entry.get("__keys__", {}).get(key, entry.get("__line__", "?"))


def items(entry: dict[Any, Any]) -> list[tuple[Any, Any]]:
    return [(k, v) for k, v in entry.items() if k not in META]


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


class _Check:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, line: Any, reason: str) -> RulesError:
        return RulesError(f"{self.file} 第 {line} 行：{reason}")

    def load(self, text: str) -> dict[str, Any]:
        try:
            data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise self.fail(
                mark.line + 1 if mark else "?", f"不是有效的 YAML（{getattr(exc, 'problem', exc)}）"
            ) from exc
        if not isinstance(data, dict):
            raise self.fail(1, "应为映射（键: 值）")
        return data

    def keys(self, entry: Any, line: Any, required: set[str], optional: set[str], what: str) -> None:
        if not isinstance(entry, dict):
            raise self.fail(line, f"{what}应为映射")
        at = entry.get("__line__", line)
        missing = sorted(required - set(entry))
        if missing:
            raise self.fail(at, f"{what}缺少“{'、'.join(missing)}”")
        unknown = sorted(set(entry) - required - optional - set(META), key=str)
        if unknown:
            raise self.fail(line_of(entry, unknown[0]), f"{what}有未知字段“{'、'.join(map(str, unknown))}”")

    def date(self, value: Any, line: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise self.fail(line, f"effective_from“{value}”应为日期 YYYY-MM-DD")

    def days(self, value: Any, line: Any, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 250:
            raise self.fail(line, f"{what}“{value}”应为 0 至 250 的工作日数")
        return value

    def names(self, value: Any, line: Any, what: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(line, f"{what}应为名称列表")
        return tuple(v.strip() for v in value)


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    lead_unit: str
    co_units: tuple[str, ...]
    clocks: dict[str, dict[str, int]]  # priority -> clock -> working days

    def clock(self, priority: str, which: str) -> int:
        return self.clocks[priority][which]


@dataclass(frozen=True)
class Classification:
    effective_from: dt.date
    priorities: dict[str, str]
    categories: dict[str, Category]

    def find(self, text: str) -> Category:
        """A category by its code or its name (a group name alone is ambiguous when it has several)."""
        key = text.strip()
        for c in self.categories.values():
            if key in (c.code, c.name, f"{c.group}/{c.name}"):
                return c
        matches = [c for c in self.categories.values() if c.group == key]
        if len(matches) == 1:
            return matches[0]
        names = "、".join(f"{c.code}（{c.name}）" for c in self.categories.values())
        raise RulesError(f"未知问题分类“{text}”；可用：{names}")


def parse_categories(text: str, *, file: str = "categories.yaml") -> Classification:
    check = _Check(file)
    data = check.load(text)
    check.keys(data, 1, {"effective_from", "priorities", "categories"}, {"source"}, "分类文件")
    priorities = data["priorities"]
    if not isinstance(priorities, dict) or not items(priorities):
        raise check.fail(line_of(data, "priorities"), "priorities 应为“优先级: 说明”的映射，至少一项")
    levels = {str(k): str(v) for k, v in items(priorities)}
    if not isinstance(data["categories"], list) or not data["categories"]:
        raise check.fail(line_of(data, "categories"), "categories 应为分类列表，至少一项")
    categories: dict[str, Category] = {}
    for raw in data["categories"]:
        cat = _category(check, raw, levels)
        if cat.code in categories or any(c.name == cat.name for c in categories.values()):
            raise check.fail(raw["__line__"], f"分类“{cat.code}”或名称“{cat.name}”重复")
        categories[cat.code] = cat
    return Classification(
        check.date(data["effective_from"], line_of(data, "effective_from")), levels, categories
    )


def _category(check: _Check, raw: Any, levels: dict[str, str]) -> Category:
    check.keys(raw, "?", {"code", "name", "group", "lead_unit", "co_units", "clocks"}, set(), "分类")
    code = raw["code"]
    if not isinstance(code, str) or not code.isascii() or not code.replace("_", "").isalnum():
        raise check.fail(line_of(raw, "code"), f"分类代码“{code}”应为字母、数字或下划线")
    lead = str(raw["lead_unit"]).strip()
    co_units = check.names(raw["co_units"] or [], line_of(raw, "co_units"), "co_units（协办单位）")
    if not lead or lead in co_units:
        raise check.fail(line_of(raw, "co_units"), f"分类“{code}”的主办单位应非空，且不在协办单位中")
    clocks = raw["clocks"]
    if not isinstance(clocks, dict) or {k for k, _ in items(clocks)} != set(levels):
        raise check.fail(
            line_of(raw, "clocks"), f"分类“{code}”的 clocks 应为每个优先级（{'、'.join(levels)}）各写一组时限"
        )
    table: dict[str, dict[str, int]] = {}
    for level in levels:
        entry = clocks[level]
        check.keys(entry, line_of(clocks, level), set(CLOCKS), set(), f"分类“{code}”{level}的时限")
        at = entry["__line__"]
        days = {k: check.days(entry[k], at, f"{CLOCK_NAMES[k]}时限") for k in CLOCKS}
        if not days["accept"] <= days["reply"] <= days["close"]:
            raise check.fail(
                at,
                f"分类“{code}”{level}：应为 受理 ≤ 答复 ≤ 办结"
                f"（现为 {days['accept']}、{days['reply']}、{days['close']}）",
            )
        table[level] = days
    return Category(code, str(raw["name"]), str(raw["group"]), lead, co_units, table)


@dataclass(frozen=True)
class Rung:
    level: str
    before: int | None  # remind this many working days before the deadline
    after: int | None  # escalate once this many working days past it (0: as soon as it is missed)
    to: str


@dataclass(frozen=True)
class Routing:
    effective_from: dt.date
    min_enterprises: int
    within_workdays: int
    chains: dict[str, str]  # chain id -> the unit of its chain chief (链长专班)
    ladder: tuple[Rung, ...]
    dispute_workdays: int


def parse_routing(text: str, *, file: str = "routing.yaml", chain_ids: set[str] | None = None) -> Routing:
    check = _Check(file)
    data = check.load(text)
    check.keys(
        data,
        1,
        {"effective_from", "chain_rule", "chains", "ladder", "dispute_workdays"},
        set(),
        "分派规则文件",
    )
    rule = data["chain_rule"]
    check.keys(rule, line_of(data, "chain_rule"), {"min_enterprises", "within_workdays"}, set(), "chain_rule")
    least = check.days(rule["min_enterprises"], line_of(rule, "min_enterprises"), "min_enterprises")
    if least < 2:
        raise check.fail(
            line_of(rule, "min_enterprises"), "min_enterprises 应至少为 2（共性问题至少两家企业）"
        )
    chains = data["chains"]
    if not isinstance(chains, dict):
        raise check.fail(line_of(data, "chains"), "chains 应为“产业链代码: 链长专班”的映射")
    named = {str(k): str(v).strip() for k, v in items(chains)}
    for chain_id, unit in named.items():
        if (chain_ids is not None and chain_id not in chain_ids) or not unit:
            raise check.fail(line_of(chains, chain_id), f"产业链“{chain_id}”不是已有产业链，或未写链长专班")
    if not isinstance(data["ladder"], list):
        raise check.fail(line_of(data, "ladder"), "ladder 应为督办阶梯的列表")
    ladder = tuple(_rung(check, r, line_of(data, "ladder")) for r in data["ladder"])
    return Routing(
        check.date(data["effective_from"], line_of(data, "effective_from")),
        least,
        check.days(rule["within_workdays"], line_of(rule, "within_workdays"), "within_workdays"),
        named,
        ladder,
        check.days(data["dispute_workdays"], line_of(data, "dispute_workdays"), "dispute_workdays"),
    )


def _rung(check: _Check, raw: Any, line: Any) -> Rung:
    check.keys(raw, line, {"level", "to"}, {"before", "after"}, "督办阶梯")
    at = raw["__line__"]
    if ("before" in raw) == ("after" in raw):
        raise check.fail(at, f"“{raw['level']}”应只写 before（提前提醒）或 after（逾期督办）之一")
    before = check.days(raw["before"], at, "before") if "before" in raw else None
    after = check.days(raw["after"], at, "after") if "after" in raw else None
    return Rung(str(raw["level"]), before, after, str(raw["to"]))


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]  # the states it leaves from; () for open
    target: str | None  # None: the case stays in its state (an extension, a co-unit's opinion)
    roles: tuple[str, ...]
    party: str
    needs: tuple[str, ...]
    guard: str | None
    line: int = field(default=0, compare=False)  # where states.yaml writes it


@dataclass(frozen=True)
class Machine:
    states: dict[str, dict[str, Any]]
    transitions: tuple[Transition, ...]

    def closed(self, state: str) -> bool:
        return bool(self.states[state].get("closed"))

    def pauses(self, state: str) -> bool:
        return bool(self.states[state].get("pauses"))

    def find(self, action: str, state: str | None) -> Transition | None:
        for t in self.transitions:
            if t.action == action and ((state is None and not t.sources) or state in t.sources):
                return t
        return None

    def actions(self) -> list[str]:
        return list(dict.fromkeys(t.action for t in self.transitions))


def parse_machine(text: str, *, file: str = "states.yaml") -> Machine:
    check = _Check(file)
    data = check.load(text)
    check.keys(data, 1, {"states", "transitions"}, set(), "状态机文件")
    raw_states = data["states"]
    if not isinstance(raw_states, dict):
        raise check.fail(line_of(data, "states"), "states 应为“状态: {order: n}”的映射")
    states: dict[str, dict[str, Any]] = {}
    for name, spec in items(raw_states):
        check.keys(spec, line_of(raw_states, name), {"order"}, {"closed", "pauses"}, f"状态“{name}”")
        states[str(name)] = dict(items(spec))
    transitions = tuple(_transition(check, t, states) for t in data["transitions"] or [])
    seen: set[tuple[str, str]] = set()
    for t in transitions:
        for source in t.sources or ("",):
            if (t.action, source) in seen:
                raise check.fail(t.line, f"操作“{t.action}”从“{source or '新建'}”出发重复定义")
            seen.add((t.action, source))
    if sum(1 for t in transitions if not t.sources) != 1:
        raise check.fail(line_of(data, "transitions"), "应恰有一个新建操作（from: []）")
    for t in transitions:
        leaves_closed = [s for s in t.sources if states[s].get("closed")]
        if leaves_closed and t.action != "redo":
            raise check.fail(t.line, f"已结案状态“{leaves_closed[0]}”只能重办（redo），不能“{t.action}”")
    return Machine(states, transitions)


def _transition(check: _Check, raw: Any, states: dict[str, dict[str, Any]]) -> Transition:
    check.keys(raw, "?", {"action", "from", "roles"}, {"to", "party", "needs", "guard"}, "操作")
    at = raw["__line__"]
    sources = check.names(raw["from"] or [], at, "from")
    target = raw.get("to")
    for state in [*sources, *([target] if target else [])]:
        if state not in states:
            raise check.fail(at, f"操作“{raw['action']}”用到未定义的状态“{state}”")
    roles = check.names(raw["roles"], at, "roles")
    bad = [r for r in roles if r not in ROLES_IN_MACHINE]
    party = raw.get("party", "any")
    needs = check.names(raw.get("needs") or [], at, "needs")
    guard = raw.get("guard")
    if bad or party not in PARTIES or set(needs) - set(NEEDS) or (guard and guard not in GUARDS):
        raise check.fail(
            at,
            f"操作“{raw['action']}”的 roles/party/needs/guard 有未知值；"
            f"可用角色 {'、'.join(ROLES_IN_MACHINE)}，"
            f"party {'、'.join(PARTIES)}，needs {'、'.join(NEEDS)}，guard {'、'.join(GUARDS)}",
        )
    if target and sources and target not in sources:
        rank = {s: states[s]["order"] for s in states}
        if any(rank[target] > rank[s] + 1 for s in sources):
            raise check.fail(at, f"操作“{raw['action']}”跳过了状态（{'、'.join(sources)} → {target}）")
    return Transition(str(raw["action"]), sources, target, roles, str(party), needs, guard, at)


@dataclass(frozen=True)
class Rules:
    classification: Classification
    routing: Routing
    machine: Machine


def _text(folder: str, name: str) -> tuple[str, str]:
    if folder:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8"), str(path)
    return (resources.files("industry_brain.requests") / "data" / name).read_text(encoding="utf-8"), name


@cache
def load_rules(folder: str = "") -> Rules:
    """The three rules files: the shipped ones, or a district's of the same names in `folder`."""
    from industry_brain.clusters.chains import shipped_chains

    chain_ids = {c.id for c in shipped_chains()}
    text, name = _text(folder, "categories.yaml")
    classification = parse_categories(text, file=name)
    text, name = _text(folder, "routing.yaml")
    routing = parse_routing(text, file=name, chain_ids=chain_ids)
    text, name = _text(folder, "states.yaml")
    return Rules(classification, routing, parse_machine(text, file=name))
