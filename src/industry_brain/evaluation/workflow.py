"""公示, 申诉 and 复核 of evaluation runs: publish a draft with a deadline, file appeals against a
figure, accept (a new run version from the corrected facts) or reject with a reason, finalize at
the deadline. docs/appeals.md describes the lifecycle in words.

A published, superseded or final run is never changed: its inputs, results, method snapshot and
hash stay as they were; only its status moves forward (published → superseded or final). The
flush guard at the end of this module refuses any other change made through the ORM.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.settings import Settings
from industry_brain.evaluation.inputs import FLAGS, SCHEMA
from industry_brain.evaluation.method import INDICATORS, Method
from industry_brain.evaluation.models import Appeal, EvaluationInput, EvaluationResult, EvaluationRun
from industry_brain.evaluation.service import (
    compute,
    get_run,
    input_hash,
    method_of,
    run_evaluation,
    run_inputs,
    run_results,
)

STATUS_NAMES = {
    "draft": "草稿",
    "published": "公示中",
    "superseded": "已被取代",
    "final": "已终审",
}
APPEAL_STATUS_NAMES = {"pending": "待复核", "accepted": "已采纳", "rejected": "已驳回"}
# Facts fields an appeal may dispute, and what they are called.
FIELD_NAMES = {
    "above_scale": "是否规上（1/0）",
    "land_mu": "自有用地（亩）",
    "rented_mu": "租赁用地（亩）",
    "tax_wan": "实缴税金（万元）",
    "value_added_wan": "工业增加值（万元）",
    "revenue_wan": "营业收入（万元）",
    "output_wan": "工业总产值（万元）",
    "energy_tce": "综合能耗（吨标准煤）",
    "emission_t": "主要污染物排放量（吨）",
    "employees": "从业人员（人）",
    "rd_spend_wan": "研发经费（万元）",
    "electricity_wan_kwh": "用电量（万千瓦时）",
    "safety_accident": "安全生产事故（1/0）",
    "env_violation": "环境违法（1/0）",
}
NON_NEGATIVE = ("land_mu", "rented_mu", "energy_tce", "emission_t", "employees", "electricity_wan_kwh")


# --- typed results ----------------------------------------------------------------------------


@dataclass
class RunInfo:
    run_id: int
    year: int
    method: str
    method_version: int
    method_fingerprint: str
    input_hash: str
    input_source: str
    engine: str
    status: str
    version: int
    parent_id: int | None
    superseded_by: int | None
    enterprises: int
    created_at: dt.datetime
    created_by: str | None
    published_at: dt.datetime | None
    deadline: dt.date | None
    finalized_at: dt.datetime | None
    pending_appeals: int
    grades: dict[str, int] = field(default_factory=dict)
    pools: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("created_at", "published_at", "finalized_at", "deadline"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data


@dataclass
class AppealInfo:
    appeal_id: int
    run_id: int
    run_version: int
    credit_code: str
    name: str | None
    field: str
    current_value: float | None
    claimed_value: float | None
    statement: str
    filed_by: str
    filed_at: dt.datetime
    status: str
    reviewer: str | None
    reviewed_at: dt.datetime | None
    review_reason: str | None
    new_run_id: int | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("filed_at", "reviewed_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data


@dataclass
class Standing:
    """An enterprise's place in one run."""

    run_id: int
    pool: str
    grade: str
    score: float | None
    rank: int | None


@dataclass
class ReviewOutcome:
    appeal: AppealInfo
    new_run: RunInfo | None = None
    before: Standing | None = None
    after: Standing | None = None
    carried_over: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "appeal": self.appeal.to_json(),
            "new_run": self.new_run.to_json() if self.new_run else None,
            "before": asdict(self.before) if self.before else None,
            "after": asdict(self.after) if self.after else None,
            "carried_over": self.carried_over,
        }


@dataclass
class FinalizeReport:
    today: dt.date
    finalized: list[int] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)  # run_id, deadline, pending appeal ids

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "finalized": self.finalized,
            "blocked": [{**b, "deadline": b["deadline"].isoformat()} for b in self.blocked],
        }


@dataclass
class Verification:
    run_id: int
    inputs_match: bool
    results_match: bool
    differences: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- the lifecycle ----------------------------------------------------------------------------


