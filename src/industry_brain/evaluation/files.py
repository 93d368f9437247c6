"""Evaluating a facts file (`evaluate --input`) without carrying it through Python twice.

The file is read and checked once (inputs.read_facts_file) and hashed (service.input_hash);
when it is a Parquet file in the canonical form, the engine then reads the file itself (DuckDB's
read_parquet, Spark's reader) instead of a copy of the frame, and writes a Parquet result itself
too. Any other file is evaluated from the checked frame, as before. Both give the same results
(tests/test_evaluation_files.py).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from industry_brain.core.settings import Settings
from industry_brain.evaluation.analytics import evaluate
from industry_brain.evaluation.engines import connect
from industry_brain.evaluation.inputs import read_facts_file
from industry_brain.evaluation.method import Method
from industry_brain.evaluation.service import compute, facts_of_year, input_hash, summarise
from industry_brain.ingest.facts import FACT_COLUMNS

# Engines that read a Parquet file themselves.
READS_FILES = ("duckdb", "pyspark")


@dataclass
class FileEvaluation:
    input_hash: str
    enterprises: int
    grades: dict[str, int]
    pools: dict[str, int]
    results: pl.DataFrame | None  # None when the engine wrote the results file itself
    read_by_engine: bool


def evaluate_file(
    path: Path,
    method: Method,
    *,
    year: int,
    settings: Settings,
    engine: str = "duckdb",
    output: Path | None = None,
) -> FileEvaluation:
    """The results of `method` on the facts of `year` in the file at `path`; written to
    `output` if given."""
    from industry_brain.reports.tables import write_table

    facts, direct = read_facts_file(path, settings=settings)
    facts = facts_of_year(facts, year)
    digest = input_hash(facts)
    if not (direct and engine in READS_FILES):
        results = compute(
            facts, method, year=year, engine=engine, postgres_url=settings.database_url, settings=settings
        )
        if output is not None:
            write_table(results, output, sheet=f"{year}年亩均评价")
        grades, pools = summarise(results)
        return FileEvaluation(digest, results.height, grades, pools, results, False)
    del facts  # the engine reads the file: the frame need not live on beside its copy
    return _by_engine(path, method, year=year, settings=settings, engine=engine, output=output, digest=digest)


def _by_engine(
    path: Path,
    method: Method,
    *,
    year: int,
    settings: Settings,
    engine: str,
    output: Path | None,
    digest: str,
) -> FileEvaluation:
    """The engine reads the facts file itself, and writes a Parquet result itself."""
    from industry_brain.reports.tables import write_table

    con = connect(engine, settings=settings)
    try:
        expr = evaluate(_read_parquet(con, path), method, year=year)
        if output is not None and output.suffix.lower() == ".parquet":
            return FileEvaluation(digest, *_write_parquet(con, expr, output), None, True)
        frame = pl.from_arrow(expr.to_pyarrow())
        assert isinstance(frame, pl.DataFrame)
    finally:
        if engine != "pyspark":  # the Spark session is shared by the process
            con.disconnect()
    if output is not None:
        write_table(frame, output, sheet=f"{year}年亩均评价")
    grades, pools = summarise(frame)
    return FileEvaluation(digest, frame.height, grades, pools, frame, True)


def _read_parquet(con: Any, path: Path) -> Any:
    if con.name == "pyspark":
        view = f"facts_{uuid.uuid4().hex[:8]}"
        con._session.read.parquet(str(path.resolve())).select(*FACT_COLUMNS).createOrReplaceTempView(view)
        return con.table(view)
    return con.read_parquet(str(path)).select(FACT_COLUMNS)


def _write_parquet(con: Any, results: Any, output: Path) -> tuple[int, dict[str, int], dict[str, int]]:
    """Write `results` to `output` (atomically, as write_table does) and count them from there."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    try:
        if con.name == "pyspark":
            _spark_write(con, results, tmp)
        else:
            results.to_parquet(str(tmp))
        counted = _counts(con, tmp)
        tmp.replace(output)
    except BaseException:
        with contextlib.suppress(OSError):
            _remove(tmp)
        raise
    return counted


def _counts(con: Any, path: Path) -> tuple[int, dict[str, int], dict[str, int]]:
    import ibis

    if con.name == "pyspark":
        view = f"results_{uuid.uuid4().hex[:8]}"
        con._session.read.parquet(str(path.resolve())).createOrReplaceTempView(view)
        t = con.table(view)
    else:
        t = con.read_parquet(str(path))
    by = t.group_by(["grade", "pool"]).agg(n=ibis._.count()).to_polars()
    grades = dict(sorted(by.group_by("grade").agg(pl.col("n").sum()).iter_rows()))
    pools = dict(sorted(by.group_by("pool").agg(pl.col("n").sum()).iter_rows()))
    return int(by["n"].sum()), grades, pools


def _spark_write(con: Any, results: Any, path: Path) -> None:
    """Spark writes a directory of part files; the results are one file, as from DuckDB."""
    import shutil
    import tempfile

    frame = con._session.sql(str(con.compile(results))).coalesce(1)
    scratch = Path(tempfile.mkdtemp(prefix="ib-spark-", dir=path.parent))
    try:
        frame.write.mode("overwrite").parquet(str(scratch / "out"))
        (part,) = sorted((scratch / "out").glob("part-*.parquet"))
        part.replace(path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
