"""Cultivation pools (培育库): automatic candidates, an analyst's admission and exit, history.

Candidates come from the pool's criteria (data/pools.yaml) on a year's facts; membership is
what an analyst decided, stored with who, when and why (PoolMembership). A candidate is never
admitted automatically, and an admitted member stays until someone records its exit. Who may
decide is checked here (`authorise`), so the CLI, the API and the page refuse alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.auth import Forbidden
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.cultivation import analytics
from industry_brain.cultivation.models import PoolMembership
from industry_brain.cultivation.rules import Pool, pools, tier_rules
from industry_brain.cultivation.rules import pool as pool_by_id
from industry_brain.cultivation.service import _kept, _names, facts_of, run, titles_of, visible_codes
from industry_brain.enterprises.models import Enterprise


def list_pools(session: Session, *, scope: Scope) -> list[dict[str, Any]]:
    """Every pool with its criteria, basis and the number of current members in scope."""
    codes = visible_codes(session, scope=scope)
    out = []
    for p in pools():
        members = [m for m in _active(session, p.id) if codes is None or m.credit_code in codes]
        out.append(
            {
                "id": p.id,
                "name": p.name,
                "members": len(members),
                "criteria": [describe(c) for c in p.criteria],
                "basis": p.basis,
                "seed": p.seed,
                "quote": p.quote,
            }
        )
    return out


def describe(c: Any) -> str:
    """A criterion in words, as docs/cultivation.md and the candidate lists show it."""
    from industry_brain.core.labels import OPERATORS, criterion, field_label
    from industry_brain.cultivation.rules import OPS

    if c.kind in ("titles_any", "titles_none"):
        names = "或".join(f"{t.level or ''}{t.title}" for t in c.titles)
        return f"持有{names}" if c.kind == "titles_any" else f"未持有{names}"
    if c.bands:
        bands = "，".join(
            (
                f"营业收入≤{b.max_revenue_wan:g}万元时{b.value:g}"
                if b.max_revenue_wan is not None
                else f"其余{b.value:g}"
            )
            for b in c.bands
        )
        return f"{field_label(c.field, unit=False)} {OPERATORS.get(c.op, OPS[c.op])}（{bands}）"
    return criterion(c.field, c.op, c.value)


def _active(session: Session, pool_id: str, credit_code: str | None = None) -> list[PoolMembership]:
    stmt = select(PoolMembership).where(PoolMembership.pool == pool_id, PoolMembership.exited_at.is_(None))
    if credit_code:
        stmt = stmt.where(PoolMembership.credit_code == credit_code)
    return list(session.scalars(stmt.order_by(PoolMembership.credit_code)))


def candidates(session: Session, *, pool: str, year: int, scope: Scope) -> list[dict[str, Any]]:
    """The enterprises meeting every criterion of `pool` in `year`, with the figures tested and
    whether each is already a member."""
    p = pool_by_id(pool)
    rules = tier_rules()

    def compute() -> Any:
        facts = facts_of(session, years=[year - 1, year], scope=scope)
        titles = titles_of(session, scope=scope)
        return run(lambda f, t: analytics.candidates(f, t, rules, p, year=year), facts, titles)

    # the figures tested change only with the data; membership is read fresh every time
    found = _kept(session, scope, ("pool-candidates", p.id, year), compute)
    members = {m.credit_code for m in _active(session, p.id)}
    rows = [
        {**r, "pool": p.id, "year": year, "member": r["credit_code"] in members} for r in found.to_dicts()
    ]
    return sorted(rows, key=lambda r: (-(r["revenue_wan"] or 0), r["credit_code"]))


# Who may admit to and exit from a pool: the bureau's analysts (and the CLI's system scope).
DECIDERS = frozenset({"admin", "analyst", "system"})


def authorise(scope: Scope) -> None:
    """Refuse a role that may not decide pool membership (core.auth.Forbidden: 403 on the web).
    admit and exit_pool call it first; a route may call it before its other checks."""
    if scope.role not in DECIDERS:
        raise Forbidden(f"角色“{scope.role}”不能办理入库或出库 (only analysts admit and exit)")


def _check(session: Session, p: Pool, credit_code: str, by: str, reason: str) -> None:
    if not by.strip():
        raise IndustryBrainError("须写明经办人（--by）")
    if not reason.strip():
        raise IndustryBrainError("须写明理由（--reason）")
    if session.get(Enterprise, credit_code) is None:
        raise IndustryBrainError(f"企业 {credit_code} 不在企业库中")


def admit(
    session: Session,
    *,
    pool: str,
    credit_code: str,
    reason: str,
    scope: Scope,
    by: str | None = None,
    year: int | None = None,
) -> PoolMembership:
    """Admit an enterprise to a pool (入库), recording who (`by`, default the scope's user),
    when and why. Only DECIDERS may."""
    authorise(scope)
    p = pool_by_id(pool)
    by = scope.username if by is None else by
    _check(session, p, credit_code, by, reason)
    if _active(session, p.id, credit_code):
        raise IndustryBrainError(f"企业 {credit_code} 已在{p.name}中")
    m = PoolMembership(
        pool=p.id,
        credit_code=credit_code,
        admitted_at=_now(),
        admitted_by=by.strip(),
        admit_reason=reason.strip(),
        candidate_year=year,
    )
    session.add(m)
    session.flush()
    return m


def exit_pool(
    session: Session, *, pool: str, credit_code: str, reason: str, scope: Scope, by: str | None = None
) -> PoolMembership:
    """Record an enterprise's exit from a pool (出库: graduated, no longer qualifies, ...).
    Only DECIDERS may."""
    authorise(scope)
    p = pool_by_id(pool)
    by = scope.username if by is None else by
    _check(session, p, credit_code, by, reason)
    active = _active(session, p.id, credit_code)
    if not active:
        raise IndustryBrainError(f"企业 {credit_code} 不在{p.name}中")
    m = active[0]
    m.exited_at, m.exited_by, m.exit_reason = _now(), by.strip(), reason.strip()
    session.flush()
    return m


def admit_many(
    session: Session,
    *,
    pool: str,
    credit_codes: list[str],
    reason: str,
    scope: Scope,
    year: int | None = None,
) -> list[PoolMembership]:
    """Admit several enterprises at once (the page's selected candidates), each with the same
    recorded reason; all or none: one that cannot be admitted refuses the whole, named."""
    return _many(
        session,
        credit_codes,
        lambda c: admit(session, pool=pool, credit_code=c, reason=reason, scope=scope, year=year),
    )


def exit_many(
    session: Session, *, pool: str, credit_codes: list[str], reason: str, scope: Scope
) -> list[PoolMembership]:
    """Record several exits at once, each with the same reason; all or none, as admit_many."""
    return _many(
        session,
        credit_codes,
        lambda c: exit_pool(session, pool=pool, credit_code=c, reason=reason, scope=scope),
    )


def _many(session: Session, credit_codes: list[str], one: Any) -> list[PoolMembership]:
    codes = list(dict.fromkeys(c.strip() for c in credit_codes if c and c.strip()))
    if not codes:
        raise IndustryBrainError("请先选择企业")
    # a refusal raises before the boundary commits, so the ones already made are undone with it
    return [one(c) for c in codes]


def membership_dict(m: PoolMembership, names: dict[str, str | None] | None = None) -> dict[str, Any]:
    p = pool_by_id(m.pool)
    return {
        "pool": m.pool,
        "pool_name": p.name,
        "credit_code": m.credit_code,
        "name": (names or {}).get(m.credit_code),
        "admitted_at": m.admitted_at.isoformat(sep=" "),
        "admitted_by": m.admitted_by,
        "admit_reason": m.admit_reason,
        "candidate_year": m.candidate_year,
        "exited_at": m.exited_at.isoformat(sep=" ") if m.exited_at else None,
        "exited_by": m.exited_by,
        "exit_reason": m.exit_reason,
    }


def members(
    session: Session, *, pool: str, scope: Scope, include_exited: bool = False
) -> list[dict[str, Any]]:
    p = pool_by_id(pool)
    stmt = select(PoolMembership).where(PoolMembership.pool == p.id)
    if not include_exited:
        stmt = stmt.where(PoolMembership.exited_at.is_(None))
    codes = visible_codes(session, scope=scope)
    rows = [
        m
        for m in session.scalars(stmt.order_by(PoolMembership.admitted_at, PoolMembership.id))
        if codes is None or m.credit_code in codes
    ]
    names = _names(session, {m.credit_code for m in rows})
    return [membership_dict(m, names) for m in rows]


def history(session: Session, *, credit_code: str, scope: Scope) -> list[dict[str, Any]]:
    """Every stay of one enterprise in any pool, oldest first."""
    codes = visible_codes(session, scope=scope)
    if codes is not None and credit_code not in codes:
        raise IndustryBrainError(f"无权查看企业 {credit_code}")
    stmt = select(PoolMembership).where(PoolMembership.credit_code == credit_code)
    return [
        membership_dict(m)
        for m in session.scalars(stmt.order_by(PoolMembership.admitted_at, PoolMembership.id))
    ]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
