"""The alert rules as Ibis expressions: the monthly panel in, one row per enterprise, rule and
month out, with the figures that decided it (the trace). Pure Table -> Table, set-based, so the
same rules run on DuckDB, SQLite, PostgreSQL and PySpark.

Each rule kind yields, per (credit_code, month): `observed`, `expected` and how it was formed
(`basis`), the comparison (`measure_value`: a change in %, a ratio, a gap in points or a run
rate in 万元), the thresholds in force that month, the calendar adjustment applied, the source
batch and row of both figures, and `event`: 1 the fire condition holds, 0 the clear condition
holds, NULL neither (the band between them, or nothing to compare). alert_states turns events
into states over the months (docs/monitoring-rules.md).
"""

from __future__ import annotations

from functools import reduce

import ibis
import ibis.expr.types as ir

from industry_brain.monitoring.rules import Rule

# The panel's provenance columns of each measure (monitoring/panel.py PANEL_COLUMNS).
SOURCE_OF = {"electricity_wan_kwh": "power", "tax_wan": "tax", "tax_ytd_wan": "tax"}
RULE_COLUMNS = (
    "credit_code",
    "month",
    "idx",
    "rule",
    "township_code",
    "industry_code",
    "above_scale",
    "has_data",
    "event",
    "observed",
    "expected",
    "measure_value",
    "fire_at",
    "clear_at",
    "basis",
    "calendar",
    "norm_years_used",
    "min_months",
    "source",
    "obs_batch_id",
    "obs_row",
    "exp_batch_id",
    "exp_row",
)


def source_of(measure: str) -> str:
    return SOURCE_OF.get(measure, "stats")


def _f(x: ir.Value) -> ir.FloatingValue:
    return x.cast("float64")


def _num(value: float) -> ir.FloatingValue:
    """A float constant typed on every engine (PostgreSQL would read a bare -30.0 as NUMERIC)."""
    return ibis.literal(repr(float(value)), "string").cast("float64")


def _param(rule: Rule, key: str, month: ir.StringValue) -> ir.FloatingValue:
    """The rule's `key` in force in `month`: each dated set applies from its own month."""
    first, *later = rule.params
    value: ir.Value = _num(first.values[key])
    for p in later:
        value = ibis.ifelse(month >= p.start, _num(p.values[key]), value)
    return value


def with_index(panel: ir.Table) -> ir.Table:
    """The panel with `idx` (months since year 0) so "a year earlier" is idx - 12."""
    return panel.mutate(idx=panel.year.cast("int64") * 12 + panel.month_no.cast("int64") - 1)


def _scoped(p: ir.Table, rule: Rule) -> ir.Table:
    if rule.applies_to == "above_scale":
        return p.filter(p.above_scale.cast("int64") == 1)
    if rule.applies_to == "below_scale":
        return p.filter(p.above_scale.cast("int64").fill_null(0) == 0)
    return p


def comparison_values(p: ir.Table, measure: str, calendar: ir.Table) -> ir.Table:
    """(credit_code, idx, year, month_no, value, cmp_value, moved, batch, row): `cmp_value` is
    the figure a year-on-year comparison uses. When the Spring Festival window falls in a
    different month than a year earlier (`moved`), January is not compared alone and February
    compares 1-2月 combined, as the statistics bureau publishes them; a 累计 figure already
    is combined in February."""
    src = source_of(measure)
    v = p.select(
        credit_code=p.credit_code,
        idx=p.idx,
        year=p.year.cast("int64"),
        month_no=p.month_no.cast("int64"),
        value=_f(p[measure]),
        batch=p[f"{src}_batch_id"].cast("int64"),
        row=p[f"{src}_row"].cast("int64"),
    )
    jan = v.filter(v.month_no == 1).select(j_code=v.credit_code, j_year=v.year, jan_value=v.value)
    jan_rows = calendar.filter(calendar.month_no == 1)  # one row a year
    cal = jan_rows.select(c_year=jan_rows.year, moved=jan_rows.moved.cast("int64"))
    v = v.left_join(jan, [v.credit_code == jan.j_code, v.year == jan.j_year]).drop("j_code", "j_year")
    v = v.left_join(cal, v.year == cal.c_year).drop("c_year")
    moved = v.moved.fill_null(1) == 1
    combine = moved & (v.month_no == 2) & ibis.literal(not measure.endswith("_ytd_wan"))
    cmp_value = ibis.ifelse(combine, v.value + v.jan_value, v.value)
    return v.mutate(cmp_value=cmp_value, moved=moved)


