"""Running the alert rules on an engine: the panel and the calendar registered, the rules'
expressions evaluated, the tables dropped again (the figures are confidential)."""

from __future__ import annotations

import contextlib
import uuid

import polars as pl

from industry_brain.monitoring import alert_rules
from industry_brain.monitoring.festival import calendar_frame
from industry_brain.monitoring.panel import panel_table
from industry_brain.monitoring.rules import Rule

STATE_ORDER = ("credit_code", "rule", "idx")


def compute_states(
    panel: pl.DataFrame,
    rules: tuple[Rule, ...],
    *,
    engine: str = "duckdb",
    postgres_url: str | None = None,
    month: str | None = None,
) -> pl.DataFrame:
    """Every (enterprise, rule, month) with a state (alert_rules.alert_states), or only
    `month`'s; the history before it is still read, since an episode may have opened earlier."""
    from industry_brain.evaluation.engines import connect

    years = sorted({int(y) for y in panel["year"].drop_nulls().unique().to_list()})
    cal = calendar_frame(list(range(years[0] - 1, years[-1] + 1)) if years else [])
    con = connect(engine, postgres_url=postgres_url)
    names = [f"mon_panel_{uuid.uuid4().hex[:12]}", f"mon_cal_{uuid.uuid4().hex[:12]}"]
    temp = con.name == "postgres"
    p = None
    try:
        p = panel_table(panel, con)
        c = con.create_table(names[1], cal.to_arrow(), overwrite=True, temp=temp)
        # one query a rule: the same set-based expression, small enough for SQLite's parser
        frames = []
        for i, rule in enumerate(rules):
            rows = alert_rules.rule_rows(p, (rule,), c)
            if con.name == "sqlite":
                # SQLite's parser refuses the states query over the rows' query inlined in it
                # (parser stack overflow): the rows are materialised first, the same expression
                names.append(f"{names[0]}_r{i}")
                rows = con.create_table(names[-1], rows, overwrite=True)
            states = alert_rules.alert_states(rows)
            if month is not None:
                states = states.filter(states.month == month)
            frames.append(pl.from_arrow(states.to_pyarrow()))
        out = pl.concat([f for f in frames if isinstance(f, pl.DataFrame)], how="vertical_relaxed")
        return out.sort(STATE_ORDER)
    finally:
        if p is not None:
            names.append(p.get_name())
        for name in names:
            with contextlib.suppress(Exception):
                con.drop_table(name, force=True)
        con.disconnect()
