"""The demo district year by year: growth, new enterprises, closures, land, incidents.

The base year (2020) is the calibrated population; each later year grows every enterprise by
the district's rate, its group's drift and its own, adds new enterprises (some of them large
investment projects that soon cross the above-scale line) and closes a few small ones.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from industry_brain.demo import identity
from industry_brain.demo.clusters import GROUP_BY_KEY, GROUPS
from industry_brain.demo.population import (
    ABOVE_SCALE_REVENUE,
    BANDS,
    BASE_YEAR,
    DIRTY_CLASSES,
    Firm,
    Parcel,
    assign_identity,
    lognormal,
)
from industry_brain.demo.traits import (
    TAX_REVENUE_CAP,
    TAX_VA_CAP,
    TCE_PER_WAN_KWH,
    VA_RATE_CAP,
    VA_REVENUE_CAP,
    assign_operations,
    split_parcels,
)

# District-wide growth of output per year (2021 is the rebound after 2020); later years 6%.
GROWTH = {2021: 1.17, 2022: 1.06, 2023: 1.05, 2024: 1.08}
DEFAULT_GROWTH = 1.06
ENTRANTS_PER_YEAR = 48  # at scale 1
EXIT_BELOW, EXIT_ABOVE = 0.018, 0.003
ACCIDENT_RATE, VIOLATION_RATE = 0.003, 0.008
# Yearly growth noise (lognormal sigma): large, other above-scale, below-scale enterprises.
SIGMA_BIG, SIGMA_ABOVE, SIGMA_BELOW = 0.05, 0.16, 0.10
RISK = {"other": 2.5, "materials": 2.0, "auto": 1.5, "equipment": 1.5, "apparel": 1.2}


@dataclass(frozen=True)
class FirmYear:
    """One enterprise's intended figures for one year (canonical units)."""

    output: float
    revenue: float
    value_added: float
    tax: float
    rd: float
    employees: int
    energy: float
    emission: float
    electricity: float  # intended annual 万千瓦时 (the power files' monthly sum wins)
    parcels: tuple[Parcel, ...]
    rented: float
    accident: int
    violation: int

    @property
    def above(self) -> int:
        return int(self.revenue >= ABOVE_SCALE_REVENUE)

    @property
    def land(self) -> float:
        return round(sum(p.area for p in self.parcels), 2)


History = dict[int, dict[int, FirmYear]]  # year -> firm idx -> figures


def active(f: Firm, year: int) -> bool:
    return f.established.year <= year and (f.exit_year is None or year < f.exit_year)


def snapshot(rng: random.Random, f: Firm, year: int) -> FirmYear:
    revenue = round(f.output * f.r, 2)
    va = min(f.output * f.va_rate, VA_REVENUE_CAP * revenue)
    electricity = f.output * f.elec
    energy = electricity * TCE_PER_WAN_KWH * f.energy_mult
    risk = RISK.get(f.group, 1.0)
    dirty = 2.0 if f.industry in DIRTY_CLASSES else 1.0
    return FirmYear(
        output=round(f.output, 2),
        revenue=revenue,
        value_added=round(va, 2),
        tax=round(min(va * f.tax_rate, TAX_VA_CAP * va, TAX_REVENUE_CAP * revenue), 2),
        rd=round(revenue * f.rd_intensity, 2),
        employees=f.employees,
        energy=round(energy, 2),
        emission=round(energy * f.emission_rate * 0.97 ** (year - BASE_YEAR), 3),
        electricity=electricity,
        parcels=tuple(f.parcels),
        rented=round(f.rented, 2),
        accident=int(rng.random() < ACCIDENT_RATE * risk),
        violation=int(rng.random() < VIOLATION_RATE * risk * dirty),
    )


