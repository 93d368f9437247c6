"""惠企政策 in the JSON API: the policies, live matches with their traces, the 免申即享 workflow
and the ledger. Same functions as `industry-brain policies ...` (policies.service, .workflow).

Scopes: an enterprise sees only its own matches, a town its township's, a department the
policies it runs (for every enterprise, since it decides on them), the bureau everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from industry_brain.core.scope import Scope
from industry_brain.web.api import ERRORS, Token, signed_in
from industry_brain.web.api_jobs import STARTED, Started, started_job

MatchId = Annotated[int, Path(ge=1, le=2_147_483_647, description="匹配记录编号")]
router = APIRouter(prefix="/api/v1/policies", tags=["policies"])
POLICY_ID = r"^[A-Za-z0-9_]{1,80}$"


@contextmanager
def refusals() -> Iterator[None]:
    from industry_brain.policies.workflow import WorkflowError, WorkflowForbidden

    try:
        yield
    except WorkflowForbidden as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except WorkflowError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


def _policies_for(scope: Scope, ids: list[str] | None) -> tuple[list[Any], Scope]:
    """The policies `scope` may match, and the scope to narrow enterprises with."""
    from industry_brain.policies.service import chosen

    try:
        use = chosen(ids)
    except Exception:
        raise HTTPException(status_code=404, detail="政策不存在") from None
    if scope.role == "department":
        use = [p for p in use if p.department == scope.unit]
        if not use:
            raise HTTPException(status_code=403, detail="本部门不负责这些政策")
        return use, Scope.system()
    return use, scope


@router.get("", responses=ERRORS)
def policies(token: Token) -> Any:
    """已载入的政策 (the policies)."""
    from industry_brain.policies.format import catalogue

    with signed_in(token, reads=True):
        pass
    return [
        {"id": p.id, "version": p.version, "name": p.name, "document_no": p.document_no,
         "department": p.department, "effective_from": p.effective_from, "effective_to": p.effective_to,
         "payment_mode": p.payment_mode, "basis": p.basis}
        for p in catalogue().values()
    ]  # fmt: skip


@router.get("/matches", responses=ERRORS)
def matches(
    token: Token,
    as_of: Annotated[dt.date | None, Query(description="判定日期（默认今天）")] = None,
    policy: Annotated[list[str] | None, Query(description="政策 id（可多个）")] = None,
    code: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{18}$")] = None,
    result: Annotated[Literal["eligible", "eligible_zero", "not_eligible", "unknown"] | None, Query()] = None,
) -> Any:
    """按判定日逐企业逐政策的结果、金额与追溯记录（范围内）(live matches with traces)."""
    from industry_brain.core.audit import audit
    from industry_brain.policies.service import match

    with signed_in(token) as (session, scope):
        use, narrow = _policies_for(scope, policy)
        day = as_of or dt.date.today()
        if not any(p.in_force(day) for p in use):
            return []
        got = match(
            session, as_of=day, scope=narrow, policies=use, code=code, results={result} if result else None
        )
        audit(
            session,
            scope=scope,
            action="policy.read",
            target=code,
            detail={"as_of": day.isoformat(), "rows": len(got)},
        )
        return got


@router.get("/stored", responses=ERRORS)
def stored(
    token: Token,
    run: Annotated[int | None, Query(ge=1)] = None,
    code: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{18}$")] = None,
) -> Any:
    """已保存的匹配记录及办理状态（范围内）(stored matches and their state)."""
    from industry_brain.policies.workflow import matches as stored_matches

    with signed_in(token, reads=True) as (session, scope):
        return stored_matches(session, scope=scope, run_id=run, credit_code=code)


class RunIn(BaseModel):
    policy: str = Field(pattern=POLICY_ID)
    as_of: dt.date


@router.post("/runs", response_model=Started, status_code=202, responses=STARTED)
def start(token: Token, body: RunIn) -> Any:
    """发起数据比对，作为后台任务（负责部门或经信局）(start a match run as a job; its result
    names the run: GET /api/v1/jobs/{id})."""
    from industry_brain.policies.run_jobs import KIND, run_request

    with signed_in(token) as (session, scope), refusals():
        title, params = run_request(session, scope=scope, policy_id=body.policy, as_of=body.as_of)
        return started_job(session, scope, KIND, title, params)


class DecisionIn(BaseModel):
    decision: Literal["confirm", "remove", "accept", "decline"]
    reason: str | None = Field(default=None, max_length=2000, pattern=r"^[^\x00]*$")


@router.post("/matches/{match_id}/decision", responses=ERRORS)
def decide(token: Token, match_id: MatchId, body: DecisionIn) -> Any:
    """部门确认或剔除（须写理由）；企业确认或放弃 (a department's or an enterprise's decision)."""
    from industry_brain.policies import workflow as wf

    with signed_in(token) as (session, scope), refusals():
        if body.decision in ("confirm", "remove"):
            m = wf.department_decide(
                session,
                match_id=match_id,
                confirm=body.decision == "confirm",
                reason=body.reason,
                scope=scope,
            )
        else:
            m = wf.enterprise_decide(
                session, match_id=match_id, accept=body.decision == "accept", reason=body.reason, scope=scope
            )
        return {"id": m.id, "status": m.status, "status_name": wf.STATUS_NAMES[m.status]}


class PaymentIn(BaseModel):
    amount_wan: float = Field(gt=0)
    paid_on: dt.date
    voucher: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")


@router.post("/matches/{match_id}/payments", responses=ERRORS)
def pay(token: Token, match_id: MatchId, body: PaymentIn) -> Any:
    """登记拨付 (record a payment)."""
    from industry_brain.policies.workflow import record_payment

    with signed_in(token) as (session, scope), refusals():
        p = record_payment(
            session,
            match_id=match_id,
            amount_wan=body.amount_wan,
            paid_on=body.paid_on,
            voucher=body.voucher,
            scope=scope,
        )
        return {"payment_id": p.id, "amount_wan": p.amount_wan, "paid_on": p.paid_on}


@router.get("/ledger", responses=ERRORS)
def ledger(
    token: Token, by: Annotated[Literal["policy", "enterprise", "township"], Query()] = "policy"
) -> Any:
    """兑现台账（范围内）(the ledger)."""
    from industry_brain.policies.workflow import ledger as build

    with signed_in(token, reads=True) as (session, scope), refusals():
        return build(session, scope=scope, by=by)
