"""Benchmark: the default alert rules scored against the demo's injected events.

    uv run python bench/bench_alert_rules.py [--dir ./demo] [--json]

The demo (`industry-brain demo --no-serve --dir DIR`) imports monthly power, statistics and tax
files with known events and writes their ground truth to DIR/monitoring_events.csv (credit
code, kind, first and last month; the Spring Festival months as rows without an enterprise).
The rules run over every month of the demo's panel, as `monitoring alerts` would month by
month, and are scored:

- recall per event kind: an event is found when a rule meant for it (KIND_RULES) is firing for
  its enterprise in a month from its first month to two months after its last;
- false alerts per rule: alerts (episodes that reached firing) on an enterprise with no
  injected event around the alert's first month, as a share of the rule's alerts — printed
  twice: against the injected events alone, and leaving out those the enterprise's own year
  bears out (`realised`: the demo's history has enterprises that really shrink or cross the
  规上 line, which no event file lists);
- festival alerts: alerts no event explains that open in a festival month and are over by
  March (a dip of the festival months alone).

Targets (issue 14): recall >= 90%, false alerts <= 10%, no alert for the festival alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

KIND_RULES = {
    "stoppage": {"suspected_stoppage"},
    "relocation": {"suspected_stoppage", "power_yoy_drop"},
    "decline": {"power_decline_3m"},
    "data_fault": {"output_power_divergence"},
    "tax_drop": {"tax_drop"},
    "exit_scale": {"exit_scale_warning"},
    "enter_scale": {"scale_up_candidate"},
}
AFTER = 2  # months after an event's last month in which its alert still counts
BEFORE = 1  # an alert opening a month before the event (a partial month) is the event's


def _idx(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def read_events(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def states_of(db: Path) -> tuple[Any, Any, float, float]:
    """Every month's states over the demo's panel; seconds to read the panel and to compute."""
    from industry_brain.core.db import transaction
    from industry_brain.monitoring.alerts_compute import compute_states
    from industry_brain.monitoring.panel import monthly_panel
    from industry_brain.monitoring.rules import load_rules
    from industry_brain.registry import open_database

    engine = open_database(f"sqlite:///{db}")
    t0 = time.perf_counter()
    with transaction(engine) as session:
        panel = monthly_panel(session)
    t1 = time.perf_counter()
    states = compute_states(panel, load_rules().rules)
    t2 = time.perf_counter()
    engine.dispose()
    return panel, states, t1 - t0, t2 - t1


def realised(panel: Any) -> dict[str, set[tuple[str, int]]]:
    """What each enterprise's own year-end figures show, beside the injected events: the demo's
    history also has enterprises that really shrink or cross the 规上 line (demo/evolution.py),
    which an alert rightly finds although no event was injected. (code, year) sets:
    `power_down` the year's electricity at least 20% below the year before; `below` / `above`
    the year's sales 累计 in December below / at least 2000万元."""
    import polars as pl

    year = panel.group_by("credit_code", "year").agg(
        kwh=pl.col("electricity_wan_kwh").sum(), months=pl.col("electricity_wan_kwh").count()
    )
    prev = year.select("credit_code", (pl.col("year") + 1).alias("year"), pl.col("kwh").alias("prev"))
    y = year.join(prev, on=["credit_code", "year"]).filter(pl.col("months") == 12)
    down = y.filter(pl.col("kwh") <= 0.8 * pl.col("prev"))
    dec = panel.filter(pl.col("month_no") == 12, pl.col("sales_ytd_wan").is_not_null())
    pairs = lambda f: {(c, int(yr)) for c, yr in f.select("credit_code", "year").iter_rows()}  # noqa: E731
    return {
        "power_down": pairs(down),
        "below": pairs(dec.filter(pl.col("sales_ytd_wan") < 2000)),
        "above": pairs(dec.filter(pl.col("sales_ytd_wan") >= 2000)),
    }


REALISED_BY = {"exit_scale_warning": "below", "scale_up_candidate": "above"}


