"""Typed results of the ingest services (what the CLI prints and the API will return)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RejectOut:
    row: int
    column: str | None
    value: str | None
    reason: str
    sheet: str | None = None  # the workbook sheet of `row` (None for a CSV)


@dataclass
class ImportResult:
    batch_id: int
    source: str
    template: str
    period: str
    file: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_skipped: int
    rejects: list[RejectOut] = field(default_factory=list)
    warnings: int = 0
    unchanged: bool = False
    superseded: list[int] = field(default_factory=list)
    action: str = "new"  # new, replace, supplement, keep (supersede.ACTION_NAMES), or unchanged
    note: str = ""  # why a replacing file was taken as a supplement
    batches: list[int] = field(default_factory=list)  # a file of several months: a batch per month

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
