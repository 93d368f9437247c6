"""Plans and clusters in the JSON API: the shipped plans, one plan's indicators, its progress as
of a period, a unit's reported actuals, the 对表对标 review as xlsx/docx/pdf, and the clusters with
their figures. Same functions as `industry-brain plans|actuals|clusters ...`.

Plans are followed by district-wide roles and departments; a department sees and reports the
indicators it answers for (plans.service narrows and refuses). Cluster figures are aggregates
of the enterprises the caller sees: a town gets its own township's, without the plan targets.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.scope import DISTRICT_WIDE, Scope
from industry_brain.web.api import ERRORS, Detail, Token, signed_in
from industry_brain.web.api_domains import TEXT, allow, data_year, known_plan, plan_title, refusals
from industry_brain.web.downloads import attachment
from industry_brain.web.security import client_address, context

PlanId = Annotated[str, Path(max_length=60, description="规划标识 (plan id)")]
AsOf = Annotated[str, Query(pattern=r"^\d{4}(-\d{2})?$", description="截至 YYYY 或 YYYY-MM (as of)")]
PLAN_ROLES = frozenset({*DISTRICT_WIDE, "department"})
CLUSTER_ROLES = frozenset({*DISTRICT_WIDE, "town"})
REFUSED: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": Detail, "description": "角色无权 (forbidden for this role)"},
    404: {"model": Detail, "description": "不存在 (no such plan or cluster)"},
}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

router = APIRouter(prefix="/api/v1", tags=["plans and clusters"])


class ActualIn(BaseModel):
    indicator_id: str = Field(max_length=80)
    period: str = Field(pattern=r"^\d{4}(-\d{2})?$", description="YYYY 或 YYYY-MM")
    value: float | None = Field(default=None, allow_inf_nan=False)
    status: str | None = Field(default=None, max_length=20, description="定性指标的完成情况")
    note: str | None = Field(default=None, max_length=500, pattern=TEXT)


def _audited(session: Any, scope: Scope, request: Request, action: str, target: str, detail: Any) -> None:
    """The audit entry of a change made through the plans API, with the caller's address."""
    audit(session, scope=scope, action=action, target=target, detail=detail, address=client_address(request))


@router.get("/plans", responses=REFUSED)
def plans(token: Token) -> list[dict[str, Any]]:
    """已提供的规划 (the shipped plans)."""
    from industry_brain.plans.service import list_plans

    with signed_in(token) as (session, scope):
        allow(scope, PLAN_ROLES)
        return list_plans(session)


@router.get("/plans/{plan_id}", responses=REFUSED)
def plan(plan_id: PlanId, token: Token) -> dict[str, Any]:
    """一项规划的全部指标、集群与任务 (a plan's indicators, clusters and tasks as written)."""
    from industry_brain.plans.service import show_plan

    with signed_in(token) as (session, scope), refusals():
        allow(scope, PLAN_ROLES)
        return show_plan(session, plan_id=known_plan(plan_id, session))


@router.get("/plans/{plan_id}/progress", responses=REFUSED)
def progress(
    plan_id: PlanId,
    token: Token,
    as_of: AsOf,
    compute: Annotated[bool, Query(description="由企业数据计算可计算的实绩 (derive from the record)")] = True,
) -> dict[str, Any]:
    """各指标的进度与状态（部门只见本单位指标）(progress of each indicator the caller may see)."""
    from industry_brain.plans.service import progress as measure
    from industry_brain.views.plan_projection import projections

    with signed_in(token) as (session, scope), refusals():
        allow(scope, PLAN_ROLES)
        result = measure(
            session,
            plan_id=known_plan(plan_id, session),
            as_of=as_of,
            scope=scope,
            settings=context().settings,
            compute=compute and scope.district_wide,
        )
        projected = projections(session, progress=result, scope=scope, settings=context().settings)
        return {**result.to_json(), "projected": projected}


@router.get("/plans/{plan_id}/actuals", responses=REFUSED)
def actuals(plan_id: PlanId, token: Token) -> list[dict[str, Any]]:
    """已存的实绩（上报与规划文本）(the plan's stored actuals the caller may see)."""
    from industry_brain.plans.actuals import list_actuals

    with signed_in(token) as (session, scope), refusals():
        allow(scope, PLAN_ROLES)
        rows = list_actuals(session, plan_id=known_plan(plan_id, session), scope=scope)
    for r in rows:
        r["reported_at"] = r["reported_at"].isoformat(timespec="seconds") if r["reported_at"] else None
    return rows


