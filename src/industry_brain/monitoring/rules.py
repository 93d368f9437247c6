"""Alert rules as data: monitoring/rules/default.yaml, or the district's file named by the
`monitoring_rules` setting, read strictly (docs/monitoring-rules.md describes the format).

A file that does not validate is refused whole with its line and the reason: an unknown key,
a missing parameter, a clear condition that would clear before the rule fires, a date out of
order. Nothing is half-loaded, so a typo never silently changes who is alerted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.yaml_lines import LineLoader
from industry_brain.monitoring.panel import FIGURES

SHIPPED = "default.yaml"

# Figures a rule may test: the panel's figures.
MEASURES = FIGURES

# kind -> the parameters each dated parameter set must give
KIND_PARAMS: dict[str, tuple[str, ...]] = {
    "yoy_change": ("fire_pct", "clear_pct", "min_base"),
    "yoy_decline": ("fire_pct", "clear_pct", "min_base", "step_pp"),
    "seasonal_norm": ("fire_ratio", "clear_ratio", "norm_years"),
    "divergence": ("band_pp", "clear_pp"),
    "run_rate_below": ("fire_wan", "clear_wan", "from_month_no"),
    "run_rate_above": ("fire_wan", "clear_wan", "from_month_no"),
}
KIND_NAMES = {
    "yoy_change": "同比变化",
    "yoy_decline": "同比持续走低",
    "seasonal_norm": "低于自身季节常态",
    "divergence": "产值与用电背离",
    "run_rate_below": "累计年化低于规上标准",
    "run_rate_above": "累计年化达到规上标准",
}
SEVERITIES = {"critical": "严重", "warning": "预警", "info": "提示"}
SCOPES = {"all": "全部企业", "above_scale": "规上企业", "below_scale": "规下企业"}
RECEIVER_KINDS = {"town": "所属镇街", "unit": "部门", "chain": "链长"}
RULE_KEYS = {
    "id": True,
    "name": True,
    "kind": True,
    "measure": True,
    "against": False,
    "applies_to": False,
    "severity": True,
    "min_months": True,
    "receivers": True,
    "params": True,
    "note": False,
}


class RulesError(IndustryBrainError):
    """A rule file that cannot be used."""


@dataclass(frozen=True)
class Receiver:
    kind: str  # town | unit | chain
    name: str | None = None  # the unit's name, or the chain's; None for town (the enterprise's own)

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "name": self.name}

    def label(self) -> str:
        if self.kind == "town":
            return "企业所属镇街"
        return f"{RECEIVER_KINDS[self.kind]}：{self.name}"


@dataclass(frozen=True)
class ParamSet:
    """The thresholds in force from `start` (YYYY-MM) until the next set's start."""

    start: str
    values: dict[str, float]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kind: str
    measure: str
    against: str | None
    applies_to: str
    severity: str
    min_months: int
    receivers: tuple[Receiver, ...]
    params: tuple[ParamSet, ...]
    note: str | None = None

    def params_at(self, month: str) -> dict[str, float]:
        """The parameter set in force in `month` (the first set's before its own start)."""
        current = self.params[0].values
        for p in self.params:
            if p.start <= month:
                current = p.values
        return current


@dataclass(frozen=True)
class RuleSet:
    version: int
    file: str
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if rule_id in (r.id, r.name):
                return r
        raise RulesError(f"未知的预警规则“{rule_id}”；可用：{'、'.join(r.id for r in self.rules)}")


