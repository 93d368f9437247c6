"""Benchmark: `industry-brain evaluate --input facts.parquet --year Y --output results.parquet`
as a user runs it, beside the floor and an independent pandas job, in one run.

    uv run python bench/bench_evaluate_cli.py [--rows N] [--method huangyan-2022] [--json]
    uv run python bench/bench_evaluate_cli.py --scale [--sizes 1000000,5000000,20000000]

Each step is its own process; its time is wall-clock from start to exit (the CLI's includes
its start-up) and its peak memory the process's own maximum resident set (ru_maxrss from
wait4), whatever it does inside:

- floor-polars, floor-pandas: read the facts file and write it back, nothing else;
- cli: the command itself (read and check the file, hash it, evaluate, write the results);
- service: the same work as one call of evaluation.files.evaluate_file in a child, timing its
  phases (read+check, hash, evaluate+write) as it goes;
- pandas-job: bench/pandas_mujun.py end to end (read, validate, evaluate, write).

The ratio is each step's seconds over the faster floor. Target (issue 12): the cli within 4x
the floor at 2M and 5M rows. --scale runs the cli alone at each size and prints time and peak
memory (target: under 8 GB at 20M). Facts files come from bench/facts_files.py (valid codes and
classes), generated into bench/out/ once and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from facts_files import OUT, generate_valid  # noqa: E402

YEAR = 2022
FLOOR = {
    "floor-polars": "import polars as pl, sys; pl.read_parquet(sys.argv[1]).write_parquet(sys.argv[2])",
    "floor-pandas": (
        "import pandas as pd, sys; pd.read_parquet(sys.argv[1]).to_parquet(sys.argv[2], index=False)"
    ),
}


def run(step: str, argv: list[str]) -> dict:
    """Run `argv` as a child; its seconds, peak MB and the JSON it printed last (if any)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{step} failed ({proc.returncode}): {err[-2000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return {
        "step": step,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # KB on Linux
        "detail": json.loads(lines[-1]) if lines else {},
    }


def cli_argv(src: Path, dst: Path, method: str) -> list[str]:
    exe = Path(sys.executable).with_name("industry-brain")
    return [str(exe), "evaluate", "--year", str(YEAR), "--input", str(src), "--output", str(dst)]
    # the method is the default unless asked: keeps the command as users type it


def service_child(src: str, dst: str, method_id: str) -> None:
    """The service call with its phases timed (run in a child by `run`)."""
    t0 = time.perf_counter()
    from industry_brain.core.settings import get_settings
    from industry_brain.evaluation import files, service
    from industry_brain.evaluation.inputs import read_facts_file
    from industry_brain.evaluation.method import load_method

    method, settings = load_method(method_id), get_settings()
    t1 = time.perf_counter()
    facts, direct = read_facts_file(Path(src))
    facts = service.facts_of_year(facts, YEAR)
    t2 = time.perf_counter()
    digest = service.input_hash(facts)
    t3 = time.perf_counter()
    del facts
    if direct:
        files._by_engine(
            Path(src), method, year=YEAR, settings=settings, engine="duckdb", output=Path(dst), digest=digest
        )
    else:
        files.evaluate_file(Path(src), method, year=YEAR, settings=settings, output=Path(dst))
    t4 = time.perf_counter()
    phases = {"imports": t1 - t0, "read_check": t2 - t1, "hash": t3 - t2, "evaluate_write": t4 - t3}
    print(json.dumps({**phases, "read_by_engine": direct}))


def compare(rows: int, method: str) -> dict:
    src = generate_valid(rows)
    load = os.getloadavg()
    me = [sys.executable, str(Path(__file__).resolve())]
    steps = [
        run(name, [sys.executable, "-c", code, str(src), str(OUT / f"floor_{name}.parquet")])
        for name, code in FLOOR.items()
    ]
    cli_dst = OUT / f"cli_results_{rows}.parquet"
    argv = cli_argv(src, cli_dst, method) + ([] if method == "huangyan-2022" else ["--method", method])
    steps.append(run("cli", argv))
    steps.append(
        run("service", [*me, "--child-service", str(src), str(OUT / f"svc_results_{rows}.parquet"), method])
    )
    steps.append(
        run(
            "pandas-job",
            [
                sys.executable,
                str(HERE / "pandas_mujun.py"),
                str(src),
                str(YEAR),
                str(OUT / f"pd_results_{rows}.parquet"),
                method,
            ],
        )
    )
    floor = min(s["seconds"] for s in steps if s["step"].startswith("floor"))
    for s in steps:
        s["ratio"] = s["seconds"] / floor
    return {
        "rows": rows,
        "method": method,
        "cpus": os.cpu_count(),
        "load_average_before": load,
        "load_average_after": os.getloadavg(),
        "steps": steps,
    }


def scale(sizes: list[int], method: str) -> dict:
    points = []
    for rows in sizes:
        src = generate_valid(rows)
        load = os.getloadavg()
        argv = cli_argv(src, OUT / f"cli_results_{rows}.parquet", method)
        points.append({"rows": rows, "load_average_before": load, **run("cli", argv)})
    return {"method": method, "cpus": os.cpu_count(), "points": points}


def show(report: dict) -> None:
    if "points" in report:
        print(f"scale curve, {report['cpus']} CPUs: evaluate --input (whole process)")
        print(f"{'rows':>12} {'seconds':>9} {'s/M rows':>9} {'peak MB':>9} {'load':>6}")
        for p in report["points"]:
            per = p["seconds"] / (p["rows"] / 1e6)
            print(
                f"{p['rows']:>12,} {p['seconds']:>9.2f} {per:>9.2f} {p['peak_mb']:>9.0f}"
                f" {p['load_average_before'][0]:>6.2f}"
            )
        return
    la, lb = report["load_average_before"], report["load_average_after"]
    print(
        f"{report['rows']:,} enterprise-years, method {report['method']}, {report['cpus']} CPUs;"
        f" load average {la[0]:.2f} before, {lb[0]:.2f} after"
    )
    print(f"{'step':<13} {'seconds':>9} {'CPU s':>8} {'peak MB':>9} {'× floor':>8}  phases")
    for s in report["steps"]:
        phases = ", ".join(f"{k} {v:.2f}" for k, v in s["detail"].items() if isinstance(v, float))
        print(
            f"{s['step']:<13} {s['seconds']:>9.2f} {s['cpu_seconds']:>8.2f} {s['peak_mb']:>9.0f}"
            f" {s['ratio']:>7.2f}×  {phases}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--method", default="huangyan-2022")
    parser.add_argument("--scale", action="store_true", help="the scale curve: the cli at each of --sizes")
    parser.add_argument("--sizes", default="1000000,5000000,20000000")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-service", nargs=3, metavar=("SRC", "DST", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_service:
        service_child(*args.child_service)
        return 0
    if args.scale:
        report = scale([int(n) for n in args.sizes.split(",")], args.method)
    else:
        report = compare(args.rows, args.method)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
