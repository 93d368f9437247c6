"""The demo's 标准地 commitments: the land department's file for a handful of enterprises, written
as that department sends it, imported and reviewed the normal way (commitments.service), so
the 标准地承诺 page of a fresh demo shows parcels that met their commitments, parcels that fell
short (with the shortfall in words), one not yet due, and a breach already being rectified.

The committed values are set from each enterprise's own figures of the year reviewed: a
commitment that is met lies 15% on the right side of the actual value, a breached one 30% on
the wrong side, so the result does not hang on rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from industry_brain.core.db import transaction
from industry_brain.core.settings import Settings

HEADERS = [
    "地块编号",
    "统一社会信用代码",
    "面积（亩）",
    "投资强度（万元/亩）",
    "亩均产值（万元/亩）",
    "亩均税收（万元/亩）",
    "单位能耗（吨标准煤/万元）",
    "排放",
    "竣工日期",
    "投产日期",
    "达产复核日期",
    "违约责任",
]
# one pattern per parcel: which indicators fall short ("due" False: the review date is ahead)
PATTERN: list[dict[str, Any]] = [
    {"short": ()},
    {"short": ("tax_per_mu",)},
    {"short": ()},
    {"short": ("output_per_mu", "tax_per_mu")},
    {"short": ()},
    {"short": ("energy_per_wan",)},
    {"short": (), "due": False},
    {"short": ()},
]
CONSEQUENCES = "按差额比例退还土地出让优惠，三年内不得享受用地政策"


def _chosen(record: pl.DataFrame) -> pl.DataFrame:
    """Enterprises with output, tax and energy: the three largest of the township with the most
    enterprises (the demo's town account), then every fifth of the rest's largest."""
    usable = record.filter(
        (pl.col("output_wan") > 0) & (pl.col("tax_wan") > 0) & (pl.col("energy_tce") > 0)
    ).sort(["output_wan", "credit_code"], descending=[True, False])
    if usable.is_empty():
        return usable
    town = record.group_by("township_code").len().sort(["len", "township_code"], descending=[True, False])
    own = usable.filter(pl.col("township_code") == town["township_code"][0]).head(3)
    rest = usable.filter(~pl.col("credit_code").is_in(own["credit_code"].implode())).gather_every(5)
    return pl.concat([own, rest.head(len(PATTERN) - own.height)])


def _row(i: int, e: dict[str, Any], year: int) -> list[Any]:
    area = float(max(10, round(e["output_wan"] / (100 + 15 * i))))  # 亩均产值 of 100 to 205 万元
    actual = {
        "output_per_mu": e["output_wan"] / area,
        "tax_per_mu": e["tax_wan"] / area,
        "energy_per_wan": e["energy_tce"] / e["output_wan"],
    }
    short = PATTERN[i]["short"]
    committed = {}
    for k, v in actual.items():
        upward = k != "energy_per_wan"  # energy is committed as a ceiling
        factor = (1.3 if upward else 0.7) if k in short else (0.85 if upward else 1.15)
        # rounded to the indicator's decimals away from the actual value, so rounding never
        # turns a met commitment into a breach (energy per 万元 is a few hundredths)
        scale = 100 if k == "energy_per_wan" else 10
        away = math.ceil if factor > 1 else math.floor
        committed[k] = away(v * factor * scale) / scale
    due = dt.date(year + 1, 6, 30) if PATTERN[i].get("due", True) else dt.date(dt.date.today().year + 1, 6, 30)
    return [
        f"奉化标准地{year - 2}-{i + 1:02d}号",  # as the land contracts number them, in Chinese
        e["credit_code"],
        area,
        300,
        committed["output_per_mu"],
        committed["tax_per_mu"],
        committed["energy_per_wan"],
        "符合排污许可",
        f"{year - 1}-03-31",
        f"{year - 1}-06-30",
        due.isoformat(),
        CONSEQUENCES,
    ]


def _write(rows: list[list[Any]], path: Path) -> Path:
    from industry_brain.core.cells import XlsxCells, xlsx_workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    from industry_brain.demo.writers import FIXED_TIME

    book = xlsx_workbook(path)
    # a fixed creation time: the same seed builds the same bytes (test_demo_end_to_end)
    book.set_properties({"created": FIXED_TIME, "title": path.stem, "author": "奉化区"})
    cells = XlsxCells(book)
    ws = book.add_worksheet("标准地承诺")
    cells.write_row(ws, 0, 0, HEADERS)
    for i, row in enumerate(rows, start=1):
        cells.write_row(ws, i, 0, row)
    book.close()
    return path


def load_commitments(engine: Engine, settings: Settings, *, files: Path, year: int) -> dict[str, Any]:
    """Write the land department's file for `year`'s figures, import it, review it as of today
    and record a 整改 step on the first breach; what it made, for the demo's summary."""
    from industry_brain.commitments.service import import_commitments, rectify, reviews, run_review
    from industry_brain.core.scope import Scope
    from industry_brain.policies.record import record_of

    with transaction(engine) as session:
        chosen = _chosen(record_of(session, year=year))
    if chosen.is_empty():
        return {"commitments": 0}
    path = _write([_row(i, e, year) for i, e in enumerate(chosen.to_dicts())], files / "标准地承诺_自然资源.xlsx")
    today = dt.date.today()
    with transaction(engine) as session:
        import_commitments(session, path=path, settings=settings, by="demo")
        run_review(session, as_of=today, year=year, by="demo")
        got = reviews(session, scope=Scope.system())
        breach = next((r for r in got if r["result"] == "breached"), None)
        if breach is not None:
            rectify(
                session,
                review_id=breach["id"],
                state="in_progress",
                scope=Scope.system(),
                deadline=today + dt.timedelta(days=90),
                note="企业已提交增资扩产方案",
                by="demo",
            )
    results = [r["result"] for r in got]
    return {
        "commitments": len(got),
        "commitments_file": str(path),
        "commitment_results": {k: results.count(k) for k in sorted(set(results))},
    }
