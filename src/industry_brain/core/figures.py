"""One rule for a figure that comes from outside (a file's cell, a request's JSON): it is a
finite number. float() reads "NaN", "inf" and 1e309 without complaint, Python's json reads NaN
and Infinity, and PostgreSQL stores NaN where SQLite stores NULL; so every path that takes a
figure outside the departmental import (which checks the same in polars, ingest/checks.py)
passes it through finite_figure.
"""

from __future__ import annotations

import math
from typing import Any


def finite_figure(value: Any) -> float:
    """`value` as a float; ValueError with a Chinese reason when it is not a finite number."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"“{value}”不是数字") from None
    if math.isnan(number):
        raise ValueError(f"“{value}”不是数字")
    if math.isinf(number):
        raise ValueError(f"“{value}”超出数值范围（不是有限的数字）")
    return number
