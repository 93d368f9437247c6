"""Typed results of the cluster services."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClusterInfo:
    """A cluster as its plan pack defines it."""

    id: str
    name: str
    group: str
    level: str | None
    industries: list[str]
    titles: list[str]
    reason: str
    quote: str
    version: int
    pack_id: str
    plan_version: int | None = None  # the version of the plan it was read from
    from_database: bool = True  # False: a shipped pack, read where there is no database

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LocationQuotient:
    """LQ = (region_value / region_total) / (reference_value / reference_total)."""

    measure: str
    reference: str  # the reference file's name, or the shipped reference's id
    region_value: float | None
    region_total: float | None
    reference_value: float | None
    reference_total: float | None
    reference_covered: bool
    lq: float | None
    source: str | None = None  # a shipped reference: the area and the document it quotes


@dataclass
class ClusterFigures:
    """One cluster's figures for a year (money in 亿元, growth and share as fractions)."""

    cluster: ClusterInfo
    year: int
    output: float
    value_added: float
    enterprises: int
    enterprises_above_scale: int
    output_previous: float | None
    growth: float | None
    share: float | None
    district_output: float
    location_quotient: LocationQuotient | None = None
    targets: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cluster_id"] = self.cluster.id
        data["name"] = self.cluster.name
        data["lq"] = self.location_quotient.lq if self.location_quotient else None
        return data
