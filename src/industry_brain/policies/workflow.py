"""免申即享: a match run -> the department confirms or removes each enterprise (with a reason)
-> the enterprise accepts or declines -> payment recorded -> 公示 -> the ledger (兑现台账).

Every step checks who may take it, moves a match only from the state it must be in, and is
audited (core/audit.py) in the same transaction. Services flush; the boundary commits.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from industry_brain.core.audit import audit, now
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.policies.format import Policy, catalogue, parse_policy, policy
from industry_brain.policies.models import PolicyMatch, PolicyPayment, PolicyRun
from industry_brain.policies.service import matches_frame
from industry_brain.policies.trace import Statement, trace

STATUS_NAMES = {
    "matched": "待部门确认",
    "confirmed": "部门已确认，待企业确认",
    "removed": "部门已剔除",
    "accepted": "企业已确认，待拨付",
    "declined": "企业已放弃",
    "paid": "已拨付",
}
STORED = ("eligible", "eligible_zero", "unknown")  # not_eligible is recomputed, not stored
COMMITTED = ("confirmed", "accepted", "paid")


class WorkflowError(IndustryBrainError):
    pass


class WorkflowForbidden(WorkflowError):
    """The caller's role or unit may not take this step (the API answers 403)."""


def runs_policy(scope: Scope, p: Policy) -> bool:
    """Whether `scope` may act for the department that runs `p` (the bureau may act for all)."""
    if scope.role in ("admin", "analyst", "system"):
        return True
    return scope.role == "department" and scope.unit == p.department


def one_run_a_year(session: Session, p: Any, year: int) -> None:
    """A policy's money for a year is decided once: a second run would match, confirm and pay
    the same enterprises again, past the per-enterprise cap and the year's budget."""
    earlier = session.scalar(
        select(PolicyRun).where(PolicyRun.policy_id == p.id, PolicyRun.figures_year == year).limit(1)
    )
    if earlier is not None:
        raise WorkflowError(
            f"“{p.name}”的 {year} 年度比对已于 {earlier.created_at:%Y-%m-%d} 发起（批次 {earlier.id}）；"
            "同一年度只发起一次，请在该批次中继续确认、拨付"
        )


def may_start(session: Session, *, scope: Scope, policy_id: str, as_of: dt.date) -> Policy:
    """The policy, once `scope` may start its 比对 as of `as_of`: the caller runs it, it is in
    force then, and its year has no run yet (else the refusal, before any work or job)."""
    p = policy(policy_id)
    if not runs_policy(scope, p):
        raise WorkflowForbidden(f"只有{p.department}可以为“{p.name}”发起比对")
    if not p.in_force(as_of):
        raise WorkflowError(f"“{p.name}”在 {as_of.isoformat()} 不在有效期内")
    one_run_a_year(session, p, p.figures_year_for(as_of))
    return p


def runnable(scope: Scope, when: dt.date) -> dict[str, str]:
    """The policies in force on `when` whose 比对 `scope` may start: id → name."""
    return {p.id: p.name for p in catalogue().values() if runs_policy(scope, p) and p.in_force(when)}


def start_run(
    session: Session, *, policy_id: str, as_of: dt.date, scope: Scope, engine: str = "duckdb"
) -> PolicyRun:
    """Match every enterprise against the policy as of `as_of` and store the eligible, the
    eligible-but-zero and the unknown with their traces, each waiting for the department."""
    p = may_start(session, scope=scope, policy_id=policy_id, as_of=as_of)
    got, _ = matches_frame(session, policies=[p], as_of=as_of, engine=engine)
    budget = p.amount.budget_per_year
    run = PolicyRun(
        policy_id=p.id,
        policy_version=p.version,
        policy_yaml=p.text,
        as_of=as_of,
        figures_year=p.figures_year_for(as_of),
        department=p.department,
        budget_wan=float(p.parameters[budget].at(as_of)[1]) if isinstance(budget, str) else budget,  # type: ignore[index]
        created_at=now(),
        created_by=scope.username,
    )
    session.add(run)
    session.flush()
    kept = got.filter(pl.col("result").is_in(STORED)).to_dicts() if not got.is_empty() else []
    said = Statement(p, as_of)  # the policy's side of every trace, read once
    for r in kept:
        session.add(
            PolicyMatch(
                run_id=run.id,
                credit_code=r["credit_code"],
                name=r["name"],
                township_code=r["township_code"],
                result=r["result"],
                amount_wan=r["amount_wan"],
                trace=json.dumps(trace(p, r, as_of, None, said), ensure_ascii=False),
                status="matched",
            )
        )
    session.flush()
    audit(
        session,
        scope=scope,
        action="policy.run",
        target=p.id,
        detail={"run": run.id, "as_of": as_of.isoformat(), "stored": len(kept)},
    )
    return run