def _year_on_year(p: ir.Table, measure: str, calendar: ir.Table) -> ir.Table:
    """Each month's comparison value beside last year's, with the calendar adjustment named."""
    cur = comparison_values(p, measure, calendar)
    prev = cur.select(
        q_code=cur.credit_code, q_idx=cur.idx + 12, q_value=cur.cmp_value, q_batch=cur.batch, q_row=cur.row
    )
    j = cur.left_join(prev, [cur.credit_code == prev.q_code, cur.idx == prev.q_idx])
    deferred = j.moved & (j.month_no == 1)
    calendar_code = ibis.cases(
        (deferred, "jan_deferred"),
        (j.moved & (j.month_no == 2), "jan_feb_combined"),
        else_="none",
    )
    return j.select(
        credit_code=j.credit_code,
        idx=j.idx,
        has_data=j.value.notnull(),
        observed=ibis.ifelse(deferred, ibis.null("float64"), j.cmp_value),
        expected=ibis.ifelse(deferred, ibis.null("float64"), j.q_value),
        calendar=calendar_code,
        obs_batch_id=j.batch,
        obs_row=j.row,
        exp_batch_id=j.q_batch,
        exp_row=j.q_row,
    )


def _finish(p: ir.Table, rule: Rule, t: ir.Table, **columns: ir.Value) -> ir.Table:
    """The rule's rows in RULE_COLUMNS: panel context joined back onto the comparison `t`."""
    base = p.select("credit_code", "idx", "month", "township_code", "industry_code", "above_scale")
    j = base.inner_join(t, ["credit_code", "idx"])
    j = j.mutate(**{k: v(j) if callable(v) else v for k, v in columns.items()})
    return j.select(
        credit_code=j.credit_code.cast("string"),
        month=j.month.cast("string"),
        idx=j.idx.cast("int64"),
        rule=ibis.literal(rule.id, "string"),
        township_code=j.township_code.cast("string"),
        industry_code=j.industry_code.cast("string"),
        above_scale=j.above_scale.cast("int64"),
        has_data=j.has_data,
        event=j.event.cast("int64"),
        observed=_f(j.observed),
        expected=_f(j.expected),
        measure_value=_f(j.measure_value),
        fire_at=_f(j.fire_at),
        clear_at=_f(j.clear_at),
        basis=j.basis.cast("string"),
        calendar=j.calendar.cast("string"),
        norm_years_used=j.norm_years_used.cast("int64"),
        min_months=ibis.literal(rule.min_months, "int64"),
        source=ibis.literal(source_of(rule.measure), "string"),
        obs_batch_id=j.obs_batch_id.cast("int64"),
        obs_row=j.obs_row.cast("int64"),
        exp_batch_id=j.exp_batch_id.cast("int64"),
        exp_row=j.exp_row.cast("int64"),
    )


def _events(observed_ok: ir.BooleanValue, fire: ir.BooleanValue, clear: ir.BooleanValue) -> ir.Value:
    return ibis.cases((~observed_ok, ibis.null("int64")), (fire, 1), (clear, 0), else_=ibis.null("int64"))