def score(
    states: Any, events: list[dict[str, str]], outcome: dict[str, set[tuple[str, int]]] | None = None
) -> dict[str, Any]:
    outcome = outcome or {"power_down": set(), "below": set(), "above": set()}
    firing = states.filter(states["state"].is_in(["firing", "no_data", "resolved"]))
    fired: dict[tuple[str, str], set[int]] = defaultdict(set)  # (code, rule) -> firing months
    for r in firing.iter_rows(named=True):
        fired[r["credit_code"], r["rule"]].add(_idx(r["month"]))
    enterprise = [e for e in events if e["credit_code"]]
    festival = {_idx(e["first_month"]) for e in events if e["kind"] == "spring_festival"}
    recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in enterprise:
        window = set(range(_idx(e["first_month"]), _idx(e["last_month"]) + AFTER + 1))
        found = any(fired.get((e["credit_code"], rule), set()) & window for rule in KIND_RULES[e["kind"]])
        recall[e["kind"]][0] += found
        recall[e["kind"]][1] += 1
    windows = defaultdict(list)
    for e in enterprise:
        windows[e["credit_code"]].append((_idx(e["first_month"]) - BEFORE, _idx(e["last_month"]) + AFTER))
    episodes: dict[tuple[str, str, str], set[int]] = defaultdict(set)  # an alert's firing months
    for r in firing.filter(firing["state"] == "firing").iter_rows(named=True):
        episodes[r["credit_code"], r["rule"], r["first_month"]].add(_idx(r["month"]))
    alerts = firing.filter(firing["state"] == "firing").unique(["credit_code", "rule", "first_month"])
    per_rule: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"alerts": 0, "false": 0, "realised": 0, "festival": 0, "examples": []}
    )
    for a in alerts.iter_rows(named=True):
        start = _idx(a["first_month"])
        explained = any(lo <= start <= hi for lo, hi in windows.get(a["credit_code"], []))
        row = per_rule[a["rule"]]
        row["alerts"] += 1
        if explained:
            continue
        row["false"] += 1
        key = (a["credit_code"], start // 12)
        row["realised"] += key in outcome[REALISED_BY.get(a["rule"], "power_down")]
        # the festival alone: an alert opening in a festival month whose firing months all fall
        # by March of that year
        run = episodes[a["credit_code"], a["rule"], a["first_month"]]
        row["festival"] += start in festival and max(run) <= (start // 12) * 12 + 2
        if len(row["examples"]) < 3:
            row["examples"].append(f"{a['credit_code']} {a['first_month']}")
    total = sum(r["alerts"] for r in per_rule.values())
    false = sum(r["false"] for r in per_rule.values())
    unborne = sum(r["false"] - r["realised"] for r in per_rule.values())
    found = sum(v[0] for v in recall.values())
    return {
        "recall": {k: {"found": v[0], "events": v[1]} for k, v in sorted(recall.items())},
        "recall_pct": round(100 * found / max(1, len(enterprise)), 1),
        "rules": {
            k: {
                **v,
                "false_pct": round(100 * v["false"] / v["alerts"], 1),
                "false_unrealised_pct": round(100 * (v["false"] - v["realised"]) / v["alerts"], 1),
            }
            for k, v in sorted(per_rule.items())
        },
        "false_pct": round(100 * false / max(1, total), 1),
        "false_unrealised_pct": round(100 * unborne / max(1, total), 1),
        "festival_alerts": sum(r["festival"] for r in per_rule.values()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--dir", type=Path, default=Path("./demo"), help="the demo folder (industry-brain demo --dir)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    db, truth = args.dir / "industry_brain.db", args.dir / "monitoring_events.csv"
    if not db.is_file() or not truth.is_file():
        print(
            f"{args.dir}: no demo here; run `industry-brain demo --no-serve --dir {args.dir}` first",
            file=sys.stderr,
        )
        return 2
    panel, states, read_s, compute_s = states_of(db)
    result = score(states, read_events(truth), realised(panel))
    result.update({"panel_read_s": round(read_s, 2), "rules_s": round(compute_s, 2)})
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"recall {result['recall_pct']}% (target >= 90%)")
    for kind, v in result["recall"].items():
        print(f"  {kind:12s} {v['found']}/{v['events']}")
    print(
        f"false alerts {result['false_pct']}% against the injected events alone; "
        f"{result['false_unrealised_pct']}% when the enterprise's own year does not bear them out "
        "(target <= 10%)"
    )
    print(f"alerts for the festival alone: {result['festival_alerts']} (target 0)")
    for rule, v in result["rules"].items():
        print(
            f"  {rule:26s} alerts {v['alerts']:4d}  not injected {v['false']:4d} ({v['false_pct']}%)  "
            f"of which borne out {v['realised']:3d}  festival {v['festival']}  "
            f"e.g. {', '.join(v['examples'])}"
        )
    print(f"panel read {result['panel_read_s']} s, rules over every month {result['rules_s']} s")
    ok = (
        result["recall_pct"] >= 90 and result["false_unrealised_pct"] <= 10 and result["festival_alerts"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
