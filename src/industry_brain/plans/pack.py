"""Plan packs: one YAML file per plan (docs/plan-packs.md), loaded and strictly validated.

Every error names the file, the path inside it (``indicators[3].target.value``) and the reason,
because a pack is written by hand from a document and a misspelt key or an unquoted code would
otherwise be read silently as something else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.core.errors import ConfigurationError
from industry_brain.plans.catalogue import CLUSTER_KEYS, DERIVATIONS, TITLE_KEYS
from industry_brain.plans.yaml_reader import KEBAB, PackError, Reader

__all__ = [
    "Cluster",
    "Concerns",
    "DocumentActual",
    "Figure",
    "Indicator",
    "Pack",
    "PackError",
    "Task",
    "load_pack",
    "load_packs",
    "seed_dir",
    "validate_pack_file",
]

DIRECTIONS = ("at_least", "at_most", "increase_by", "decrease_by", "keep_at_least", "qualitative")
CHANGE_DIRECTIONS = ("increase_by", "decrease_by")
CHANGES = ("percent", "points", "absolute", "times", "annual_percent")
# Changes that only make sense upwards: a plan never says "decrease two-fold" or "fall 8% a year"
# in these words; it writes 下降 N% (percent) instead.
_INCREASE_ONLY = ("times",)

TOP_KEYS = {
    "id": True,
    "title": True,
    "area": True,
    "period": True,
    "baseline_year": True,
    "source": True,
    "version": True,
    "indicators": True,
    "actuals": False,
    "clusters": False,
    "tasks": False,
}
INDICATOR_KEYS = {
    "id": True,
    "name": True,
    "category": True,
    "unit": False,  # required unless qualitative; checked below
    "direction": True,
    "change": False,
    "baseline": False,
    "target": True,
    "responsible": False,
    "concerns": False,
    "derive": False,
    "table": False,
    "where": True,
    "note": False,
}
FIGURE_KEYS = {"year": False, "value": False, "quote": True}
ACTUAL_KEYS = {"indicator": True, "year": True, "value": True, "quote": True, "note": False}
CONCERN_KEYS = {"cluster": False, "zone": False, "tier": False, "title": False}
CLUSTER_KEYS_ = {
    "id": True,
    "name": True,
    "group": True,
    "level": False,
    "industries": True,
    "titles": False,
    "reason": True,
    "quote": True,
    "version": True,
}
TASK_KEYS = {
    "id": True,
    "name": True,
    "lead_leader": False,
    "lead_units": True,
    "partner_units": False,
    "due": False,
    "quote": True,
    "note": False,
}


@dataclass(frozen=True)
class Figure:
    """A year and a value with the text of the document it is copied from; ``value`` is None
    for a qualitative target."""

    year: int
    value: float | None
    quote: str


@dataclass(frozen=True)
class Concerns:
    cluster: str | None = None
    zone: str | None = None
    tier: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    category: str
    unit: str
    direction: str
    change: str | None
    baseline: Figure | None
    target: Figure
    responsible: tuple[str, ...]
    concerns: Concerns
    derive: str | None
    table: str | None
    where: str
    note: str | None
    pack_id: str

    @property
    def quantified(self) -> bool:
        return self.direction != "qualitative"


@dataclass(frozen=True)
class DocumentActual:
    """An actual the plan document itself states (e.g. fenghua-13th's 2020 column)."""

    indicator: str
    year: int
    value: float
    quote: str
    note: str | None = None


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    group: str
    level: str | None
    industries: tuple[str, ...]
    titles: tuple[str, ...]
    reason: str
    quote: str
    version: int
    pack_id: str


@dataclass(frozen=True)
class Task:
    id: str
    name: str
    lead_leader: str | None
    lead_units: tuple[str, ...]
    partner_units: tuple[str, ...]
    due: int | None
    quote: str
    note: str | None
    pack_id: str


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    area_code: str
    area_name: str
    period_start: int
    period_end: int
    baseline_year: int
    source_file: str
    source_title: str
    version: int
    indicators: tuple[Indicator, ...]
    actuals: tuple[DocumentActual, ...]
    clusters: tuple[Cluster, ...]
    tasks: tuple[Task, ...]

    def indicator(self, indicator_id: str) -> Indicator:
        for item in self.indicators:
            if item.id == indicator_id:
                return item
        raise ConfigurationError(f"规划 {self.id} 没有指标 {indicator_id} (no such indicator)")


# --- locating packs and seeds -------------------------------------------------------------


def packs_dir() -> Path:
    return Path(str(resources.files(__package__) / "packs"))


def seed_dir() -> Path:
    """The plan documents: $INDUSTRY_BRAIN_SEEDS, else ../shared/seeds beside the repository."""
    env = os.environ.get("INDUSTRY_BRAIN_SEEDS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def seed_text(file_name: str) -> str:
    path = seed_dir() / file_name
    if not path.is_file():
        raise ConfigurationError(
            f"找不到规划文本 {path} (seed not found; set INDUSTRY_BRAIN_SEEDS to the seeds folder)"
        )
    return path.read_text(encoding="utf-8")


# --- the checker ----------------------------------------------------------------------------


def _figure(r: Reader, raw: Any, path: str, default_year: int, *, value_required: bool) -> Figure:
    data = r.mapping(raw, path, FIGURE_KEYS)
    year = r.year(data["year"], f"{path}.year") if "year" in data else default_year
    value: float | None = None
    if "value" in data:
        value = r.number(data["value"], f"{path}.value")
    elif value_required:
        raise r.fail(f"{path}.value", "缺少数值 (missing value)")
    return Figure(year=year, value=value, quote=r.req_text(data["quote"], f"{path}.quote"))


def _direction(r: Reader, data: dict[str, Any], path: str) -> tuple[str, str | None]:
    direction = r.req_text(data["direction"], f"{path}.direction")
    if direction not in DIRECTIONS:
        raise r.fail(f"{path}.direction", f"{direction!r} 不是 {', '.join(DIRECTIONS)} 之一")
    change = r.text(data.get("change"), f"{path}.change", optional=True)
    if direction in CHANGE_DIRECTIONS:
        if change is None:
            raise r.fail(f"{path}.change", f"{direction} 须写 change ({', '.join(CHANGES)})")
        if change not in CHANGES:
            raise r.fail(f"{path}.change", f"{change!r} 不是 {', '.join(CHANGES)} 之一")
        if direction == "decrease_by" and change in _INCREASE_ONLY:
            raise r.fail(f"{path}.change", f"decrease_by 不能与 change {change} 连用")
    elif change is not None:
        raise r.fail(f"{path}.change", f"只有 increase_by / decrease_by 才写 change (not with {direction})")
    return direction, change


def _indicator(r: Reader, raw: Any, path: str, pack: dict[str, Any]) -> Indicator:
    data = r.mapping(raw, path, INDICATOR_KEYS)
    direction, change = _direction(r, data, path)
    qualitative = direction == "qualitative"
    unit = r.text(data.get("unit"), f"{path}.unit", optional=qualitative) or ""
    baseline = None
    if data.get("baseline") is not None:
        baseline = _figure(
            r, data["baseline"], f"{path}.baseline", pack["baseline_year"], value_required=True
        )
    target = _figure(r, data["target"], f"{path}.target", pack["period_end"], value_required=not qualitative)
    if qualitative and target.value is not None:
        raise r.fail(f"{path}.target.value", "qualitative 指标的目标不写数值 (no value for qualitative)")
    if change == "times" and target.value is not None and target.value <= 1:
        raise r.fail(f"{path}.target.value", "change times 的倍数应大于 1 (翻一番 = 2)")
    if change in ("percent", "annual_percent", "points") and target.value is not None and target.value < 0:
        raise r.fail(
            f"{path}.target.value", "变化量写正数，方向由 direction 表示 (write the change as positive)"
        )
    if baseline and baseline.year > target.year:
        raise r.fail(f"{path}.baseline.year", f"基期 {baseline.year} 晚于目标年 {target.year}")
    concerns = _concerns(r, data.get("concerns"), f"{path}.concerns")
    derive = r.text(data.get("derive"), f"{path}.derive", optional=True)
    _check_derive(r, derive, concerns, direction, f"{path}.derive")
    return Indicator(
        id=r.ident(data["id"], f"{path}.id"),
        name=r.req_text(data["name"], f"{path}.name"),
        category=r.req_text(data["category"], f"{path}.category"),
        unit=unit,
        direction=direction,
        change=change,
        baseline=baseline,
        target=target,
        responsible=r.texts(data.get("responsible"), f"{path}.responsible"),
        concerns=concerns,
        derive=derive,
        table=r.text(data.get("table"), f"{path}.table", optional=True),
        where=r.req_text(data["where"], f"{path}.where"),
        note=r.text(data.get("note"), f"{path}.note", optional=True),
        pack_id=pack["id"],
    )


def _concerns(r: Reader, raw: Any, path: str) -> Concerns:
    if raw is None:
        return Concerns()
    data = r.mapping(raw, path, CONCERN_KEYS)
    return Concerns(**{k: r.text(v, f"{path}.{k}", optional=True) for k, v in data.items()})


def _check_derive(r: Reader, derive: str | None, concerns: Concerns, direction: str, path: str) -> None:
    if derive is None:
        return
    if derive not in DERIVATIONS:
        raise r.fail(path, f"未知的计算口径 {derive!r} (known: {', '.join(DERIVATIONS)})")
    if direction == "qualitative":
        raise r.fail(path, "qualitative 指标不能计算 (a qualitative indicator has no computed value)")
    if derive in CLUSTER_KEYS and not concerns.cluster:
        raise r.fail(path, f"{derive} 须有 concerns.cluster (which cluster)")
    if derive in TITLE_KEYS and not concerns.title:
        raise r.fail(path, f"{derive} 须有 concerns.title (which title)")


def _cluster(r: Reader, raw: Any, path: str, pack_id: str) -> Cluster:
    from industry_brain.reference.industries import industries

    data = r.mapping(raw, path, CLUSTER_KEYS_)
    cid = r.req_text(data["id"], f"{path}.id")
    prefix, _, slug = cid.partition("/")
    if prefix != pack_id or not KEBAB.match(slug):
        raise r.fail(f"{path}.id", f"集群编号应为 {pack_id}/<slug> (got {cid!r})")
    codes = r.texts(data["industries"], f"{path}.industries")
    titles = r.texts(data.get("titles"), f"{path}.titles")
    if not codes and not titles:
        raise r.fail(f"{path}.industries", "集群须列出行业代码或称号 (no industries and no titles)")
    known = industries()
    for i, code in enumerate(codes):
        if not (code.isdigit() and 2 <= len(code) <= 4 and code in known):
            raise r.fail(f"{path}.industries[{i}]", f"{code!r} 不是 GB/T 4754-2017 的大类/中类/小类代码")
    version = r.integer(data["version"], f"{path}.version")
    assert version is not None
    return Cluster(
        id=cid,
        name=r.req_text(data["name"], f"{path}.name"),
        group=r.req_text(data["group"], f"{path}.group"),
        level=r.text(data.get("level"), f"{path}.level", optional=True),
        industries=codes,
        titles=titles,
        reason=r.req_text(data["reason"], f"{path}.reason"),
        quote=r.req_text(data["quote"], f"{path}.quote"),
        version=version,
        pack_id=pack_id,
    )


def _task(r: Reader, raw: Any, path: str, pack_id: str) -> Task:
    data = r.mapping(raw, path, TASK_KEYS)
    due = None
    if data.get("due") is not None:
        due = r.year(data["due"], f"{path}.due")
    return Task(
        id=r.ident(data["id"], f"{path}.id"),
        name=r.req_text(data["name"], f"{path}.name"),
        lead_leader=r.text(data.get("lead_leader"), f"{path}.lead_leader", optional=True),
        lead_units=r.texts(data["lead_units"], f"{path}.lead_units"),
        partner_units=r.texts(data.get("partner_units"), f"{path}.partner_units"),
        due=due,
        quote=r.req_text(data["quote"], f"{path}.quote"),
        note=r.text(data.get("note"), f"{path}.note", optional=True),
        pack_id=pack_id,
    )


def _actual(r: Reader, raw: Any, path: str, indicators: Mapping[str, Indicator]) -> DocumentActual:
    data = r.mapping(raw, path, ACTUAL_KEYS)
    indicator = r.req_text(data["indicator"], f"{path}.indicator")
    if indicator not in indicators:
        raise r.fail(f"{path}.indicator", f"没有编号为 {indicator!r} 的指标 (no such indicator)")
    if not indicators[indicator].quantified:
        raise r.fail(f"{path}.indicator", f"{indicator} 是 qualitative 指标，不能有实绩数值")
    return DocumentActual(
        indicator=indicator,
        year=r.year(data["year"], f"{path}.year"),
        value=r.number(data["value"], f"{path}.value"),
        quote=r.req_text(data["quote"], f"{path}.quote"),
        note=r.text(data.get("note"), f"{path}.note", optional=True),
    )


def _unique(r: Reader, ids: list[str], path: str) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise r.fail(f"{path}[{i}].id", f"编号 {ident!r} 重复 (duplicate id)")
        seen.add(ident)


def _header(r: Reader, data: dict[str, Any], stem: str | None) -> dict[str, Any]:
    pack_id = r.ident(data["id"], "id")
    if stem is not None and stem != pack_id:
        raise r.fail("id", f"编号 {pack_id!r} 应与文件名 {stem!r} 相同 (id must equal the file name)")
    area = r.mapping(data["area"], "area", {"code": True, "name": True})
    code = r.req_text(area["code"], "area.code")
    if not (code.isdigit() and len(code) == 6):
        raise r.fail("area.code", f"{code!r} 不是 6 位 GB/T 2260 代码")
    period = r.mapping(data["period"], "period", {"start": True, "end": True})
    start, end = r.year(period["start"], "period.start"), r.year(period["end"], "period.end")
    if start > end:
        raise r.fail("period", f"起始年 {start} 晚于结束年 {end}")
    source = r.mapping(data["source"], "source", {"file": True, "title": True})
    version = r.integer(data["version"], "version")
    assert version is not None
    if version < 1:
        raise r.fail("version", "版本号从 1 开始 (version starts at 1)")
    return {
        "id": pack_id,
        "title": r.req_text(data["title"], "title"),
        "area_code": code,
        "area_name": r.req_text(area["name"], "area.name"),
        "period_start": start,
        "period_end": end,
        "baseline_year": r.year(data["baseline_year"], "baseline_year"),
        "source_file": r.req_text(source["file"], "source.file"),
        "source_title": r.req_text(source["title"], "source.title"),
        "version": version,
    }


def parse_pack(data: Any, file: str, *, stem: str | None = None) -> Pack:
    """Validate parsed YAML; `file` names it in errors, `stem` (the file name) must equal the id."""
    r = Reader(file)
    data = r.mapping(data, "", TOP_KEYS)
    head = _header(r, data, stem)
    raw_ind = r.items(data["indicators"], "indicators")
    indicators = [_indicator(r, v, f"indicators[{i}]", head) for i, v in enumerate(raw_ind)]
    _unique(r, [i.id for i in indicators], "indicators")
    by_id = {i.id: i for i in indicators}
    actuals = [
        _actual(r, v, f"actuals[{i}]", by_id) for i, v in enumerate(r.items(data.get("actuals"), "actuals"))
    ]
    seen: set[tuple[str, int]] = set()
    for i, a in enumerate(actuals):
        if (a.indicator, a.year) in seen:
            raise r.fail(f"actuals[{i}]", f"{a.indicator} {a.year} 年的实绩重复 (duplicate actual)")
        seen.add((a.indicator, a.year))
    raw_cl = r.items(data.get("clusters"), "clusters")
    clusters = [_cluster(r, v, f"clusters[{i}]", head["id"]) for i, v in enumerate(raw_cl)]
    _unique(r, [c.id for c in clusters], "clusters")
    tasks = [
        _task(r, v, f"tasks[{i}]", head["id"]) for i, v in enumerate(r.items(data.get("tasks"), "tasks"))
    ]
    _unique(r, [t.id for t in tasks], "tasks")
    own = {c.id for c in clusters}
    for i, ind in enumerate(indicators):
        ref = ind.concerns.cluster
        if ref and ref.partition("/")[0] == head["id"] and ref not in own:
            raise r.fail(f"indicators[{i}].concerns.cluster", f"本规划没有集群 {ref!r} (no such cluster)")
    return Pack(
        **head,
        indicators=tuple(indicators),
        actuals=tuple(actuals),
        clusters=tuple(clusters),
        tasks=tuple(tasks),
    )


def validate_pack_file(path: Path | str) -> Pack:
    """Load and check one pack file; raises PackError naming the file, the path and the reason."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(path.name, "", f"无法读取 (cannot read: {exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise PackError(path.name, "", f"YAML 格式错误 (invalid YAML: {exc})") from exc
    return parse_pack(data, path.name, stem=path.stem)


def check_pack_set(packs: list[Pack]) -> None:
    """Checks across packs: cluster ids unique, every concerns.cluster names an existing cluster."""
    clusters: dict[str, str] = {}
    for pack in packs:
        for i, cluster in enumerate(pack.clusters):
            if cluster.id in clusters:
                raise PackError(f"{pack.id}.yaml", f"clusters[{i}].id", f"集群 {cluster.id} 重复")
            clusters[cluster.id] = pack.id
    for pack in packs:
        for i, ind in enumerate(pack.indicators):
            ref = ind.concerns.cluster
            if ref and ref not in clusters:
                raise PackError(
                    f"{pack.id}.yaml",
                    f"indicators[{i}].concerns.cluster",
                    f"没有集群 {ref!r} (no such cluster)",
                )


def load_packs_from(directory: Path) -> list[Pack]:
    packs = [validate_pack_file(p) for p in sorted(directory.glob("*.yaml"))]
    seen: set[str] = set()
    for pack in packs:
        if pack.id in seen:
            raise PackError(f"{pack.id}.yaml", "id", f"规划编号 {pack.id} 重复")
        seen.add(pack.id)
    check_pack_set(packs)
    return packs


@cache
def _shipped() -> tuple[Pack, ...]:
    return tuple(load_packs_from(packs_dir()))


def load_packs() -> list[Pack]:
    """Every shipped pack, validated together (sorted by id)."""
    return list(_shipped())


def load_pack(pack_id: str) -> Pack:
    for pack in _shipped():
        if pack.id == pack_id:
            return pack
    known = ", ".join(p.id for p in _shipped()) or "none"
    raise ConfigurationError(f"没有规划 {pack_id!r} (no such plan; known: {known})")


def all_clusters() -> dict[str, Cluster]:
    return {c.id: c for p in _shipped() for c in p.clusters}
