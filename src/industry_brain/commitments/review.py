"""达产复核 as one set-based Ibis query: every commitment against the record's figures.

`review` joins the commitments table (one row per parcel: credit_code, parcel_id, area_mu,
review_date and one nullable `committed_<indicator>` column per INDICATORS key) to the record
table (credit_code and the policies FIELDS) and computes, per indicator, the actual value and
whether it passed, then the parcel's result:
  not_due  the review date is after the as-of date;
  unknown  a committed indicator's actual value cannot be computed (a figure is missing);
  breached an indicator failed;
  met      every committed indicator passed.
No loop over enterprises: the result is one expression, evaluated by whichever engine holds it.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from typing import Any

import ibis

from industry_brain.commitments.indicators import INDICATORS, actual, figures

RESULT_NAMES = {
    "met": "达到承诺",
    "breached": "未达承诺",
    "unknown": "数据不全，无法判定",
    "not_due": "未到复核期",
}


def review(commitments: Any, record: Any, as_of: dt.date) -> Any:
    """The review table: the commitment columns, `value_<k>`, `passed_<k>` per indicator and `result`."""
    joined = commitments.left_join(record, commitments.credit_code == record.credit_code)
    cols: dict[str, Any] = {}
    missing: list[Any] = []
    failed: list[Any] = []
    for k, ind in INDICATORS.items():  # a loop over the handful of indicators, not enterprises
        committed = joined[f"committed_{k}"]
        value = actual(ind, joined, joined.area_mu)
        ok = value >= committed if ind.op == ">=" else value <= committed
        cols[f"value_{k}"] = value
        cols[f"passed_{k}"] = ibis.ifelse(committed.isnull() | value.isnull(), ibis.null("boolean"), ok)
        missing.append(committed.notnull() & value.isnull())
        failed.append(committed.notnull() & value.notnull() & ~ok)
    any_missing = reduce(lambda a, b: a | b, missing)
    any_failed = reduce(lambda a, b: a | b, failed)
    result = ibis.cases(
        (joined.review_date > ibis.literal(as_of), "not_due"),
        (any_failed, "breached"),
        (any_missing, "unknown"),
        else_="met",
    )
    # the record's figures and year (the trace looks up each figure's source by year)
    used = sorted(({f for ind in INDICATORS.values() for f in figures(ind)} | {"year"}) & set(record.columns))
    keep = [joined[c] for c in commitments.columns] + [joined[f] for f in used]
    return joined.select(*keep, **cols, result=result)
