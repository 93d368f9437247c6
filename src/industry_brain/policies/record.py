"""The record a policy is matched against, read from the platform's own data, and where each
value came from.

Per enterprise and figures year: the resolved facts (ingest.facts.resolve_year, the stated
precedence) of that year and of the year before (for growth and 小升规), the master record's
township and zone, the 亩均 grade of the year's newest final (else published) evaluation run,
and the declared figures the facts have no column for (policy_figure, e.g. 技改投资).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.db import column_rows
from industry_brain.core.labels import SOURCES
from industry_brain.core.settings import get_settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.enterprises.precedence import PRECEDENCE
from industry_brain.evaluation.models import EvaluationResult, EvaluationRun
from industry_brain.ingest.facts import FIGURES, resolve_year
from industry_brain.ingest.models import ImportBatch, Record
from industry_brain.policies.engine import TITLE_SCHEMA, record_frame
from industry_brain.policies.models import PolicyFigure

GRADE_RUNS = ("final", "published")


def grade_run(session: Session, year: int) -> EvaluationRun | None:
    """The run whose grades count for `year`: the newest final one, else the newest published."""
    for status in GRADE_RUNS:
        run = session.scalars(
            select(EvaluationRun)
            .where(EvaluationRun.year == year, EvaluationRun.status == status)
            .order_by(EvaluationRun.id.desc())
        ).first()
        if run is not None:
            return run
    return None


def record_of(session: Session, *, year: int, codes: set[str] | None = None) -> pl.DataFrame:
    """The record table (analytics.RECORD_COLUMNS) of `year` for `codes` (every one when None)."""
    tol = get_settings().conflict_tolerance
    now = resolve_year(session, year=year, tolerance=tol)[0]
    prev = resolve_year(session, year=year - 1, tolerance=tol)[0].select(
        "credit_code",
        pl.col("above_scale").cast(pl.Float64).alias("above_scale_prev"),
        pl.col("revenue_wan").alias("revenue_prev_wan"),
        pl.col("output_wan").alias("output_prev_wan"),
    )
    attrs = pl.DataFrame(
        column_rows(session, select(Enterprise.credit_code, Enterprise.township_code, Enterprise.zone)),
        schema={"credit_code": pl.String, "township_code": pl.String, "zone": pl.String},
        orient="row",
    )
    frame = now.join(prev, on="credit_code", how="left").join(attrs, on="credit_code", how="left")
    frame = frame.join(_grades(session, year), on="credit_code", how="left")
    frame = frame.join(_declared(session, year), on="credit_code", how="left")
    if codes is not None:
        frame = frame.filter(pl.col("credit_code").is_in(sorted(codes)))
    return record_frame(frame.with_columns(pl.lit(year).alias("year")))


def _grades(session: Session, year: int) -> pl.DataFrame:
    run = grade_run(session, year)
    rows = (
        []
        if run is None
        else column_rows(
            session,
            select(EvaluationResult.credit_code, EvaluationResult.grade).where(
                EvaluationResult.run_id == run.id
            ),
        )
    )
    frame = pl.DataFrame(rows, schema={"credit_code": pl.String, "mu_grade": pl.String}, orient="row")
    return frame.filter(pl.col("mu_grade") != "T")  # T: not evaluated, no grade


def _declared(session: Session, year: int) -> pl.DataFrame:
    rows = column_rows(
        session,
        select(PolicyFigure.credit_code, PolicyFigure.value)
        .where(PolicyFigure.year == year, PolicyFigure.field == "tech_investment_wan")
        .order_by(PolicyFigure.id),
    )  # the newest row of an enterprise counts (unique keeps the last)
    frame = pl.DataFrame(
        rows, schema={"credit_code": pl.String, "tech_investment_wan": pl.Float64}, orient="row"
    )
    return frame.unique("credit_code", keep="last")


def titles_all(session: Session, codes: set[str] | None = None) -> pl.DataFrame:
    stmt = (
        select(Record.credit_code, Record.title, Record.title_level, Record.title_year)
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.template == "titles", ImportBatch.status == "active", Record.credit_code.is_not(None)
        )
    )
    if codes is not None:
        stmt = stmt.where(Record.credit_code.in_(sorted(codes)))
    return pl.DataFrame(column_rows(session, stmt), schema=TITLE_SCHEMA, orient="row").unique()


def sources_of(session: Session, *, year: int, codes: set[str]) -> dict[tuple[str, int, str], dict[str, Any]]:
    """(credit_code, year, field) -> {source, department, batch_id, file, row} for the figures of
    `codes` in `year`: the record of the source the precedence puts first (the newest batch of
    it; a monthly figure names its first row). Also the 亩均 grade's run and declared figures."""
    out: dict[tuple[str, int, str], dict[str, Any]] = {}
    if not codes:
        return out
    stmt = (
        select(
            Record.credit_code,
            ImportBatch.source,
            ImportBatch.id,
            ImportBatch.file_name,
            Record.row,
            *[getattr(Record, f) for f in FIGURES],
        )
        .join(ImportBatch, ImportBatch.id == Record.batch_id)
        .where(
            ImportBatch.status == "active",
            Record.credit_code.in_(sorted(codes)),
            (Record.period == str(year)) | Record.period.like(f"{year}-%"),
        )
        .order_by(ImportBatch.id.desc(), Record.row)
    )
    best: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for row in session.execute(stmt).all():
        code, source, batch, file, line = row[:5]
        for field, value in zip(FIGURES, row[5:], strict=True):
            if value is None:
                continue
            order = PRECEDENCE.get(field, ())
            rank = order.index(source) if source in order else 99
            key = (code, field)
            if key not in best or rank < best[key][0]:
                where = {
                    "source": source,
                    "department": SOURCES.get(source, source),
                    "batch_id": batch,
                    "file": file,
                    "row": line,
                }
                best[key] = (rank, where)
    for (code, field), (_, where) in best.items():
        out[(code, year, field)] = where
    run = grade_run(session, year)
    if run is not None:
        for code in codes:
            out[(code, year, "mu_grade")] = {
                "source": "evaluation",
                "department": "区经信局（亩均评价）",
                "run_id": run.id,
            }
    declared = select(PolicyFigure).where(
        PolicyFigure.year == year, PolicyFigure.credit_code.in_(sorted(codes))
    )
    for fig in session.scalars(declared.order_by(PolicyFigure.id)):  # the newest row wins, as in record_of
        out[(fig.credit_code, year, fig.field)] = {
            "source": "declared",
            "department": fig.department,
            "file": fig.file,
            "row": fig.row,
        }
    return out
