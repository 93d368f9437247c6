"""Typed results of the evaluation services."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RunSummary:
    run_id: int | None
    year: int
    method: str
    method_version: int
    method_fingerprint: str
    input_hash: str
    engine: str
    status: str
    version: int
    enterprises: int
    grades: dict[str, int] = field(default_factory=dict)
    pools: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
