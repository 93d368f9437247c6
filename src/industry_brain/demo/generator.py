"""The synthetic demo district: 奉化区-like departmental files, deterministic for a seed.

`generate` builds the district's enterprises (calibrated to seed 004 for 2020, see
calibration.py), moves them through the requested years, writes each department's files the
way departments send them (with a realistic share of imperfect rows, see imperfect.py) and
returns the files in import order with the true figures a perfect importer would store.
A manifest (manifest.json next to files/) records every injected imperfection.
"""

from __future__ import annotations

import json
import pathlib
import random
from dataclasses import dataclass

import polars

from industry_brain.demo import builders, imperfect, monthly, monthly_files, power, writers
from industry_brain.demo.builders import World
from industry_brain.demo.evolution import History, simulate
from industry_brain.demo.identity import Taken
from industry_brain.demo.population import (
    BASE_YEAR,
    Firm,
    above_scale_firms,
    assign_identity,
    base_established,
    below_scale_firms,
)
from industry_brain.demo.table import Table
from industry_brain.demo.titles import assign_titles
from industry_brain.demo.traits import (
    assign_land,
    assign_operations,
    assign_revenue_and_rd,
    assign_tax,
    assign_value_added,
)

DEFAULT_YEARS = (2020, 2021, 2022, 2023, 2024)
TRUTH_SCHEMA: dict[str, type[polars.DataType]] = {
    "credit_code": polars.String,
    "name": polars.String,
    "industry_code": polars.String,
    "year": polars.Int64,
    "above_scale": polars.Int64,
    "established": polars.String,
    "land_mu": polars.Float64,
    "rented_mu": polars.Float64,
    "tax_wan": polars.Float64,
    "value_added_wan": polars.Float64,
    "revenue_wan": polars.Float64,
    "output_wan": polars.Float64,
    "energy_tce": polars.Float64,
    "emission_t": polars.Float64,
    "employees": polars.Int64,
    "rd_spend_wan": polars.Float64,
    "electricity_wan_kwh": polars.Float64,
    "safety_accident": polars.Int64,
    "env_violation": polars.Int64,
}


@dataclass(frozen=True)
class DemoFile:
    path: pathlib.Path
    source: str  # template's source, e.g. "power"
    template: str  # template name, e.g. "power_accounts"
    period: str | None  # e.g. "2024" or None for snapshots (registry, titles, power_accounts)
    expected_rejects: int  # rows the generator made invalid on purpose


@dataclass(frozen=True)
class DemoDistrict:
    seed: int
    years: tuple[int, ...]
    files: tuple[DemoFile, ...]  # in import order: registry, power_accounts, then the rest
    enterprises: int  # distinct valid credit codes generated
    truth: polars.DataFrame  # one row per enterprise-year, true figures, canonical units


def _rng(seed: int, part: str) -> random.Random:
    return random.Random(f"industry-brain-demo:{seed}:{part}")


def _check_years(years: tuple[int, ...]) -> tuple[int, ...]:
    out = tuple(sorted(set(int(y) for y in years)))
    if not out or out[0] < BASE_YEAR or out[-1] > max(power.SPRING_FESTIVAL):
        raise ValueError(f"years must lie in {BASE_YEAR}..{max(power.SPRING_FESTIVAL)}: {years}")
    return out


def build_population(rng: random.Random, scale: float, taken: Taken) -> list[Firm]:
    """The base year's enterprises with all their traits, calibrated."""
    above = above_scale_firms(rng, scale)
    firms = above + below_scale_firms(rng, scale, len(above))
    for f in firms:
        assign_identity(rng, f, base_established(rng, f), taken.codes, taken.names)
    assign_land(rng, firms, taken.parcels)
    assign_value_added(rng, firms, scale)
    assign_revenue_and_rd(rng, firms, scale)
    assign_tax(rng, firms)
    for f in firms:
        assign_operations(rng, f, taken.accounts)
    return firms


def build_world(seed: int, years: tuple[int, ...], scale: float) -> World:
    taken = Taken()
    firms = build_population(_rng(seed, "population"), scale, taken)
    history = simulate(_rng(seed, "evolution"), firms, scale, years[-1], taken)
    original = power.readings(_rng(seed, "power"), firms, history, years)
    titles = assign_titles(_rng(seed, "titles"), firms, history, scale, years[-1])
    # The monitoring events change their enterprises' readings (monthly.py); the months'
    # shapes come from the readings before them.
    events = monthly.choose_events(_rng(seed, "monitoring"), firms, history, years)
    readings = monthly.apply_power(original, firms, events)
    mw = monthly.monthly_world(_rng(seed, "monitoring:export"), firms, events, original)
    return World(firms, history, readings, titles, years, mw)