def _match(session: Session, match_id: int) -> tuple[PolicyMatch, PolicyRun, Policy]:
    m = session.get(PolicyMatch, match_id)
    if m is None:
        raise WorkflowError(f"匹配记录 {match_id} 不存在")
    run = session.get(PolicyRun, m.run_id)
    assert run is not None
    return m, run, parse_policy(run.policy_yaml, f"{run.policy_id}.yaml")


def _expect(m: PolicyMatch, *states: str) -> None:
    if m.status not in states:
        want = "或".join(STATUS_NAMES[s] for s in states)
        raise WorkflowError(f"匹配记录 {m.id} 当前为“{STATUS_NAMES[m.status]}”，此操作要求“{want}”")


def department_decide(
    session: Session, *, match_id: int, confirm: bool, reason: str | None, scope: Scope
) -> PolicyMatch:
    """The department confirms (only an eligible result with an amount) or removes (with a reason)."""
    m, _, p = _match(session, match_id)
    if not runs_policy(scope, p):
        raise WorkflowForbidden(f"只有{p.department}可以确认或剔除“{p.name}”的企业")
    _expect(m, "matched")
    if confirm and m.result != "eligible":
        raise WorkflowError(f"匹配记录 {m.id} 的结果不是“符合条件”，不能确认；请补齐数据后重新比对，或剔除")
    if not confirm and not (reason or "").strip():
        raise WorkflowError("剔除企业必须写明理由（--reason）")
    m.status = "confirmed" if confirm else "removed"
    m.department_reason, m.department_by, m.department_at = reason, scope.username, now()
    session.flush()
    audit(
        session,
        scope=scope,
        action="policy.confirm" if confirm else "policy.remove",
        target=m.credit_code,
        detail={"match": m.id, "policy": p.id, "reason": reason},
    )
    return m


def enterprise_decide(
    session: Session, *, match_id: int, accept: bool, reason: str | None, scope: Scope
) -> PolicyMatch:
    """The enterprise accepts or declines a confirmed match (its own only)."""
    m, _, p = _match(session, match_id)
    own = scope.role == "enterprise" and scope.credit_code == m.credit_code
    if not (own or scope.role == "system"):
        raise WorkflowForbidden("只有该企业本身可以确认或放弃")
    _expect(m, "confirmed")
    m.status = "accepted" if accept else "declined"
    m.enterprise_reason, m.enterprise_by, m.enterprise_at = reason, scope.username, now()
    session.flush()
    audit(
        session,
        scope=scope,
        action="policy.accept" if accept else "policy.decline",
        target=m.credit_code,
        detail={"match": m.id, "policy": p.id, "reason": reason},
    )
    return m


def record_payment(
    session: Session, *, match_id: int, amount_wan: float, paid_on: dt.date, voucher: str, scope: Scope
) -> PolicyPayment:
    """Money paid on an accepted match; never more than the committed amount, never negative."""
    m, _, p = _match(session, match_id)
    if not runs_policy(scope, p):
        raise WorkflowForbidden(f"只有{p.department}可以登记“{p.name}”的拨付")
    _expect(m, "accepted")
    if amount_wan <= 0 or amount_wan > (m.amount_wan or 0) + 1e-9:
        raise WorkflowError(f"拨付金额应大于 0 且不超过核定金额 {m.amount_wan} 万元")
    if not voucher.strip():
        raise WorkflowError("请写明拨付凭证号（--voucher）")
    pay = PolicyPayment(
        match_id=m.id,
        amount_wan=amount_wan,
        paid_on=paid_on,
        voucher=voucher.strip(),
        recorded_by=scope.username,
        recorded_at=now(),
    )
    session.add(pay)
    m.status = "paid"
    session.flush()
    audit(
        session,
        scope=scope,
        action="policy.pay",
        target=m.credit_code,
        detail={"match": m.id, "policy": p.id, "amount_wan": amount_wan, "voucher": voucher},
    )
    return pay


