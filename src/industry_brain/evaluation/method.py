"""Evaluation methods as data: indicator sets, weights, benchmark rules, pools, grades, vetoes,
policy rates. A method is a YAML file; `load_method` validates it and names the field of any
error. docs/evaluation-methods.md documents every parameter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import IndustryBrainError

# indicator -> (numerator, denominator); "land" is own land, or rented land for tenants.
INDICATORS: dict[str, tuple[str, str]] = {
    "tax_per_mu": ("tax_wan", "land"),
    "value_added_per_mu": ("value_added_wan", "land"),
    "output_per_mu": ("output_wan", "land"),
    "revenue_per_mu": ("revenue_wan", "land"),
    "rd_per_mu": ("rd_spend_wan", "land"),
    "value_added_per_energy": ("value_added_wan", "energy_tce"),
    "value_added_per_emission": ("value_added_wan", "emission_t"),
    "labour_productivity": ("value_added_wan", "employees"),
    "rd_intensity": ("rd_spend_wan", "revenue_wan"),
    "tax_per_electricity": ("tax_wan", "electricity_wan_kwh"),
    "revenue_per_electricity": ("revenue_wan", "electricity_wan_kwh"),
}
SETS = ("above_scale", "below_scale")
POOLS = ("above_scale", "below_scale_3mu_plus", "below_scale_under_3mu", "tenant")
BENCHMARK_RULES = ("constant", "pool_aggregate", "pool_mean")
VETOES = ("safety_accident", "env_violation", "low_efficiency")
# The keys each level of a method file may carry; anything else is refused (a misspelt key would
# otherwise be ignored silently and its default used).
TOP_KEYS = (
    "id",
    "title",
    "version",
    "sources",
    "pools",
    "indicator_sets",
    "imputation",
    "grades",
    "vetoes",
    "policy",
    "notes",
)
POOL_KEYS = ("utility_divisions", "new_enterprise_years", "below_scale_split_mu")
ITEM_KEYS = ("indicator", "weight", "benchmark", "cap", "source")
BENCHMARK_KEYS = ("rule", "value", "multiple", "by_division")
LOW_EFFICIENCY_KEYS = ("min_land_mu", "max_tax_per_mu")
GRADE_KEYS = ("A", "B", "C")
POLICY_RATES = (
    "electricity_surcharge_yuan_per_kwh",
    "water_surcharge_yuan_per_t",
    "land_tax_adjustment_pct",
    "energy_quota_change_pct",
)
POLICY_KEYS = (*POLICY_RATES, "electricity_surcharge_d_three_years", "source")


class MethodError(IndustryBrainError):
    def __init__(self, where: str, path: str, reason: str) -> None:
        super().__init__(f"{where}: {path}: {reason}")


@dataclass(frozen=True)
class Benchmark:
    rule: str
    value: float | None = None
    multiple: float = 1.0
    by_division: bool = False


@dataclass(frozen=True)
class Item:
    indicator: str
    weight: float
    benchmark: Benchmark
    cap: float | None = None
    source: str | None = None


@dataclass(frozen=True)
class Grades:
    A: float
    B: float
    C: float


@dataclass(frozen=True)
class Policy:
    """Differentiated-policy rates per grade (差别化政策)."""

    electricity_surcharge_yuan_per_kwh: dict[str, float] = field(default_factory=dict)
    electricity_surcharge_d_three_years: float | None = None
    water_surcharge_yuan_per_t: dict[str, float] = field(default_factory=dict)
    land_tax_adjustment_pct: dict[str, float] = field(default_factory=dict)
    energy_quota_change_pct: dict[str, float] = field(default_factory=dict)
    source: str | None = None


@dataclass(frozen=True)
class Method:
    id: str
    title: str
    version: int
    sets: dict[str, tuple[Item, ...]]
    grades: dict[str, Grades]  # pool -> thresholds; key "default" for the rest
    vetoes: dict[str, Any]
    utility_divisions: tuple[str, ...] = ("44", "45", "46")
    new_enterprise_years: int = 2
    below_scale_split_mu: float = 3.0
    imputation: str = "pool_mean"
    policy: Policy = field(default_factory=Policy)
    sources: dict[str, str] = field(default_factory=dict)
    notes: str = ""

    def indicators(self) -> list[str]:
        """Every indicator any set uses, in catalogue order."""
        used = {i.indicator for items in self.sets.values() for i in items}
        return [name for name in INDICATORS if name in used]

    def thresholds(self, pool: str) -> Grades:
        return self.grades.get(pool, self.grades["default"])

    def fingerprint(self) -> str:
        """A hash of every parameter: two runs with equal fingerprints used the same method."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


