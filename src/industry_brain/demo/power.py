"""Monthly electricity per power account (户号), with the Spring Festival dip.

Factories stop for the Spring Festival: the month of 春节 (January or February, by the lunar
calendar) draws 40-60% of a normal month and the other of January/February a little less than
normal; summer air-conditioning lifts July and August. February 2020 also carries the first
COVID-19 shutdown.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from industry_brain.demo.evolution import FirmYear, History
from industry_brain.demo.population import Firm, lognormal

# Date of 春节 (lunar new year's day), month and day.
SPRING_FESTIVAL = {
    2020: (1, 25),
    2021: (2, 12),
    2022: (2, 1),
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
    2031: (1, 23),
    2032: (2, 11),
    2033: (1, 31),
    2034: (2, 19),
    2035: (2, 8),
}
SEASON = (1.0, 1.0, 1.02, 0.98, 1.0, 1.04, 1.12, 1.14, 1.04, 1.0, 1.0, 1.03)
COVID_2020_FEBRUARY = 0.6


@dataclass(frozen=True)
class Reading:
    account: str
    name: str
    month: str  # YYYY-MM
    kwh: int


def spring_festival_month(year: int) -> int:
    return SPRING_FESTIVAL[year][0]


def month_weights(rng: random.Random, year: int, first_month: int) -> list[float]:
    cny = spring_festival_month(year)
    weights = []
    for m in range(1, 13):
        w = SEASON[m - 1] * lognormal(rng, 0.05)
        if m == cny:
            w *= rng.uniform(0.4, 0.6)
        elif m in (1, 2):
            w *= rng.uniform(0.85, 0.95)
        if year == 2020 and m == 2:
            w *= COVID_2020_FEBRUARY
        weights.append(w if m >= first_month else 0.0)
    return weights


def firm_readings(rng: random.Random, f: Firm, fy: FirmYear, year: int) -> list[Reading]:
    first = f.established.month if f.established.year == year else 1
    weights = month_weights(rng, year, first)
    whole = sum(weights)
    out = []
    for account, share in f.accounts:
        for m, w in enumerate(weights, start=1):
            if w == 0:
                continue
            wan = fy.electricity * share * w / whole * lognormal(rng, 0.03)
            out.append(Reading(account, f.name, f"{year}-{m:02d}", max(round(wan * 10_000), 1)))
    return out


def readings(
    rng: random.Random, firms: list[Firm], history: History, years: tuple[int, ...]
) -> dict[int, list[Reading]]:
    """Every account's monthly kWh for each year in `years`."""
    out: dict[int, list[Reading]] = {}
    for year in years:
        rows: list[Reading] = []
        for f in firms:
            fy = history[year].get(f.idx)
            if fy is not None:
                rows += firm_readings(rng, f, fy, year)
        out[year] = rows
    return out


def annual_by_account(rows: list[Reading]) -> dict[str, int]:
    total: dict[str, int] = {}
    for r in rows:
        total[r.account] = total.get(r.account, 0) + r.kwh
    return total
