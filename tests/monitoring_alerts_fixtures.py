"""Hand-worked monthly panels for the alert rules (the PANEL.md contract's shape)."""

from __future__ import annotations

from typing import Any

import polars as pl

from industry_brain.monitoring.panel import panel_frame

TOWN = "330213001"


def panel(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A panel from partial rows (monitoring.panel.panel_frame), in one township and industry."""
    return panel_frame([{"township_code": TOWN, "industry_code": "3484", **r} for r in rows])


def months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def power_series(code: str, values: dict[str, float | None], batch: int = 7) -> list[dict[str, Any]]:
    """Power readings of one enterprise, each month's row number its position in the file."""
    return [
        {
            "credit_code": code,
            "month": m,
            "electricity_wan_kwh": v,
            "power_batch_id": batch,
            "power_row": i + 2,
        }
        for i, (m, v) in enumerate(values.items())
    ]