# --- loading and validation -------------------------------------------------------------------


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, reason: str) -> MethodError:
        return MethodError(self.where, path, reason)

    def mapping(self, data: Any, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(path, "应为键值表 (expected a mapping)")
        return data

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        positive: bool = False,
        default: float | None = None,
        required: bool = True,
    ) -> float | None:
        if key not in data or data[key] is None:
            if required and default is None:
                raise self.fail(f"{path}.{key}", "缺少此项 (required)")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{path}.{key}", f"应为数字，实为 {value!r}")
        if positive and value <= 0:
            raise self.fail(f"{path}.{key}", f"应大于0，实为 {value}")
        return float(value)

    def choice(self, value: Any, options: tuple[str, ...], path: str) -> str:
        if value not in options:
            raise self.fail(path, f"应为 {', '.join(options)} 之一，实为 {value!r}")
        return str(value)

    def known(self, data: dict[str, Any], keys: tuple[str, ...], path: str | None) -> None:
        """Refuse the first key of `data` not in `keys`, naming its path (`path` None: the top)."""
        for key in data:
            if key not in keys:
                where = str(key) if path is None else f"{path}.{key}"
                raise self.fail(where, f"未知参数（可用：{', '.join(keys)}）")

    def boolean(self, data: dict[str, Any], key: str, path: str, *, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{path}.{key}", f"应为 true 或 false，实为 {value!r}")
        return value

    def positive_integer(self, data: dict[str, Any], key: str, path: str, *, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(f"{path}.{key}", f"应为正整数，实为 {value!r}")
        return value


def _benchmark(r: _Reader, data: Any, path: str) -> Benchmark:
    data = r.mapping(data, path)
    r.known(data, BENCHMARK_KEYS, path)
    rule = r.choice(data.get("rule"), BENCHMARK_RULES, f"{path}.rule")
    value = r.number(data, "value", path, positive=True, required=rule == "constant")
    if rule != "constant" and value is not None:
        raise r.fail(f"{path}.value", f"规则 {rule} 不使用固定值")
    multiple = r.number(data, "multiple", path, positive=True, default=1.0)
    by_division = r.boolean(data, "by_division", path, default=False)
    return Benchmark(rule, value, multiple or 1.0, by_division)


def _items(r: _Reader, data: Any, path: str, sources: dict[str, str]) -> tuple[Item, ...]:
    if not isinstance(data, list) or not data:
        raise r.fail(path, "应为非空列表 (a non-empty list of indicators)")
    items, seen = [], set()
    for i, raw in enumerate(data):
        p = f"{path}[{i}]"
        raw = r.mapping(raw, p)
        r.known(raw, ITEM_KEYS, p)
        name = r.choice(raw.get("indicator"), tuple(INDICATORS), f"{p}.indicator")
        if name in seen:
            raise r.fail(f"{p}.indicator", f"{name} 重复")
        seen.add(name)
        source = raw.get("source")
        if source is not None and source not in sources:
            raise r.fail(f"{p}.source", f"来源 {source} 未在 sources 中列出")
        weight = r.number(raw, "weight", p, positive=True)
        items.append(
            Item(
                name,
                float(weight or 0),
                _benchmark(r, raw.get("benchmark"), f"{p}.benchmark"),
                r.number(raw, "cap", p, positive=True, required=False),
                source,
            )
        )
    return tuple(items)


def _grades(r: _Reader, data: Any) -> dict[str, Grades]:
    data = r.mapping(data, "grades")
    if "default" not in data:
        raise r.fail("grades.default", "缺少此项 (required)")
    out = {}
    for pool, raw in data.items():
        p = f"grades.{pool}"
        if pool != "default":
            r.choice(pool, POOLS, p)
        raw = r.mapping(raw, p)
        r.known(raw, GRADE_KEYS, p)
        a, b, c = (r.number(raw, k, p, positive=True) for k in GRADE_KEYS)
        if not (a is not None and b is not None and c is not None and a < b < c <= 1):
            raise r.fail(p, "应满足 0 < A < B < C ≤ 1")
        out[pool] = Grades(a, b, c)
    return out


def parse_method(data: Any, where: str) -> Method:
    r = _Reader(where)
    data = r.mapping(data, "(top)")
    r.known(data, TOP_KEYS, None)
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise r.fail(key, "缺少此项或不是文本 (required text)")
    sources = {str(k): str(v) for k, v in r.mapping(data.get("sources", {}), "sources").items()}
    sets_raw = r.mapping(data.get("indicator_sets"), "indicator_sets")
    sets = {
        r.choice(k, SETS, f"indicator_sets.{k}"): _items(r, v, f"indicator_sets.{k}", sources)
        for k, v in sets_raw.items()
    }
    for s in SETS:
        if s not in sets:
            raise r.fail(f"indicator_sets.{s}", "缺少此项 (both sets are required)")
    pools = r.mapping(data.get("pools", {}), "pools")
    r.known(pools, POOL_KEYS, "pools")
    vetoes = _vetoes(r, data.get("vetoes", {}))
    policy = _policy(r, data.get("policy", {}), sources)
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise r.fail("version", "应为整数")
    imputation = r.choice(data.get("imputation", "pool_mean"), ("pool_mean", "zero"), "imputation")
    split = r.number(pools, "below_scale_split_mu", "pools", positive=True, default=3.0)
    return Method(
        id=data["id"],
        title=data["title"],
        version=version,
        sets=sets,
        grades=_grades(r, data.get("grades")),
        vetoes=vetoes,
        utility_divisions=_divisions(r, pools.get("utility_divisions", ["44", "45", "46"])),
        new_enterprise_years=r.positive_integer(pools, "new_enterprise_years", "pools", default=2),
        below_scale_split_mu=split if split is not None else 3.0,
        imputation=imputation,
        policy=policy,
        sources=sources,
        notes=str(data.get("notes", "")),
    )


def _vetoes(r: _Reader, data: Any) -> dict[str, Any]:
    """The vetoes as written (the run's fingerprint covers them), each checked: the flags are
    true/false, `low_efficiency` is false or {min_land_mu, max_tax_per_mu}."""
    vetoes = r.mapping(data, "vetoes")
    for k in vetoes:
        r.choice(k, VETOES, f"vetoes.{k}")
    for flag in ("safety_accident", "env_violation"):
        if flag in vetoes:
            r.boolean(vetoes, flag, "vetoes", default=False)
    if "low_efficiency" in vetoes and vetoes["low_efficiency"] is not False:
        le = r.mapping(vetoes["low_efficiency"], "vetoes.low_efficiency")
        r.known(le, LOW_EFFICIENCY_KEYS, "vetoes.low_efficiency")
        r.number(le, "min_land_mu", "vetoes.low_efficiency", positive=True)
        r.number(le, "max_tax_per_mu", "vetoes.low_efficiency")
    return vetoes


def _divisions(r: _Reader, data: Any) -> tuple[str, ...]:
    """GB/T 4754 divisions (大类) as 2-digit text; YAML may write them as numbers (44, or 4 for 04)."""
    from industry_brain.reference.industries import industries

    path = "pools.utility_divisions"
    if not isinstance(data, list):
        raise r.fail(path, f'应为2位行业大类代码的列表（如 ["44", "45", "46"]），实为 {data!r}')
    out = []
    for i, d in enumerate(data):
        code = f"{d:02d}" if isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 99 else d
        known = isinstance(code, str) and len(code) == 2 and code.isdigit() and code in industries()
        if not known:
            raise r.fail(f"{path}[{i}]", f"应为 GB/T 4754-2017 的2位行业大类代码，实为 {d!r}")
        out.append(code)
    return tuple(out)


def _policy(r: _Reader, data: Any, sources: dict[str, str]) -> Policy:
    data = r.mapping(data or {}, "policy")
    r.known(data, POLICY_KEYS, "policy")
    rates: dict[str, dict[str, float]] = {}
    for key in POLICY_RATES:
        raw = r.mapping(data.get(key, {}) or {}, f"policy.{key}")
        for grade in raw:
            r.choice(grade, ("A", "B", "C", "D"), f"policy.{key}.{grade}")
            r.number(raw, grade, f"policy.{key}")
        rates[key] = {g: float(v) for g, v in raw.items()}
    three = r.number(data, "electricity_surcharge_d_three_years", "policy", required=False)
    source = data.get("source")
    if source is not None and source not in sources:
        raise r.fail("policy.source", f"来源 {source} 未在 sources 中列出")
    return Policy(**rates, electricity_surcharge_d_three_years=three, source=source)


def parse_method_snapshot(text: str) -> Method:
    """A Method back from the snapshot a run stores (the dataclass dump, not a method file)."""
    d = yaml.safe_load(text)
    sets = {
        k: tuple(
            Item(i["indicator"], i["weight"], Benchmark(**i["benchmark"]), i["cap"], i["source"]) for i in v
        )
        for k, v in d["sets"].items()
    }
    return Method(
        **{
            **d,
            "sets": sets,
            "grades": {k: Grades(**v) for k, v in d["grades"].items()},
            "policy": Policy(**d["policy"]),
            "utility_divisions": tuple(d["utility_divisions"]),
        }
    )


def shipped_methods() -> list[str]:
    folder = resources.files(__package__) / "methods"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_method(name_or_path: str | Path) -> Method:
    """A shipped method by id, or a YAML file by path."""
    text_path = Path(name_or_path)
    if str(name_or_path) in shipped_methods():
        resource = resources.files(__package__) / "methods" / f"{name_or_path}.yaml"
        where, text = f"{name_or_path}.yaml", resource.read_text(encoding="utf-8")
    elif text_path.suffix in (".yaml", ".yml") and text_path.is_file():
        where, text = text_path.name, text_path.read_text(encoding="utf-8")
    else:
        raise IndustryBrainError(
            f"未知的评价方法“{name_or_path}”；已提供：{', '.join(shipped_methods())}，或给出 .yaml 文件路径"
        )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"第 {mark.line + 1} 行" if mark else "(yaml)"
        raise MethodError(where, at, f"YAML 格式错误：{getattr(exc, 'problem', exc)}") from exc
    return parse_method(data, where)
