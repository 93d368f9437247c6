"""Benchmark: 20 policies matched over N enterprise-years (default 100,000) against the bare
read of the same facts, in one run, on DuckDB (the default Ibis engine).

    uv run --no-sync python bench/bench_policies.py [--rows N] [--repeat K] [--json] [--kernel-only]

Two parts, both printed with their ratios and peak memory:

1. The whole job, as a user runs it, from the database bench/policies_db.py stores (SQLite, made
   once per size under bench/out/policies/). Each step is a child process; its seconds are those
   after its imports (printed by the child; the CLI's are wall-clock from start to exit, start-up
   included) and its peak memory is the child's maximum resident set (ru_maxrss):
   - `bare read` (the baseline): the rows the match is built from, read as the service reads them
     (SQLAlchemy, into polars): both years' records, the master record, the titles, the grades
     and the declared figures, nothing else;
   - `service`: what `industry-brain policies match` runs for its summary, as one call:
     policies.service.scoped_frame (read and resolve the facts, build the record, match every
     enterprise against the 20 policies, the near-miss flags) and summary, in one transaction;
   - `cli`: `industry-brain policies match --as-of 2025-03-01 --db ...` itself (the 7 shipped
     policies: the command names only shipped ones), start-up and printing included;
   - `pandas`: bench/pandas_policies.py, the same matching of the 20 policies as a pandas job
     from the same database; its counts and amounts must equal the service's (checked).
2. The matching kernel, in this process (best of K): from the record table in memory (polars)
   to the match table (policies/engine.run: one set-based query per figures year over every
   enterprise, every policy of that year a column of verdicts, read back per policy), beside the
   bare read of the same table (registered on DuckDB and read back whole).

Ratio = step ÷ bare read of the same part. Target (issue 15): the match within 3× the bare read.
The 20 policies are the 7 shipped ones and 13 variants of them with other thresholds and
amounts (ids suffixed _v1.._v13), so that every kind of condition is exercised; they are written
to bench/out/policies/p20/ for the children.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from industry_brain.evaluation.engines import connect
from industry_brain.ingest.facts import FIGURES
from industry_brain.policies.engine import TITLE_SCHEMA, record_frame, run
from industry_brain.policies.format import Policy, parse_policy

AS_OF = dt.date(2025, 3, 1)
TARGET = 3.0
HERE = Path(__file__).resolve().parent
POLICY_DIR = HERE / "out" / "policies" / "p20"


def policy_texts() -> dict[str, str]:
    """The 20 policy files by name: the shipped ones and variants of them."""
    folder = resources.files("industry_brain.policies") / "data"
    texts = {e.name: e.read_text(encoding="utf-8") for e in folder.iterdir() if e.name.endswith(".yaml")}
    out = dict(sorted(texts.items()))
    base = sorted(texts.items())
    k = 0
    while len(out) < 20:
        name, text = base[k % len(base)]
        k += 1
        # Another id, and every whole-number parameter value scaled: other thresholds and amounts.
        text = re.sub(r"^id: (\w+)", rf"id: \1_v{k}", text, count=1, flags=re.M)
        factor = 1 + k % 3
        text = re.sub(r"value: (\d+)\}", lambda m, f=factor: f"value: {int(m.group(1)) * f}}}", text)
        out[f"v{k}_{name}"] = text
    return out


def policies20() -> list[Policy]:
    return [parse_policy(t, n) for n, t in policy_texts().items()]


def policy_files() -> list[Path]:
    POLICY_DIR.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in policy_texts().items():
        (POLICY_DIR / name).write_text(text, encoding="utf-8")
        out.append(POLICY_DIR / name)
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


def kernel(rows: int, repeat: int, engine: str) -> dict:
    """The matching kernel beside the bare read of its record table, in this process."""
    record, titles = generate(rows)
    policies = policies20()
    con = connect(engine)
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
    bare_s, bare_cpu = timed(bare, repeat)
    match_s, match_cpu = timed(matched, repeat)
    return {
        "engine": engine,
        "enterprise_years": rows,
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


def whole(rows: int, repeat: int) -> dict:
    """The whole job from the database: each step in a child, best of `repeat`."""
    sys.path.insert(0, str(HERE))
    from policies_db import ensure

    db = ensure(rows)
    # Bytecode first: a child must not pay for compiling every module it imports (an environment
    # with PYTHONDONTWRITEBYTECODE never caches it; an installed package has it).
    packages = [str(HERE.parent / "src"), *map(str, Path(sys.prefix).glob("lib/python3*/site-packages"))]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "2", *packages], capture_output=True)
    url = f"sqlite:///{db}"
    files = [str(f) for f in policy_files()]
    me = [sys.executable, str(Path(__file__).resolve())]
    exe = str(Path(sys.executable).with_name("industry-brain"))
    argvs = {
        "bare read": [*me, "--child", "bare", url],
        "service": [*me, "--child", "service", url, *files],
        "cli": [exe, "policies", "match", "--as-of", AS_OF.isoformat(), "--db", url],
        "pandas": [sys.executable, str(HERE / "pandas_policies.py"), str(db), AS_OF.isoformat(), *files],
    }
    steps: dict[str, dict] = {}
    for name, argv in argvs.items():
        for _ in range(repeat):
            got = timed_child(name, argv)
            if name not in steps or got["seconds"] < steps[name]["seconds"]:
                steps[name] = got | {"peak_mb": max(got["peak_mb"], steps.get(name, got)["peak_mb"])}
    base, base_cpu = steps["bare read"]["seconds"], steps["bare read"]["work_cpu_s"]
    same = steps["service"]["summary"] == steps["pandas"]["summary"]
    return {
        "enterprise_years": rows,
        "policies": len(files),
        "load_avg": [round(x, 1) for x in os.getloadavg()],
        "steps": [
            {k: v for k, v in s.items() if k != "summary"}
            | {"ratio": round(s["seconds"] / base, 2), "cpu_ratio": round(s["work_cpu_s"] / base_cpu, 2)}
            for s in steps.values()
        ],
        "pandas_same_results": same,
        "eligible": sum(r["eligible"] for r in steps["service"]["summary"]),
        "target_ratio": TARGET,
    }


def timed_child(step: str, argv: list[str]) -> dict:
    """One child: its seconds (its own after imports; the CLI's from start to exit) and its peak
    memory (ru_maxrss from wait4). Its output is small: read after it exits."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{step} failed: {err[-2000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    detail = json.loads(lines[-1]) if lines else {}
    return {
        "step": step,
        "seconds": round(detail.get("seconds", wall), 3),
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "work_cpu_s": round(detail.get("cpu", usage.ru_utime + usage.ru_stime), 3),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "summary": detail.get("summary"),
    }


def bare_child(url: str) -> None:
    """The rows the match is built from, read as the service reads them, nothing else."""
    t0 = time.perf_counter()
    from sqlalchemy import create_engine, text

    queries = {
        "records": "SELECT b.source, r.batch_id, r.credit_code, r.account_no, r.parcel_id, r.period, "
        + ", ".join(f"r.{f}" for f in FIGURES)
        + " FROM record r JOIN import_batch b ON b.id = r.batch_id WHERE b.status = 'active'"
        " AND b.template != 'power_accounts' AND (r.period IN ('2024', '2023') OR r.period LIKE '2024-%'"
        " OR r.period LIKE '2023-%')",
        "master": "SELECT credit_code, name, industry_code, established, township_code, zone FROM enterprise",
        "titles": "SELECT r.credit_code, r.title, r.title_level, r.title_year FROM record r"
        " JOIN import_batch b ON b.id = r.batch_id WHERE b.template = 'titles' AND b.status = 'active'",
        "grades": "SELECT credit_code, grade FROM evaluation_result WHERE run_id = 1",
        "declared": "SELECT credit_code, value FROM policy_figure WHERE year = 2024 ORDER BY id",
    }
    t1, c1 = time.perf_counter(), time.process_time()
    engine = create_engine(url)
    with engine.connect() as conn:
        frames = {
            k: pl.DataFrame(conn.execute(text(q)).all(), orient="row", infer_schema_length=None)
            for k, q in queries.items()
        }
    engine.dispose()
    rows = {k: f.height for k, f in frames.items()}
    done = {"seconds": time.perf_counter() - t1, "cpu": time.process_time() - c1}
    print(json.dumps(done | {"imports": t1 - t0, "rows": rows}))


def service_child(url: str, files: list[str]) -> None:
    """What `policies match` runs for its summary, as one service call in one transaction."""
    t0 = time.perf_counter()
    from industry_brain.cli.support import boundary, require_data, settings_for
    from industry_brain.core.scope import Scope
    from industry_brain.policies.service import scoped_frame, summary

    t1, c1 = time.perf_counter(), time.process_time()
    policies = [parse_policy(Path(f).read_text(encoding="utf-8"), Path(f).name) for f in files]
    settings = settings_for(url)
    with boundary(settings) as session:
        require_data(session, settings)
        got = scoped_frame(session, as_of=AS_OF, scope=Scope.system(), policies=policies)
        counted = summary(got, policies)
    keys = ("policy", "eligible", "eligible_zero", "not_eligible", "unknown", "amount_wan")
    out = [{k: r[k] for k in keys} for r in counted]
    done = {"seconds": time.perf_counter() - t1, "cpu": time.process_time() - c1}
    print(json.dumps(done | {"imports": t1 - t0, "summary": out}))


def show(report: dict) -> None:
    w = report.get("whole")
    if w:
        print(
            f"whole job: {w['enterprise_years']:,} enterprise-years, {w['policies']} policies,"
            f" load {w['load_avg']}"
        )
        print(f"{'step':>10} {'s':>8} {'ratio':>7} {'CPU s':>7} {'ratio':>7} {'wall s':>8} {'peak MB':>8}")
        for s in w["steps"]:
            print(
                f"{s['step']:>10} {s['seconds']:8.3f} {s['ratio']:6.2f}x {s['work_cpu_s']:7.2f}"
                f" {s['cpu_ratio']:6.2f}x {s['wall_s']:8.3f} {s['peak_mb']:8.1f}"
            )
        print(
            f"pandas gives the same counts and amounts: {w['pandas_same_results']};"
            f" eligible {w['eligible']:,}"
        )
    k = report["kernel"]
    print("matching kernel (in process, best of repeats):")
    for key, v in k.items():
        print(f"{key:>18}: {v}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engine", default="duckdb")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--kernel-only", action="store_true", help="skip the whole job from the database")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "bare":
        return bare_child(args.rest[0])
    if args.child == "service":
        return service_child(args.rest[0], args.rest[1:])
    report: dict = {}
    if not args.kernel_only:
        report["whole"] = whole(args.rows, args.repeat)
    report["kernel"] = kernel(args.rows, args.repeat, args.engine)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        show(report)


if __name__ == "__main__":
    main()