def yoy_change(p: ir.Table, rule: Rule, calendar: ir.Table) -> ir.Table:
    """Change on the same month last year (1-2月 combined when the festival moved). For
    `yoy_decline` the fire condition also needs the change to be at least `step_pp` points
    deeper than the month before's: a decline that keeps going, not a level that stays lower."""
    y = _year_on_year(p, rule.measure, calendar)
    y = y.join(p.select("credit_code", "idx", "month"), ["credit_code", "idx"])
    fire_at, clear_at = _param(rule, "fire_pct", y.month), _param(rule, "clear_pct", y.month)
    base_ok = y.expected.notnull() & (y.expected >= _param(rule, "min_base", y.month)) & (y.expected > 0)
    change = ibis.ifelse(base_ok, (y.observed - y.expected) / y.expected * 100, ibis.null("float64"))
    y = y.mutate(measure_value=change, fire_at=fire_at, clear_at=clear_at)
    fire = y.measure_value <= y.fire_at
    if rule.kind == "yoy_decline":
        order = ibis.window(group_by="credit_code", order_by="idx")
        y = y.mutate(prev_change=y.measure_value.lag().over(order), prev_idx=y.idx.lag().over(order))
        step = _param(rule, "step_pp", y.month)
        deeper = y.measure_value <= y.prev_change - step
        fire = (y.measure_value <= y.fire_at) & (y.prev_idx == y.idx - 1) & deeper
        fire = fire.fill_null(False)
    y = y.mutate(
        event=_events(y.observed.notnull() & y.measure_value.notnull(), fire, y.measure_value >= y.clear_at),
        basis=ibis.literal("same_month_last_year", "string"),
        norm_years_used=ibis.null("int64"),
    )
    return _finish(
        p, rule, y.drop("month", *(["prev_change", "prev_idx"] if rule.kind == "yoy_decline" else []))
    )


def seasonal_norm(p: ir.Table, rule: Rule, calendar: ir.Table) -> ir.Table:
    """Far below the enterprise's own norm for the month: the mean of the same month in up to
    `norm_years` earlier years; January and February share one norm (their mean), since the
    festival moves between them."""
    src = source_of(rule.measure)
    season = ibis.ifelse(p.month_no.cast("int64") <= 2, 1, p.month_no.cast("int64"))
    cur = p.select(
        credit_code=p.credit_code,
        idx=p.idx,
        month=p.month,
        year=p.year.cast("int64"),
        season=season,
        value=_f(p[rule.measure]),
        obs_batch_id=p[f"{src}_batch_id"].cast("int64"),
        obs_row=p[f"{src}_row"].cast("int64"),
        years=_param(rule, "norm_years", p.month).cast("int64"),
    )
    past = cur.select(
        h_code=cur.credit_code,
        h_year=cur.year,
        h_season=cur.season,
        h_value=cur.value,
        h_batch=cur.obs_batch_id,
        h_row=cur.obs_row,
    )
    j = cur.inner_join(
        past,
        [
            cur.credit_code == past.h_code,
            cur.season == past.h_season,
            past.h_year < cur.year,
            past.h_year >= cur.year - cur.years,
            past.h_value.notnull(),
        ],
    )
    norms = j.group_by(["credit_code", "idx"]).agg(
        expected=j.h_value.mean(),
        norm_years_used=j.h_year.nunique(),
        exp_batch_id=j.h_batch.max(),
        exp_row=j.h_row.max(),
    )
    t = cur.left_join(norms, ["credit_code", "idx"]).select(
        "credit_code",
        "idx",
        "month",
        "value",
        "obs_batch_id",
        "obs_row",
        "expected",
        "norm_years_used",
        "exp_batch_id",
        "exp_row",
    )
    fire_at, clear_at = _param(rule, "fire_ratio", t.month), _param(rule, "clear_ratio", t.month)
    ratio = ibis.ifelse(t.expected > 0, t.value / t.expected, ibis.null("float64"))
    t = t.mutate(
        has_data=t.value.notnull(),
        observed=t.value,
        measure_value=ratio,
        fire_at=fire_at,
        clear_at=clear_at,
        event=_events(t.value.notnull() & ratio.notnull(), ratio < fire_at, ratio >= clear_at),
        basis=ibis.literal("seasonal_norm", "string"),
        calendar=ibis.ifelse(cur_is_jan_feb(t.month), "jan_feb_norm", "none"),
    ).drop("month", "value")
    return _finish(p, rule, t)


def cur_is_jan_feb(month: ir.StringValue) -> ir.BooleanValue:
    return month.substr(5, 2).isin(["01", "02"])


