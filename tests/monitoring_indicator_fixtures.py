"""A hand-worked monthly panel for the area indicators (tests/test_monitoring_indicators.py and
the engine matrix). Figures in 万元 (electricity in 万千瓦时); the worked answers are in the tests.

| ent | town | class | scale 2024/2025 | Mar-24 out | Mar-25 out | 累计 Mar-24 | 累计 Mar-25 |
|-----|------|-------|-----------------|-----------:|-----------:|------------:|------------:|
| A   | T1   | 3444  | above / above   | 100        | 130        | 300         | 360         |
| B   | T1   | 1810  | above / above   | 200        | 180        | 600         | 560         |
| C   | T2   | 3670  | — / above       | —          | 50         | —           | 150         |
| D   | T2   | 3445  | above / —       | 80         | —          | 240         | —           |
| E   | T2   | 3444  | below / below   | 10         | 12         | (months)    | (months)    |

C is new in 2025 and D stopped reporting: neither is in the comparable set (同口径), which is
{A, B} above scale and {A, B, E} for all enterprises.
A's electricity Jan-Mar: 2024 10, 20, 30; 2025 12, 18, 33 (no 累计 column: 累计 is the sum).
E's output Jan-Mar: 2024 8, 9, 10; 2025 10, 11, 12.
"""

from __future__ import annotations

import polars as pl

from industry_brain.monitoring.engine import EXPLICIT_SCHEMA, PREFIX_SCHEMA, analytic_panel
from industry_brain.monitoring.panel import panel_frame

ENTS = {
    "A": ("T1", "3444"),
    "B": ("T1", "1810"),
    "C": ("T2", "3670"),
    "D": ("T2", "3445"),
    "E": ("T2", "3444"),
}


def _row(code: str, year: int, month_no: int, **figures) -> dict:
    town, industry = ENTS[code]
    return {
        "credit_code": code,
        "month": f"{year}-{month_no:02d}",
        "year": year,
        "month_no": month_no,
        "township_code": town,
        "industry_code": industry,
        **figures,
    }


def panel() -> pl.DataFrame:
    rows = []
    for year, elec in ((2024, (10.0, 20.0, 30.0)), (2025, (12.0, 18.0, 33.0))):
        for m, kwh in enumerate(elec, start=1):
            rows.append(_row("A", year, m, above_scale=1, electricity_wan_kwh=kwh))
    rows[2].update(output_wan=100.0, output_ytd_wan=300.0)
    rows[5].update(output_wan=130.0, output_ytd_wan=360.0)
    rows += [
        _row("B", 2024, 3, above_scale=1, output_wan=200.0, output_ytd_wan=600.0),
        _row("B", 2025, 3, above_scale=1, output_wan=180.0, output_ytd_wan=560.0),
        _row("C", 2025, 3, above_scale=1, output_wan=50.0, output_ytd_wan=150.0),
        _row("D", 2024, 3, above_scale=1, output_wan=80.0, output_ytd_wan=240.0),
    ]
    for year, outs in ((2024, (8.0, 9.0, 10.0)), (2025, (10.0, 11.0, 12.0))):
        for m, out in enumerate(outs, start=1):
            rows.append(_row("E", year, m, above_scale=0, output_wan=out))
    return analytic_panel(panel_frame(rows))


def prefixes() -> pl.DataFrame:
    """The cluster 气动 (every 344x class) and the 大类 34 and 18."""
    return pl.DataFrame(
        [("cluster", "pneu", "344"), ("division", "34", "34"), ("division", "18", "18")],
        schema=PREFIX_SCHEMA,
        orient="row",
    )


def explicit() -> pl.DataFrame:
    """A chain whose membership is listed: B and C."""
    return pl.DataFrame([("chain", "c1", "B"), ("chain", "c1", "C")], schema=EXPLICIT_SCHEMA, orient="row")
