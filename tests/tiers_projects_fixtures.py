"""A small hand-worked population for tiers and pools: 8 enterprises over 2022-2023 and their
titles. Every expected count in the tests is worked out by hand from these rows (see comments)."""

from __future__ import annotations

from typing import Any

import polars as pl

from industry_brain.evaluation.inputs import SCHEMA
from industry_brain.ingest.facts import FACT_COLUMNS

# (code, year, above_scale flag, revenue 万元, output 万元, rd 万元)
ROWS: list[tuple[str, int, int | None, float | None, float | None, float | None]] = [
    # E1 规上 by flag; output 9000 -> 12000 crosses 亿元: moves up above_scale -> output_1e8.
    # 2023 R&D 350 / revenue 8000 = 4.375% >= 4% (band 5000-20000): a high-tech seedling.
    ("E1", 2022, 1, 7000, 9000, 100),
    ("E1", 2023, 1, 8000, 12000, 350),
    # E2 flag missing: 规上 by revenue 2500 >= 2000; 15亿 -> 9亿: moves down output_1e9 -> output_1e8
    ("E2", 2022, None, 2500, 150000, 0),
    ("E2", 2023, None, 2500, 90000, 0),
    # E3 规下, revenue 1200 -> 1500 (+25%): a 小升规 candidate in 2023
    ("E3", 2022, 0, 1200, 1300, 0),
    ("E3", 2023, 0, 1500, 1600, 0),
    # E4 规下, revenue 1400 -> 1500 (+7.1%): not a candidate
    ("E4", 2022, 0, 1400, 1500, 0),
    ("E4", 2023, 0, 1500, 1550, 0),
    # E5 stats says not above scale although revenue 2100: the flag wins; +40%: a candidate
    ("E5", 2022, 0, 1500, 1500, 0),
    ("E5", 2023, 0, 2100, 2000, 0),
    # E6 规上 60亿 both years; 专精特新(省级, 2021); 单项冠军(国家级) in 2023
    ("E6", 2022, 1, 550000, 600000, 5000),
    ("E6", 2023, 1, 560000, 600000, 5000),
    # E7 规上 120亿; 高新技术企业 since 2020
    ("E7", 2022, 1, 1000000, 1200000, 30000),
    ("E7", 2023, 1, 1000000, 1200000, 30000),
    # E8 规下, R&D 100 / revenue 1800 = 5.6% >= 5% (band <= 5000): a high-tech seedling
    ("E8", 2022, 0, 1700, 1700, 90),
    ("E8", 2023, 0, 1800, 1800, 100),
]
TITLES: list[tuple[str, str, str | None, int]] = [
    ("E6", "专精特新", "省级", 2021),
    ("E6", "单项冠军", "国家级", 2023),
    ("E7", "高新技术企业", "国家级", 2020),
    ("E2", "小巨人", "国家级", 2022),
    ("E3", "专精特新", "市级", 2024),  # after 2023: not counted in 2023
    ("E1", "驰名商标", "国家级", 2019),  # not a tier title: ignored
]


def facts(codes: dict[str, str] | None = None) -> pl.DataFrame:
    """The rows as facts (FACT_COLUMNS); `codes` maps E1.. to real credit codes."""
    codes = codes or {}
    rows: list[dict[str, Any]] = []
    for code, year, flag, revenue, output, rd in ROWS:
        row: dict[str, Any] = {c: None for c in FACT_COLUMNS}
        row.update(
            credit_code=codes.get(code, code),
            name=f"企业{code}",
            industry_code="3444",
            year=year,
            above_scale=flag,
            revenue_wan=revenue,
            output_wan=output,
            rd_spend_wan=rd,
        )
        rows.append(row)
    return pl.DataFrame(rows, schema=SCHEMA)


def titles(codes: dict[str, str] | None = None) -> pl.DataFrame:
    codes = codes or {}
    return pl.DataFrame(
        [(codes.get(c, c), t, lv, y) for c, t, lv, y in TITLES],
        schema={
            "credit_code": pl.String,
            "title": pl.String,
            "title_level": pl.String,
            "title_year": pl.Int64,
        },
        orient="row",
    )
