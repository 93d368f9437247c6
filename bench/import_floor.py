"""What the import's parts cost at the least: the floor under the issue-2 target.

    uv run python bench/import_floor.py [--rows-csv 5000000] [--rows-xlsx 1000000]

Issue 2 asks for an import within 2x the bare read. This measures, on the benchmark's own files
(bench/make_files.py, reused from bench/out/import/), what storing the rows costs when nothing
else is done: no parsing, no validation, no master record beyond the one step named.

- power .csv: polars reads it (the baseline); its readings are then written as narrow rows
  (row, account, code, month, value) into a SQLite table with no index at all, and to Parquet;
- stats .xlsx: python-calamine reads it (the baseline), then fastexcel (the importer's reader);
  its enterprises (credit code, name, industry, township and their sources) are
  written to a table shaped as `enterprise` with its primary key and two indexes, in credit-code
  order, as `core.bulk` does.

Each figure is printed with its ratio to the bare read of the same run. If a part alone is over
2x, no importer that does that part can meet the target.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_files  # noqa: E402

ENTERPRISE_DDL = """
CREATE TABLE enterprise (credit_code VARCHAR(18) PRIMARY KEY, name VARCHAR(200),
  name_source VARCHAR(20), industry_code VARCHAR(4), industry_code_source VARCHAR(20),
  township_code VARCHAR(9), township_code_source VARCHAR(20), first_batch_id INTEGER,
  updated_at DATETIME);
CREATE INDEX ix_enterprise_industry_code ON enterprise (industry_code);
CREATE INDEX ix_enterprise_township_code ON enterprise (township_code);
"""


def _timed(label: str, fn, baseline: float | None = None) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    ratio = f"{seconds / baseline:6.2f}x" if baseline else "  1.00x (baseline)"
    print(f"  {label:<58} {seconds:7.2f} s  {ratio}", flush=True)
    return seconds


def _sqlite(path: Path) -> sqlite3.Connection:
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA cache_size=-262144")
    return connection


def _insert(connection: sqlite3.Connection, table: str, frame: pl.DataFrame) -> None:
    marks = ", ".join("?" for _ in frame.columns)
    sql = f"INSERT INTO {table} ({', '.join(frame.columns)}) VALUES ({marks})"
    for chunk in frame.iter_slices(50_000):
        connection.executemany(sql, zip(*(s.to_list() for s in chunk.get_columns()), strict=True))
    connection.commit()


def csv_floor(path: Path, scratch: Path) -> None:
    print(f"{path.name}:")
    frames: list[pl.DataFrame] = []
    read = _timed("polars read_csv (baseline)", lambda: frames.append(pl.read_csv(path, infer_schema=False)))
    raw = frames[0]
    account, code, _name, month, value = raw.columns
    narrow = raw.with_row_index("row", offset=2).select(
        "row",
        pl.col(account).alias("account_no"),
        pl.col(code).alias("credit_code"),
        pl.col(month).alias("period"),
        pl.col(value).cast(pl.Float64, strict=False).alias("value"),
    )
    connection = _sqlite(scratch / "readings.db")
    connection.execute(
        "CREATE TABLE reading (row INTEGER, account_no TEXT, credit_code TEXT, period TEXT, value REAL)"
    )
    _timed("readings -> SQLite, narrow rows, no index", lambda: _insert(connection, "reading", narrow), read)
    connection.close()
    _timed("readings -> Parquet", lambda: narrow.write_parquet(scratch / "readings.parquet"), read)


def xlsx_floor(path: Path, scratch: Path) -> None:
    import fastexcel

    print(f"{path.name}:")
    frames: list[pl.DataFrame] = []

    def read() -> None:
        sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
        frames.append(sheet.to_polars())

    def calamine() -> None:
        from python_calamine import CalamineWorkbook

        CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()

    baseline = _timed("python-calamine read (baseline)", calamine)
    _timed("fastexcel read (the importer's reader)", read, baseline)
    raw = frames[0].slice(2)  # the title row and the header
    code, name, industry, township = raw.columns[:4]
    enterprises = (
        raw.select(
            pl.col(code).alias("credit_code"),
            pl.col(name).alias("name"),
            pl.lit("stats").alias("name_source"),
            pl.col(industry).alias("industry_code"),
            pl.lit("stats").alias("industry_code_source"),
            pl.col(township).alias("township_code"),
            pl.lit("stats").alias("township_code_source"),
            pl.lit(1).alias("first_batch_id"),
            pl.lit("2026-01-01 00:00:00").alias("updated_at"),
        )
        .unique("credit_code")
        .sort("credit_code")
    )
    connection = _sqlite(scratch / "enterprise.db")
    connection.executescript(ENTERPRISE_DDL)
    label = f"{enterprises.height:,} enterprises -> SQLite (key + 2 indexes)"
    _timed(label, lambda: _insert(connection, "enterprise", enterprises), baseline)
    connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-csv", type=int, default=5_000_000)
    parser.add_argument("--rows-xlsx", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    seed = 20240101  # bench_import.py's default: the same files
    print(f"uptime: {os.popen('uptime').read().strip()}")
    with tempfile.TemporaryDirectory(prefix="ib-floor-") as tmp:
        scratch = Path(tmp)
        if args.rows_csv:
            csv_floor(make_files.make_power_csv(args.rows_csv, seed, 1e-4, make_files.OUT), scratch)
        if args.rows_xlsx:
            xlsx_floor(make_files.make_stats_xlsx(args.rows_xlsx, seed, 1e-4, make_files.OUT), scratch)


if __name__ == "__main__":
    main()
