"""The demo district's enterprises in the base year (2020), built to meet the calibration.

Above-scale output is laid out in the seed's size bands (≥100亿, 10-100亿, 5-10亿, 1-5亿, <1亿)
and in the groups' 2020 totals (clusters.py); the other figures are drawn per enterprise and
then scaled so that the district totals and ratios equal the targets in calibration.py.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from industry_brain.demo import identity
from industry_brain.demo.calibration import scaled
from industry_brain.demo.clusters import GROUP_BY_KEY, GROUPS, ZONES, group_output_2020_wan

BASE_YEAR = 2020
ABOVE_SCALE_REVENUE = 2000.0  # 万元 main-business revenue (GLOSSARY: above_scale)
BELOW_PER_ABOVE = 4.0  # below-scale industrial enterprises per above-scale one
# Seed 004 一(一)1 / Table 2: 区属 above-scale output 547.8亿 and value added 130.1亿 of the
# district's 760.5亿 and 314.6亿; the rest (212.7亿 output, 184.5亿 value added) is the large
# enterprises not owned by the district.
NON_DISTRICT_OUTPUT = 2_127_000.0
NON_DISTRICT_VALUE_ADDED = 1_845_000.0
# Band bounds (万元) keep generated values off the seed's size thresholds.
BANDS = {
    "100": (1_005_000.0, 3_000_000.0),
    "10": (100_500.0, 995_000.0),
    "5": (50_500.0, 99_500.0),
    "1": (10_050.0, 49_900.0),
}
SMALL_HI = 9_950.0
BIG_OUTPUTS = {
    "100": (1_050_000.0,),
    "10": (280_000.0, 200_000.0, 160_000.0, 130_000.0, 110_000.0),
    "5": (92_000.0, 81_000.0, 73_000.0, 66_000.0, 60_000.0, 56_000.0, 52_000.0),
}
# Electricity intensity of classes far from their group's (万千瓦时 per 万元 output).
CLASS_ELECTRICITY = {"3391": 0.12, "3360": 0.09, "3392": 0.08, "3254": 0.09, "3973": 0.06}
DIRTY_CLASSES = {"3391", "3360", "2651", "2661", "1761"}


@dataclass
class Parcel:
    pid: str
    area: float  # 亩
    since: int


@dataclass
class Firm:
    idx: int
    group: str
    output: float  # 万元, current year
    r: float  # revenue / output
    above_base: bool
    industry: str = ""
    established: dt.date = dt.date(2000, 1, 1)
    code: str = ""
    name: str = ""
    township: str = ""
    zone: str | None = None
    district_owned: bool = True
    va_rate: float = 0.25
    tax_rate: float = 0.2  # tax / value added
    rd_intensity: float = 0.0  # R&D / revenue
    elec: float = 0.03  # 万千瓦时 per 万元 output
    energy_mult: float = 1.3  # tce per (万千瓦时 × 1.229)
    emission_rate: float = 0.004  # tonnes per tce
    productivity: float = 80.0  # 万元 output per employee
    drift: float = 0.0
    employees: int = 0
    parcels: list[Parcel] = field(default_factory=list)
    rented: float = 0.0
    accounts: list[tuple[str, float]] = field(default_factory=list)
    exit_year: int | None = None
    boost_until: int = 0  # new investment projects grow fast until this year

    @property
    def land(self) -> float:
        return round(sum(p.area for p in self.parcels), 2)

    @property
    def used_land(self) -> float:
        return self.land + self.rented


def lognormal(rng: random.Random, sigma: float) -> float:
    """Median-1 lognormal factor."""
    return math.exp(rng.gauss(0.0, sigma))


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of `total` in proportion to `weights` (ties by key order)."""
    positive = {k: max(w, 0.0) for k, w in weights.items()}
    whole = sum(positive.values()) or 1.0
    exact = {k: total * w / whole for k, w in positive.items()}
    out = {k: int(v) for k, v in exact.items()}
    rest = sorted(exact, key=lambda k: (-(exact[k] - out[k]), list(exact).index(k)))
    for k in rest[: total - sum(out.values())]:
        out[k] += 1
    return out


def fit_total(base: list[float], lo: list[float], hi: list[float], total: float) -> list[float]:
    """Scale `base` by one factor, each value clipped to [lo, hi], so the values sum to `total`
    (bisection on the factor; the clipped sum is monotone in it)."""
    if not base:
        return []

    def values(f: float) -> list[float]:
        return [min(max(b * f, a), c) for b, a, c in zip(base, lo, hi, strict=True)]

    low, high = -12.0, 12.0
    for _ in range(80):
        mid = (low + high) / 2
        if sum(values(math.exp(mid))) < total:
            low = mid
        else:
            high = mid
    return values(math.exp((low + high) / 2))


def truncated_pareto(rng: random.Random, lo: float, hi: float, alpha: float) -> float:
    u = rng.random()
    return lo * (1 - u * (1 - (lo / hi) ** alpha)) ** (-1 / alpha)


