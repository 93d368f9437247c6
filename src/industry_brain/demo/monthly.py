"""The demo's monthly reports (stats-monthly, tax-monthly) and the events injected into them.

Each enterprise's year is spread over its months by the shape of its own electricity readings
(power.py: the season, the Spring Festival dip in January or February, a new enterprise's first
months), so the festival shows in power and output of every enterprise alike, as in real data.
On top, a handful of enterprises get known events in power, output and tax (EVENT_KINDS); their
ground truth is written to monitoring_events.csv beside files/ (docs/demo.md). The Spring
Festival months are rows of that file too (kind spring_festival, no enterprise): an alert rule
that ignores the calendar fires on them.

The 规上月报 lists the year's above-scale enterprises; a 规下样本 of below-scale ones with
revenue of 1200万元 and more is in it too (是否规上 否), as statistics bureaus survey them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from industry_brain.demo.evolution import FirmYear
from industry_brain.demo.population import ABOVE_SCALE_REVENUE, Firm, lognormal
from industry_brain.demo.power import SEASON, Reading, month_weights

# kind -> Chinese description (the events file states both)
EVENT_KINDS = {
    "stoppage": "停产：用电与产值降至正常的一成以下",
    "relocation": "搬迁：搬迁期间用电降至一成多、产值减半",
    "decline": "持续下滑：用电与产值逐月下降（每月约两成）",
    "data_fault": "数据质量：产值上升而用电下降",
    "tax_drop": "税收骤降：入库税金降至两成以下",
    "exit_scale": "退规风险：规上企业下半年销售不足，全年营业收入将低于2000万元",
    "enter_scale": "小升规：规下企业销售大增，全年营业收入将超过2000万元",
    "spring_festival": "春节：全区企业用电与产值的春节低谷（不应预警）",
}
DECLINE = [0.8**k for k in range(1, 6)]  # the declining enterprise's months, August to December
SAMPLE_BELOW_REVENUE = 1200.0  # 万元: the 规下样本 in the monthly report
EVENTS_FILE = "monitoring_events.csv"


@dataclass
class Event:
    kind: str
    credit_code: str
    name: str
    year: int
    first: int  # first month
    last: int  # last month (inclusive)
    power: list[float] = field(default_factory=lambda: [1.0] * 12)  # factor per month
    output: list[float] = field(default_factory=lambda: [1.0] * 12)
    tax: list[float] = field(default_factory=lambda: [1.0] * 12)

    @property
    def first_month(self) -> str:
        return f"{self.year}-{self.first:02d}"

    @property
    def last_month(self) -> str:
        return f"{self.year}-{self.last:02d}"


def _span(values: list[float], first: int, last: int, factor: float | list[float]) -> None:
    for k, m in enumerate(range(first, last + 1)):
        values[m - 1] = factor[k] if isinstance(factor, list) else factor


def _event(kind: str, f: Firm, year: int, first: int, last: int, **factors: float | list[float]) -> Event:
    e = Event(kind, f.code, f.name, year, first, last)
    for which, factor in factors.items():
        _span(getattr(e, which), first, last, factor)
    return e


def _candidates(
    firms: list[Firm], history: dict[int, dict[int, FirmYear]], years: tuple[int, ...]
) -> list[Firm]:
    """Above-scale enterprises with power accounts, active and above scale in the last two years."""
    span = years[-2:]
    ok = [
        f
        for f in firms
        if f.accounts
        and all(f.idx in history[y] and history[y][f.idx].above for y in span)
        and f.established.year < span[0]
    ]
    return sorted(ok, key=lambda f: f.code)


def choose_events(
    rng: random.Random, firms: list[Firm], history: dict[int, dict[int, FirmYear]], years: tuple[int, ...]
) -> list[Event]:
    """The injected events: distinct enterprises, in the last year (one data fault the year
    before), away from January and February so the festival and the events do not overlap."""
    last, prev = years[-1], years[-2] if len(years) > 1 else years[-1]
    pool = _candidates(firms, history, years)
    revenue = {f.idx: history[last][f.idx].revenue for f in pool}
    # the smallest above-scale enterprise with some room over the line (its months are noisy)
    near = sorted(
        (f for f in pool if revenue[f.idx] >= 1.1 * ABOVE_SCALE_REVENUE), key=lambda f: revenue[f.idx]
    )
    leaving = near[0] if near else None
    others = [f for f in pool if f is not leaving and revenue[f.idx] < 50_000]
    order = rng.sample(others, len(others))
    events: list[Event] = []
    plan: list[tuple[str, int, int, int, dict[str, float | list[float]]]] = [
        ("stoppage", last, 5, 6, {"power": 0.06, "output": 0.04}),
        ("stoppage", last, 9, 10, {"power": 0.08, "output": 0.05}),
        ("relocation", last, 7, 8, {"power": 0.12, "output": 0.5}),
        # August to December: past the summer lift, so a fifth a month outruns season and noise
        ("decline", last, 8, 12, {"power": DECLINE, "output": DECLINE}),
        ("data_fault", last, 6, 7, {"power": 0.55, "output": 1.25}),
        ("data_fault", prev, 10, 11, {"power": 0.55, "output": 1.25}),
        ("tax_drop", last, 3, 5, {"tax": 0.15}),
        ("tax_drop", last, 8, 10, {"tax": 0.18}),
    ]
    for kind, year, first, end, factors in plan:
        f = _steady(order, history, year)
        if f is None:
            break
        order.remove(f)
        events.append(_event(kind, f, year, first, end, **factors))
    if leaving is not None:  # the year's sales fall short of 2000万元 from April on
        slide = min(0.55, (0.95 * ABOVE_SCALE_REVENUE / revenue[leaving.idx] * 12 - 3) / 9)
        events.append(_event("exit_scale", leaving, last, 4, 12, power=slide, output=slide))
    crossing = _crossing(firms, history, last)
    if crossing is not None:
        f, rev = crossing
        lift = max(1.7, (1.08 * ABOVE_SCALE_REVENUE / rev * 12 - 2) / 10)
        events.append(_event("enter_scale", f, last, 3, 12, power=lift, output=lift))
    return events


def _steady(order: list[Firm], history: dict[int, dict[int, FirmYear]], year: int) -> Firm | None:
    """The first enterprise whose year grew 0-15% on the year before: an event then shows
    against the same month of last year, not drowned by the enterprise's own swing."""
    if (year - 1) not in history:
        return order[0] if order else None
    for f in order:
        before = history[year - 1].get(f.idx)
        if (
            before is not None
            and before.output > 0
            and 1.0 <= history[year][f.idx].output / before.output <= 1.15
        ):
            return f
    return order[0] if order else None


