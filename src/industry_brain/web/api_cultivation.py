"""Tiers and cultivation pools in the JSON API: counts by tier, each enterprise's tiers, who
moved between tiers, the pools with their candidates and members, admission and exit, and the
一企一档 of one enterprise. Same functions as `industry-brain tiers|pools ...`.

Every read is narrowed to the caller's scope by the service (a town sees its township's
enterprises, an enterprise itself); a department sees no enterprise figures and is refused.
Admission and exit are an analyst's decisions, audited with who, when and why; the service
(cultivation.pools.authorise) refuses other roles, which the app answers with 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.errors import IndustryBrainError
from industry_brain.web.api import ERRORS, Detail, Token, signed_in
from industry_brain.web.api_domains import (
    CREDIT_CODE,
    ENTERPRISE_READERS,
    TEXT,
    allow,
    data_year,
    known_pool,
)
from industry_brain.web.security import client_address

Year = Annotated[int | None, Query(ge=1900, le=2200, description="数据年度；默认最新 (data year)")]
PoolId = Annotated[str, Path(max_length=60, description="培育库标识或名称 (pool id or name)")]
REFUSED: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": Detail, "description": "角色无权 (forbidden for this role)"},
    404: {"model": Detail, "description": "不存在或不在范围内 (absent or outside scope)"},
}


class TierCount(BaseModel):
    tier: str
    name: str
    kind: str
    level: str | None
    count: int


class PoolItem(BaseModel):
    id: str
    name: str
    members: int
    criteria: list[str]
    basis: str | None
    seed: str | None
    quote: str | None


class Decision(BaseModel):
    credit_code: str = Field(pattern=CREDIT_CODE)
    reason: str = Field(min_length=1, max_length=500, pattern=TEXT)
    year: int | None = Field(default=None, ge=1900, le=2200, description="候选名单年度 (candidate year)")


class BulkDecision(BaseModel):
    credit_codes: list[Annotated[str, Field(pattern=CREDIT_CODE)]] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=1, max_length=500, pattern=TEXT)
    year: int | None = Field(default=None, ge=1900, le=2200, description="候选名单年度 (candidate year)")


class Membership(BaseModel):
    pool: str
    pool_name: str
    credit_code: str
    name: str | None
    admitted_at: str
    admitted_by: str
    admit_reason: str
    candidate_year: int | None
    exited_at: str | None
    exited_by: str | None
    exit_reason: str | None


router = APIRouter(prefix="/api/v1", tags=["tiers and pools"])


def _read(request: Request, session: Any, scope: Any, action: str, target: str, **detail: Any) -> None:
    audit(session, scope=scope, action=action, target=target, detail=detail, address=client_address(request))


@router.get("/tiers", response_model=list[TierCount], responses=REFUSED)
def tiers(token: Token, year: Year = None) -> Any:
    """各梯队企业数（范围内）(enterprises per tier within the caller's scope)."""
    from industry_brain.cultivation.service import tier_counts

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        return tier_counts(session, year=data_year(session, year), scope=scope)


@router.get("/tiers/enterprises", responses=REFUSED)
def tier_enterprises(
    request: Request,
    token: Token,
    year: Year = None,
    tier: Annotated[str | None, Query(max_length=40, description="只列这一梯队 (one tier only)")] = None,
) -> list[dict[str, Any]]:
    """各企业所在梯队 (each enterprise's tiers: credit_code, name, tier, tier_name, kind, level, since)."""
    from industry_brain.cultivation.service import tiers_of_year

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        year = data_year(session, year)
        frame = tiers_of_year(session, year=year, scope=scope)
        rows = [r for r in frame.to_dicts() if tier is None or r["tier"] == tier]
        _read(request, session, scope, "tiers.read", f"year:{year}", returned=len(rows), tier=tier)
    return rows


@router.get("/tiers/movement", responses=REFUSED)
def movement(
    request: Request,
    token: Token,
    year_from: Annotated[int, Query(ge=1900, le=2200, description="起始年度 (from)")],
    year_to: Annotated[int, Query(ge=1900, le=2200, description="终止年度 (to)")],
) -> list[dict[str, Any]]:
    """两年间梯队升降 (who moved up or down between two years)."""
    from industry_brain.cultivation.service import tier_movement

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        rows = tier_movement(session, year_from=year_from, year_to=year_to, scope=scope)
        _read(request, session, scope, "tiers.movement", f"{year_from}-{year_to}", returned=len(rows))
    return rows


@router.get("/pools", response_model=list[PoolItem], responses=REFUSED)
def pools(token: Token) -> Any:
    """培育库：入库条件、依据与范围内在库企业数 (the pools, criteria and members in scope)."""
    from industry_brain.cultivation.pools import list_pools

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        return list_pools(session, scope=scope)


@router.get("/pools/{pool}/candidates", responses=REFUSED)
def candidates(pool: PoolId, request: Request, token: Token, year: Year = None) -> list[dict[str, Any]]:
    """符合入库条件的候选企业（范围内）(the enterprises meeting the pool's criteria, in scope)."""
    from industry_brain.cultivation.pools import candidates as find

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        pool_id = known_pool(pool)
        year = data_year(session, year)
        rows = find(session, pool=pool_id, year=year, scope=scope)
        _read(request, session, scope, "pools.candidates.read", pool_id, year=year, returned=len(rows))
    return rows


@router.get("/pools/{pool}/members", response_model=list[Membership], responses=REFUSED)
def members(
    pool: PoolId,
    request: Request,
    token: Token,
    include_exited: Annotated[bool, Query(description="含已出库 (include exited members)")] = False,
) -> Any:
    """在库企业（范围内）(the pool's members within the caller's scope)."""
    from industry_brain.cultivation.pools import members as listed

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        pool_id = known_pool(pool)
        rows = listed(session, pool=pool_id, scope=scope, include_exited=include_exited)
        _read(request, session, scope, "pools.members.read", pool_id, returned=len(rows))
    return rows


@router.post("/pools/{pool}/admit", response_model=Membership, responses=REFUSED)
def admit(pool: PoolId, body: Decision, request: Request, token: Token) -> Any:
    """入库（分析员）(admit an enterprise; analysts and admins)."""
    from industry_brain.cultivation.pools import admit as enter
    from industry_brain.cultivation.pools import authorise, membership_dict

    with signed_in(token) as (session, scope):
        authorise(scope)  # the service's own check, first: a town is refused before any lookup
        pool_id = known_pool(pool)
        m = enter(
            session,
            pool=pool_id,
            credit_code=body.credit_code,
            reason=body.reason,
            year=body.year,
            scope=scope,
        )
        _read(request, session, scope, "pools.admit", f"{pool_id}/{body.credit_code}", reason=body.reason)
        return membership_dict(m)


@router.post("/pools/{pool}/exit", response_model=Membership, responses=REFUSED)
def exit_(pool: PoolId, body: Decision, request: Request, token: Token) -> Any:
    """出库（分析员）(record an enterprise's exit; analysts and admins)."""
    from industry_brain.cultivation.pools import authorise, exit_pool, membership_dict

    with signed_in(token) as (session, scope):
        authorise(scope)
        pool_id = known_pool(pool)
        m = exit_pool(session, pool=pool_id, credit_code=body.credit_code, reason=body.reason, scope=scope)
        _read(request, session, scope, "pools.exit", f"{pool_id}/{body.credit_code}", reason=body.reason)
        return membership_dict(m)


@router.post("/pools/{pool}/admit-many", response_model=list[Membership], responses=REFUSED)
def admit_many(pool: PoolId, body: BulkDecision, request: Request, token: Token) -> Any:
    """批量入库，同一理由；全部成功或全部不办 (admit several candidates with one reason, all or none)."""
    from industry_brain.cultivation.pools import admit_many as enter
    from industry_brain.cultivation.pools import authorise, membership_dict

    with signed_in(token) as (session, scope):
        authorise(scope)
        pool_id = known_pool(pool)
        done = enter(
            session,
            pool=pool_id,
            credit_codes=body.credit_codes,
            reason=body.reason,
            year=body.year,
            scope=scope,
        )
        for m in done:
            _read(request, session, scope, "pools.admit", f"{pool_id}/{m.credit_code}", reason=body.reason)
        return [membership_dict(m) for m in done]


@router.post("/pools/{pool}/exit-many", response_model=list[Membership], responses=REFUSED)
def exit_many(pool: PoolId, body: BulkDecision, request: Request, token: Token) -> Any:
    """批量出库，同一理由；全部成功或全部不办 (record several exits with one reason, all or none)."""
    from industry_brain.cultivation.pools import authorise, membership_dict
    from industry_brain.cultivation.pools import exit_many as leave

    with signed_in(token) as (session, scope):
        authorise(scope)
        pool_id = known_pool(pool)
        done = leave(session, pool=pool_id, credit_codes=body.credit_codes, reason=body.reason, scope=scope)
        for m in done:
            _read(request, session, scope, "pools.exit", f"{pool_id}/{m.credit_code}", reason=body.reason)
        return [membership_dict(m) for m in done]


@router.get("/dossiers/{credit_code}", responses=REFUSED)
def dossier(
    credit_code: Annotated[str, Path(pattern=CREDIT_CODE)],
    request: Request,
    token: Token,
    years: Annotated[int, Query(ge=1, le=10, description="最近几个年度 (newest years)")] = 5,
) -> dict[str, Any]:
    """一企一档：基本信息、分年数据、梯队、荣誉与培育库经历 (one enterprise's file), 404 outside scope."""
    from industry_brain.cultivation.dossier import dossier as build

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        try:
            data = build(session, credit_code=credit_code, scope=scope, years=years)
        except IndustryBrainError:
            raise NotFound() from None  # absent and outside the scope read the same
        _read(request, session, scope, "dossier.read", credit_code)
    data["tiers"] = {str(y): v for y, v in data["tiers"].items()}
    return data
