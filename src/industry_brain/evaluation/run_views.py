"""Reading runs and appeals: a run's metadata with its grade and pool counts, the runs of a year,
the appeals of a run's family (all its versions), and an enterprise's standing in a run."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from industry_brain.evaluation.models import Appeal, EvaluationInput, EvaluationResult, EvaluationRun
from industry_brain.evaluation.service import get_run
from industry_brain.evaluation.workflow_types import AppealInfo, RunInfo, Standing


def list_runs(session: Session, *, year: int | None = None) -> list[RunInfo]:
    query = select(EvaluationRun).order_by(EvaluationRun.id)
    if year is not None:
        query = query.where(EvaluationRun.year == year)
    return [run_metadata(session, run) for run in session.scalars(query)]


def run_info(session: Session, *, run_id: int) -> RunInfo:
    """A run's metadata with its grade and pool counts."""
    run = get_run(session, run_id)
    info = run_metadata(session, run)
    for key, column in (("grades", EvaluationResult.grade), ("pools", EvaluationResult.pool)):
        rows = session.execute(
            select(column, func.count()).where(EvaluationResult.run_id == run.id).group_by(column)
        ).all()
        setattr(info, key, {str(k): int(n) for k, n in sorted(rows)})
    return info


def list_appeals(session: Session, *, run_id: int) -> list[AppealInfo]:
    """Every appeal of the run's family (all its versions), oldest first."""
    family = _family(session, get_run(session, run_id))
    appeals = session.scalars(select(Appeal).where(Appeal.run_id.in_(family)).order_by(Appeal.id)).all()
    return [appeal_info(session, a) for a in appeals]


def standing(session: Session, *, run_id: int, credit_code: str) -> Standing | None:
    row = session.execute(
        select(
            EvaluationResult.pool, EvaluationResult.grade, EvaluationResult.score, EvaluationResult.rank
        ).where(EvaluationResult.run_id == run_id, EvaluationResult.credit_code == credit_code)
    ).first()
    return None if row is None else Standing(run_id, row[0], row[1], row[2], row[3])


def pending_ids(session: Session, run_id: int) -> list[int]:
    """The ids of the run's appeals still waiting for review, oldest first."""
    return list(
        session.scalars(
            select(Appeal.id).where(Appeal.run_id == run_id, Appeal.status == "pending").order_by(Appeal.id)
        )
    )


def run_metadata(session: Session, run: EvaluationRun) -> RunInfo:
    """A run's metadata (without grade and pool counts; see run_info)."""
    child = session.scalar(select(EvaluationRun.id).where(EvaluationRun.parent_id == run.id).limit(1))
    return RunInfo(
        run_id=run.id,
        year=run.year,
        method=run.method_id,
        method_version=run.method_version,
        method_fingerprint=run.method_fingerprint,
        input_hash=run.input_hash,
        input_source=run.input_source,
        engine=run.engine,
        status=run.status,
        version=run.version,
        parent_id=run.parent_id,
        superseded_by=child,
        enterprises=run.enterprises,
        created_at=run.created_at,
        created_by=run.created_by,
        published_at=run.published_at,
        deadline=run.deadline,
        finalized_at=run.finalized_at,
        pending_appeals=len(pending_ids(session, run.id)),
    )


def appeal_info(session: Session, appeal: Appeal) -> AppealInfo:
    """An appeal with the version of its run and the enterprise's name in that run."""
    run = get_run(session, appeal.run_id)
    name = session.scalar(
        select(EvaluationInput.name).where(
            EvaluationInput.run_id == appeal.run_id, EvaluationInput.credit_code == appeal.credit_code
        )
    )
    return AppealInfo(
        appeal_id=appeal.id,
        run_id=appeal.run_id,
        run_version=run.version,
        credit_code=appeal.credit_code,
        name=name,
        field=appeal.field,
        current_value=appeal.current_value,
        claimed_value=appeal.claimed_value,
        statement=appeal.statement,
        filed_by=appeal.filed_by,
        filed_at=appeal.filed_at,
        status=appeal.status,
        reviewer=appeal.reviewer,
        reviewed_at=appeal.reviewed_at,
        review_reason=appeal.review_reason,
        new_run_id=appeal.new_run_id,
    )


def _family(session: Session, run: EvaluationRun) -> list[int]:
    root = run
    while root.parent_id is not None:
        root = get_run(session, root.parent_id)
    ids, frontier = [root.id], [root.id]
    while frontier:
        frontier = list(
            session.scalars(select(EvaluationRun.id).where(EvaluationRun.parent_id.in_(frontier)))
        )
        ids += frontier
    return ids
