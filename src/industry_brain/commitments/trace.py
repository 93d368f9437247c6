"""The trace of a 达产复核, as data, in the shape of the policies trace (policies/trace.py).

Each committed indicator: its name, unit, the enterprise's value, the committed (required)
value, passed, where each figure came from (the same `Source` map policies reads: batch, file,
row per (credit_code, year, field)), and for a breach the shortfall in words. An unknown names
the missing figure and the department that holds it. Nothing is recomputed: the values are
the review row's columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from industry_brain.commitments.indicators import INDICATORS, figures, shortfall
from industry_brain.commitments.review import RESULT_NAMES
from industry_brain.policies.fields import FIELDS
from industry_brain.policies.trace import Source


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def indicator_entries(row: Mapping[str, Any], sources: Source | None = None) -> list[dict[str, Any]]:
    out = []
    for k, ind in INDICATORS.items():
        required = _num(row.get(f"committed_{k}"))
        if required is None:
            continue
        value = _num(row.get(f"value_{k}"))
        passed = row.get(f"passed_{k}")
        passed = None if value is None else bool(passed)
        found = []
        for f in figures(ind):
            where = (sources or {}).get((row["credit_code"], int(row.get("year") or 0), f))
            if where is not None:
                found.append({"field": f, **where})
        entry: dict[str, Any] = {
            "indicator": k,
            "name": ind.name,
            "unit": ind.unit,
            "op": ind.op,
            "value": value,
            "required": required,
            "passed": passed,
            "source": found,
        }
        if passed is False and value is not None:
            entry["shortfall"] = shortfall(ind, value, required)
        if value is None:
            entry["missing"] = [
                {"field": f, "name": FIELDS[f].name, "department": FIELDS[f].holder}
                for f in figures(ind)
                if _num(row.get(f)) is None
            ]
        out.append(entry)
    return out


def parcel_trace(row: Mapping[str, Any], sources: Source | None = None) -> dict[str, Any]:
    result = str(row["result"])
    return {
        "parcel_id": row["parcel_id"],
        "credit_code": row["credit_code"],
        "result": result,
        "result_name": RESULT_NAMES[result],
        "indicators": indicator_entries(row, sources) if result != "not_due" else [],
    }
