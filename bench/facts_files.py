"""Facts files a user could hand to `industry-brain evaluate --input`: bench_evaluate.py's
deterministic facts (its mix of pools and gaps), with valid 统一社会信用代码 and GB/T 4754 classes,
so the CLI's validation accepts every row.

    uv run python bench/facts_files.py --rows N     # writes bench/out/valid_facts_N.parquet

bench_evaluate.py's own file keeps its codes (they are not valid codes: it times the evaluation
query alone, which does not check them)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_evaluate import OUT, facts_path, generate  # noqa: E402

_SPAN = 31**9
_MULT = 1_000_000_007  # prime, not 31: a bijection of [0, 31^9), as make_files.py
_ADD = 123_456_789


def valid_facts_path(rows: int) -> Path:
    return OUT / f"valid_facts_{rows}.parquet"


def credit_codes(index: np.ndarray) -> np.ndarray:
    """The valid codes of enterprises `index` (vectorised make_files.credit_code)."""
    from industry_brain.reference.credit_code import ALPHABET, WEIGHTS

    n = (index.astype(object) * _MULT + _ADD) % _SPAN  # beyond int64 on the way
    n = n.astype(np.int64)
    prefix = [ALPHABET.index(c) for c in "91330213"]
    digits = np.empty((len(index), 17), np.int64)
    digits[:, :8] = prefix
    for pos in range(16, 7, -1):
        n, digits[:, pos] = np.divmod(n, 31)
    check = (31 - (digits @ np.array(WEIGHTS)) % 31) % 31
    symbols = np.frombuffer(ALPHABET.encode("ascii"), np.uint8)
    chars = symbols[np.column_stack([digits, check])]
    return chars.view("S18").ravel().astype(str)


def industry_classes(raw: np.ndarray) -> np.ndarray:
    """A GB/T 4754 class in the division of each generated code (divisions 13..46)."""
    from industry_brain.reference.industries import class_codes

    by_division: dict[int, list[str]] = {}
    for c in sorted(class_codes()):
        by_division.setdefault(int(c[:2]), []).append(c)
    out = np.empty(len(raw), dtype="<U4")
    division, rest = np.divmod(raw, 100)
    for d in np.unique(division):
        classes = by_division[int(d)]
        at = division == d
        out[at] = np.array(classes)[rest[at] % len(classes)]
    return out


def generate_valid(rows: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = valid_facts_path(rows)
    if path.exists():
        return path
    src = facts_path(rows)
    if not src.exists():
        generate(src, rows)
    tmp = path.with_suffix(".tmp")
    start = 0
    with pq.ParquetFile(src) as reader, pq.ParquetWriter(tmp, reader.schema_arrow, compression="zstd") as w:
        for batch in reader.iter_batches(batch_size=1_000_000):
            n = batch.num_rows
            codes = credit_codes(np.arange(start, start + n))
            raw = np.asarray(batch.column("industry_code").cast(pa.int64()))
            cols = {name: batch.column(name) for name in batch.schema.names}
            cols["credit_code"] = pa.array(codes)
            cols["industry_code"] = pa.array(industry_classes(raw))
            w.write_table(pa.table(cols, schema=reader.schema_arrow))
            start += n
    tmp.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    t = time.perf_counter()
    print(f"{generate_valid(args.rows)} ({time.perf_counter() - t:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
