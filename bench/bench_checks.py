"""How long the value checks (ingest/checks.py) add to reading and checking a file, no database.

    uv run python bench/bench_checks.py FILE --source power [--period 2024] [--repeat 3]

Times `read_and_check` (read, header, every row's parse and checks) on FILE and prints the best
of --repeat runs in seconds, with the rows read and rejected. Run it on the same file with this
tree and with an older one on PYTHONPATH (`git archive <commit> src | tar -x -C /tmp/old`,
then `PYTHONPATH=/tmp/old/src uv run python bench/bench_checks.py ...`) to see the checks' share.
A power file: `uv run python bench/make_files.py --rows-xlsx 1000 --rows-csv 1000000 --out DIR`.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--source", default="power")
    parser.add_argument("--period", default="2024")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from industry_brain.core.settings import get_settings
    from industry_brain.ingest.sheets import read_and_check

    settings = get_settings(environ={})
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = read_and_check(
            args.file, source=args.source, settings=settings, period=args.period, sheet=None
        )
        best = min(best, time.perf_counter() - started)
    parsed = found.parsed
    print(
        f"{args.file.name}: read_and_check best of {args.repeat}: {best:.2f} s; "
        f"{parsed.rows_read:,} rows read, {parsed.rows_rejected:,} rejected; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