def publish(session: Session, *, run_id: int, deadline: dt.date, user: str | None, today: dt.date) -> RunInfo:
    """公示 a draft run until `deadline` (appeals are taken up to and including that day)."""
    run = _locked_run(session, run_id)
    if run.status != "draft":
        raise IndustryBrainError(
            f"批次 {run.id} 的状态为“{_status(run.status)}”，只有草稿可以公示（已公示的批次不能再次公示）"
        )
    if deadline <= today:
        raise IndustryBrainError(f"公示截止日 {deadline.isoformat()} 须晚于今天 {today.isoformat()}")
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
    run.published_at = _now()
    run.published_by = user
    run.deadline = deadline
    session.flush()
    return run_info(session, run_id=run.id)


def file_appeal(
    session: Session,
    *,
    run_id: int,
    credit_code: str,
    field: str,
    claimed_value: float,
    statement: str,
    filed_by: str,
    today: dt.date,
) -> AppealInfo:
    """申诉: dispute one figure of an enterprise in a run under 公示, on or before its deadline."""
    run = _locked_run(session, run_id)
    if run.status != "published":
        raise IndustryBrainError(_not_open(session, run))
    assert run.deadline is not None
    if today > run.deadline:
        raise IndustryBrainError(
            f"批次 {run.id} 的公示已于 {run.deadline.isoformat()} 截止，不能再申诉"
            f"（今天 {today.isoformat()}）"
        )
    if not statement or not statement.strip():
        raise IndustryBrainError("申诉须写明理由和依据（statement 不能为空）")
    if not filed_by or not filed_by.strip():
        raise IndustryBrainError("申诉须写明申诉人（filed_by 不能为空）")
    method = method_of(run)
    allowed = appealable_fields(method)
    if field not in allowed:
        known = "不是事实表中可申诉的数字字段" if field not in FIELD_NAMES else f"方法 {method.id} 不使用此项"
        raise IndustryBrainError(f"申诉字段 {field}：{known}；可申诉的字段：{', '.join(allowed)}")
    value = _checked_value(field, claimed_value)
    row = session.execute(
        select(EvaluationInput.id, getattr(EvaluationInput, field)).where(
            EvaluationInput.run_id == run.id, EvaluationInput.credit_code == credit_code
        )
    ).first()
    if row is None:
        raise IndustryBrainError(f"企业 {credit_code} 不在批次 {run.id} 的评价范围内")
    current = None if row[1] is None else float(row[1])
    if current is not None and math.isclose(current, value, rel_tol=0, abs_tol=1e-12):
        raise IndustryBrainError(f"申诉值 {_fmt(value)} 与公示所用的 {field} 相同，无需申诉")
    duplicate = session.scalar(
        select(Appeal.id).where(
            Appeal.run_id == run.id,
            Appeal.credit_code == credit_code,
            Appeal.field == field,
            Appeal.status == "pending",
        )
    )
    if duplicate is not None:
        raise IndustryBrainError(
            f"企业 {credit_code} 的 {field} 已有待复核的申诉 #{duplicate}，请等待复核结果"
        )
    appeal = Appeal(
        run_id=run.id,
        credit_code=credit_code,
        field=field,
        current_value=current,
        claimed_value=value,
        statement=statement.strip(),
        filed_by=filed_by.strip(),
        filed_at=_now(),
        status="pending",
    )
    session.add(appeal)
    session.flush()
    return _appeal_info(session, appeal)


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
    appeal = session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is None:
        raise IndustryBrainError(f"申诉 {appeal_id} 不存在")
    if appeal.status != "pending":
        raise IndustryBrainError(
            f"申诉 {appeal.id} 已于 {appeal.reviewed_at:%Y-%m-%d} 由 {appeal.reviewer} 复核"
            f"（{_appeal_status(appeal.status)}），不能再次复核"
        )
    if not reason or not reason.strip():
        verb = "驳回" if not accept else "采纳"
        raise IndustryBrainError(f"{verb}申诉须写明理由（reason 不能为空）")
    if not reviewer or not reviewer.strip():
        raise IndustryBrainError("须写明复核人（reviewer 不能为空）")
    if reviewer.strip() == appeal.filed_by:
        raise IndustryBrainError(f"申诉人 {appeal.filed_by} 不能复核自己的申诉")
    run = _locked_run(session, appeal.run_id)
    if run.status != "published":
        raise IndustryBrainError(
            f"申诉 {appeal.id} 所在批次 {run.id} 的状态为“{_status(run.status)}”，不能复核"
        )
    before = standing(session, run_id=run.id, credit_code=appeal.credit_code)
    outcome = ReviewOutcome(appeal=_appeal_info(session, appeal), before=before)
    if not accept:
        appeal.status = "rejected"
        appeal.reviewer = reviewer.strip()
        appeal.reviewed_at = _now()
        appeal.review_reason = reason.strip()
        session.flush()
        outcome.appeal = _appeal_info(session, appeal)
        return outcome

    facts = run_inputs(session, run)
    if input_hash(facts) != run.input_hash:
        raise IndustryBrainError(
            f"批次 {run.id} 存储的输入与其哈希 {run.input_hash[:12]}… 不符（可能被改动），"
            "不能据此复核；请联系管理员"
        )
    corrected = _corrected(facts, appeal.credit_code, appeal.field, appeal.claimed_value)
    source = (
        f"申诉 #{appeal.id} 更正：{appeal.credit_code} {appeal.field} "
        f"{_fmt(appeal.current_value)} → {_fmt(appeal.claimed_value)}；复核人 {reviewer.strip()}；"
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
        user=reviewer.strip(),
        parent=run,
    )
    assert summary.run_id is not None
    new_run = get_run(session, summary.run_id)
    new_run.status = "published"
    new_run.published_at = _now()
    new_run.deadline = run.deadline
    run.status = "superseded"
    appeal.status = "accepted"
    appeal.reviewer = reviewer.strip()
    appeal.reviewed_at = _now()
    appeal.review_reason = reason.strip()
    appeal.new_run_id = new_run.id
    pending = session.scalars(
        select(Appeal).where(Appeal.run_id == run.id, Appeal.status == "pending", Appeal.id != appeal.id)
    ).all()
    for other in pending:
        other.run_id = new_run.id
    session.flush()
    outcome.appeal = _appeal_info(session, appeal)
    outcome.new_run = run_info(session, run_id=new_run.id)
    outcome.after = standing(session, run_id=new_run.id, credit_code=appeal.credit_code)
    outcome.carried_over = sorted(a.id for a in pending)
    return outcome


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
        pending = _pending_ids(session, run.id)
        if pending:
            assert run.deadline is not None
            report.blocked.append({"run_id": run.id, "deadline": run.deadline, "pending_appeals": pending})
            continue
        run.status = "final"
        run.finalized_at = _now()
        report.finalized.append(run.id)
    session.flush()
    return report


