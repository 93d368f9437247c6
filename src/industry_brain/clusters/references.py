"""Shipped reference areas for the cluster location quotient, named by id (`--reference
ningbo-2020`): a wider area's published figures by cluster, each quoting the plan document it
comes from, as the plan packs do (clusters/references/*.yaml; docs/clusters.md).

A shipped reference is at cluster level: the published figures name a cluster (新材料), not a
list of GB/T 4754 codes, so the quotient is the cluster's share of the district's output over
its share of the reference area's, both as published or computed, never split by class.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from industry_brain.clusters.schemas import LocationQuotient
from industry_brain.core.errors import ConfigurationError

TOTAL = "total"
_KEYS = {"id", "area", "measure", "unit", "source", "notes", "figures", "not_used"}
_FIGURE_KEYS = {"year", "cluster", "value", "quote"}


@dataclass(frozen=True)
class Figure:
    year: int
    cluster: str  # a cluster id, or `total` for the area's total
    value: float
    quote: str  # verbatim from the seed


@dataclass(frozen=True)
class AreaReference:
    id: str
    area: str
    measure: str  # a clusters.analytics.MEASURES key
    unit: str
    source: dict[str, str]
    notes: str
    figures: tuple[Figure, ...]
    not_used: tuple[dict[str, str], ...]

    def value(self, cluster: str, year: int) -> float | None:
        found = [f.value for f in self.figures if f.cluster == cluster and f.year == year]
        return found[0] if found else None

    def covers(self) -> list[str]:
        return sorted({f.cluster for f in self.figures if f.cluster != TOTAL})

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def references_dir() -> Path:
    return Path(str(resources.files("industry_brain.clusters") / "references"))


def load_reference_file(path: Path) -> AreaReference:
    """A reference file, checked; refused naming the file, the entry and the reason."""
    from industry_brain.clusters.analytics import MEASURES

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: 应为映射 (a mapping)")
    problems = [f"{where}: 未知字段 {k}" for k in sorted(set(raw) - _KEYS)]
    problems += [f"{where}: 缺少字段 {k}" for k in sorted(_KEYS - {"notes", "not_used"} - set(raw))]
    if raw.get("id") != path.stem:
        problems.append(f"{where}: id “{raw.get('id')}”应与文件名相同")
    if raw.get("measure") not in MEASURES:
        problems.append(f"{where}: measure “{raw.get('measure')}”应为 {', '.join(MEASURES)} 之一")
    figures = []
    for i, f in enumerate(raw.get("figures") or []):
        at = f"{where}: figures[{i}]"
        if not isinstance(f, dict) or set(f) != _FIGURE_KEYS:
            problems.append(f"{at}: 应有且只有 {', '.join(sorted(_FIGURE_KEYS))}")
            continue
        if not isinstance(f["year"], int) or not isinstance(f["value"], int | float) or f["value"] <= 0:
            problems.append(f"{at}: year 应为整数，value 应为正数")
            continue
        figures.append(Figure(f["year"], str(f["cluster"]), float(f["value"]), str(f["quote"])))
    seen = [(f.cluster, f.year) for f in figures]
    problems += [f"{where}: {c} {y} 年重复" for c, y in sorted(set(seen)) if seen.count((c, y)) > 1]
    if problems:
        raise ConfigurationError("；".join(problems))
    return AreaReference(
        id=raw["id"],
        area=str(raw["area"]),
        measure=raw["measure"],
        unit=str(raw["unit"]),
        source={k: str(v) for k, v in (raw.get("source") or {}).items()},
        notes=str(raw.get("notes") or ""),
        figures=tuple(figures),
        not_used=tuple({k: str(v) for k, v in n.items()} for n in raw.get("not_used") or []),
    )


@cache
def shipped_references() -> tuple[AreaReference, ...]:
    return tuple(load_reference_file(p) for p in sorted(references_dir().glob("*.yaml")))


def shipped_reference(name: str) -> AreaReference | None:
    """The shipped reference named `name`, or None (then `name` is a file's path)."""
    return next((r for r in shipped_references() if r.id == name), None)


def cluster_lq(
    ref: AreaReference,
    *,
    cluster_id: str,
    year: int,
    measure: str,
    region_value: float,
    region_total: float | None,
) -> tuple[LocationQuotient, str | None]:
    """LQ = (region_value / region_total) / (E_c / E) with E_c, E the reference's published
    figures for the cluster and the total in `year`; null with the reason when one is missing."""
    if measure != ref.measure:
        raise ConfigurationError(
            f"参照 {ref.id} 的口径是 {ref.measure}，不能用于 --measure {measure}（会比较不同的量）"
        )
    big_e_c, big_e = ref.value(cluster_id, year), ref.value(TOTAL, year)
    lq = LocationQuotient(
        measure, ref.id, region_value, region_total, big_e_c, big_e, big_e_c is not None, None,
        source=f"{ref.area}，{ref.source.get('document', '')}（{ref.source.get('seed', '')}）",
    )  # fmt: skip
    if big_e_c is None or big_e is None:
        years = sorted({f.year for f in ref.figures if f.cluster == cluster_id})
        if not years:
            return (
                lq,
                f"参照 {ref.id}（{ref.area}）没有集群 {cluster_id} 的数据；它只有：{'、'.join(ref.covers())}",
            )
        return lq, f"参照 {ref.id} 只有 {'、'.join(map(str, years))} 年的 {cluster_id} 数据，没有 {year} 年"
    if not region_total:
        return lq, "本区（或可见范围）规上产值为零，区位熵无法计算"
    lq.lq = (region_value / region_total) / (big_e_c / big_e)
    return lq, None
