"""Tier rules and pool criteria as data: data/tier_rules.yaml and data/pools.yaml, read strictly.

An unknown key, a missing one, a wrong type or an unknown field is refused with the file and
the path of the entry, so a typo can never silently change who counts as what.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import IndustryBrainError

# Figures a pool criterion may test (docs/cultivation.md defines each).
CRITERION_FIELDS = (
    "above_scale",
    "revenue_wan",
    "output_wan",
    "value_added_wan",
    "tax_wan",
    "employees",
    "rd_spend_wan",
    "rd_intensity",
    "revenue_growth",
    "output_growth",
)
OPS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "="}


class RulesError(IndustryBrainError):
    pass


@dataclass(frozen=True)
class OutputTier:
    id: str
    name: str
    min_output_wan: float
    seed: str
    quote: str


@dataclass(frozen=True)
class TitleTier:
    id: str
    title: str
    name: str


@dataclass(frozen=True)
class TierRules:
    id: str
    version: int
    above_scale_revenue_wan: float
    above_scale_name: str
    output_tiers: tuple[OutputTier, ...]
    title_tiers: tuple[TitleTier, ...]
    levels: tuple[str, ...]
    valid_years: int | None

    def tier_names(self) -> dict[str, str]:
        return {
            "above_scale": self.above_scale_name,
            **{t.id: t.name for t in self.output_tiers},
            **{t.id: t.name for t in self.title_tiers},
        }

    def ladder(self) -> tuple[str, ...]:
        """Size tiers from low to high (规上, then by output): what movement compares."""
        ordered = sorted(self.output_tiers, key=lambda t: t.min_output_wan)
        return ("above_scale", *(t.id for t in ordered))


@dataclass(frozen=True)
class TitleRef:
    title: str
    level: str | None


@dataclass(frozen=True)
class Band:
    max_revenue_wan: float | None
    value: float


@dataclass(frozen=True)
class Criterion:
    kind: str  # field, titles_any, titles_none
    field: str | None = None
    op: str | None = None
    value: float | None = None
    bands: tuple[Band, ...] = ()
    titles: tuple[TitleRef, ...] = ()


@dataclass(frozen=True)
class Pool:
    id: str
    name: str
    seed: str
    quote: str
    basis: str
    criteria: tuple[Criterion, ...]


class _R:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, path: str, msg: str) -> RulesError:
        return RulesError(f"{self.file}: {path}: {msg}")

    def mapping(
        self, raw: Any, path: str, required: set[str], optional: frozenset[str] | set[str] = frozenset()
    ) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(path, "应为映射 (expected a mapping)")
        unknown = set(raw) - required - set(optional)
        if unknown:
            raise self.fail(path, f"未知的键 {sorted(unknown)}")
        missing = required - set(raw)
        if missing:
            raise self.fail(path, f"缺少键 {sorted(missing)}")
        return raw

    def text(self, raw: Any, path: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(path, "应为非空文本")
        return raw.strip()

    def number(self, raw: Any, path: str) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self.fail(path, "应为数字")
        return float(raw)

    def items(self, raw: Any, path: str) -> list[Any]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(path, "应为非空列表")
        return raw


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path.name}: 无法读取：{exc}") from exc


def parse_tier_rules(data: Any, file: str) -> TierRules:
    r = _R(file)
    top = r.mapping(data, "$", {"id", "version", "above_scale", "output_tiers", "titles"})
    scale = r.mapping(top["above_scale"], "above_scale", {"id", "name", "revenue_wan", "basis"})
    outputs = []
    for i, raw in enumerate(r.items(top["output_tiers"], "output_tiers")):
        p = f"output_tiers[{i}]"
        t = r.mapping(raw, p, {"id", "name", "min_output_wan", "seed", "quote"})
        outputs.append(
            OutputTier(
                r.text(t["id"], f"{p}.id"),
                r.text(t["name"], f"{p}.name"),
                r.number(t["min_output_wan"], f"{p}.min_output_wan"),
                r.text(t["seed"], f"{p}.seed"),
                r.text(t["quote"], f"{p}.quote"),
            )
        )
    titles = r.mapping(top["titles"], "titles", {"valid_years", "levels", "tiers"})
    valid = titles["valid_years"]
    if valid is not None and (isinstance(valid, bool) or not isinstance(valid, int) or valid < 1):
        raise r.fail("titles.valid_years", "应为正整数或 null")
    tiers = []
    for i, raw in enumerate(r.items(titles["tiers"], "titles.tiers")):
        p = f"titles.tiers[{i}]"
        t = r.mapping(raw, p, {"id", "title", "name"})
        tiers.append(
            TitleTier(r.text(t["id"], f"{p}.id"), r.text(t["title"], f"{p}.title"), r.text(t["name"], p))
        )
    ids = ["above_scale", *(t.id for t in outputs), *(t.id for t in tiers)]
    if len(set(ids)) != len(ids):
        raise r.fail("$", f"梯队 id 重复：{ids}")
    if not isinstance(top["version"], int):
        raise r.fail("version", "应为整数")
    return TierRules(
        id=r.text(top["id"], "id"),
        version=top["version"],
        above_scale_revenue_wan=r.number(scale["revenue_wan"], "above_scale.revenue_wan"),
        above_scale_name=r.text(scale["name"], "above_scale.name"),
        output_tiers=tuple(outputs),
        title_tiers=tuple(tiers),
        levels=tuple(r.text(v, "titles.levels") for v in r.items(titles["levels"], "titles.levels")),
        valid_years=valid,
    )


def _titles(r: _R, raw: Any, path: str, known: set[str]) -> tuple[TitleRef, ...]:
    refs = []
    for i, item in enumerate(r.items(raw, path)):
        t = r.mapping(item, f"{path}[{i}]", {"title"}, {"level"})
        title = r.text(t["title"], f"{path}[{i}].title")
        if title not in known:
            raise r.fail(
                f"{path}[{i}].title", f"未知的称号 {title!r}（tier_rules.yaml 中有：{sorted(known)}）"
            )
        refs.append(TitleRef(title, t.get("level")))
    return tuple(refs)


def _criterion(r: _R, raw: Any, path: str, known: set[str]) -> Criterion:
    if isinstance(raw, dict) and "titles_any" in raw:
        r.mapping(raw, path, {"titles_any"})
        return Criterion("titles_any", titles=_titles(r, raw["titles_any"], f"{path}.titles_any", known))
    if isinstance(raw, dict) and "titles_none" in raw:
        r.mapping(raw, path, {"titles_none"})
        return Criterion("titles_none", titles=_titles(r, raw["titles_none"], f"{path}.titles_none", known))
    c = r.mapping(raw, path, {"field", "op"}, {"value", "by_revenue"})
    if c["field"] not in CRITERION_FIELDS:
        raise r.fail(f"{path}.field", f"未知的字段 {c['field']!r}（可用：{', '.join(CRITERION_FIELDS)}）")
    if c["op"] not in OPS:
        raise r.fail(f"{path}.op", f"未知的比较 {c['op']!r}（可用：{', '.join(OPS)}）")
    if ("value" in c) == ("by_revenue" in c):
        raise r.fail(path, "须有 value 或 by_revenue 之一")
    if "value" in c:
        return Criterion("field", c["field"], c["op"], r.number(c["value"], f"{path}.value"))
    bands = []
    for i, b in enumerate(r.items(c["by_revenue"], f"{path}.by_revenue")):
        b = r.mapping(b, f"{path}.by_revenue[{i}]", {"value"}, {"max_revenue_wan"})
        cap = b.get("max_revenue_wan")
        bands.append(Band(None if cap is None else r.number(cap, path), r.number(b["value"], path)))
    if bands[-1].max_revenue_wan is not None or any(b.max_revenue_wan is None for b in bands[:-1]):
        raise r.fail(f"{path}.by_revenue", "只有最后一档可以不写 max_revenue_wan，且必须不写")
    return Criterion("field", c["field"], c["op"], bands=tuple(bands))


def parse_pools(data: Any, file: str, rules: TierRules) -> tuple[Pool, ...]:
    r = _R(file)
    top = r.mapping(data, "$", {"version", "pools"})
    known = {t.title for t in rules.title_tiers}
    pools = []
    for i, raw in enumerate(r.items(top["pools"], "pools")):
        p = f"pools[{i}]"
        d = r.mapping(raw, p, {"id", "name", "seed", "quote", "basis", "criteria"})
        criteria = tuple(
            _criterion(r, c, f"{p}.criteria[{j}]", known) for j, c in enumerate(r.items(d["criteria"], p))
        )
        pools.append(
            Pool(
                r.text(d["id"], f"{p}.id"),
                r.text(d["name"], f"{p}.name"),
                r.text(d["seed"], f"{p}.seed"),
                r.text(d["quote"], f"{p}.quote"),
                r.text(d["basis"], f"{p}.basis"),
                criteria,
            )
        )
    ids = [p.id for p in pools]
    if len(set(ids)) != len(ids):
        raise r.fail("pools", f"培育库 id 重复：{ids}")
    return tuple(pools)


def _data(name: str) -> Path:
    return Path(str(resources.files(__package__) / "data" / name))


@cache
def tier_rules() -> TierRules:
    return parse_tier_rules(_read(_data("tier_rules.yaml")), "tier_rules.yaml")


@cache
def pools() -> tuple[Pool, ...]:
    return parse_pools(_read(_data("pools.yaml")), "pools.yaml", tier_rules())


def pool(pool_id: str) -> Pool:
    """A pool by id or by its Chinese name."""
    for p in pools():
        if pool_id in (p.id, p.name):
            return p
    raise IndustryBrainError(f"未知的培育库“{pool_id}”；可用：{', '.join(p.id for p in pools())}")
