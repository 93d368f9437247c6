"""Area indicators of the monthly panel as Ibis expressions: tables in, tables out, any backend.

Pure: no I/O, no backend-specific code, so DuckDB, SQLite, PostgreSQL and PySpark compute the
same numbers (tests/test_monitoring_engines.py). docs/monitoring.md states every formula.

Inputs
- panel: the monthly panel (monitoring.panel.PANEL_COLUMNS), one row per enterprise and month.
- prefixes: (area_kind, area_id, industry_prefix): an area that takes every enterprise whose
  GB/T 4754 class starts with a prefix (clusters, 门类 by their 大类, 大类 themselves).
- explicit: (area_kind, area_id, credit_code): an area whose members are listed (chains, whose
  membership the chains domain resolves with its keywords and analysts' confirmations).

The statistics bureau's growth is on the comparable set (同口径): the enterprises of this
period's set that report the figure in this period and in the same period a year earlier; the
naive growth compares this period's total with last year's total of last year's set.
"""

from __future__ import annotations

from functools import reduce

import ibis
import ibis.expr.types as ir

# indicator -> (当月 column, 本年累计 column or None: then 累计 is the sum of the months)
MEASURES: dict[str, tuple[str, str | None]] = {
    "output": ("output_wan", "output_ytd_wan"),
    "sales": ("sales_wan", "sales_ytd_wan"),
    "export": ("export_wan", "export_ytd_wan"),
    "electricity": ("electricity_wan_kwh", None),
    "tax": ("tax_wan", "tax_ytd_wan"),
}
SCALES = ("above", "all")
DISTRICT = ("district", "district")


def long_panel(panel: ir.Table) -> ir.Table:
    """(credit_code, year, month_no, above_scale, indicator, value, ytd): one row per
    enterprise, month and indicator; a figure not reported stays NULL."""
    parts = []
    for name, (month_col, ytd_col) in MEASURES.items():
        ytd = panel[ytd_col].cast("float64") if ytd_col else ibis.null("float64")
        parts.append(
            panel.select(
                credit_code=panel.credit_code.cast("string"),
                year=panel.year.cast("int64"),
                month_no=panel.month_no.cast("int64"),
                above_scale=panel.above_scale.cast("int64").fill_null(0),
                indicator=ibis.literal(name, "string"),
                value=panel[month_col].cast("float64"),
                ytd=ytd,
            )
        )
    return reduce(lambda a, b: a.union(b), parts)


def _period(long: ir.Table, year: int, month_no: int, tag: str) -> ir.Table:
    """Each enterprise's month and 累计 of (year, month_no), under columns tagged `tag`, the
    other period's columns NULL; 累计 is the file's figure, else the sum of the months so far
    when every one of them is reported (a month with no report is no data, not zero: a sum
    with a gap would understate the 累计 and its growth)."""
    month = long.filter(long.year == year, long.month_no == month_no)
    upto = long.filter(long.year == year, long.month_no <= month_no)
    summed = upto.group_by(["credit_code", "indicator"]).agg(s=upto.value.sum(), n=upto.value.count())
    j = month.left_join(summed, ["credit_code", "indicator"])
    complete = j.value.notnull() & (j.n == month_no)
    ytd = ibis.coalesce(j.ytd, ibis.ifelse(complete, j.s, ibis.null("float64")))
    other = "prev" if tag == "cur" else "cur"
    null = ibis.null("float64")
    cols = {
        f"m_{tag}": j.value,
        f"y_{tag}": ytd,
        f"above_{tag}": j.above_scale,
        f"m_{other}": null,
        f"y_{other}": null,
        f"above_{other}": ibis.null("int64"),
    }
    order = ("m_cur", "y_cur", "above_cur", "m_prev", "y_prev", "above_prev")
    return j.select(credit_code=j.credit_code, indicator=j.indicator, **{k: cols[k] for k in order})