# --- reading ----------------------------------------------------------------------------------


def appealable_fields(method: Method) -> list[str]:
    """The numeric facts fields `method` uses: pools, its indicators' operands, enabled vetoes."""
    used = {"above_scale", "land_mu", "rented_mu", "tax_wan"}
    for name in method.indicators():
        for operand in INDICATORS[name]:
            used |= {"land_mu", "rented_mu"} if operand == "land" else {operand}
    used |= {v for v in ("safety_accident", "env_violation") if method.vetoes.get(v)}
    return [f for f in FIELD_NAMES if f in used]


def list_runs(session: Session, *, year: int | None = None) -> list[RunInfo]:
    query = select(EvaluationRun).order_by(EvaluationRun.id)
    if year is not None:
        query = query.where(EvaluationRun.year == year)
    return [_info(session, run) for run in session.scalars(query)]


def run_info(session: Session, *, run_id: int) -> RunInfo:
    """A run's metadata with its grade and pool counts."""
    run = get_run(session, run_id)
    info = _info(session, run)
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
    return [_appeal_info(session, a) for a in appeals]


def standing(session: Session, *, run_id: int, credit_code: str) -> Standing | None:
    row = session.execute(
        select(
            EvaluationResult.pool, EvaluationResult.grade, EvaluationResult.score, EvaluationResult.rank
        ).where(EvaluationResult.run_id == run_id, EvaluationResult.credit_code == credit_code)
    ).first()
    return None if row is None else Standing(run_id, row[0], row[1], row[2], row[3])


def verify_run(session: Session, *, run_id: int, settings: Settings) -> Verification:
    """Recompute a run from its stored inputs and method snapshot and compare: the inputs with
    the run's input hash, the results with the stored results (floats to 1e-9 relative)."""
    run = get_run(session, run_id)
    method = method_of(run)
    facts = run_inputs(session, run)
    check = Verification(run.id, input_hash(facts) == run.input_hash, True)
    if not check.inputs_match:
        check.differences.append(f"输入哈希 {input_hash(facts)[:12]} ≠ 批次记录的 {run.input_hash[:12]}")
    if method.fingerprint() != run.method_fingerprint:
        check.differences.append("方法快照的指纹与批次记录不符")
    stored = run_results(session, run, method).sort("credit_code")
    again = compute(facts, method, year=run.year, engine=run.engine, postgres_url=settings.database_url)
    again = again.select(stored.columns).sort("credit_code")
    mismatched: list[str] = []
    if stored["credit_code"].to_list() != again["credit_code"].to_list():
        mismatched.append("企业名单与重算不一致")
    else:
        for column in stored.columns:
            a, b = stored[column], again[column]
            if a.dtype.is_float() or b.dtype.is_float():
                a, b = a.cast(pl.Float64), b.cast(pl.Float64)
                close = (a - b).abs() <= 1e-9 * b.abs().clip(lower_bound=1.0)
                ok = bool((close.fill_null(False) | (a.is_null() & b.is_null())).all())
            else:
                ok = a.cast(pl.String).fill_null("").to_list() == b.cast(pl.String).fill_null("").to_list()
            if not ok:
                mismatched.append(f"结果列 {column} 与重算不一致")
    check.results_match = not mismatched
    check.differences += mismatched
    return check


