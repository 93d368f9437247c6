"""Base-year figures and lasting traits of the demo enterprises, scaled to the calibration.

The order matters: land before tax (亩均税收 fixes the tax total from the land), revenue before
R&D (the R&D intensity target fixes the revenue total from the R&D total).
"""

from __future__ import annotations

import math
import random

from industry_brain.demo import identity
from industry_brain.demo.calibration import TARGET_BY_KEY, scaled
from industry_brain.demo.clusters import GROUP_BY_KEY
from industry_brain.demo.population import (
    ABOVE_SCALE_REVENUE,
    BANDS,
    BASE_YEAR,
    CLASS_ELECTRICITY,
    DIRTY_CLASSES,
    NON_DISTRICT_OUTPUT,
    Firm,
    Parcel,
    lognormal,
)

TCE_PER_WAN_KWH = 1.229  # GB/T 2589 当量 factor of electricity


# Plausibility bounds of one enterprise-year (docs/demo.md, "Plausibility"): value added at most
# this share of output and below revenue; tax at most this share of value added and of revenue.
VA_RATE_CAP = 0.6
VA_REVENUE_CAP = 0.9
TAX_VA_CAP = 0.6
TAX_REVENUE_CAP = 0.2


def _scale_to(values: list[float], total: float) -> list[float]:
    whole = sum(values)
    return [v * total / whole for v in values] if whole else values


def _scale_capped(values: list[float], caps: list[float], total: float) -> list[float]:
    """`values` scaled to add up to `total`, none above its cap: what a capped value cannot
    take goes to the others in proportion (the total is met while the caps leave room)."""
    out = list(values)
    fixed = [False] * len(values)
    for _ in range(len(values) + 1):
        free = [i for i, f in enumerate(fixed) if not f]
        room = total - sum(out[i] for i, f in enumerate(fixed) if f)
        whole = sum(values[i] for i in free)
        if not free or whole <= 0:
            break
        for i in free:
            out[i] = values[i] * room / whole
        over = [i for i in free if out[i] > caps[i]]
        if not over:
            break
        for i in over:
            out[i], fixed[i] = caps[i], True
    return out


def split_parcels(
    rng: random.Random, firm: Firm, area: float, since_lo: int, since_hi: int, pids: set[str]
) -> None:
    """Own land of `area` 亩 as one to four parcels that add up (to the hundredth)."""
    n = rng.choices((1, 2, 3, 4), weights=(55, 30, 10, 5))[0] if area > 6 else 1
    shares = [rng.gammavariate(2.0, 1.0) for _ in range(n)]
    areas = [round(area * s / sum(shares), 2) for s in shares]
    areas[-1] = round(round(area, 2) - sum(areas[:-1]), 2)
    for a in areas:
        since = rng.randint(since_lo, max(since_lo, since_hi))
        firm.parcels.append(Parcel(identity.parcel_id(rng, since, pids), a, since))


def assign_land(rng: random.Random, firms: list[Firm], pids: set[str]) -> None:
    """Above scale: land in use ∝ output^0.75, scaled to the 亩均产值 target; below scale: a few
    亩 each. A share of enterprises rent (some only rent: tenants in 小微企业园)."""
    above = [f for f in firms if f.above_base]
    total = sum(f.output for f in above) / TARGET_BY_KEY["output_per_mu"].value
    used = _scale_to([f.output**0.75 * lognormal(rng, 0.35) for f in above], total)
    for f, u in zip(above, used, strict=True):
        _tenure(rng, f, u, tenant_p=0.06 if u < 30 else 0.0, both_p=0.08, pids=pids)
    for f in firms:
        if not f.above_base:
            u = min(max((2 + f.output / 250) * lognormal(rng, 0.5), 0.8), 40.0)
            _tenure(rng, f, u, tenant_p=0.35, both_p=0.05, pids=pids)


def _tenure(rng: random.Random, f: Firm, used: float, tenant_p: float, both_p: float, pids: set[str]) -> None:
    u = rng.random()
    first = max(f.established.year, 1990)
    if u < tenant_p:
        f.rented = round(used, 2)
        return
    if u < tenant_p + both_p:
        f.rented = round(used * rng.uniform(0.2, 0.5), 2)
    split_parcels(rng, f, used - f.rented, first, BASE_YEAR, pids)


