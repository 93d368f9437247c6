"""What the 公示/申诉/复核 services return: a run's and an appeal's metadata, an enterprise's
standing in a run, the outcome of a review, of a finalize pass and of a verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RunInfo:
    run_id: int
    year: int
    method: str
    method_version: int
    method_fingerprint: str
    input_hash: str
    input_source: str
    engine: str
    status: str
    version: int
    parent_id: int | None
    superseded_by: int | None
    enterprises: int
    created_at: dt.datetime
    created_by: str | None
    published_at: dt.datetime | None
    deadline: dt.date | None
    finalized_at: dt.datetime | None
    pending_appeals: int
    grades: dict[str, int] = field(default_factory=dict)
    pools: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("created_at", "published_at", "finalized_at", "deadline"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data


@dataclass
class AppealInfo:
    appeal_id: int
    run_id: int
    run_version: int
    credit_code: str
    name: str | None
    field: str
    current_value: float | None
    claimed_value: float | None
    statement: str
    filed_by: str
    filed_at: dt.datetime
    status: str
    reviewer: str | None
    reviewed_at: dt.datetime | None
    review_reason: str | None
    new_run_id: int | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("filed_at", "reviewed_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data


@dataclass
class Standing:
    """An enterprise's place in one run."""

    run_id: int
    pool: str
    grade: str
    score: float | None
    rank: int | None


@dataclass
class ReviewOutcome:
    appeal: AppealInfo
    new_run: RunInfo | None = None
    before: Standing | None = None
    after: Standing | None = None
    carried_over: list[int] = field(default_factory=list)
    correction_batch_id: int | None = None  # the batch that corrected the enterprise record

    def to_json(self) -> dict[str, Any]:
        return {
            "appeal": self.appeal.to_json(),
            "new_run": self.new_run.to_json() if self.new_run else None,
            "before": asdict(self.before) if self.before else None,
            "after": asdict(self.after) if self.after else None,
            "carried_over": self.carried_over,
            "correction_batch_id": self.correction_batch_id,
        }


@dataclass
class FinalizeReport:
    today: dt.date
    finalized: list[int] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)  # run_id, deadline, pending appeal ids

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "finalized": self.finalized,
            "blocked": [{**b, "deadline": b["deadline"].isoformat()} for b in self.blocked],
        }


@dataclass
class Verification:
    run_id: int
    inputs_match: bool
    results_match: bool
    differences: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