def grow(rng: random.Random, f: Firm, year: int, taken: identity.Taken) -> None:
    """Move an enterprise's traits from year-1 to `year`."""
    big = f.output >= BANDS["5"][0]
    above = f.r * f.output >= ABOVE_SCALE_REVENUE
    sigma = SIGMA_BIG if big else (SIGMA_ABOVE if above else SIGMA_BELOW)
    boost = 0.25 if year <= f.boost_until else 0.0
    g = (
        GROWTH.get(year, DEFAULT_GROWTH)
        * lognormal(rng, sigma)
        * (1 + GROUP_BY_KEY[f.group].drift + f.drift + boost)
    )
    if f.established.year == year - 1:
        g *= 12 / (13 - f.established.month)  # the first year was part of a year
    old = f.output
    f.output = max(f.output * g, 5.0)
    f.r = min(max(f.r + rng.gauss(0.0, 0.01), 0.7), 1.05)
    f.va_rate = min(max(f.va_rate * lognormal(rng, 0.03), 0.08), VA_RATE_CAP)
    f.tax_rate *= lognormal(rng, 0.12)
    if f.rd_intensity > 0:
        f.rd_intensity = min(f.rd_intensity * 1.03 * lognormal(rng, 0.08), 0.15)
    elif f.output * f.r >= ABOVE_SCALE_REVENUE and rng.random() < 0.05:
        f.rd_intensity = rng.uniform(0.01, 0.04)
    f.elec *= 0.985 * lognormal(rng, 0.05)
    f.employees = max(3, round(f.employees * (f.output / old) ** 0.4 * lognormal(rng, 0.03)))
    _land_change(rng, f, year, taken)


def _land_change(rng: random.Random, f: Firm, year: int, taken: identity.Taken) -> None:
    u = rng.random()
    if f.parcels and u < 0.03:
        area = max(1.5, f.used_land * rng.uniform(0.15, 0.45))
        split_parcels(rng, f, area, year, year, taken.parcels)
    elif not f.parcels and u < 0.02:
        split_parcels(rng, f, max(f.rented * 1.2, 2.0), year, year, taken.parcels)
        f.rented = 0.0
    elif f.rented and u < 0.07:
        f.rented = round(f.rented * rng.uniform(0.8, 1.5), 2)


def entrant(rng: random.Random, idx: int, year: int, taken: identity.Taken) -> Firm:
    """A new enterprise established in `year`; 15% are investment projects of some size."""
    group = rng.choices([g.key for g in GROUPS], weights=[g.count_weight for g in GROUPS])[0]
    big = rng.random() < 0.15
    annual = rng.uniform(1500, 15000) if big else rng.uniform(100, 1500)
    established = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    r = min(max(rng.gauss(0.95, 0.04), 0.85), 1.05)
    part = (13 - established.month) / 12
    f = Firm(idx, group, round(annual * part / r, 2), r, annual >= ABOVE_SCALE_REVENUE)
    assign_identity(rng, f, established, taken.codes, taken.names)
    f.va_rate = rng.uniform(0.2, 0.32)
    f.tax_rate = min(max(0.012 * lognormal(rng, 0.6), 0.0005), 0.05) * r / f.va_rate
    f.rd_intensity = rng.uniform(0.01, 0.05) if rng.random() < 0.25 else 0.0
    if rng.random() < 0.45 and not big:
        f.rented = round(rng.uniform(0.8, 4.0), 2)
    else:
        area = (3 + annual / 300) * lognormal(rng, 0.4)
        split_parcels(rng, f, area, year, year, taken.parcels)
    assign_operations(rng, f, taken.accounts)
    f.boost_until = year + 2 if big else 0
    return f


def simulate(
    rng: random.Random, firms: list[Firm], scale: float, last_year: int, taken: identity.Taken
) -> History:
    """Figures of every active enterprise for BASE_YEAR..last_year; appends entrants to
    `firms` and sets exit years."""
    history: History = {BASE_YEAR: {f.idx: snapshot(rng, f, BASE_YEAR) for f in firms}}
    for year in range(BASE_YEAR + 1, last_year + 1):
        for f in firms:
            if not active(f, year - 1):
                continue
            above = f.output * f.r >= ABOVE_SCALE_REVENUE
            small = f.output < BANDS["5"][0]
            if small and rng.random() < (EXIT_ABOVE if above else EXIT_BELOW):
                f.exit_year = year
            else:
                grow(rng, f, year, taken)
        expected = ENTRANTS_PER_YEAR * scale
        n_new = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(n_new):
            firms.append(entrant(rng, len(firms), year, taken))
        history[year] = {f.idx: snapshot(rng, f, year) for f in firms if active(f, year)}
    return history