def divergence(p: ir.Table, rule: Rule, calendar: ir.Table) -> ir.Table:
    """`measure` up on last year while `against` is down, the gap beyond the band."""
    assert rule.against is not None
    m = _year_on_year(p, rule.measure, calendar)
    a = _year_on_year(p, rule.against, calendar)
    a = a.select(a_code=a.credit_code, a_idx=a.idx, a_obs=a.observed, a_exp=a.expected)
    j = m.inner_join(a, [m.credit_code == a.a_code, m.idx == a.a_idx])
    j = j.join(p.select("credit_code", "idx", "month"), ["credit_code", "idx"])
    m_pct = ibis.ifelse(j.expected > 0, (j.observed - j.expected) / j.expected * 100, ibis.null("float64"))
    a_pct = ibis.ifelse(j.a_exp > 0, (j.a_obs - j.a_exp) / j.a_exp * 100, ibis.null("float64"))
    gap = m_pct - a_pct
    band, clear_pp = _param(rule, "band_pp", j.month), _param(rule, "clear_pp", j.month)
    t = j.mutate(
        observed=m_pct,
        expected=a_pct,
        measure_value=gap,
        fire_at=band,
        clear_at=clear_pp,
        event=_events(
            gap.notnull(), (m_pct > 0) & (a_pct < 0) & (gap >= band), (gap < clear_pp) | (a_pct >= 0)
        ),
        basis=ibis.literal("growth_gap", "string"),
        norm_years_used=ibis.null("int64"),
    )
    return _finish(p, rule, t.drop("month", "a_code", "a_idx", "a_obs", "a_exp"))


def run_rate(p: ir.Table, rule: Rule, calendar: ir.Table) -> ir.Table:
    """The year's projected total from its 累计: by the enterprise's own pace a year earlier
    (累计 ÷ last year's 累计 to the same month × last year's total), so its own season counts;
    without last year, 累计 ÷ working days so far × the year's working days. January waits
    for February when the festival moved (its share of the year moved with it)."""
    src = source_of(rule.measure)
    cal = calendar.select(
        c_year=calendar.year,
        c_month=calendar.month_no,
        wd_ytd=calendar.workdays_ytd,
        wd_year=calendar.workdays_year,
        moved=calendar.moved,
    )
    last = p.select(l_code=p.credit_code, l_idx=p.idx + 12, l_ytd=_f(p[rule.measure]))
    dec = p.filter(p.month_no.cast("int64") == 12)
    total = dec.select(
        t_code=dec.credit_code, t_year=dec.year.cast("int64") + 1, t_total=_f(dec[rule.measure])
    )
    j = p.left_join(cal, [p.year.cast("int64") == cal.c_year, p.month_no.cast("int64") == cal.c_month])
    j = j.left_join(last, [j.credit_code == last.l_code, j.idx == last.l_idx])
    j = j.left_join(total, [j.credit_code == total.t_code, j.year.cast("int64") == total.t_year])
    ytd = _f(j[rule.measure])
    own = j.l_ytd.notnull() & (j.l_ytd > 0) & j.t_total.notnull()
    by_days = ytd / _f(j.wd_ytd) * _f(j.wd_year)
    rate = ibis.cases(
        (own, ytd / j.l_ytd * j.t_total),
        (j.wd_ytd.notnull() & (j.wd_ytd > 0), by_days),
        else_=ytd * 12 / _f(j.month_no),
    )
    month_no = j.month_no.cast("int64")
    deferred = (j.moved == 1).fill_null(False) & (month_no == 1)
    early = _f(month_no) < _param(rule, "from_month_no", j.month)  # too few months to project from
    fire_at, clear_at = _param(rule, "fire_wan", j.month), _param(rule, "clear_wan", j.month)
    if rule.kind == "run_rate_below":
        fire, clear = rate < fire_at, rate >= clear_at
    else:
        fire, clear = rate >= fire_at, rate < clear_at
    method = ibis.cases(
        (deferred, "jan_deferred"),
        (own, "own_pace_run_rate"),
        (j.wd_ytd.notnull(), "workday_run_rate"),
        else_="month_run_rate",
    )
    t = j.select(
        credit_code=j.credit_code,
        idx=j.idx,
        has_data=ytd.notnull(),
        observed=rate,
        expected=fire_at,
        measure_value=ytd,
        fire_at=fire_at,
        clear_at=clear_at,
        event=_events(ytd.notnull() & ~deferred & ~early, fire, clear),
        basis=ibis.literal("ytd_run_rate", "string"),
        calendar=method,
        norm_years_used=ibis.null("int64"),
        obs_batch_id=j[f"{src}_batch_id"].cast("int64"),
        obs_row=j[f"{src}_row"].cast("int64"),
        exp_batch_id=ibis.null("int64"),
        exp_row=ibis.null("int64"),
    )
    return _finish(p, rule, t)


