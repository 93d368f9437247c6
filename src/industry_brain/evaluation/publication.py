"""公示 and 终审: publish a draft run with an appeal deadline, and finalize the published runs
whose deadline has passed with no appeal pending."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.evaluation.models import EvaluationRun
from industry_brain.evaluation.run_views import pending_ids, run_info
from industry_brain.evaluation.workflow_common import locked_run, now, parse_date, status_name
from industry_brain.evaluation.workflow_types import FinalizeReport, RunInfo


def publish(
    session: Session, *, run_id: int, deadline: dt.date | str, user: str | None, today: dt.date
) -> RunInfo:
    """公示 a draft run until `deadline` (appeals are taken up to and including that day); a
    deadline given as text is read by parse_date (2026-12-20, 2026/12/20, 2026年12月20日)."""
    deadline = parse_date(deadline, "公示截止日")
    run = locked_run(session, run_id)
    if run.status != "draft":
        raise IndustryBrainError(
            f"批次 {run.id} 的状态为“{status_name(run.status)}”，只有草稿可以公示（已公示的批次不能再次公示）"
        )
    if deadline <= today:
        raise IndustryBrainError(
            f"公示截止日 {deadline.isoformat()} 须晚于今天 {today.isoformat()}（截止当天仍可申诉）"
        )
    other = session.scalar(
        select(EvaluationRun.id).where(
            EvaluationRun.year == run.year, EvaluationRun.status == "published", EvaluationRun.id != run.id
        )
    )
    if other is not None:
        raise IndustryBrainError(
            f"{run.year} 年已有批次 {other} 正在公示；同一年度同时只能公示一个批次（先终审或等其截止）"
        )
    run.status = "published"
    run.published_at = now()
    run.published_by = user
    run.deadline = deadline
    session.flush()
    return run_info(session, run_id=run.id)


def finalize_run(session: Session, *, run_id: int, today: dt.date) -> RunInfo:
    """终审 one run from the page or the API: it must be under 公示, its deadline passed, and no
    appeal of it still pending (the same rules as finalize_due, with the reason when refused)."""
    run = locked_run(session, run_id)
    if run.status != "published":
        raise IndustryBrainError(
            f"批次 {run.id} 的状态为“{status_name(run.status)}”，只有公示中的批次可以终审"
        )
    assert run.deadline is not None
    if run.deadline >= today:
        raise IndustryBrainError(
            f"批次 {run.id} 公示至 {run.deadline.isoformat()}（当天仍可申诉），"
            f"{(run.deadline + dt.timedelta(days=1)).isoformat()} 起才能终审"
        )
    pending = pending_ids(session, run.id)
    if pending:
        ids = "、".join(f"#{i}" for i in pending)
        raise IndustryBrainError(f"批次 {run.id} 还有待复核的申诉 {ids}，复核后才能终审")
    run.status = "final"
    run.finalized_at = now()
    session.flush()
    return run_info(session, run_id=run.id)


def finalize_due(session: Session, *, today: dt.date) -> FinalizeReport:
    """Every published run whose deadline is before `today` and has no pending appeal becomes
    final; one with pending appeals is reported in `blocked` and stays published."""
    report = FinalizeReport(today=today)
    due = session.scalars(
        select(EvaluationRun)
        .where(EvaluationRun.status == "published", EvaluationRun.deadline < today)
        .order_by(EvaluationRun.id)
        .with_for_update()
    ).all()
    for run in due:
        if session.scalar(select(EvaluationRun.id).where(EvaluationRun.parent_id == run.id)) is not None:
            continue  # not the latest version (cannot happen through this module)
        pending = pending_ids(session, run.id)
        if pending:
            assert run.deadline is not None
            report.blocked.append({"run_id": run.id, "deadline": run.deadline, "pending_appeals": pending})
            continue
        run.status = "final"
        run.finalized_at = now()
        report.finalized.append(run.id)
    session.flush()
    return report