def _big_outputs(rng: random.Random, scale: float) -> list[float]:
    n100 = int(scaled("output_over_100yi", scale))
    n10 = int(scaled("output_over_10yi", scale)) - n100
    n5 = int(scaled("output_5_to_10yi", scale))
    out: list[float] = []
    for band, n in (("100", n100), ("10", n10), ("5", n5)):
        lo, hi = BANDS[band]
        listed = BIG_OUTPUTS[band]
        for i in range(n):
            v = listed[i] * scale if i < len(listed) else lo * (hi / lo) ** (rng.random() * 0.3)
            out.append(min(max(v * rng.uniform(0.97, 1.03), lo), hi))
    return sorted(out, reverse=True)


def _pick_group(rng: random.Random, capacity: dict[str, float], value: float) -> str:
    """A group with room for an enterprise of `value`; large ones go to the clusters."""
    roomy = [g for g, c in capacity.items() if c >= 1.6 * value and g != "other"]
    if not roomy:
        return max(capacity, key=lambda g: capacity[g])
    return rng.choices(roomy, weights=[capacity[g] for g in roomy])[0]


def above_scale_firms(rng: random.Random, scale: float) -> list[Firm]:
    """Above-scale enterprises of the base year: output in the seed's bands and group totals."""
    capacity = {g: v * scale for g, v in group_output_2020_wan().items()}
    firms: list[Firm] = []
    for v in _big_outputs(rng, scale):
        g = _pick_group(rng, capacity, v)
        capacity[g] -= v
        firms.append(Firm(len(firms), g, round(v, 2), _revenue_ratio(rng), True))
    n_above = int(scaled("above_scale_count", scale))
    n1 = int(scaled("output_over_1yi", scale))
    mids = apportion(max(n1 - len(firms), 0), capacity)
    smalls = apportion(max(n_above - max(n1, len(firms)), 0), capacity)
    for g in capacity:
        ratios = [_revenue_ratio(rng) for _ in range(mids[g] + smalls[g])]
        lo = [BANDS["1"][0]] * mids[g] + [ABOVE_SCALE_REVENUE * 1.02 / r for r in ratios[mids[g] :]]
        hi = [BANDS["1"][1]] * mids[g] + [SMALL_HI] * smalls[g]
        base = [
            truncated_pareto(rng, a, b, 1.2 if i < mids[g] else 0.7)
            for i, (a, b) in enumerate(zip(lo, hi, strict=True))
        ]
        for v, r in zip(fit_total(base, lo, hi, capacity[g]), ratios, strict=True):
            firms.append(Firm(len(firms), g, round(v, 2), r, True))
    return firms


def _revenue_ratio(rng: random.Random) -> float:
    return min(max(rng.gauss(0.855, 0.05), 0.72), 0.98)


def below_scale_firms(rng: random.Random, scale: float, start: int) -> list[Firm]:
    n = round(BELOW_PER_ABOVE * scaled("above_scale_count", scale))
    keys = [g.key for g in GROUPS]
    weights = [g.count_weight for g in GROUPS]
    firms = []
    for i in range(n):
        revenue = 60 + 1920 * rng.betavariate(1.2, 2.0)
        r = min(max(rng.gauss(0.96, 0.04), 0.85), 1.08)
        firms.append(Firm(start + i, rng.choices(keys, weights)[0], round(revenue / r, 2), r, False))
    return firms


# --- identities -----------------------------------------------------------------------------


def place(rng: random.Random, group: str) -> tuple[str, str | None]:
    """(township name, zone name or None) for an enterprise of `group`."""
    from industry_brain.demo.clusters import TOWNSHIP_WEIGHTS

    if rng.random() < 0.72:
        zones = [z for z in ZONES if group in z.groups] or list(ZONES)
        zone = rng.choices(zones, weights=[z.target_yi for z in zones])[0]
        return rng.choice(zone.townships), zone.name
    names = list(TOWNSHIP_WEIGHTS)
    return rng.choices(names, weights=[TOWNSHIP_WEIGHTS[n] for n in names])[0], None


def assign_identity(
    rng: random.Random, firm: Firm, established: dt.date, codes: set[str], names: set[str]
) -> None:
    group = GROUP_BY_KEY[firm.group]
    industry = rng.choices(group.industries, weights=[i.weight for i in group.industries])[0]
    firm.industry = industry.code
    firm.established = established
    firm.township, firm.zone = place(rng, firm.group)
    firm.code = identity.credit_code(rng, established, codes)
    big = firm.output >= BANDS["5"][0]
    firm.name = identity.enterprise_name(rng, industry.words, big, established.year < 2000, names)


def base_established(rng: random.Random, firm: Firm) -> dt.date:
    if firm.output >= BANDS["5"][0]:
        return identity.established_date(rng, 1984, 2008)
    if firm.above_base:
        return identity.established_date(rng, 1988, 2017)
    return identity.established_date(rng, 1992, BASE_YEAR - 1)