def visible(scope: Scope, m: PolicyMatch, run: PolicyRun) -> bool:
    """Scopes: an enterprise its own, a town its township's, a department the policies it runs."""
    if scope.role in ("admin", "analyst", "leader", "system"):
        return True
    if scope.role == "enterprise":
        return m.credit_code == scope.credit_code
    if scope.role == "town":
        return m.township_code is not None and m.township_code == scope.township_code
    return scope.role == "department" and run.department == scope.unit


def matches(
    session: Session,
    *,
    scope: Scope,
    run_id: int | None = None,
    credit_code: str | None = None,
    with_trace: bool = True,
) -> list[dict[str, Any]]:
    """The stored matches `scope` sees, with their state and what was paid; `with_trace=False`
    leaves the traces unread (a ledger or a list does not show them)."""
    stmt = select(PolicyMatch, PolicyRun).join(PolicyRun, PolicyRun.id == PolicyMatch.run_id)
    if not with_trace:
        stmt = stmt.options(defer(PolicyMatch.trace))
    if run_id is not None:
        stmt = stmt.where(PolicyMatch.run_id == run_id)
    if credit_code is not None:
        stmt = stmt.where(PolicyMatch.credit_code == credit_code)
    paid = dict(
        session.execute(
            select(PolicyPayment.match_id, func.sum(PolicyPayment.amount_wan)).group_by(
                PolicyPayment.match_id
            )
        ).all()
    )
    out, names = [], _names()  # the catalogue read once per list, not once per row
    for m, run in session.execute(stmt.order_by(PolicyMatch.run_id, PolicyMatch.credit_code)).all():
        if visible(scope, m, run):
            out.append(_row(m, run, paid.get(m.id), with_trace, names))
    return out


