"""The demo's monthly files: the statistics bureau's 快报 and the tax bureau's 入库税金 for each
year (all months of the year in one file, as the bureaus send the year so far), a corrected
month, and the events' ground truth (monitoring_events.csv). Which year gives only 累计 is
fixed by the year's position, so docs/demo.md can say it: the second and fourth years' 快报
carry 本年累计 only (the months are derived on import); the last year's tax file carries
累计 beside 当月.
"""

from __future__ import annotations

import csv
import random
from itertools import accumulate
from pathlib import Path

from industry_brain.demo.builders import DISTRICT, World, rows_of, std
from industry_brain.demo.evolution import FirmYear
from industry_brain.demo.monthly import (
    EVENT_KINDS,
    EVENTS_FILE,
    SAMPLE_BELOW_REVENUE,
    MonthlyWorld,
    firm_months,
)
from industry_brain.demo.population import Firm
from industry_brain.demo.power import spring_festival_month
from industry_brain.demo.table import Cell, Column, Row, Table

CORRECTED_MONTH = 3  # the last year's March 快报 is sent again, corrected
CORRECTED_FIRMS = 3


def ytd_only(years: tuple[int, ...], year: int) -> bool:
    return years.index(year) in (1, 3)


def _col(name: str) -> Column:
    return std(name, decimals=2)


def _listed(world: World, mw: MonthlyWorld, year: int) -> list[tuple[Firm, FirmYear, bool]]:
    """(firm, figures, above) of the 月报: the year's above-scale enterprises and the 规下样本."""
    crossing = {e.credit_code for e in mw.events if e.kind == "enter_scale" and e.year == year}
    out = []
    for f, fy in rows_of(world, year):
        if fy.above:
            out.append((f, fy, True))
        elif fy.revenue >= SAMPLE_BELOW_REVENUE or f.code in crossing:
            out.append((f, fy, False))
    return out


def stats_rows(world: World, mw: MonthlyWorld, year: int, rng: random.Random) -> list[Row]:
    """credit_code, name, month, above, output, output_ytd, sales, sales_ytd, export, export_ytd,
    employees — every listed enterprise's months, 累计 summed before rounding."""
    rows: list[Row] = []
    for f, fy, above in _listed(world, mw, year):
        months = firm_months(mw, rng, f, fy, year)
        share = mw.export_share.get(f.idx, 0.0)
        outputs = [m[1] for m in months]
        sales = [m[2] for m in months]
        exports = [s * share for s in sales]
        for k, (m, *_rest) in enumerate(months):
            rows.append(
                [
                    f.code,
                    f.name,
                    f"{year}-{m:02d}",
                    "是" if above else "否",
                    outputs[k],
                    sum(outputs[: k + 1]),
                    sales[k],
                    sum(sales[: k + 1]),
                    exports[k],
                    sum(exports[: k + 1]),
                    fy.employees,
                ]
            )
    return rows


def stats_monthly(world: World, mw: MonthlyWorld, year: int, rng: random.Random) -> Table:
    only_ytd = ytd_only(world.years, year)
    columns = [std("credit_code"), std("name"), std("month"), std("above_scale")]
    pairs = [
        ("output_wan", "output_ytd_wan"),
        ("sales_wan", "sales_ytd_wan"),
        ("export_wan", "export_ytd_wan"),
    ]
    for month, ytd in pairs:
        columns += [_col(ytd)] if only_ytd else [_col(month), _col(ytd)]
    columns.append(std("employees", decimals=0))
    keep = [0, 1, 2, 3] + ([5, 7, 9] if only_ytd else [4, 5, 6, 7, 8, 9]) + [10]
    rows: list[Row] = []
    for r in stats_rows(world, mw, year, rng):
        rows.append([_rounded(r[i]) for i in keep])
    rows.sort(key=lambda r: (str(r[2]), str(r[0])))
    titles = [f"{DISTRICT}规模以上工业企业月度快报（{year}年1-12月）", "单位：万元、人"]
    return Table(
        f"{year}_stats-monthly_规模以上工业企业月度快报",
        "stats-monthly",
        "stats-monthly",
        str(year),
        "xlsx",
        titles,
        columns,
        rows,
    )