# --- helpers ----------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _status(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def _appeal_status(status: str) -> str:
    return APPEAL_STATUS_NAMES.get(status, status)


def _fmt(value: float | None) -> str:
    if value is None:
        return "空"
    return str(int(value)) if float(value).is_integer() else f"{value:.12g}"


def _locked_run(session: Session, run_id: int) -> EvaluationRun:
    run = session.get(EvaluationRun, run_id, with_for_update=True)
    if run is None:
        raise IndustryBrainError(f"评价批次 {run_id} 不存在")
    return run


def _not_open(session: Session, run: EvaluationRun) -> str:
    if run.status == "draft":
        return f"批次 {run.id} 尚未公示（草稿），不能申诉"
    if run.status == "superseded":
        child = session.scalar(select(EvaluationRun.id).where(EvaluationRun.parent_id == run.id))
        return f"批次 {run.id} 已被更正后的批次 {child} 取代，请对批次 {child} 申诉"
    if run.status == "final":
        return f"批次 {run.id} 已终审，不能再申诉"
    return f"批次 {run.id} 的状态为“{_status(run.status)}”，不能申诉"


def _checked_value(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IndustryBrainError(f"申诉字段 {field}：申诉值应为数字，实为 {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise IndustryBrainError(f"申诉字段 {field}：申诉值应为有限的数字，实为 {value!r}")
    if field in FLAGS and number not in (0.0, 1.0):
        raise IndustryBrainError(f"申诉字段 {field}：应为 1 或 0，实为 {_fmt(number)}")
    if field in NON_NEGATIVE and number < 0:
        raise IndustryBrainError(f"申诉字段 {field}：不能为负数，实为 {_fmt(number)}")
    return number


def _corrected(facts: pl.DataFrame, credit_code: str, field: str, value: float | None) -> pl.DataFrame:
    dtype = SCHEMA[field]
    literal = pl.lit(None if value is None else (int(value) if dtype == pl.Int64 else value), dtype=dtype)
    return facts.with_columns(
        pl.when(pl.col("credit_code") == credit_code).then(literal).otherwise(pl.col(field)).alias(field)
    )


def _pending_ids(session: Session, run_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Appeal.id).where(Appeal.run_id == run_id, Appeal.status == "pending").order_by(Appeal.id)
        )
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


def _info(session: Session, run: EvaluationRun) -> RunInfo:
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
        pending_appeals=len(_pending_ids(session, run.id)),
    )


def _appeal_info(session: Session, appeal: Appeal) -> AppealInfo:
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


# --- the guard: a published run is never silently changed ----------------------------------------

# After publication a run's row may change only in these columns, only along these transitions.
_RUN_MUTABLE = {"status", "finalized_at"}
_TRANSITIONS = {("draft", "published"), ("published", "final"), ("published", "superseded")}


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
            raise IndustryBrainError(f"批次 {run.id} 已公示（{_status(committed)}），不能删除")
        return
    if "status" in changes and (committed, run.status) not in _TRANSITIONS and committed != run.status:
        raise IndustryBrainError(
            f"批次 {run.id} 的状态不能从“{_status(committed)}”改为“{_status(run.status)}”"
        )
    if committed == "draft":
        return
    frozen = sorted(set(changes) - _RUN_MUTABLE)
    if frozen:
        raise IndustryBrainError(
            f"批次 {run.id} 已公示（{_status(committed)}），不能修改 {', '.join(frozen)}："
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
        raise IndustryBrainError(
            f"申诉 {appeal.id} 已复核（{_appeal_status(committed)}），不能{'删除' if deleting else '修改'}"
        )


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


def install_guard() -> None:
    """Refuse, at flush, any ORM change to a published run beyond its status moving forward
    (idempotent; core.db.load_all_models installs it for every opened database)."""
    if not event.contains(Session, "before_flush", _guard_flush):
        event.listen(Session, "before_flush", _guard_flush)