class _Check:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, line: Any, reason: str) -> RulesError:
        return RulesError(f"{self.file} 第 {line} 行：{reason}")

    def keys(self, raw: dict[str, Any], spec: dict[str, bool], what: str) -> int:
        line = raw["__line__"]
        for key, required in spec.items():
            if required and key not in raw:
                raise self.fail(line, f"{what}缺少“{key}”")
        unknown = sorted(str(k) for k in set(raw) - set(spec) - {"__line__"})
        if unknown:
            raise self.fail(line, f"{what}有未知字段“{'、'.join(unknown)}”；可用：{'、'.join(spec)}")
        return int(line)

    def text(self, raw: Any, line: int, what: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(line, f"{what}应为非空文本")
        return raw.strip()

    def choice(self, raw: Any, options: dict[str, str], line: int, what: str) -> str:
        if raw not in options:
            raise self.fail(line, f"{what}“{raw}”不可用；可用：{'、'.join(options)}")
        return str(raw)

    def number(self, raw: Any, line: int, what: str) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self.fail(line, f"{what}应为数字，而不是“{raw}”")
        return float(raw)

    def month(self, raw: Any, line: int) -> str:
        text = str(raw)
        parts = text.split("-")
        ok = len(parts) == 2 and parts[0].isdigit() and len(parts[0]) == 4 and parts[1].isdigit()
        if not ok or not 1 <= int(parts[1]) <= 12 or len(parts[1]) != 2:
            raise self.fail(line, f'生效月份“{text}”应写作 YYYY-MM（加引号，如 "2024-01"）')
        return text


def _receivers(c: _Check, raw: Any, line: int) -> tuple[Receiver, ...]:
    if not isinstance(raw, list) or not raw:
        raise c.fail(line, "receivers 应为非空列表，如 [{kind: town}, {kind: unit, name: 区统计局}]")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise c.fail(line, "接收方应写作 {kind: town|unit|chain, name: 名称}")
        at = c.keys(item, {"kind": True, "name": False}, "接收方")
        kind = c.choice(item["kind"], RECEIVER_KINDS, at, "接收方类型")
        name = item.get("name")
        if kind == "town" and name is not None:
            raise c.fail(at, "镇街接收方是企业所属镇街，不写 name")
        if kind != "town":
            name = c.text(name, at, f"{RECEIVER_KINDS[kind]}接收方的 name")
        out.append(Receiver(kind, name))
    return tuple(out)


def _params(c: _Check, raw: Any, kind: str, line: int) -> tuple[ParamSet, ...]:
    needed = KIND_PARAMS[kind]
    if not isinstance(raw, list) or not raw:
        raise c.fail(line, f"params 应为非空列表，每项含 from 与 {'、'.join(needed)}")
    sets: list[ParamSet] = []
    for item in raw:
        if not isinstance(item, dict):
            raise c.fail(line, "params 的每项应为映射")
        at = c.keys(item, {"from": True, **dict.fromkeys(needed, True)}, "参数")
        values = {k: c.number(item[k], at, k) for k in needed}
        _coherent(c, kind, values, at)
        start = c.month(item["from"], at)
        if sets and start <= sets[-1].start:
            raise c.fail(at, f"params 的生效月份应从早到晚且不重复：{start} 不晚于 {sets[-1].start}")
        sets.append(ParamSet(start, values))
    return tuple(sets)


def _coherent(c: _Check, kind: str, v: dict[str, float], line: int) -> None:
    """The clear condition must lie on the far side of the fire condition (a band between
    them keeps an alert from flapping), or an alert would clear in the month it fires."""
    if kind in ("yoy_change", "yoy_decline") and not (v["fire_pct"] < v["clear_pct"] and v["min_base"] >= 0):
        raise c.fail(line, "clear_pct 应大于 fire_pct（降幅收窄到 clear_pct 以内才解除），min_base 不小于 0")
    if kind == "yoy_decline" and v["step_pp"] < 0:
        raise c.fail(line, "step_pp（每月至少再走低的百分点）不能为负")
    if kind == "seasonal_norm" and not (0 < v["fire_ratio"] < v["clear_ratio"] and v["norm_years"] >= 1):
        raise c.fail(line, "应有 0 < fire_ratio < clear_ratio，norm_years 至少为 1")
    if kind == "divergence" and not (0 < v["clear_pp"] < v["band_pp"]):
        raise c.fail(line, "应有 0 < clear_pp < band_pp")
    if kind.startswith("run_rate") and not 1 <= v["from_month_no"] <= 12:
        raise c.fail(line, "from_month_no（每年从第几个月起判断）应为 1 到 12")
    if kind == "run_rate_below" and not (0 < v["fire_wan"] < v["clear_wan"]):
        raise c.fail(line, "应有 0 < fire_wan < clear_wan（回到 clear_wan 以上才解除）")
    if kind == "run_rate_above" and not (0 < v["clear_wan"] < v["fire_wan"]):
        raise c.fail(line, "应有 0 < clear_wan < fire_wan（跌回 clear_wan 以下才解除）")


def _rule(c: _Check, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise c.fail("?", "rules 的每项应为映射")
    line = c.keys(raw, RULE_KEYS, "规则")
    kind = c.choice(raw["kind"], KIND_NAMES, line, "规则类型 kind")
    measure = c.choice(raw["measure"], dict.fromkeys(MEASURES, ""), line, "指标 measure")
    against = raw.get("against")
    if (kind == "divergence") != (against is not None):
        raise c.fail(line, "against（对照指标）只用于 divergence 类规则，且该类必须写")
    if against is not None:
        against = c.choice(against, dict.fromkeys(MEASURES, ""), line, "对照指标 against")
    months = raw["min_months"]
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
        raise c.fail(line, f"min_months 应为 1 到 24 的整数，而不是“{months}”")
    return Rule(
        id=c.text(raw["id"], line, "id"),
        name=c.text(raw["name"], line, "name"),
        kind=kind,
        measure=measure,
        against=against,
        applies_to=c.choice(raw.get("applies_to", "all"), SCOPES, line, "适用范围 applies_to"),
        severity=c.choice(raw["severity"], SEVERITIES, line, "严重程度 severity"),
        min_months=months,
        receivers=_receivers(c, raw["receivers"], line),
        params=_params(c, raw["params"], kind, line),
        note=None if raw.get("note") is None else c.text(raw["note"], line, "note"),
    )


def parse_rules(text: str, *, file: str) -> RuleSet:
    """The rules of a file; refused whole with the file, line and reason."""
    c = _Check(file)
    try:
        data = yaml.load(text, Loader=LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise c.fail(
            mark.line + 1 if mark else "?", f"不是有效的 YAML（{getattr(exc, 'problem', exc)}）"
        ) from exc
    if not isinstance(data, dict):
        raise c.fail(1, "应为含 version 与 rules 的映射")
    c.keys(data, {"version": True, "rules": True}, "文件")
    if isinstance(data["version"], bool) or not isinstance(data["version"], int):
        raise c.fail(data["__line__"], "version 应为整数")
    if not isinstance(data["rules"], list) or not data["rules"]:
        raise c.fail(data["__line__"], "rules 应为非空列表")
    rules = tuple(_rule(c, r) for r in data["rules"])
    seen: set[str] = set()
    for r, raw in zip(rules, data["rules"], strict=True):
        if r.id in seen or not r.id.replace("_", "").isalnum() or not r.id.isascii():
            raise c.fail(raw["__line__"], f"规则 id“{r.id}”重复或含字母、数字、下划线以外的字符")
        seen.add(r.id)
    return RuleSet(data["version"], file, rules)


@cache
def _shipped() -> RuleSet:
    path = resources.files("industry_brain.monitoring") / "rules" / SHIPPED
    return parse_rules(path.read_text(encoding="utf-8"), file=SHIPPED)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The rules of `path` (the monitoring_rules setting) or, when empty, the shipped set."""
    if not path:
        return _shipped()
    file = Path(path)
    if not file.is_file():
        raise RulesError(f"预警规则文件 {file} 不存在（monitoring_rules 设置）")
    return parse_rules(file.read_text(encoding="utf-8"), file=file.name)


def current_rules() -> RuleSet:
    from industry_brain.core.settings import get_settings

    return load_rules(get_settings().monitoring_rules)