def enterprise_periods(panel: ir.Table, *, year: int, month_no: int) -> ir.Table:
    """(credit_code, indicator, m_cur, y_cur, above_cur, m_prev, y_prev, above_prev): this
    period and the same period a year earlier, side by side; an enterprise may be in either
    one alone (a union and a grouping rather than an outer join, alike on every engine)."""
    long = long_panel(panel)
    both = _period(long, year, month_no, "cur").union(_period(long, year - 1, month_no, "prev"))
    return both.group_by(["credit_code", "indicator"]).agg(
        m_cur=both.m_cur.max(),
        y_cur=both.y_cur.max(),
        above_cur=both.above_cur.max().fill_null(0),
        m_prev=both.m_prev.max(),
        y_prev=both.y_prev.max(),
        above_prev=both.above_prev.max().fill_null(0),
    )


def area_members(panel: ir.Table, prefixes: ir.Table | None, explicit: ir.Table | None = None) -> ir.Table:
    """(area_kind, area_id, credit_code): the district, each township, each prefix area and
    each listed area, an enterprise once per area."""
    ents = panel.select(
        credit_code=panel.credit_code.cast("string"),
        township_code=panel.township_code.cast("string"),
        industry_code=panel.industry_code.cast("string"),
    ).distinct()
    district = ents.select(
        area_kind=ibis.literal(DISTRICT[0], "string"),
        area_id=ibis.literal(DISTRICT[1], "string"),
        credit_code=ents.credit_code,
    )
    towns = ents.filter(ents.township_code.notnull())
    town = towns.select(
        area_kind=ibis.literal("township", "string"),
        area_id=towns.township_code,
        credit_code=towns.credit_code,
    )
    parts = [district, town]
    if prefixes is not None:
        by_code = ents.join(prefixes, ents.industry_code.startswith(prefixes.industry_prefix))
        parts.append(
            by_code.select(
                area_kind=by_code.area_kind.cast("string"),
                area_id=by_code.area_id.cast("string"),
                credit_code=by_code.credit_code,
            )
        )
    if explicit is not None:
        parts.append(
            explicit.select(
                area_kind=explicit.area_kind.cast("string"),
                area_id=explicit.area_id.cast("string"),
                credit_code=explicit.credit_code.cast("string"),
            )
        )
    return reduce(lambda a, b: a.union(b), parts).distinct()


