"""Hostile files: each case's time and peak memory against the read budget, as a table.

    uv run python bench/bench_hostile.py                 # every case of tests/hostile_corpus.py
    uv run python bench/bench_hostile.py --case cells-without-r --case far-column-AAAA1
    uv run python bench/bench_hostile.py --overhead-rows 100000   # and the budget's cost on a good file

Each case is generated into a temporary folder (by this process) and read (`read_sheets`, the
importer's reader) in a fresh interpreter of its own with the budget off
(`import_read_seconds=0`), so that the seconds are the refusal's own and the peak (VmHWM) is
the whole reading process's (interpreter and libraries included, about 77 MB): what the child
under the budget would use. The budget columns are the defaults (`import_read_seconds`,
`import_read_memory_mb`) or the case's own settings. `--overhead-rows N` then writes a good
N-row, 11-column .xlsx and reads it with and without the child process, best of three: the
price of the budget on the normal path.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_case(name: str, path: Path) -> dict[str, object]:
    """In this (fresh) process: read the case's file, report."""
    from hostile_corpus import CASES
    from industry_brain.core.errors import FileRejected
    from industry_brain.core.settings import get_settings
    from industry_brain.ingest.reader import read_sheets

    case = next(c for c in CASES if c.name == name)
    settings = get_settings(environ={}, **case.settings)
    started = time.perf_counter()
    try:
        read_sheets(path, settings.replace(import_read_seconds=0))
        outcome = "accepted"
    except FileRejected as exc:
        outcome = "refused" if all(w in exc.reason for w in case.expect) else "refused (other reason)"
    seconds = time.perf_counter() - started
    return {
        "case": name,
        "bytes": path.stat().st_size,
        "seconds": round(seconds, 3),
        "peak_mb": round(_peak_mb()),
        "outcome": outcome,
        "budget_s": settings.import_read_seconds,
        "budget_mb": settings.import_read_memory_mb,
    }


def overhead(rows: int) -> list[dict[str, object]]:
    import xlsxwriter

    from industry_brain.core.settings import get_settings
    from industry_brain.ingest.reader import read_sheets

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"good_{rows}.xlsx"
        with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
            ws = book.add_worksheet()
            ws.write_row(0, 0, [f"列{j}" for j in range(11)])
            for i in range(1, rows + 1):
                ws.write_row(i, 0, [f"9133021{i:011d}", f"企业{i}", *range(i, i + 9)])
        settings = get_settings(environ={})
        read_sheets(path, settings)  # starts the fork server; the file is in the page cache
        for label, s in (
            ("in process (no budget)", settings.replace(import_read_seconds=0)),
            ("child under budget", settings),
        ):
            best = min(_timed(read_sheets, path, s) for _ in range(3))
            out.append(
                {
                    "file": f"{rows}-row .xlsx ({path.stat().st_size // 1024} KB)",
                    "read": label,
                    "seconds": round(best, 3),
                }
            )
    return out


def _timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument(
        "--overhead-rows", type=int, default=0, help="also time a good N-row .xlsx with and without the child"
    )
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: read one case's file here
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one, Path(args.path)), ensure_ascii=False))
        return
    from hostile_corpus import CASES

    names = args.case or [c.name for c in CASES]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            folder = Path(tmp) / name
            folder.mkdir()
            path = next(c for c in CASES if c.name == name).build(folder)
            command = [sys.executable, __file__, "--one", name, "--path", str(path)]
            proc = subprocess.run(command, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                results.append({"case": name, "outcome": "crashed: " + proc.stderr.strip().splitlines()[-1]})
                continue
            results.append(json.loads(proc.stdout))
    if args.json:
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
    else:
        print(
            f"{'case':32} {'file KB':>9} {'s':>7} {'budget s':>9} {'peak MB':>8} {'budget MB':>10}  outcome"
        )
        for r in results:
            print(
                f"{r['case']:32} {int(r.get('bytes', 0)) // 1024:>9} {r.get('seconds', '-'):>7} "
                f"{r.get('budget_s', '-'):>9} {r.get('peak_mb', '-'):>8} {r.get('budget_mb', '-'):>10}"
                f"  {r['outcome']}"
            )
    if args.overhead_rows:
        print()
        for r in overhead(args.overhead_rows):
            print(f"{r['file']:32} {r['read']:24} {r['seconds']:>7} s")


if __name__ == "__main__":
    main()