@router.post("/plans/{plan_id}/actuals", responses=REFUSED)
def report_actual(plan_id: PlanId, body: ActualIn, request: Request, token: Token) -> dict[str, Any]:
    """责任单位上报实绩 (a responsible unit reports an actual; audited)."""
    from industry_brain.plans.actuals import record_actual

    with signed_in(token) as (session, scope), refusals():
        allow(scope, PLAN_ROLES)
        row = record_actual(
            session,
            plan_id=known_plan(plan_id, session),
            indicator_id=body.indicator_id,
            period=body.period,
            value=body.value,
            status=body.status,
            reported_by=scope.username,
            note=body.note,
            scope=scope,
        )
        _audited(
            session,
            scope,
            request,
            "plans.record_actual",
            f"{plan_id}/{body.indicator_id}",
            {"period": row.period, "value": row.value, "status": row.status},
        )
        return {
            "id": row.id,
            "plan_id": row.plan_id,
            "indicator_id": row.indicator_id,
            "period": row.period,
            "value": row.value,
            "status": row.status,
            "kind": row.kind,
            "reported_by": row.reported_by,
        }


@router.get(
    "/plans/{plan_id}/report",
    responses={**REFUSED, 200: {"content": {m: {} for m in MEDIA.values()}}},
    response_class=Response,
)
def report(
    plan_id: PlanId,
    request: Request,
    token: Token,
    as_of: AsOf,
    format: Annotated[Literal["xlsx", "docx", "pdf"], Query(description="xlsx、docx 或 pdf")] = "xlsx",
) -> Response:
    """对表对标报告下载 (the progress review as an Excel, Word or PDF file)."""
    from industry_brain.plans.report import write_review

    with signed_in(token) as (session, scope), refusals(), tempfile.TemporaryDirectory() as tmp:
        allow(scope, PLAN_ROLES)
        name = f"对表对标报告_{plan_title(known_plan(plan_id, session), session)}_截至{as_of}.{format}"
        path = FilePath(tmp) / name
        write_review(
            session,
            plan_id=plan_id,
            as_of=as_of,
            path=path,
            fmt=format,
            settings=context().settings,
            scope=scope,
        )
        audit(session, scope=scope, action="plans.report", target=plan_id, address=client_address(request))
        content = path.read_bytes()
    return Response(
        content,
        media_type=MEDIA[format],
        headers=attachment(name, fallback=f"{plan_id}-{as_of}.{format}"),
    )


# --- the district's own plans: upload, draft, edit, publish (plans.drafts; analyst and admin) ---

PACK_LIMIT = 20 * 1024 * 1024  # a pack is text or a small workbook; 20 MB is far more than any plan


class DraftEdit(BaseModel):
    """Field edits of a draft: {indicator id: {field: value}}, {task id: {field: value}}; the
    fields are plans.drafts.INDICATOR_FIELDS and TASK_FIELDS; null clears an optional field."""

    indicators: dict[str, dict[str, Any]] = Field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = Field(default_factory=dict)


@router.get("/plans/{plan_id}/versions", responses=REFUSED)
def plan_versions(plan_id: PlanId, token: Token) -> list[dict[str, Any]]:
    """规划的各版本：状态、来源、添加人、按版本录入的实绩数 (every stored version of a plan)."""
    from industry_brain.plans.store import versions

    with signed_in(token) as (session, scope), refusals():
        allow(scope, frozenset(DISTRICT_WIDE))
        rows = versions(session, plan_id=known_plan(plan_id, session))
    for r in rows:
        for key in ("added_at", "retired_at"):
            r[key] = r[key].isoformat(timespec="seconds") if r[key] else None
    return rows


@router.post("/plan-packs", responses=REFUSED)
def upload_pack(file: UploadFile, request: Request, token: Token) -> dict[str, Any]:
    """上传规划包（YAML 或 Excel 模板）存为草稿；不通过校验时指出行号或工作表、行、列与原因
    (upload a pack file as a draft; analyst and admin)."""
    from industry_brain.plans.drafts import check_editor, upload_draft
    from industry_brain.web.errors import upload_name

    with signed_in(token) as (session, scope), refusals(), tempfile.TemporaryDirectory() as tmp:
        check_editor(scope)
        path = FilePath(tmp) / upload_name(file.filename)
        content = file.file.read(PACK_LIMIT + 1)
        if len(content) > PACK_LIMIT:
            raise HTTPException(status_code=413, detail="规划包文件超过 20 MB 上限")
        path.write_bytes(content)
        draft = upload_draft(session, path=path, scope=scope)
        _audited(
            session,
            scope,
            request,
            "plans.upload_pack",
            draft["plan_id"],
            {"version": draft["version"], "file": path.name},
        )
        return draft


@router.get("/plans/{plan_id}/draft", responses=REFUSED)
def plan_draft(plan_id: PlanId, token: Token) -> dict[str, Any]:
    """规划的草稿 (the plan's draft; 404 when it has none)."""
    from industry_brain.plans.drafts import get_draft

    with signed_in(token) as (session, scope), refusals():
        draft = get_draft(session, plan_id=plan_id, scope=scope)
    if draft is None:
        raise NotFound()
    return draft