def _crossing(
    firms: list[Firm], history: dict[int, dict[int, FirmYear]], year: int
) -> tuple[Firm, float] | None:
    """The below-scale enterprise nearest the threshold (in the 规下样本) that will cross it."""
    below = [
        (f, history[year][f.idx].revenue)
        for f in firms
        if f.accounts
        and f.idx in history[year]
        and not history[year][f.idx].above
        and f.established.year < year
        and (year - 1) in history
        and f.idx in history[year - 1]
        and not history[year - 1][f.idx].above
        and history[year][f.idx].revenue >= 800
    ]
    return max(below, key=lambda p: (p[1], p[0].code)) if below else None


def seasonal(values: list[float], month: int) -> float:
    """The month's value as the enterprise's season would have it, without the month's noise:
    its March-December level (each month divided by the season) times the month's season. An
    event month is this times the event's factor, so the event stands out of the noise."""
    level = [values[j] / SEASON[j] for j in range(2, 12) if values[j] > 0]
    return sum(level) / len(level) * SEASON[month - 1] if level else values[month - 1]


def apply_power(
    readings: dict[int, list[Reading]], firms: list[Firm], events: list[Event]
) -> dict[int, list[Reading]]:
    """The readings with each event's power factors applied to its enterprise's accounts (on
    the account's seasonal value of the month, see `seasonal`)."""
    by_account = {acc: f.code for f in firms for acc, _ in f.accounts}
    factor: dict[tuple[str, str], float] = {}
    for e in events:
        for m in range(1, 13):
            if e.power[m - 1] != 1.0:
                factor[e.credit_code, f"{e.year}-{m:02d}"] = e.power[m - 1]
    if not factor:
        return readings
    out: dict[int, list[Reading]] = {}
    for year, rows in readings.items():
        months: dict[str, list[float]] = {}
        for r in rows:
            months.setdefault(r.account, [0.0] * 12)[int(r.month[5:7]) - 1] = r.kwh
        out[year] = []
        for r in rows:
            k = factor.get((by_account.get(r.account, ""), r.month), 1.0)
            if k != 1.0:
                base = seasonal(months[r.account], int(r.month[5:7]))
                r = Reading(r.account, r.name, r.month, max(round(base * k), 1))
            out[year].append(r)
    return out