def _sum_if(cond: ir.BooleanValue, value: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.ifelse(cond, value, ibis.null("float64")).sum()


def _count_if(cond: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(cond, 1, 0).sum()


def _aggregate(e: ir.Table, scale: str) -> ir.Table:
    """Per area and indicator: totals of this period's set, last year's set, and the comparable
    set, for the month and for 累计."""
    if scale == "above":
        in_cur, in_prev = e.above_cur == 1, e.above_prev == 1
    else:
        in_cur, in_prev = ibis.literal(True), ibis.literal(True)
    comp_m = in_cur & e.m_cur.notnull() & e.m_prev.notnull()
    comp_y = in_cur & e.y_cur.notnull() & e.y_prev.notnull()
    return (
        e.group_by(["area_kind", "area_id", "indicator"])
        .agg(
            month_value=_sum_if(in_cur, e.m_cur),
            ytd_value=_sum_if(in_cur, e.y_cur),
            prev_month_value=_sum_if(in_prev, e.m_prev),
            prev_ytd_value=_sum_if(in_prev, e.y_prev),
            comp_m_cur=_sum_if(comp_m, e.m_cur),
            comp_m_prev=_sum_if(comp_m, e.m_prev),
            comp_y_cur=_sum_if(comp_y, e.y_cur),
            comp_y_prev=_sum_if(comp_y, e.y_prev),
            enterprises=_count_if(in_cur & e.m_cur.notnull()),
            comparable_enterprises=_count_if(comp_m),
        )
        .mutate(scale=ibis.literal(scale, "string"))
    )


def _pct(cur: ir.FloatingValue, prev: ir.FloatingValue) -> ir.FloatingValue:
    return ibis.ifelse(prev > 0, (cur / prev - 1.0) * 100.0, ibis.null("float64"))


def _pp(cur: ir.FloatingValue, prev: ir.FloatingValue, whole_prev: ir.FloatingValue) -> ir.FloatingValue:
    delta = cur.fill_null(0) - prev.fill_null(0)
    return ibis.ifelse(whole_prev > 0, delta / whole_prev * 100.0, ibis.null("float64"))


def area_indicators(
    panel: ir.Table, members: ir.Table, *, year: int, month_no: int, scales: tuple[str, ...] = SCALES
) -> ir.Table:
    """One row per area, indicator and scale of (year, month_no): 当月 and 累计 totals, the
    comparable (同口径) and the naive growth in %, and 拉动 in percentage points: the part's
    change over the district's figure a year earlier, on the same footing (comparable or naive).
    A district row's 拉动 equals its own growth."""
    e = enterprise_periods(panel, year=year, month_no=month_no).join(members, "credit_code")
    a = reduce(lambda x, y: x.union(y), [_aggregate(e, s) for s in scales])
    v = a.view()
    d = v.filter(v.area_kind == DISTRICT[0]).select(
        indicator_d="indicator",
        scale_d="scale",
        d_m_comp="comp_m_prev",
        d_y_comp="comp_y_prev",
        d_m_naive="prev_month_value",
        d_y_naive="prev_ytd_value",
    )
    j = a.join(d, (a.indicator == d.indicator_d) & (a.scale == d.scale_d))
    return j.select(
        "area_kind",
        "area_id",
        "indicator",
        "scale",
        "month_value",
        "ytd_value",
        "prev_month_value",
        "prev_ytd_value",
        "enterprises",
        "comparable_enterprises",
        yoy_pct=_pct(j.comp_m_cur, j.comp_m_prev),
        ytd_yoy_pct=_pct(j.comp_y_cur, j.comp_y_prev),
        contribution_pp=_pp(j.comp_m_cur, j.comp_m_prev, j.d_m_comp),
        ytd_contribution_pp=_pp(j.comp_y_cur, j.comp_y_prev, j.d_y_comp),
        naive_yoy_pct=_pct(j.month_value, j.prev_month_value),
        naive_ytd_yoy_pct=_pct(j.ytd_value, j.prev_ytd_value),
        naive_contribution_pp=_pp(j.month_value, j.prev_month_value, j.d_m_naive),
        naive_ytd_contribution_pp=_pp(j.ytd_value, j.prev_ytd_value, j.d_y_naive),
    )


def ranking(
    indicators: ir.Table,
    *,
    area_kind: str = "township",
    indicator: str = "output",
    scale: str = "above",
    by: str = "ytd_yoy_pct",
) -> ir.Table:
    """(area_id, value, rank): the areas of one kind ranked by a growth figure, fastest first
    (晾晒); an area without the figure comes last, unranked."""
    t = indicators.filter(
        indicators.area_kind == area_kind, indicators.indicator == indicator, indicators.scale == scale
    )
    has = t.filter(t[by].notnull())
    ranked = has.select("area_id", value=has[by], rank=ibis.rank().over(order_by=ibis.desc(has[by])) + 1)
    return ranked


def monthly_series(panel: ir.Table, members: ir.Table, *, indicator: str, scale: str = "above") -> ir.Table:
    """(area_kind, area_id, year, month_no, value, enterprises): an indicator's monthly totals
    per area, for the time-series charts and the nowcast."""
    long = long_panel(panel)
    long = long.filter(long.indicator == indicator, long.value.notnull())
    if scale == "above":
        long = long.filter(long.above_scale == 1)
    j = long.join(members, "credit_code")
    return j.group_by(["area_kind", "area_id", "year", "month_no"]).agg(
        value=j.value.sum(), enterprises=j.credit_code.nunique()
    )


def movers(panel: ir.Table, *, year: int, month_no: int, indicator: str = "output", n: int = 5) -> ir.Table:
    """(credit_code, ytd_value, prev_ytd_value, delta, direction): the `n` enterprises whose 累计
    rose most and the `n` whose 累计 fell most on a year earlier (comparable enterprises only)."""
    e = enterprise_periods(panel, year=year, month_no=month_no)
    e = e.filter(e.indicator == indicator, e.y_cur.notnull(), e.y_prev.notnull())
    e = e.select("credit_code", ytd_value=e.y_cur, prev_ytd_value=e.y_prev, delta=e.y_cur - e.y_prev)
    up = e.filter(e.delta > 0).order_by([ibis.desc("delta"), "credit_code"]).limit(n)
    down = e.filter(e.delta < 0).order_by(["delta", "credit_code"]).limit(n)
    return up.mutate(direction=ibis.literal("up")).union(down.mutate(direction=ibis.literal("down")))