def _row(
    m: PolicyMatch,
    run: PolicyRun,
    paid: float | None,
    with_trace: bool = True,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    name = (names if names is not None else _names()).get(run.policy_id, run.policy_id)
    return {
        "id": m.id, "run_id": run.id, "policy": run.policy_id, "policy_name": name,
        "as_of": run.as_of.isoformat(),
        "credit_code": m.credit_code, "name": m.name, "township_code": m.township_code,
        "result": m.result, "amount_wan": m.amount_wan,
        "status": m.status, "status_name": STATUS_NAMES[m.status],
        "department_reason": m.department_reason, "enterprise_reason": m.enterprise_reason,
        "paid_wan": paid, **({"trace": json.loads(m.trace)} if with_trace else {}),
    }  # fmt: skip


def _names() -> dict[str, str]:
    return {p.id: p.name for p in catalogue().values()}


def publicity(session: Session, *, run_id: int, scope: Scope) -> list[dict[str, Any]]:
    """公示名单: the enterprises of a run the department confirmed, with their amounts."""
    rows = matches(session, scope=scope, run_id=run_id, with_trace=False)
    return [
        {
            "credit_code": r["credit_code"],
            "name": r["name"],
            "amount_wan": r["amount_wan"],
            "status_name": r["status_name"],
        }
        for r in rows
        if r["status"] in COMMITTED
    ]


def ledger(session: Session, *, scope: Scope, by: str = "policy") -> list[dict[str, Any]]:
    """兑现台账 per policy, enterprise or township: committed (confirmed, accepted, paid) and
    paid (万元), and for `by=policy` the budget of its runs and what is left of it."""
    if by not in ("policy", "enterprise", "township"):
        raise WorkflowError("--by 应为 policy、enterprise 或 township")
    key = {"policy": "policy", "enterprise": "credit_code", "township": "township_code"}[by]
    groups: dict[Any, dict[str, Any]] = {}
    budgets: dict[str, float] = {}
    per_year: dict[tuple[str, int], float] = {}
    for r in matches(session, scope=scope, with_trace=False):
        g = groups.setdefault(
            r[key], {by: r[key], "committed_wan": 0.0, "paid_wan": 0.0, "enterprises": set()}
        )
        if by == "enterprise":
            g["name"] = r["name"]
        if by == "policy":
            g["policy_name"] = r["policy_name"]
        if r["status"] in COMMITTED:
            g["committed_wan"] += r["amount_wan"] or 0.0
            g["enterprises"].add(r["credit_code"])
        g["paid_wan"] += r["paid_wan"] or 0.0
    if by == "policy":
        # One budget per policy year: a second run of the same year replaces the first's.
        for run in session.scalars(select(PolicyRun).order_by(PolicyRun.id)):
            if run.budget_wan is not None:
                per_year[(run.policy_id, run.figures_year)] = run.budget_wan
        for (pid, _), b in per_year.items():
            budgets[pid] = budgets.get(pid, 0.0) + b
    out = []
    for g in groups.values():
        g["enterprises"] = len(g["enterprises"])
        g["committed_wan"], g["paid_wan"] = round(g["committed_wan"], 2), round(g["paid_wan"], 2)
        if by == "policy":
            g["budget_wan"] = budgets.get(g["policy"])
            g["remaining_wan"] = (
                None if g["budget_wan"] is None else round(g["budget_wan"] - g["committed_wan"], 2)
            )
        out.append(g)
    return sorted(out, key=lambda g: str(g[by]))


def runs(session: Session, *, scope: Scope) -> list[dict[str, Any]]:
    """The match runs `scope` sees, newest first, each with its matches counted by state and
    the amounts committed and paid (万元), over the matches `scope` sees (a town its own)."""
    if scope.role == "enterprise":
        return []
    out: dict[int, dict[str, Any]] = {}
    for r in matches(session, scope=scope, with_trace=False):
        run = out.get(r["run_id"])
        if run is None:
            run = out[r["run_id"]] = {
                "run_id": r["run_id"], "policy": r["policy"], "policy_name": r["policy_name"],
                "as_of": r["as_of"], "matches": 0, "committed_wan": 0.0, "paid_wan": 0.0,
                **{s: 0 for s in STATUS_NAMES},
            }  # fmt: skip
        run["matches"] += 1
        run[r["status"]] += 1
        if r["status"] in COMMITTED:
            run["committed_wan"] += r["amount_wan"] or 0.0
        run["paid_wan"] += r["paid_wan"] or 0.0
    for row in session.execute(select(PolicyRun).where(PolicyRun.id.in_(sorted(out)))).scalars():
        got = out[row.id]
        got.update(figures_year=row.figures_year, department=row.department, created_by=row.created_by)
        got.update(created_at=row.created_at.isoformat(timespec="minutes"), budget_wan=row.budget_wan)
        got["committed_wan"], got["paid_wan"] = round(got["committed_wan"], 2), round(got["paid_wan"], 2)
    return sorted(out.values(), key=lambda r: -int(r["run_id"]))


def stored_match(session: Session, *, scope: Scope, match_id: int) -> dict[str, Any]:
    """One stored match with its trace as the run froze it; WorkflowError when `scope` does
    not see it (an absent match and another's read the same)."""
    m = session.get(PolicyMatch, match_id)
    run = None if m is None else session.get(PolicyRun, m.run_id)
    if m is None or run is None or not visible(scope, m, run):
        raise WorkflowError(f"匹配记录 {match_id} 不存在")
    paid = session.scalar(select(func.sum(PolicyPayment.amount_wan)).where(PolicyPayment.match_id == m.id))
    extra = {"department": run.department, "figures_year": run.figures_year, "policy_text": run.policy_yaml}
    return _row(m, run, paid) | extra
