"""申诉: which facts fields of a run may be disputed, and filing an appeal against one figure of
an enterprise in a run under 公示, on or before its deadline (复核 is in evaluation.review)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.figures import finite_figure
from industry_brain.evaluation.inputs import FLAGS
from industry_brain.evaluation.method import INDICATORS, Method
from industry_brain.evaluation.models import Appeal, EvaluationInput, EvaluationRun
from industry_brain.evaluation.run_views import appeal_info
from industry_brain.evaluation.service import method_of
from industry_brain.evaluation.workflow_common import fmt_value, locked_run, now, status_name
from industry_brain.evaluation.workflow_types import AppealInfo

if TYPE_CHECKING:
    from industry_brain.core.settings import Settings
    from industry_brain.evaluation.evidence import Evidence

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


def appealable_fields(method: Method) -> list[str]:
    """The numeric facts fields `method` uses: pools, its indicators' operands, enabled vetoes."""
    used = {"above_scale", "land_mu", "rented_mu", "tax_wan"}
    for name in method.indicators():
        for operand in INDICATORS[name]:
            used |= {"land_mu", "rented_mu"} if operand == "land" else {operand}
    used |= {v for v in ("safety_accident", "env_violation") if method.vetoes.get(v)}
    return [f for f in FIELD_NAMES if f in used]


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
    evidence: Sequence[Evidence] = (),
    settings: Settings | None = None,
    require_evidence: bool = False,
) -> AppealInfo:
    """申诉: dispute one figure of an enterprise in a run under 公示, on or before its deadline,
    with its 证明材料 (`evidence`, checked and stored by evaluation.evidence; `settings` is then
    required). The page and the API pass `require_evidence`: an enterprise's claim comes with
    its proof, as the notice asks."""
    from industry_brain.evaluation.evidence import ALLOWED_TEXT, check_evidence, store_evidence

    if require_evidence and not evidence:
        raise IndustryBrainError(f"请附上证明材料（{ALLOWED_TEXT}），如完税证明、土地证")
    if evidence:
        if settings is None:
            raise ValueError("file_appeal: settings are needed to store evidence")
        check_evidence(evidence, settings=settings)
    run = locked_run(session, run_id)
    _check_open(session, run, today)
    if not statement or not statement.strip():
        raise IndustryBrainError("申诉须写明理由和依据（statement 不能为空）")
    if not filed_by or not filed_by.strip():
        raise IndustryBrainError("申诉须写明申诉人（filed_by 不能为空）")
    _check_field(run, field)
    value = _checked_value(field, claimed_value)
    current = _disputed_value(session, run, credit_code, field, value)
    _check_no_pending(session, run, credit_code, field)
    appeal = Appeal(
        run_id=run.id,
        credit_code=credit_code,
        field=field,
        current_value=current,
        claimed_value=value,
        statement=statement.strip(),
        filed_by=filed_by.strip(),
        filed_at=now(),
        status="pending",
    )
    session.add(appeal)
    session.flush()
    if evidence:
        assert settings is not None
        store_evidence(session, appeal=appeal, files=evidence, by=appeal.filed_by, settings=settings)
    return appeal_info(session, appeal)


def _check_open(session: Session, run: EvaluationRun, today: dt.date) -> None:
    """The run takes appeals today: it is under 公示 and its deadline has not passed."""
    if run.status != "published":
        raise IndustryBrainError(_not_open(session, run))
    assert run.deadline is not None
    if today > run.deadline:
        raise IndustryBrainError(
            f"批次 {run.id} 的公示已于 {run.deadline.isoformat()} 截止，不能再申诉"
            f"（今天 {today.isoformat()}）"
        )


def _not_open(session: Session, run: EvaluationRun) -> str:
    if run.status == "draft":
        return f"批次 {run.id} 尚未公示（草稿），不能申诉"
    if run.status == "superseded":
        child = session.scalar(select(EvaluationRun.id).where(EvaluationRun.parent_id == run.id))
        return f"批次 {run.id} 已被更正后的批次 {child} 取代，请对批次 {child} 申诉"
    if run.status == "final":
        return f"批次 {run.id} 已终审，不能再申诉"
    return f"批次 {run.id} 的状态为“{status_name(run.status)}”，不能申诉"


def _check_field(run: EvaluationRun, field: str) -> None:
    """`field` is a facts field the run's method uses."""
    method = method_of(run)
    allowed = appealable_fields(method)
    if field not in allowed:
        known = "不是事实表中可申诉的数字字段" if field not in FIELD_NAMES else f"方法 {method.id} 不使用此项"
        raise IndustryBrainError(f"申诉字段 {field}：{known}；可申诉的字段：{', '.join(allowed)}")


def _checked_value(field: str, value: Any) -> float:
    if value is None:
        raise IndustryBrainError(f"请填写申诉值（{FIELD_NAMES.get(field, field)}）")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IndustryBrainError(f"申诉字段 {field}：申诉值应为数字，实为 {value!r}")
    try:
        number = finite_figure(value)
    except ValueError:
        raise IndustryBrainError(f"申诉字段 {field}：申诉值应为有限的数字，实为 {value!r}") from None
    if field in FLAGS and number not in (0.0, 1.0):
        raise IndustryBrainError(f"申诉字段 {field}：应为 1 或 0，实为 {fmt_value(number)}")
    if field in NON_NEGATIVE and number < 0:
        raise IndustryBrainError(f"申诉字段 {field}：不能为负数，实为 {fmt_value(number)}")
    return number


def _disputed_value(
    session: Session, run: EvaluationRun, credit_code: str, field: str, claimed: float
) -> float | None:
    """The figure the run used for the enterprise's `field`, which must differ from `claimed`."""
    row = session.execute(
        select(EvaluationInput.id, getattr(EvaluationInput, field)).where(
            EvaluationInput.run_id == run.id, EvaluationInput.credit_code == credit_code
        )
    ).first()
    if row is None:
        raise IndustryBrainError(f"企业 {credit_code} 不在批次 {run.id} 的评价范围内")
    current = None if row[1] is None else float(row[1])
    if current is not None and math.isclose(current, claimed, rel_tol=0, abs_tol=1e-12):
        raise IndustryBrainError(f"申诉值 {fmt_value(claimed)} 与公示所用的 {field} 相同，无需申诉")
    return current


def _check_no_pending(session: Session, run: EvaluationRun, credit_code: str, field: str) -> None:
    """No appeal against the same figure is still waiting for review."""
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