KINDS = {
    "yoy_change": yoy_change,
    "yoy_decline": yoy_change,
    "seasonal_norm": seasonal_norm,
    "divergence": divergence,
    "run_rate_below": run_rate,
    "run_rate_above": run_rate,
}


def rule_rows(panel: ir.Table, rules: tuple[Rule, ...], calendar: ir.Table) -> ir.Table:
    """Every rule's rows over the panel (RULE_COLUMNS), one table."""
    p = with_index(panel)
    # the whole panel goes in (last year's figures of an enterprise that was 规下 then count);
    # applies_to narrows the rows that come out, by the month's own 规上 flag
    parts = [_scoped(KINDS[r.kind](p, r, calendar), r) for r in rules]
    return reduce(lambda a, b: a.union(b), parts)


def _count(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 or 0 (PostgreSQL will not cast a boolean to a number)."""
    return ibis.ifelse(flag, 1, 0).cast("int64")


def alert_states(rows: ir.Table) -> ir.Table:
    """Events into states, month by month, per enterprise and rule.

    An episode opens with a fire event and lasts until a clear event; months in the band and
    months with no data keep it open (a missing report is not a drop, nor a recovery). It is
    `pending` in its fire months until the fire condition has held `min_months` months in a
    row, then `firing` through every month until it clears (`no_data` in a month its figure is
    missing), and `resolved` in the month it clears.
    `first_month` is the episode's first fire month: the alert's identity across months."""
    key = ["credit_code", "rule"]
    cum = ibis.window(group_by=key, order_by="idx", rows=(None, 0))
    r = rows.mutate(
        seen=_count(rows.event.notnull()).sum().over(cum),
        clears=_count((rows.event == 0).fill_null(False)).sum().over(cum),
    )
    r = r.mutate(carried=r.event.max().over(ibis.window(group_by=[*key, "seen"])))
    episode = ibis.window(group_by=[*key, "clears"], order_by="idx", rows=(None, 0))
    fired = (r.event == 1).fill_null(False)
    r = r.mutate(
        breaks=_count(~fired).sum().over(episode),
        first_idx=ibis.ifelse(fired, r.idx, ibis.null("int64")).min().over(episode),
    )
    # the run of consecutive fire months (a month in the band or without data breaks it)
    streak = ibis.window(group_by=[*key, "clears", "breaks"], order_by="idx", rows=(None, 0))
    r = r.mutate(run=_count((r.event == 1).fill_null(False)).sum().over(streak))
    r = r.mutate(ripe=_count(r.run >= r.min_months).max().over(episode))
    fired = (r.event == 1).fill_null(False)
    order = ibis.window(group_by=key, order_by="idx")
    r = r.mutate(prev_carried=r.carried.lag().over(order), prev_ripe=r.ripe.lag().over(order))
    open_ = (r.carried == 1).fill_null(False)
    ripe = r.ripe == 1
    state = ibis.cases(
        (open_ & ripe & ~r.has_data, "no_data"),
        (open_ & ripe, "firing"),
        (fired, "pending"),
        ((r.event == 0) & (r.prev_carried == 1) & (r.prev_ripe == 1), "resolved"),
        else_=ibis.null("string"),
    )
    r = r.mutate(state=state)
    # a resolved month belongs to the episode before it: its first month is the previous row's
    r = r.mutate(prev_first=r.first_idx.lag().over(order))
    first = ibis.ifelse(r.state == "resolved", r.prev_first, r.first_idx)
    r = r.mutate(first_idx=first)
    year = (r.first_idx / 12).floor().cast("int64")
    month_no = r.first_idx - year * 12 + 1
    first_month = year.cast("string") + "-" + ibis.ifelse(month_no < 10, "0", "") + month_no.cast("string")
    out = r.filter(r.state.notnull()).mutate(first_month=first_month)
    return out.drop(
        "seen",
        "clears",
        "carried",
        "breaks",
        "run",
        "ripe",
        "prev_carried",
        "prev_ripe",
        "prev_first",
        "first_idx",
    )