def _rounded(v: Cell) -> Cell:
    return round(v, 2) if isinstance(v, float) else v


def tax_monthly(world: World, mw: MonthlyWorld, year: int, rng: random.Random) -> Table:
    with_ytd = year == world.years[-1]
    columns = [std("credit_code"), std("name"), std("month"), _col("tax_wan")]
    if with_ytd:
        columns.append(_col("tax_ytd_wan"))
    rows: list[Row] = []
    # the enterprises the district follows month by month: those of the 快报 (a list of every
    # taxpayer would triple the demo's import for no alert)
    for f, fy, _ in _listed(world, mw, year):
        months = firm_months(mw, rng, f, fy, year)
        taxes = [round(m[3], 2) for m in months]
        for (m, *_rest), tax, ytd in zip(months, taxes, accumulate(taxes), strict=True):
            row: Row = [f.code, f.name, f"{year}-{m:02d}", tax]
            rows.append([*row, round(ytd, 2)] if with_ytd else row)
    rows.sort(key=lambda r: (str(r[2]), str(r[0])))
    return Table(
        f"{year}_tax-monthly_企业月度入库税金",
        "tax-monthly",
        "tax-monthly",
        str(year),
        "csv",
        [f"{DISTRICT}企业入库税金（{year}年，按月）"],
        columns,
        rows,
    )


def corrected_month(world: World, stats: Table, mw: MonthlyWorld) -> tuple[Table, list[str]]:
    """The last year's March 快报 sent again: three enterprises' March output corrected down by
    a tenth of the month (当月 and 累计 alike, so no 累计 goes down); every other row as before.
    It supersedes that month's batch only. Returns the table and the enterprises corrected."""
    year = world.years[-1]
    month = f"{year}-{CORRECTED_MONTH:02d}"
    at = {c.field: i for i, c in enumerate(stats.columns)}
    busy = {e.credit_code for e in mw.events}
    rows = [list(r) for r in stats.rows if r[at["month"]] == month]
    changed = [r for r in rows if r[0] not in busy and r[at["above_scale"]] == "是"][:CORRECTED_FIRMS]
    for r in changed:
        ytd = float(r[at["output_ytd_wan"]])  # type: ignore[arg-type]
        cut = 0.1 * float(r[at["output_wan"]]) if "output_wan" in at else 0.01 * ytd  # type: ignore[arg-type]
        r[at["output_ytd_wan"]] = round(ytd - cut, 2)
        if "output_wan" in at:
            r[at["output_wan"]] = round(float(r[at["output_wan"]]) - cut, 2)  # type: ignore[arg-type]
    table = Table(
        f"{year}_stats-monthly_规模以上工业企业月度快报_{CORRECTED_MONTH}月更正",
        "stats-monthly",
        "stats-monthly",
        month,
        "xlsx",
        [f"{DISTRICT}规模以上工业企业月度快报（{year}年{CORRECTED_MONTH}月，更正）"],
        list(stats.columns),
        rows,
    )
    return table, [str(r[0]) for r in changed]


def write_events(directory: Path, world: World, mw: MonthlyWorld) -> Path:
    """monitoring_events.csv: credit_code, name, kind, kind_name, first_month, last_month —
    one row per injected event, and one per year for the Spring Festival month (no enterprise)."""
    path = directory / EVENTS_FILE
    rows = [
        [e.credit_code, e.name, e.kind, EVENT_KINDS[e.kind], e.first_month, e.last_month]
        for e in sorted(mw.events, key=lambda e: (e.first_month, e.kind, e.credit_code))
    ]
    for year in world.years:
        month = f"{year}-{spring_festival_month(year):02d}"
        rows.append(["", "", "spring_festival", EVENT_KINDS["spring_festival"], month, month])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["credit_code", "name", "kind", "kind_name", "first_month", "last_month"])
        writer.writerows(rows)
    return path
