"""The guard: a published run is never silently changed. At flush it refuses any ORM change to
a published, superseded or final run beyond its status moving forward (published → superseded
or final), any change to such a run's inputs or results, and any change to a reviewed appeal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.evaluation.models import Appeal, EvaluationInput, EvaluationResult, EvaluationRun
from industry_brain.evaluation.workflow_common import appeal_status_name, status_name

# After publication a run's row may change only in these columns, only along these transitions.
_RUN_MUTABLE = {"status", "finalized_at"}
_TRANSITIONS = {("draft", "published"), ("published", "final"), ("published", "superseded")}


def install_guard() -> None:
    """Refuse, at flush, any ORM change to a published run beyond its status moving forward
    (idempotent; industry_brain.registry.load_all_models installs it for every opened database)."""
    if not event.contains(Session, "before_flush", _guard_flush):
        event.listen(Session, "before_flush", _guard_flush)


def _guard_flush(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        for obj in list(session.dirty) + list(session.deleted):
            deleting = obj in session.deleted
            if not deleting and not session.is_modified(obj):
                continue
            if isinstance(obj, EvaluationRun):
                _check_run(obj, deleting=deleting)
            elif isinstance(obj, EvaluationResult):
                _check_row(session, obj, "评价结果")
            elif isinstance(obj, EvaluationInput):
                _check_row(session, obj, "评价输入")
            elif isinstance(obj, Appeal):
                _check_appeal(obj, deleting=deleting)
        for obj in session.new:
            if isinstance(obj, EvaluationResult):
                _check_row(session, obj, "评价结果")
            elif isinstance(obj, EvaluationInput):
                _check_row(session, obj, "评价输入")


def _changed(obj: Any) -> dict[str, tuple[Any, Any]]:
    """column -> (committed value, new value) for the attributes changed in this session."""
    changes = {}
    for attr in inspect(obj).mapper.column_attrs:
        history = inspect(obj).attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = (old, new)
    return changes


def _check_run(run: EvaluationRun, *, deleting: bool) -> None:
    changes = _changed(run)
    committed = changes.get("status", (run.status, run.status))[0]
    if deleting:
        if committed != "draft":
            raise IndustryBrainError(f"批次 {run.id} 已公示（{status_name(committed)}），不能删除")
        return
    if "status" in changes and (committed, run.status) not in _TRANSITIONS and committed != run.status:
        raise IndustryBrainError(
            f"批次 {run.id} 的状态不能从“{status_name(committed)}”改为“{status_name(run.status)}”"
        )
    if committed == "draft":
        return
    frozen = sorted(set(changes) - _RUN_MUTABLE)
    if frozen:
        raise IndustryBrainError(
            f"批次 {run.id} 已公示（{status_name(committed)}），不能修改 {', '.join(frozen)}："
            "已公示的批次永不改动，更正须经申诉复核生成新版本"
        )


def _check_row(session: Session, row: EvaluationResult | EvaluationInput, what: str) -> None:
    run = session.get(EvaluationRun, row.run_id)
    committed = _changed(run).get("status", (None,))[0] if run is not None else None
    statuses = {s for s in (committed, run.status if run is not None else None) if s is not None}
    if statuses - {"draft"}:
        raise IndustryBrainError(
            f"批次 {row.run_id} 已公示，其{what}不能修改：已公示的批次永不改动，更正须经申诉复核生成新版本"
        )


def _check_appeal(appeal: Appeal, *, deleting: bool) -> None:
    committed = _changed(appeal).get("status", (appeal.status,))[0]
    if committed not in (None, "pending"):
        verb = "删除" if deleting else "修改"
        raise IndustryBrainError(f"申诉 {appeal.id} 已复核（{appeal_status_name(committed)}），不能{verb}")