def shapes(readings: dict[int, list[Reading]], firms: list[Firm]) -> dict[tuple[int, int], list[float]]:
    """(firm idx, year) -> share of each month in the year's kWh, before any event."""
    owner = {acc: f.idx for f in firms for acc, _ in f.accounts}
    kwh: dict[tuple[int, int], list[float]] = {}
    for year, rows in readings.items():
        for r in rows:
            idx = owner.get(r.account)
            if idx is not None:
                kwh.setdefault((idx, year), [0.0] * 12)[int(r.month[5:7]) - 1] += r.kwh
    return {k: [v / sum(months) for v in months] for k, months in kwh.items() if sum(months) > 0}


@dataclass
class MonthlyWorld:
    """What the monthly tables are written from."""

    events: list[Event]
    shapes: dict[tuple[int, int], list[float]]
    export_share: dict[int, float]


def monthly_world(
    rng: random.Random, firms: list[Firm], events: list[Event], original: dict[int, list[Reading]]
) -> MonthlyWorld:
    export = {f.idx: (rng.uniform(0.05, 0.6) if rng.random() < 0.35 else 0.0) for f in firms}
    return MonthlyWorld(events, shapes(original, firms), export)


def _shape(mw: MonthlyWorld, rng: random.Random, f: Firm, year: int) -> list[float]:
    got = mw.shapes.get((f.idx, year))
    if got is not None:
        return got
    first = f.established.month if f.established.year == year else 1
    weights = month_weights(rng, year, first)
    return [w / sum(weights) for w in weights]


def _factors(mw: MonthlyWorld, code: str, year: int, which: str) -> list[float]:
    out = [1.0] * 12
    for e in mw.events:
        if e.credit_code == code and e.year == year:
            out = [a * b for a, b in zip(out, getattr(e, which), strict=True)]
    return out


def firm_months(
    mw: MonthlyWorld, rng: random.Random, f: Firm, fy: FirmYear, year: int
) -> list[tuple[int, float, float, float]]:
    """(month, output, sales, tax) in 万元 of the months the enterprise worked."""
    shape = _shape(mw, rng, f, year)
    out_f, tax_f = _factors(mw, f.code, year, "output"), _factors(mw, f.code, year, "tax")
    power_f = _factors(mw, f.code, year, "power")
    # an event month starts from the season's value, as its power does (apply_power)
    shape = [
        seasonal(shape, m)
        if (out_f[m - 1], tax_f[m - 1], power_f[m - 1]) != (1.0, 1.0, 1.0)
        else shape[m - 1]
        for m in range(1, 13)
    ]
    sales_rate = min(fy.revenue / fy.output, 1.0) if fy.output > 0 else 0.97
    rows = []
    for m in range(1, 13):
        if shape[m - 1] <= 0:
            continue
        output = fy.output * shape[m - 1] * lognormal(rng, 0.03) * out_f[m - 1]
        sales = output * sales_rate * lognormal(rng, 0.01)
        tax = fy.tax * (0.5 / 12 + 0.5 * shape[m - 1]) * lognormal(rng, 0.08) * tax_f[m - 1]
        rows.append((m, output, sales, tax))
    return rows