def assign_value_added(rng: random.Random, firms: list[Firm], scale: float) -> None:
    """Above scale: the largest enterprises (the seed's non-district-owned output) carry the
    non-district value added; the rest the 区属 value added. Below scale: 规下工业增加值."""
    above = sorted((f for f in firms if f.above_base), key=lambda f: -f.output)
    cut, best, cum = 0, abs(NON_DISTRICT_OUTPUT * scale), 0.0
    for i, f in enumerate(above[:20]):
        cum += f.output
        if abs(cum - NON_DISTRICT_OUTPUT * scale) < best:
            cut, best = i + 1, abs(cum - NON_DISTRICT_OUTPUT * scale)
    total = scaled("above_scale_value_added", scale)
    for f in above[:cut]:
        f.district_owned = False
    # The seed's non-district split (184.5亿 of value added on 212.7亿 of output, 87%) cannot be
    # one enterprise's figures: value added would exceed its revenue. The district total is
    # met instead, every enterprise within VA_RATE_CAP of its output and below its revenue
    # (docs/demo.md, "Plausibility").
    raw = [f.output * (0.41 + 0.06 * rng.gauss(0.0, 1.0)) for f in above]
    caps = [f.output * min(VA_RATE_CAP, VA_REVENUE_CAP * f.r) for f in above]
    vas = _scale_capped([max(v, f.output * 0.15) for v, f in zip(raw, above, strict=True)], caps, total)
    for f, va in zip(above, vas, strict=True):
        f.va_rate = va / f.output
    below = [f for f in firms if not f.above_base]
    vas = _scale_to(
        [f.output * rng.uniform(0.2, 0.34) for f in below], scaled("below_scale_value_added", scale)
    )
    for f, va in zip(below, vas, strict=True):
        f.va_rate = va / f.output


def assign_revenue_and_rd(rng: random.Random, firms: list[Firm], scale: float) -> None:
    above = [f for f in firms if f.above_base]
    rd_total = scaled("rd_spend", scale)
    revenue_total = rd_total / (TARGET_BY_KEY["rd_intensity"].value / 100)
    k = revenue_total / sum(f.output * f.r for f in above)
    for f in above:
        f.r = max(f.r * k, ABOVE_SCALE_REVENUE * 1.0005 / f.output)
    n_rd = int(scaled("rd_enterprises", scale))
    keys = []
    for f in above:
        weight = GROUP_BY_KEY[f.group].rd * max(math.log10(f.output) - 2.5, 0.5) ** 2
        keys.append((rng.random() ** (1 / weight), f.idx, f))
    chosen = [f for _, _, f in sorted(keys, key=lambda t: (-t[0], t[1]))[:n_rd]]
    raw = [f.output * f.r * min(max(0.03 * lognormal(rng, 0.5), 0.004), 0.10) for f in chosen]
    for f, rd in zip(chosen, _scale_to(raw, rd_total), strict=True):
        f.rd_intensity = rd / (f.output * f.r)
    for f in firms:
        if not f.above_base and rng.random() < 0.12:
            f.rd_intensity = rng.uniform(0.01, 0.05)


def assign_tax(rng: random.Random, firms: list[Firm]) -> None:
    """Above scale: tax ∝ value added, scaled to 亩均税收 × land in use; a few pay little.
    Below scale: a share of revenue; some pay under 1万元 per 亩 (the seed's 低散乱)."""
    above = [f for f in firms if f.above_base]
    total = TARGET_BY_KEY["tax_per_mu"].value * sum(f.used_land for f in above)
    raw = [f.output * f.va_rate * lognormal(rng, 0.45) * (0.1 if rng.random() < 0.05 else 1.0) for f in above]
    caps = [min(TAX_VA_CAP * f.output * f.va_rate, TAX_REVENUE_CAP * f.output * f.r) for f in above]
    for f, tax in zip(above, _scale_capped(raw, caps, total), strict=True):
        f.tax_rate = tax / (f.output * f.va_rate)
    for f in firms:
        if not f.above_base:
            rate = min(max(0.022 * lognormal(rng, 0.6), 0.0005), 0.08)
            if rng.random() < 0.06:
                rate *= 0.08
            f.tax_rate = rate * f.r / f.va_rate


def assign_operations(rng: random.Random, f: Firm, accounts: set[str]) -> None:
    """Employees, electricity, energy, emissions and power accounts."""
    g = GROUP_BY_KEY[f.group]
    f.productivity = g.productivity * lognormal(rng, 0.3) * (1.0 if f.above_base else 0.7)
    f.employees = max(20 if f.above_base else 3, round(f.output / f.productivity))
    f.elec = CLASS_ELECTRICITY.get(f.industry, g.electricity) * lognormal(rng, 0.3)
    f.energy_mult = rng.uniform(1.05, g.energy_factor)
    f.emission_rate = g.emission * lognormal(rng, 0.5) * (3.0 if f.industry in DIRTY_CLASSES else 1.0)
    f.drift = rng.gauss(0.0, 0.04)
    two = f.output >= BANDS["5"][0] or rng.random() < (0.22 if f.above_base else 0.05)
    first = identity.account_no(rng, accounts)
    if two:
        share = round(rng.uniform(0.55, 0.85), 3)
        f.accounts = [(first, share), (identity.account_no(rng, accounts), round(1 - share, 3))]
    else:
        f.accounts = [(first, 1.0)]
