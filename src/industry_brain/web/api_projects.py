"""The project pool in the JSON API: the projects (by stage), their red/amber/green flags,
三已三未 and totals against the plans' investment targets. Same functions as
`industry-brain projects ...` (projects.service, projects.totals).

Projects are plan data: district-wide roles and departments see them all, a town those located
in its township, an enterprise none (the service narrows; docs/projects.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from industry_brain.web.api import ERRORS, Token, signed_in

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])


class ProjectItem(BaseModel):
    name: str
    code: str
    stage: str
    investment_yi: float | None
    investment_done_yi: float | None
    land_mu: float | None
    location: str | None
    township_code: str | None
    start_year: int | None
    end_year: int | None
    industry: str | None
    responsible_unit: str | None
    content: str | None
    source: str | None


class Flag(BaseModel):
    name: str
    code: str
    stage: str
    investment_yi: float | None
    location: str | None
    flag: str
    reasons: list[str]


@router.get("", response_model=list[ProjectItem], responses=ERRORS)
def projects(
    token: Token,
    stage: Annotated[
        str | None, Query(max_length=10, description="建设阶段 (stage: 谋划 签约 新建 续建 竣工 投产 达产)")
    ] = None,
) -> Any:
    """项目库（范围内），投资额单位亿元 (the projects in scope; investment_yi in 亿元)."""
    from industry_brain.projects.service import list_projects

    with signed_in(token) as (session, scope):
        return list_projects(session, scope=scope, stage=stage)


@router.get("/flags", response_model=list[Flag], responses=ERRORS)
def flags(
    token: Token, as_of: Annotated[dt.date | None, Query(description="判断日期；默认今天 (as of)")] = None
) -> Any:
    """红黄绿灯：逾期节点、停滞阶段、投资滞后 (red/amber/green flags with their reasons)."""
    from industry_brain.projects.service import project_flags

    with signed_in(token) as (session, scope):
        return project_flags(session, scope=scope, as_of=as_of or dt.date.today())


@router.get("/sanyi", responses=ERRORS)
def sanyi(token: Token) -> dict[str, Any]:
    """三已三未：已签约未开工、已开工未投产、已投产未达产 (the three lists)."""
    from industry_brain.projects.service import sanyi as lists

    with signed_in(token) as (session, scope):
        return lists(session, scope=scope)


@router.get("/totals", responses=ERRORS)
def totals(token: Token) -> dict[str, Any]:
    """按阶段、年度的项目数与投资（亿元），及规划投资目标 (totals against investment targets)."""
    from industry_brain.projects.totals import project_totals

    with signed_in(token) as (session, scope):
        return project_totals(session, scope=scope)
