"""Industrial chains in the JSON API: the shipped chains, one chain's nodes with figures, 链主
and members, its gaps, whom to attract (招商), and an analyst's confirmation or correction of
an enterprise on a node. Same functions as `industry-brain chains ...` (clusters.chain_service).
Whom to attract for a cluster (`/clusters/{id}/attract`, `industry-brain clusters attract`) is
here too: the same ranking (clusters.attract). Both lists download as Excel (`format=xlsx`).

A chain's figures are computed over the enterprises the caller sees: a town gets its own
township's enterprises and aggregates, an enterprise only itself; a department is refused.
The attraction list compares areas of the whole district, so it is for district-wide roles.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.scope import DISTRICT_WIDE, Scope
from industry_brain.web.api import ERRORS, Detail, Token, signed_in
from industry_brain.web.api_domains import (
    CREDIT_CODE,
    EDITORS,
    ENTERPRISE_READERS,
    TEXT,
    allow,
    chain_name,
    data_year,
    known_chain,
)
from industry_brain.web.security import client_address, context

ChainId = Annotated[str, Path(max_length=80, description="产业链标识 (chain id)")]
Year = Annotated[int | None, Query(ge=1900, le=2200, description="数据年度；默认最新 (data year)")]
REFUSED: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": Detail, "description": "角色无权 (forbidden for this role)"},
    404: {"model": Detail, "description": "没有这条产业链 (no such chain)"},
}


class ChainItem(BaseModel):
    id: str
    version: int
    name: str
    scope: str
    nodes: int
    classes: int
    source: dict[str, Any]


class ConfirmIn(BaseModel):
    node_id: str = Field(max_length=80)
    credit_code: str = Field(pattern=CREDIT_CODE)
    remove: bool = False
    note: str | None = Field(default=None, max_length=500, pattern=TEXT)


class ConfirmOut(BaseModel):
    chain_id: str
    chain_version: int
    node_id: str
    credit_code: str
    action: str
    by: str | None
    at: str
    note: str | None


# One router for /chains and the cluster attraction list (its registration is in api_domains).
router = APIRouter(prefix="/api/v1", tags=["chains"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Level = Annotated[int, Query(ge=2, le=4, description="行业层级位数 (4 class, 3 group, 2 division)")]
Area = Annotated[str | None, Query(max_length=80, description="只列这一个地区 (one area only)")]
Format = Annotated[Literal["json", "xlsx"], Query(description="json 或 xlsx (Excel 下载)")]


@router.get("/chains", response_model=list[ChainItem], responses=ERRORS)
def chains(token: Token) -> Any:
    """已提供的产业链及其来源 (the shipped chains; definitions, no enterprise figures)."""
    from industry_brain.clusters.chain_service import list_chains

    with signed_in(token):
        return list_chains()


@router.get("/chains/{chain_id}", responses=REFUSED)
def chain(chain_id: ChainId, request: Request, token: Token, year: Year = None) -> dict[str, Any]:
    """一条产业链：节点、产值、增速、集中度、缺链状况、链主与各节点企业（范围内）
    (a chain's nodes, figures, gap status, leaders and members within the caller's scope)."""
    from industry_brain.clusters.chain_service import show_chain

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        known_chain(chain_id)
        view = show_chain(
            session,
            chain_id=chain_id,
            year=data_year(session, year),
            scope=scope,
            settings=context().settings,
        )
        audit(
            session,
            scope=scope,
            action="chains.read",
            target=chain_id,
            detail={"year": view["year"], "members": len(view["members"])},
            address=client_address(request),
        )
    return view


@router.get("/chains/{chain_id}/gaps", responses=REFUSED)
def gaps(chain_id: ChainId, token: Token, year: Year = None) -> list[dict[str, Any]]:
    """缺失或薄弱的节点及原因 (nodes with no or weak local presence, with the reason)."""
    from industry_brain.clusters.chain_service import chain_gaps

    with signed_in(token) as (session, scope):
        allow(scope, ENTERPRISE_READERS)
        known_chain(chain_id)
        return chain_gaps(
            session,
            chain_id=chain_id,
            year=data_year(session, year),
            scope=scope,
            settings=context().settings,
        )


@router.get("/chains/{chain_id}/attract", responses=REFUSED)
def attract(
    chain_id: ChainId,
    request: Request,
    token: Token,
    year: Year = None,
    area: Area = None,
    level: Level = 4,
    format: Format = "json",
) -> Any:
    """招商清单：本区缺少的行业按关联密度排序，附输入与说明 (whom to attract, with its inputs)."""
    from industry_brain.clusters.chain_service import attract as rank

    with signed_in(token) as (session, scope):
        allow(scope, DISTRICT_WIDE)
        known_chain(chain_id)
        frame, inputs = rank(
            session,
            chain_id=chain_id,
            year=data_year(session, year),
            scope=scope,
            settings=context().settings,
            area=area,
            level=level,
        )
        return _attraction(
            frame,
            inputs,
            format,
            session=session,
            scope=scope,
            request=request,
            action="chains.attract",
            subject=chain_id,
            subject_name=chain_name(chain_id),
            area=area,
            level=level,
        )


@router.get("/clusters/{cluster_id:path}/attract", responses=REFUSED)
def cluster_attract(
    cluster_id: Annotated[str, Path(max_length=120, description="集群编号 (cluster id)")],
    request: Request,
    token: Token,
    year: Year = None,
    area: Area = None,
    level: Level = 4,
    format: Format = "json",
) -> Any:
    """集群的招商清单：集群行业中本区缺少者按关联密度排序 (whom to attract for a cluster)."""
    from industry_brain.clusters.attract import attract_cluster
    from industry_brain.clusters.service import ClusterNotFound, get_cluster

    with signed_in(token) as (session, scope):
        allow(scope, DISTRICT_WIDE)
        try:
            get_cluster(session, cluster_id)
        except ClusterNotFound:
            raise NotFound() from None
        frame, inputs = attract_cluster(
            session,
            cluster_id=cluster_id,
            year=data_year(session, year),
            scope=scope,
            settings=context().settings,
            area=area,
            level=level,
        )
        return _attraction(
            frame,
            inputs,
            format,
            session=session,
            scope=scope,
            request=request,
            action="clusters.attract",
            subject=cluster_id,
            subject_name=get_cluster(session, cluster_id).name,
            area=area,
            level=level,
        )


def _attraction(
    frame: Any,
    inputs: dict[str, Any],
    format: str,
    *,
    session: Session,
    scope: Scope,
    request: Request,
    action: str,
    subject: str,
    subject_name: str,
    area: str | None,
    level: int,
) -> Any:
    """The list, audited as `action` on `subject` in the request's transaction, as JSON or as
    the Excel file the CLI's --output writes (a title row naming the matrix hash, then the table)."""
    audit(
        session,
        scope=scope,
        action=action,
        target=subject,
        detail={"year": inputs["year"], "area": area, "level": level, "format": format},
        address=client_address(request),
    )
    if format == "json":
        return {"inputs": inputs, "candidates": frame.to_dicts()}
    from industry_brain.reports.tables import write_table
    from industry_brain.web.downloads import attachment, safe_name

    name = safe_name(f"招商清单_{subject_name}_{inputs['year']}年.xlsx")
    title = f"{subject_name} 招商清单（{inputs['year']} 年，矩阵校验值 {inputs['matrix_sha256'][:12]}）"
    with tempfile.TemporaryDirectory() as tmp:
        from industry_brain.clusters.attract import for_excel

        path = write_table(for_excel(frame), FilePath(tmp) / name, sheet="招商清单", title=title)
        content = path.read_bytes()
    fallback = f"attract-{subject}-{inputs['year']}.xlsx"
    return Response(content, media_type=XLSX, headers=attachment(name, fallback=fallback))


@router.post("/chains/{chain_id}/confirm", response_model=ConfirmOut, responses=REFUSED)
def confirm(chain_id: ChainId, body: ConfirmIn, request: Request, token: Token) -> Any:
    """分析员确认（或以 remove 纠正）企业所在节点 (an analyst confirms or corrects a member)."""
    from industry_brain.clusters.chain_service import confirm as record

    with signed_in(token) as (session, scope):
        allow(scope, EDITORS)
        known_chain(chain_id)
        row = record(
            session,
            chain_id=chain_id,
            node_id=body.node_id,
            credit_code=body.credit_code,
            remove=body.remove,
            scope=scope,
            note=body.note,
        )
        audit(
            session,
            scope=scope,
            action="chains.confirm",
            target=f"{chain_id}/{body.node_id}/{body.credit_code}",
            detail={"action": row.action, "note": body.note, "version": row.chain_version},
            address=client_address(request),
        )
        out = ConfirmOut(
            chain_id=row.chain_id,
            chain_version=row.chain_version,
            node_id=row.node_id,
            credit_code=row.credit_code,
            action=row.action,
            by=row.by,
            at=row.at.isoformat(timespec="seconds"),
            note=row.note,
        )
    return out
