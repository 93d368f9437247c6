"""公示, 申诉 and 复核 of evaluation runs: publish a draft with a deadline, file appeals against a
figure, accept (a new run version from the corrected facts) or reject with a reason, finalize at
the deadline. docs/appeals.md describes the lifecycle in words.

A published, superseded or final run is never changed: its inputs, results, method snapshot and
hash stay as they were; only its status moves forward (published → superseded or final). The
flush guard (evaluation.guard) refuses any other change made through the ORM.

This module gathers the public names of the lifecycle, which live in:
  publication     publish, finalize_due, finalize_run
  appeals         appealable_fields, file_appeal
  review          review_appeal
  run_views       list_runs, run_info, list_appeals, standing
  verify          verify_run
  guard           install_guard (the before-flush guard)
  workflow_types  the result dataclasses
  workflow_common status names and the helpers the modules share
"""

from __future__ import annotations

from industry_brain.evaluation.appeals import FIELD_NAMES, NON_NEGATIVE, appealable_fields, file_appeal
from industry_brain.evaluation.guard import install_guard
from industry_brain.evaluation.publication import finalize_due, finalize_run, publish
from industry_brain.evaluation.review import review_appeal
from industry_brain.evaluation.run_views import list_appeals, list_runs, run_info, standing
from industry_brain.evaluation.verify import verify_run
from industry_brain.evaluation.workflow_common import APPEAL_STATUS_NAMES, STATUS_NAMES
from industry_brain.evaluation.workflow_types import (
    AppealInfo,
    FinalizeReport,
    ReviewOutcome,
    RunInfo,
    Standing,
    Verification,
)

__all__ = [
    "APPEAL_STATUS_NAMES",
    "FIELD_NAMES",
    "NON_NEGATIVE",
    "STATUS_NAMES",
    "AppealInfo",
    "FinalizeReport",
    "ReviewOutcome",
    "RunInfo",
    "Standing",
    "Verification",
    "appealable_fields",
    "file_appeal",
    "finalize_due",
    "finalize_run",
    "install_guard",
    "list_appeals",
    "list_runs",
    "publish",
    "review_appeal",
    "run_info",
    "standing",
    "verify_run",
]
