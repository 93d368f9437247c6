"""复核 of an appeal: reject it with a reason (the run stays), or accept it: the run is
recomputed from its inputs with the claimed figure as a new published version, and the appealed
run is superseded, its rows untouched."""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.settings import Settings
from industry_brain.evaluation.inputs import SCHEMA
from industry_brain.evaluation.models import Appeal, EvaluationRun
from industry_brain.evaluation.run_views import appeal_info, run_info, standing
from industry_brain.evaluation.service import get_run, input_hash, method_of, run_evaluation, run_inputs
from industry_brain.evaluation.workflow_common import (
    appeal_status_name,
    fmt_value,
    locked_run,
    now,
    status_name,
)
from industry_brain.evaluation.workflow_types import ReviewOutcome
from industry_brain.ingest.corrections import record_correction


def review_appeal(
    session: Session,
    *,
    appeal_id: int,
    accept: bool,
    reviewer: str,
    reason: str,
    settings: Settings,
    engine: str | None = None,
) -> ReviewOutcome:
    """复核: reject (the run stays), or accept: a new published run (version + 1, parent = the
    appealed run, same method snapshot and deadline) from the appealed run's inputs with the
    claimed figure; the appealed run becomes 'superseded', its rows untouched, and the appeals
    still pending on it move to the new run."""
    appeal = _pending_appeal(session, appeal_id)
    _check_review(appeal, accept=accept, reviewer=reviewer, reason=reason)
    run = _reviewable_run(session, appeal)
    before = standing(session, run_id=run.id, credit_code=appeal.credit_code)
    outcome = ReviewOutcome(appeal=appeal_info(session, appeal), before=before)
    if not accept:
        _mark_reviewed(appeal, "rejected", reviewer=reviewer, reason=reason)
        session.flush()
        outcome.appeal = appeal_info(session, appeal)
        return outcome

    new_run = _corrected_run(
        session, run, appeal, reviewer=reviewer.strip(), settings=settings, engine=engine
    )
    carried_over = _supersede(session, run, new_run, appeal, reviewer=reviewer, reason=reason)
    outcome.correction_batch_id = _write_back(session, run, appeal, reviewer=reviewer.strip())
    session.flush()
    outcome.appeal = appeal_info(session, appeal)
    outcome.new_run = run_info(session, run_id=new_run.id)
    outcome.after = standing(session, run_id=new_run.id, credit_code=appeal.credit_code)
    outcome.carried_over = carried_over
    return outcome


def _pending_appeal(session: Session, appeal_id: int) -> Appeal:
    """The appeal, locked FOR UPDATE; it must not have been reviewed yet."""
    appeal = session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is None:
        raise IndustryBrainError(f"申诉 {appeal_id} 不存在")
    if appeal.status != "pending":
        raise IndustryBrainError(
            f"申诉 {appeal.id} 已于 {appeal.reviewed_at:%Y-%m-%d} 由 {appeal.reviewer} 复核"
            f"（{appeal_status_name(appeal.status)}），不能再次复核"
        )
    return appeal


def _check_review(appeal: Appeal, *, accept: bool, reviewer: str, reason: str) -> None:
    """A review gives a reason and a reviewer other than the one who filed the appeal."""
    if not reason or not reason.strip():
        verb = "驳回" if not accept else "采纳"
        raise IndustryBrainError(f"{verb}申诉须写明理由（reason 不能为空）")
    if not reviewer or not reviewer.strip():
        raise IndustryBrainError("须写明复核人（reviewer 不能为空）")
    if reviewer.strip() == appeal.filed_by:
        raise IndustryBrainError(f"申诉人 {appeal.filed_by} 不能复核自己的申诉")


def _reviewable_run(session: Session, appeal: Appeal) -> EvaluationRun:
    """The appealed run, locked FOR UPDATE; it must still be under 公示."""
    run = locked_run(session, appeal.run_id)
    if run.status != "published":
        raise IndustryBrainError(
            f"申诉 {appeal.id} 所在批次 {run.id} 的状态为“{status_name(run.status)}”，不能复核"
        )
    return run


