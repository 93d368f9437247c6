"""Corrections that do not come from a department's file: an accepted 申诉 (appeal).

An accepted appeal changes the enterprise record, not only the evaluation run it was filed
against: otherwise the next run of the same year, resolved from the record again, would bring
the disputed figure back. A correction is an import batch of its own, source ``appeal``, with one
record holding one figure. It ranks above every department for that figure (the reviewer has
already weighed the department's figure against the enterprise's evidence), and the department's
figure stays in history and shows in `conflicts` beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy.orm import Session

from industry_brain.ingest.models import ImportBatch, Record

CORRECTION_SOURCE = "appeal"
CORRECTION_TEMPLATE = "appeal_correction"


def record_correction(
    session: Session,
    *,
    credit_code: str,
    year: int,
    field: str,
    value: float,
    by: str,
    reference: str,
) -> int:
    """Write one corrected figure for (credit_code, year) as its own batch; returns the batch id.

    `reference` names what decided the correction (e.g. "申诉 #12，评价批次 5") and is kept as the
    batch's file name, so `industry-brain batches` shows where the figure came from."""
    column = getattr(Record, field, None)
    if column is None or field in ("credit_code", "name", "period", "row", "batch_id"):
        raise ValueError(f"{field} is not a figure of the record")
    digest = hashlib.sha256(json.dumps([credit_code, year, field, value, reference]).encode()).hexdigest()
    batch = ImportBatch(
        source=CORRECTION_SOURCE,
        template=CORRECTION_TEMPLATE,
        period=str(year),
        status="active",
        supplement=1,
        file_name=reference[:500],
        file_sha256=digest,
        file_bytes=0,
        sheet=None,
        header_row=0,
        columns=json.dumps([field]),
        rows_read=1,
        rows_accepted=1,
        rows_rejected=0,
        rows_skipped=0,
        warnings=0,
        imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        imported_by=by,
    )
    session.add(batch)
    session.flush()
    record = Record(batch_id=batch.id, row=1, period=str(year), credit_code=credit_code)
    is_count = field in ("above_scale", "safety_accident", "env_violation")
    setattr(record, field, int(value) if is_count else value)
    session.add(record)
    session.flush()
    return batch.id
