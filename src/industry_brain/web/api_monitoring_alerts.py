"""Enterprise alerts in the JSON API: a month's alerts in the caller's scope (a town its own
township's, a department those its unit receives), acknowledge, dismiss, silence, the rules
with their precision, and the bulletin's summary. Same functions as `industry-brain monitoring
alerts|ack|dismiss|silence|rules list` (monitoring.alerts)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from industry_brain.web.api import ERRORS, Token, require_roles, signed_in

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"])
Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")]
AlertId = Annotated[int, Path(ge=1, le=2_147_483_647, description="预警编号")]
EVALUATORS = ("admin", "analyst")


class AckIn(BaseModel):
    comment: str = Field(min_length=1, max_length=2000, description="处理说明")


class DismissIn(BaseModel):
    reason: str = Field(max_length=20, description="检修、季节性、搬迁、数据错误、其他")
    comment: str = Field(default="", max_length=2000)


class SilenceIn(BaseModel):
    until: dt.date = Field(description="静默至（含）")
    reason: str = Field(default="", max_length=2000)


@router.get("/alerts", responses=ERRORS)
def alerts(
    token: Token,
    month: Month,
    state: Annotated[str | None, Query(max_length=12, description="pending firing resolved no_data")] = None,
    include_closed: Annotated[bool, Query(description="含已驳回、已静默")] = False,
) -> dict[str, Any]:
    """某月预警（范围内），每条含说明与来源 (a month's alerts with their sentence, trace and sources)."""
    from industry_brain.monitoring.alerts import list_alerts

    with signed_in(token) as (session, scope):
        rows = list_alerts(session, month=month, scope=scope, state=state, include_closed=include_closed)
        return {"month": month, "alerts": rows}


@router.post("/alerts/evaluate", responses=ERRORS)
def evaluate(token: Token, month: Month) -> dict[str, Any]:
    """按当前数据计算并保存某月预警（管理员、分析员）(evaluate and store a month)."""
    from industry_brain.monitoring.alerts import evaluate as run

    with signed_in(token) as (session, scope):
        require_roles(scope, *EVALUATORS)
        return {"month": month, "alerts": run(session, month=month, scope=scope)}


# The alert's receivers and the bureau act on it; an enterprise or a leader only reads.
ACTING = ("admin", "analyst", "department", "town", "chain_chief")


@router.post("/alerts/{alert_id}/ack", responses=ERRORS)
def ack(alert_id: AlertId, body: AckIn, token: Token) -> dict[str, Any]:
    """确认预警 (acknowledge with a comment)."""
    from industry_brain.monitoring.alerts import ack as do

    with signed_in(token) as (session, scope):
        require_roles(scope, *ACTING)
        do(session, alert_id=alert_id, comment=body.comment, scope=scope)
        return {"alert_id": alert_id, "acked": True}


@router.post("/alerts/{alert_id}/dismiss", responses=ERRORS)
def dismiss(alert_id: AlertId, body: DismissIn, token: Token) -> dict[str, Any]:
    """驳回预警并注明原因 (dismiss with a reason code)."""
    from industry_brain.monitoring.alerts import dismiss as do

    with signed_in(token) as (session, scope):
        require_roles(scope, *ACTING)
        alert = do(session, alert_id=alert_id, reason=body.reason, comment=body.comment, scope=scope)
        return {"alert_id": alert_id, "dismissed": alert.dismiss_reason}


@router.post("/alerts/{alert_id}/silence", responses=ERRORS)
def silence(alert_id: AlertId, body: SilenceIn, token: Token) -> dict[str, Any]:
    """在某日前静默该企业的这条规则 (silence the enterprise's rule until a date)."""
    from industry_brain.monitoring.alerts import silence as do

    with signed_in(token) as (session, scope):
        require_roles(scope, *ACTING)
        do(session, alert_id=alert_id, until=body.until, reason=body.reason, scope=scope)
        return {"alert_id": alert_id, "silenced_until": body.until.isoformat()}


@router.get("/rules", responses=ERRORS)
def rules(token: Token) -> dict[str, Any]:
    """预警规则及其准确率 (the rules in force, raised, dismissed, precision)."""
    from industry_brain.monitoring.alerts import rule_stats

    with signed_in(token) as (session, _scope):
        return {"rules": rule_stats(session)}


@router.get("/alerts/summary", responses=ERRORS)
def summary(token: Token, month: Month) -> dict[str, Any]:
    """某月预警汇总：按规则、级别、镇街计数与重点预警 (counts and top alerts)."""
    from industry_brain.monitoring.alerts import summary as make

    with signed_in(token) as (session, scope):
        return make(session, month=month, scope=scope)