def build_tables(world: World, seed: int) -> tuple[list[Table], list[dict[str, object]]]:
    """Every file of the district, in import order, with its imperfections injected."""
    rng = _rng(seed, "tables")
    tables = [builders.registry(world, rng), builders.power_accounts(world)]
    conflicts: list[dict[str, object]] = []
    for year in world.years:
        stats, found = builders.stats(world, year, rng)
        conflicts += found
        tables += [
            stats,
            builders.tax(world, year),
            builders.land(world, year),
            builders.environment(world, year),
            builders.safety(world, year),
            builders.power(world, year),
        ]
    tables.append(builders.titles(world))
    for t in tables:
        imperfect.inject(t, _rng(seed, f"imperfect:{t.stem}"))
    return tables + monthly_tables(world, seed), conflicts


def monthly_tables(world: World, seed: int) -> list[Table]:
    """The monthly reports, after every yearly file (the panel reads the yearly 规上 flag) and
    without injected imperfections: their injected faults are the monitoring events."""
    mw = world.monthly
    if mw is None:
        return []
    out: list[Table] = []
    for year in world.years:
        out.append(monthly_files.stats_monthly(world, mw, year, _rng(seed, f"stats-monthly:{year}")))
        out.append(monthly_files.tax_monthly(world, mw, year, _rng(seed, f"tax-monthly:{year}")))
    corrected, _ = monthly_files.corrected_month(world, out[-2], mw)
    out.append(corrected)
    return out


def truth_frame(world: World) -> polars.DataFrame:
    owner = {acc: f.idx for f in world.firms for acc, _ in f.accounts}
    rows = []
    for year in world.years:
        kwh: dict[int, int] = {}
        for acc, total in power.annual_by_account(world.readings[year]).items():
            kwh[owner[acc]] = kwh.get(owner[acc], 0) + total
        rows += _truth_rows(world.firms, world.history, year, kwh)
    frame = polars.DataFrame(rows, schema=TRUTH_SCHEMA, orient="row")
    return frame.sort("year", "credit_code")


def _truth_rows(
    firms: list[Firm], history: History, year: int, kwh: dict[int, int]
) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for f in firms:
        fy = history[year].get(f.idx)
        if fy is None:
            continue
        out.append(
            (
                f.code,
                f.name,
                f.industry,
                year,
                fy.above,
                f.established.isoformat(),
                fy.land,
                fy.rented,
                fy.tax,
                fy.value_added,
                fy.revenue,
                fy.output,
                fy.energy,
                fy.emission,
                fy.employees,
                fy.rd,
                round(kwh.get(f.idx, 0) / 1e4, 4),
                fy.accident,
                fy.violation,
            )
        )
    return out


def _manifest(
    directory: pathlib.Path,
    tables: list[Table],
    paths: list[pathlib.Path],
    world: World,
    seed: int,
    scale: float,
    conflicts: list[dict[str, object]],
) -> None:
    owner = {acc: f.code for f in world.firms for acc, _ in f.accounts}
    files = []
    for t, path in zip(tables, paths, strict=True):
        _, numbers = t.layout()
        acc = t.col("account_no")
        injected = [
            {
                "row": numbers[id(i.row)],
                "kind": i.kind,
                "column": i.column,
                "value": i.value,
                "reject": i.reject,
                "skipped": i.skipped,
                "account_no": None if acc is None else i.row[acc],
                "credit_code": i.credit_code or (None if acc is None else owner.get(str(i.row[acc]))),
            }
            for i in t.injections
        ]
        files.append(
            {
                "path": path.relative_to(directory).as_posix(),
                "source": t.source,
                "template": t.template,
                "period": t.period,
                "format": t.fmt,
                "header_row": t.header_row,
                "data_rows": len(t.rows),
                "expected_rejects": t.expected_rejects,
                "expected_skipped": t.expected_skipped,
                "headers": [c.header for c in t.columns],
                "injections": sorted(injected, key=lambda d: (d["row"], d["kind"])),
            }
        )
    manifest = {
        "seed": seed,
        "years": list(world.years),
        "scale": scale,
        "enterprises": len(world.firms),
        "files": files,
        "conflicts": conflicts,
        "titles": world.titles,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    (directory / "manifest.json").write_text(text + "\n", encoding="utf-8")


def generate(
    directory: pathlib.Path, *, seed: int = 2020, years: tuple[int, ...] = DEFAULT_YEARS, scale: float = 1.0
) -> DemoDistrict:
    """Write the demo district's files into `directory`/files and return what was written."""
    if scale <= 0:
        raise ValueError(f"scale must be positive: {scale}")
    years = _check_years(years)
    directory = pathlib.Path(directory)
    out = directory / "files"
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(seed, years, scale)
    tables, conflicts = build_tables(world, seed)
    paths = [writers.write(t, out) for t in tables]
    _manifest(directory, tables, paths, world, seed, scale, conflicts)
    if world.monthly is not None:
        monthly_files.write_events(directory, world, world.monthly)
    files = tuple(
        DemoFile(p, t.source, t.template, t.period, t.expected_rejects)
        for t, p in zip(tables, paths, strict=True)
    )
    return DemoDistrict(seed, years, files, len(world.firms), truth_frame(world))