def _mark_reviewed(appeal: Appeal, status: str, *, reviewer: str, reason: str) -> None:
    appeal.status = status
    appeal.reviewer = reviewer.strip()
    appeal.reviewed_at = now()
    appeal.review_reason = reason.strip()


def _corrected_run(
    session: Session,
    run: EvaluationRun,
    appeal: Appeal,
    *,
    reviewer: str,
    settings: Settings,
    engine: str | None,
) -> EvaluationRun:
    """A new draft run (parent = `run`) from the run's stored inputs with the claimed figure."""
    facts = run_inputs(session, run)
    if input_hash(facts) != run.input_hash:
        raise IndustryBrainError(
            f"批次 {run.id} 存储的输入与其哈希 {run.input_hash[:12]}… 不符（可能被改动），"
            "不能据此复核；请联系管理员"
        )
    corrected = _corrected(facts, appeal.credit_code, appeal.field, appeal.claimed_value)
    source = (
        f"申诉 #{appeal.id} 更正：{appeal.credit_code} {appeal.field} "
        f"{fmt_value(appeal.current_value)} → {fmt_value(appeal.claimed_value)}；复核人 {reviewer}；"
        f"其余输入同批次 {run.id}（第 {run.version} 版，输入哈希 {run.input_hash[:12]}）"
    )[:500]
    summary, _ = run_evaluation(
        session,
        year=run.year,
        method=method_of(run),
        settings=settings,
        facts=corrected,
        input_source=source,
        engine=engine or run.engine,
        user=reviewer,
        parent=run,
    )
    assert summary.run_id is not None
    return get_run(session, summary.run_id)


def _supersede(
    session: Session,
    run: EvaluationRun,
    new_run: EvaluationRun,
    appeal: Appeal,
    *,
    reviewer: str,
    reason: str,
) -> list[int]:
    """Publish `new_run` in place of `run` until the same deadline, record the appeal as accepted
    and move the run's other pending appeals to the new run; returns their ids."""
    new_run.status = "published"
    new_run.published_at = now()
    new_run.deadline = run.deadline
    run.status = "superseded"
    _mark_reviewed(appeal, "accepted", reviewer=reviewer, reason=reason)
    appeal.new_run_id = new_run.id
    pending = session.scalars(
        select(Appeal).where(Appeal.run_id == run.id, Appeal.status == "pending", Appeal.id != appeal.id)
    ).all()
    for other in pending:
        other.run_id = new_run.id
    return sorted(a.id for a in pending)


def _root_source(session: Session, run: EvaluationRun) -> str:
    """Where the first version of `run` took its inputs from ("database" or a facts file)."""
    while run.parent_id is not None:
        run = get_run(session, run.parent_id)
    return run.input_source


def _write_back(session: Session, run: EvaluationRun, appeal: Appeal, *, reviewer: str) -> int | None:
    """Correct the enterprise record too, when the run was computed from it: the next run of the
    same year then keeps the accepted figure. A run from a facts file leaves the record alone."""
    if _root_source(session, run) != "database" or appeal.claimed_value is None:
        return None
    return record_correction(
        session,
        credit_code=appeal.credit_code,
        year=run.year,
        field=appeal.field,
        value=appeal.claimed_value,
        by=reviewer,
        reference=f"申诉 #{appeal.id} 采纳（评价批次 {run.id}）",
    )


def _corrected(facts: pl.DataFrame, credit_code: str, field: str, value: float | None) -> pl.DataFrame:
    dtype = SCHEMA[field]
    literal = pl.lit(None if value is None else (int(value) if dtype == pl.Int64 else value), dtype=dtype)
    return facts.with_columns(
        pl.when(pl.col("credit_code") == credit_code).then(literal).otherwise(pl.col(field)).alias(field)
    )
