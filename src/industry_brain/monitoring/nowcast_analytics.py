"""The nowcast of the year's output as Ibis expressions (docs/monitoring.md, "预计全年").

Inputs: `output` and `electricity`, monthly series (area_kind, area_id, year, month_no, value),
as analytics.monthly_series gives them; `cutoffs` (cut_year, cut_month): the months the
projection is made at — one for a nowcast, every month of the history for the backtest, so the
backtest is one set-based expression, not a loop.

For a cutoff (Y, m) and an area, with O the output and E the electricity:
- g_out = O(Y, 1..m) / O(Y-1, 1..m) - 1                        (output's growth so far)
- g_e3 = E(Y, m-2..m) / E(Y-1, m-2..m) - 1 over those of the months that are March or later
  (the Spring Festival moves between January and February), g_eytd likewise over 1..m
- g_rest = g_out + (g_e3 - g_eytd)     (electricity's recent turn, when both are known)
- projected = O(Y, 1..m) + (O(Y-1, 1..12) - O(Y-1, 1..m)) × (1 + g_rest)
- no projection at January alone (published with February as 1-2月)
- baseline = O(Y-1, 1..12) × O(Y-1, 1..12) / O(Y-2, 1..12)    (last year's growth carried on)
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

KEYS = ["area_kind", "area_id", "cut_year", "cut_month"]


def _window_sums(series: ir.Table, cutoffs: ir.Table, prefix: str) -> ir.Table:
    j = series.cross_join(cutoffs)
    y, m, cy, cm = j.year, j.month_no, j.cut_year, j.cut_month
    v = j.value.cast("float64")

    def s(cond: ir.BooleanValue) -> ir.FloatingValue:
        return ibis.ifelse(cond, v, ibis.null("float64")).sum()

    def n(cond: ir.BooleanValue) -> ir.IntegerValue:
        return ibis.ifelse(cond & j.value.notnull(), 1, 0).sum()

    # The last three months, never January or February: the Spring Festival moves between them,
    # and a window holding one of them compares a festival month with an ordinary one.
    recent = (m <= cm) & (m > cm - 3) & (m >= 3)
    return j.group_by(KEYS).agg(
        **{
            f"{prefix}_ytd": s((y == cy) & (m <= cm)),
            f"{prefix}_ytd_prev": s((y == cy - 1) & (m <= cm)),
            f"{prefix}_3": s((y == cy) & recent),
            f"{prefix}_3_prev": s((y == cy - 1) & recent),
            f"{prefix}_full_prev": s(y == cy - 1),
            f"{prefix}_full_prev2": s(y == cy - 2),
            f"{prefix}_full": s(y == cy),
            f"{prefix}_months": n(y == cy),
            f"{prefix}_months_prev": n(y == cy - 1),
            f"{prefix}_months_prev2": n(y == cy - 2),
        }
    )


def _growth(cur: ir.FloatingValue, prev: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.ifelse(prev > 0, cur / prev - 1.0, ibis.null("float64"))


def nowcast(output: ir.Table, electricity: ir.Table, cutoffs: ir.Table) -> ir.Table:
    """One row per area and cutoff: the projection, the baseline, and the actual year where the
    series holds all twelve months of it (the backtest's truth)."""
    o = _window_sums(output, cutoffs, "o")
    e = _window_sums(electricity, cutoffs, "e")
    j = o.left_join(e, KEYS)
    g_out = _growth(j.o_ytd, j.o_ytd_prev)
    turn = _growth(j.e_3, j.e_3_prev) - _growth(j.e_ytd, j.e_ytd_prev)
    g_rest = g_out + turn.fill_null(0.0)
    full_prev = ibis.ifelse(j.o_months_prev == 12, j.o_full_prev, ibis.null("float64"))
    full_prev2 = ibis.ifelse(j.o_months_prev2 == 12, j.o_full_prev2, ibis.null("float64"))
    # January alone is not projected: the bureau publishes January and February together (1-2月).
    projected = ibis.ifelse(
        j.cut_month >= 2, j.o_ytd + (full_prev - j.o_ytd_prev) * (1.0 + g_rest), ibis.null("float64")
    )
    baseline = full_prev * full_prev / ibis.ifelse(full_prev2 > 0, full_prev2, ibis.null("float64"))
    actual = ibis.ifelse(j.o_months == 12, j.o_full, ibis.null("float64"))
    t = j.select(
        area_kind=j.area_kind,
        area_id=j.area_id,
        cut_year=j.cut_year,
        cut_month=j.cut_month,
        ytd=j.o_ytd,
        ytd_prev=j.o_ytd_prev,
        full_prev=full_prev,
        output_growth=g_out,
        electricity_turn=turn,
        projected=projected,
        baseline=baseline,
        actual=actual,
    )
    return t.mutate(
        projected_growth_pct=_growth(t.projected, t.full_prev) * 100.0,
        baseline_growth_pct=_growth(t.baseline, t.full_prev) * 100.0,
    )


def backtest_errors(projections: ir.Table) -> ir.Table:
    """(area_kind, cut_month, cases, mape, baseline_mape) in %: the mean absolute percentage
    error of the projection and of the baseline against the actual year, per kind of area and
    month of the year, over the cutoffs where all three are known."""
    p = projections.filter(
        projections.actual.notnull(),
        projections.actual > 0,
        projections.projected.notnull(),
        projections.baseline.notnull(),
    )
    ape = (p.projected - p.actual).abs() / p.actual * 100.0
    bape = (p.baseline - p.actual).abs() / p.actual * 100.0
    p = p.mutate(ape=ape, bape=bape)
    return p.group_by(["area_kind", "cut_month"]).agg(
        cases=p.count(), mape=p.ape.mean(), baseline_mape=p.bape.mean()
    )
