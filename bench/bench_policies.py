"""Benchmark: 20 policies matched over N enterprise-years (default 100,000) against the bare
read of the same facts, in one run, on DuckDB (the default Ibis engine).

    uv run python bench/bench_policies.py [--rows N] [--repeat K] [--engine duckdb] [--json]

Both steps start from the same record table in memory (polars) and end with an Arrow table in
hand: the bare read registers the facts on the engine and reads them back (select *); the match
registers the facts and titles and evaluates the 20 policies' matches as the service does
(policies/engine.run: one set-based query per figures year over every enterprise, every policy
of that year a column of verdicts, read back per policy). This is the matching kernel, not the
whole `policies match` command (reading the database and building the record are outside it).
Best of K wall-clock runs each; ratio = match ÷ bare read. Peak memory is the process's
high-water resident set (VmHWM) after both. Target (issue 15): ratio within 3×.
The 20 policies are the 7 shipped ones and 13 variants of them with other thresholds and
amounts (ids suffixed _v1.._v13), so that every kind of condition is exercised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from importlib import resources

import numpy as np
import polars as pl

from industry_brain.evaluation.engines import connect
from industry_brain.policies.engine import TITLE_SCHEMA, record_frame, run
from industry_brain.policies.format import Policy, parse_policy

AS_OF = dt.date(2025, 3, 1)
TARGET = 3.0


def policies20() -> list[Policy]:
    folder = resources.files("industry_brain.policies") / "data"
    texts = {e.name: e.read_text(encoding="utf-8") for e in folder.iterdir() if e.name.endswith(".yaml")}
    out = [parse_policy(t, n) for n, t in sorted(texts.items())]
    base = sorted(texts.items())
    k = 0
    while len(out) < 20:
        name, text = base[k % len(base)]
        k += 1
        # Another id, and every whole-number parameter value scaled: other thresholds and amounts.
        text = re.sub(r"^id: (\w+)", rf"id: \1_v{k}", text, count=1, flags=re.M)
        factor = 1 + k % 3
        text = re.sub(r"value: (\d+)\}", lambda m, f=factor: f"value: {int(m.group(1)) * f}}}", text)
        out.append(parse_policy(text, f"v{k}_{name}"))
    return out


def generate(rows: int, seed: int = 15) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)

    def gaps(x: np.ndarray, share: float) -> list:
        return [None if m else v for v, m in zip(x.tolist(), rng.random(rows) < share, strict=True)]

    revenue = rng.lognormal(7.5, 1.2, rows)
    frame = pl.DataFrame(
        {
            "credit_code": [f"B{i:09d}" for i in range(rows)],
            "name": [f"企业{i}" for i in range(rows)],
            "year": 2024,
            "industry_code": [str(c) for c in rng.integers(1310, 4390, rows)],
            "township_code": [f"330213{t:03d}" for t in rng.integers(1, 12, rows)],
            "above_scale": gaps((revenue >= 2000).astype(float), 0.02),
            "above_scale_prev": gaps((rng.random(rows) < 0.3).astype(float), 0.05),
            "revenue_wan": gaps(revenue, 0.03),
            "revenue_prev_wan": gaps(revenue / rng.uniform(0.8, 1.4, rows), 0.1),
            "tax_wan": gaps(revenue * rng.uniform(0.01, 0.08, rows), 0.03),
            "rd_spend_wan": gaps(revenue * rng.uniform(0.0, 0.06, rows), 0.05),
            "safety_accident": gaps((rng.random(rows) < 0.01).astype(float), 0.02),
            "env_violation": gaps((rng.random(rows) < 0.02).astype(float), 0.02),
            "mu_grade": gaps(rng.choice(np.array(["A", "B", "C", "D"]), rows), 0.4),
            "tech_investment_wan": gaps(rng.lognormal(5.5, 1.3, rows), 0.7),
        }
    )
    held = rng.random(rows) < 0.06
    titles = pl.DataFrame(
        {
            "credit_code": frame["credit_code"].filter(pl.Series(held)),
            "title": rng.choice(np.array(["专精特新", "小巨人", "单项冠军", "首台（套）"]), int(held.sum())),
            "title_level": rng.choice(np.array(["国家级", "省级", "市级"]), int(held.sum())),
            "title_year": rng.integers(2021, 2025, int(held.sum())),
        },
        schema=TITLE_SCHEMA,
    )
    return record_frame(frame), titles


def peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(step, repeat: int) -> tuple[float, float]:
    """(wall, cpu) seconds, each the best of `repeat` runs (CPU time: all threads of the process,
    the steadier figure on a shared machine)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engine", default="duckdb")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    record, titles = generate(args.rows)
    policies = policies20()
    con = connect(args.engine)
    got: dict[str, int] = {}

    def bare() -> None:
        r = con.create_table("bench_record", record.to_arrow(), overwrite=True)
        got["bare_rows"] = r.to_pyarrow().num_rows

    def matched() -> None:
        r = con.create_table("bench_record", record.to_arrow(), overwrite=True)
        t = con.create_table("bench_titles", titles.to_arrow(), overwrite=True)
        table = run(policies, r, t, as_of=AS_OF)
        got["match_rows"] = table.height
        got["eligible"] = int(table["result"].eq("eligible").sum())

    bare()  # warm-up: the engine's first query pays its start-up
    bare_s, bare_cpu = timed(bare, args.repeat)
    match_s, match_cpu = timed(matched, args.repeat)
    report = {
        "engine": args.engine,
        "enterprise_years": args.rows,
        "policies": len(policies),
        "bare_read_s": round(bare_s, 3),
        "match_s": round(match_s, 3),
        "ratio": round(match_s / bare_s, 2),
        "bare_read_cpu_s": round(bare_cpu, 3),
        "match_cpu_s": round(match_cpu, 3),
        "cpu_ratio": round(match_cpu / bare_cpu, 2),
        "target_ratio": TARGET,
        "peak_mb": round(peak_mb(), 1),
        **got,
    }
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for k, v in report.items():
            print(f"{k:>18}: {v}")


if __name__ == "__main__":
    main()