@router.post("/plans/{plan_id}/draft", responses=REFUSED)
def start_plan_draft(plan_id: PlanId, request: Request, token: Token) -> dict[str, Any]:
    """以当前版本为底稿新建草稿（下一版本）(start a draft of the next version)."""
    from industry_brain.plans.drafts import start_draft

    with signed_in(token) as (session, scope), refusals():
        draft = start_draft(session, plan_id=plan_id, scope=scope)
        audit(
            session, scope=scope, action="plans.start_draft", target=plan_id, address=client_address(request)
        )
        return draft


@router.patch("/plans/{plan_id}/draft", responses=REFUSED)
def edit_plan_draft(plan_id: PlanId, body: DraftEdit, request: Request, token: Token) -> dict[str, Any]:
    """修改草稿：名称、数值、单位、年份、方向、责任单位；整包校验，不通过则不保存 (edit a draft)."""
    from industry_brain.plans.drafts import edit_draft

    with signed_in(token) as (session, scope), refusals():
        draft = edit_draft(
            session, plan_id=plan_id, scope=scope, indicators=body.indicators, tasks=body.tasks
        )
        _audited(session, scope, request, "plans.edit_draft", plan_id, body.model_dump())
        return draft


@router.post("/plans/{plan_id}/draft/publish", responses=REFUSED)
def publish_plan_draft(plan_id: PlanId, request: Request, token: Token) -> dict[str, Any]:
    """发布草稿为规划的当前版本；旧版本及其实绩保留 (publish the draft)."""
    from industry_brain.plans.drafts import publish_draft

    with signed_in(token) as (session, scope), refusals():
        draft = publish_draft(session, plan_id=plan_id, scope=scope)
        _audited(session, scope, request, "plans.publish", plan_id, {"version": draft["version"]})
        return draft


@router.delete("/plans/{plan_id}/draft", responses=REFUSED)
def discard_plan_draft(plan_id: PlanId, request: Request, token: Token) -> dict[str, Any]:
    """放弃草稿：草稿保留为“已放弃”，可恢复 (discard the draft; kept, restorable)."""
    from industry_brain.plans.drafts import discard_draft

    with signed_in(token) as (session, scope), refusals():
        done = discard_draft(session, plan_id=plan_id, scope=scope)
        _audited(session, scope, request, "plans.discard_draft", plan_id, {"version": done["version"]})
        return done


@router.post("/plans/{plan_id}/draft/restore", responses=REFUSED)
def restore_plan_draft(
    plan_id: PlanId,
    request: Request,
    token: Token,
    version: Annotated[int | None, Query(ge=1, description="已放弃的草稿的版本；默认最近放弃的")] = None,
) -> dict[str, Any]:
    """把已放弃的草稿恢复为草稿 (make a discarded draft the draft again)."""
    from industry_brain.plans.drafts import restore_draft

    with signed_in(token) as (session, scope), refusals():
        draft = restore_draft(session, plan_id=plan_id, scope=scope, version=version)
        _audited(session, scope, request, "plans.restore_draft", plan_id, {"version": draft["version"]})
        return draft


@router.get("/clusters", responses=ERRORS)
def clusters(token: Token) -> list[dict[str, Any]]:
    """各规划的产业集群定义（行业代码、依据、来源）(the clusters as defined by the plans)."""
    from industry_brain.clusters.service import list_clusters

    with signed_in(token) as (session, _):
        return [c.to_json() for c in list_clusters(session)]


@router.get("/clusters/{cluster_id:path}", responses=REFUSED)
def cluster(
    cluster_id: Annotated[str, Path(max_length=120)],
    token: Token,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="数据年度；默认最新")] = None,
) -> dict[str, Any]:
    """一个集群的产值、增加值、企业数、增速、占比（范围内汇总）及目标进度（全区角色）
    (a cluster's figures over the enterprises in scope; its targets' progress for district roles)."""
    from industry_brain.clusters.service import ClusterNotFound, cluster_figures, get_cluster

    with signed_in(token) as (session, scope):
        allow(scope, CLUSTER_ROLES)
        try:
            info = get_cluster(session, cluster_id)
        except ClusterNotFound:
            raise NotFound() from None
        year = data_year(session, year)
        settings = context().settings
        if scope.district_wide:
            return cluster_figures(
                session, cluster_id=info.id, year=year, scope=scope, settings=settings
            ).to_json()
        return _town_cluster(session, info, year, scope, settings)


def _town_cluster(session: Any, info: Any, year: int, scope: Any, settings: Any) -> dict[str, Any]:
    """A town's own aggregates: the targets are district plans' business, not a town's."""
    from industry_brain.clusters.service import plan_cluster_figures

    figures = plan_cluster_figures(session, plan_id=info.pack_id, year=year, scope=scope, settings=settings)
    mine = next((f for f in figures if f.cluster.id == info.id), None)
    if mine is None:
        return {"cluster": info.to_json(), "year": year, "notes": [f"{year} 年本镇街没有可见的企业数据"]}
    return mine.to_json()
