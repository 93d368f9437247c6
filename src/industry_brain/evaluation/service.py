"""Running evaluations: facts from the database or a file, computed on an Ibis engine, stored
as a draft run with the method and a hash of its inputs so every version is reproducible."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io

import polars as pl
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core import bulk
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.settings import Settings
from industry_brain.evaluation.analytics import evaluate
from industry_brain.evaluation.engines import connect
from industry_brain.evaluation.inputs import SCHEMA, conform, drop_facts, facts_table_name, to_backend
from industry_brain.evaluation.method import INDICATORS, Method
from industry_brain.evaluation.models import EvaluationInput, EvaluationResult, EvaluationRun
from industry_brain.evaluation.schemas import RunSummary
from industry_brain.ingest.facts import FACT_COLUMNS, resolve_year

HASH_CHUNK = 200_000


def input_hash(facts: pl.DataFrame) -> str:
    """sha256 of the facts in canonical order and form: equal facts, equal hash.

    The bytes hashed are the facts sorted by credit code and year, written as CSV (a header,
    floats with 12 decimals). They are written and hashed a slice at a time, so the text of 5M
    rows (~2 GB) never exists at once; a CSV row's text depends on that row alone, so the bytes
    are those of the whole frame written in one piece (tests/test_input_hash.py)."""
    canonical = facts.select(FACT_COLUMNS).cast(SCHEMA)
    order = canonical.select(pl.arg_sort_by("credit_code", "year")).to_series()
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    for start in range(0, max(canonical.height, 1), HASH_CHUNK):
        buffer.seek(0)
        buffer.truncate()
        chunk = canonical[order.slice(start, HASH_CHUNK)]
        chunk.write_csv(buffer, include_header=start == 0, float_precision=12)
        digest.update(buffer.getbuffer())
    return digest.hexdigest()


def facts_of_year(facts: pl.DataFrame, year: int) -> pl.DataFrame:
    """The rows of `year`: what an evaluation of the year computes on and hashes (`input_hash`),
    from a file as from the database; refused when there are none."""
    facts = facts.filter(pl.col("year") == year)
    if facts.is_empty():
        raise IndustryBrainError(f"{year} 年没有企业数据可供评价")
    return facts


def compute(
    facts: pl.DataFrame,
    method: Method,
    *,
    year: int,
    engine: str = "duckdb",
    postgres_url: str | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The results of `method` on `facts` for `year`, computed on `engine` (a Spark session of
    `settings`, for PySpark)."""
    con = connect(engine, postgres_url=postgres_url, settings=settings)
    name = facts_table_name()
    try:
        table = to_backend(facts, con, name)
        result = evaluate(table, method, year=year).to_pyarrow()
    except BaseException:
        # The facts are confidential: drop them after an error too, without hiding the error.
        with contextlib.suppress(Exception):
            drop_facts(con, name)
        raise
    else:
        drop_facts(con, name)
    finally:
        if engine != "pyspark":  # the Spark session is shared by the process
            con.disconnect()
    return pl.from_arrow(result)  # type: ignore[return-value]


def facts_for(session: Session, *, year: int, settings: Settings) -> pl.DataFrame:
    facts, _ = resolve_year(session, year=year, tolerance=settings.conflict_tolerance)
    return conform(facts, "数据库事实表", first_row=1)


def method_yaml(method: Method) -> str:
    return yaml.safe_dump(dataclasses.asdict(method), allow_unicode=True, sort_keys=True)


def summarise(results: pl.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    grades = dict(sorted(results.group_by("grade").len().iter_rows()))
    pools = dict(sorted(results.group_by("pool").len().iter_rows()))
    return grades, pools


def run_evaluation(
    session: Session,
    *,
    year: int,
    method: Method,
    settings: Settings,
    facts: pl.DataFrame | None = None,
    input_source: str = "database",
    engine: str = "duckdb",
    user: str | None = None,
    parent: EvaluationRun | None = None,
) -> tuple[RunSummary, pl.DataFrame]:
    """Evaluate and store a draft run (its facts, results, method and input hash)."""
    if facts is None:
        facts = facts_for(session, year=year, settings=settings)
    facts = facts_of_year(facts, year)
    results = compute(
        facts, method, year=year, engine=engine, postgres_url=settings.database_url, settings=settings
    )
    run = EvaluationRun(
        year=year,
        method_id=method.id,
        method_version=method.version,
        method_fingerprint=method.fingerprint(),
        method_yaml=method_yaml(method),
        input_hash=input_hash(facts),
        input_source=input_source,
        engine=engine,
        status="draft",
        version=(parent.version + 1) if parent else 1,
        parent_id=parent.id if parent else None,
        enterprises=results.height,
        created_at=_now(),
        created_by=user,
    )
    session.add(run)
    session.flush()
    bulk.insert_frame(
        session, "evaluation_input", facts.select(FACT_COLUMNS).with_columns(pl.lit(run.id).alias("run_id"))
    )
    bulk.insert_frame(session, "evaluation_result", results.with_columns(pl.lit(run.id).alias("run_id")))
    return summary_of(run, results), results


def summary_of(run: EvaluationRun, results: pl.DataFrame) -> RunSummary:
    grades, pools = summarise(results)
    return RunSummary(
        run.id,
        run.year,
        run.method_id,
        run.method_version,
        run.method_fingerprint,
        run.input_hash,
        run.engine,
        run.status,
        run.version,
        run.enterprises,
        grades,
        pools,
    )


def get_run(session: Session, run_id: int) -> EvaluationRun:
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise IndustryBrainError(f"评价批次 {run_id} 不存在")
    return run


def run_results(session: Session, run: EvaluationRun, method: Method | None = None) -> pl.DataFrame:
    names = method.indicators() if method else list(INDICATORS)
    cols = [
        "credit_code",
        "name",
        "pool",
        "grade",
        "score",
        "rank",
        *names,
        *[f"score_{n}" for n in names],
        "imputed",
        "vetoes",
        "reason",
    ]
    rows = session.execute(
        select(*[getattr(EvaluationResult, c) for c in cols])
        .where(EvaluationResult.run_id == run.id)
        .order_by(EvaluationResult.pool, EvaluationResult.rank, EvaluationResult.credit_code)
    ).all()
    return pl.DataFrame(rows, schema=cols, orient="row", infer_schema_length=None)


def run_inputs(session: Session, run: EvaluationRun) -> pl.DataFrame:
    rows = session.execute(
        select(*[getattr(EvaluationInput, c) for c in FACT_COLUMNS]).where(EvaluationInput.run_id == run.id)
    ).all()
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def method_of(run: EvaluationRun) -> Method:
    """The method exactly as the run used it (from its stored snapshot)."""
    from industry_brain.evaluation.method import parse_method_snapshot

    return parse_method_snapshot(run.method_yaml)
