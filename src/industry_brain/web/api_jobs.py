"""Background jobs in the JSON API: start one (bulk result notices, an evaluation run), follow
its progress, download its file. A job is the caller's own: another's reads as absent. Starting
answers 202 at once with the job (the same job again while the same request is queued or
running); the work runs in a job worker (core.jobs), never in the server.

`page_router` serves a job's file to the pages (`/jobs/{id}/download`, the page cookie), scoped
and audited the same way as `GET /api/v1/jobs/{id}/file`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.jobs import JobLimitReached, job_json, result_file, submit, visible_job, visible_jobs
from industry_brain.core.scope import Scope
from industry_brain.web.api import ERRORS, Detail, Token, signed_in
from industry_brain.web.security import client_address, context

JobId = Annotated[int, Path(ge=1, le=2_147_483_647)]
MEDIA = {
    ".zip": "application/zip",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class JobOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    title: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    state_label: str
    done: int
    total: int | None
    percent: int
    message: str | None
    parameters: dict[str, Any]
    download_name: str | None
    has_file: bool
    result: dict[str, Any]
    created_at: str
    started_at: str | None
    finished_at: str | None


class Started(JobOut):
    created: bool = Field(description="false: the same request was already queued or running")


class NoticeJobIn(BaseModel):
    run_id: int = Field(ge=1, le=2_147_483_647)
    format: Literal["docx-zip", "pdf-zip", "pdf"] = "pdf-zip"
    township_code: str | None = Field(default=None, pattern=r"^\d{9}$")


class PolicyNoticeJobIn(BaseModel):
    run_id: int = Field(ge=1, le=2_147_483_647)
    format: Literal["docx-zip", "pdf-zip"] = "pdf-zip"


class RunJobIn(BaseModel):
    year: int = Field(ge=1990, le=2200)
    method: str = Field(default="huangyan-2022", max_length=100)


class ReviewJobIn(BaseModel):
    plan_id: str = Field(max_length=60)
    as_of: str = Field(pattern=r"^\d{4}(-\d{2})?$")
    format: Literal["xlsx", "docx", "pdf"] = "docx"


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Detail, "description": "不存在或不属于调用者 (absent or another's)"}
}
STARTED: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **NOT_FOUND,
    400: {"model": Detail, "description": "参数不可用 (unusable parameters)"},
    403: {"model": Detail, "description": "无权发起 (role may not start it)"},
    429: {"model": Detail, "description": "排队任务已达上限 (per-user limit reached)"},
}
router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
page_router = APIRouter()


def owner_id(session: Session, scope: Scope) -> int | None:
    from industry_brain.core.auth_models import User

    return session.scalar(select(User.id).where(User.username == scope.username))


def start(session: Session, *, scope: Scope, kind: str, title: str, params: dict[str, Any]) -> dict[str, Any]:
    """Queue (or find) the caller's job and audit the request; shared by the API and the pages."""
    from industry_brain.job_kinds import register_all

    register_all()
    job, created = submit(
        session,
        kind=kind,
        params=params,
        scope=scope,
        title=title,
        settings=context().settings,
        owner_id=owner_id(session, scope),
    )
    audit(session, scope=scope, action="jobs.start", target=f"job:{job.id}", detail={"kind": kind, **params})
    return job_json(job) | {"created": created}


def started_job(session: Session, scope: Scope, kind: str, title: str, params: dict[str, Any]) -> Any:
    """The job for this request, started or (the same request already queued or running) found:
    202 with the job when started, 200 when found, 429 past the user's queue."""
    try:
        data = start(session, scope=scope, kind=kind, title=title, params=params)
    except JobLimitReached as exc:
        return JSONResponse({"detail": str(exc)}, status_code=429)
    return JSONResponse(data, status_code=202 if data["created"] else 200)


@router.get("", response_model=list[JobOut], responses=ERRORS)
def jobs(token: Token) -> Any:
    """我的任务 (the caller's jobs, newest first)."""
    from industry_brain.job_kinds import register_all

    register_all()
    with signed_in(token, reads=True) as (session, scope):
        return [job_json(j) for j in visible_jobs(session, scope=scope)]


@router.get("/{job_id}", response_model=JobOut, responses={**ERRORS, **NOT_FOUND})
def job(job_id: JobId, token: Token) -> Any:
    """一个任务的状态与进度 (one job's state and progress)."""
    from industry_brain.job_kinds import register_all

    register_all()
    with signed_in(token, reads=True) as (session, scope):
        return job_json(visible_job(session, scope=scope, job_id=job_id))


def send_file(session: Session, *, scope: Scope, job_id: int, address: str) -> FileResponse:
    """The job's file, audited; NotFound when it is another's, not done or gone."""
    found = visible_job(session, scope=scope, job_id=job_id)
    path = result_file(context().settings, found)
    if path is None:
        raise NotFound()
    audit(
        session,
        scope=scope,
        action="jobs.file.read",
        target=f"job:{found.id}",
        detail={"kind": found.kind, "file": found.download_name},
        address=address,
    )
    name = found.download_name or path.name
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    media = MEDIA.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=media, headers={"Content-Disposition": disposition})


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **NOT_FOUND,
    200: {"content": {m: {} for m in MEDIA.values()}},
}


@router.get("/{job_id}/file", responses=FILE_RESPONSES, response_class=FileResponse)
def job_file(job_id: JobId, request: Request, token: Token) -> FileResponse:
    """下载任务生成的文件 (the finished job's file; audited)."""
    with signed_in(token) as (session, scope):
        return send_file(session, scope=scope, job_id=job_id, address=client_address(request))


@router.post(
    "/{job_id}/cancel", response_model=JobOut, responses={**ERRORS, **NOT_FOUND, 400: {"model": Detail}}
)
def cancel_job(job_id: JobId, token: Token) -> Any:
    """取消排队中或运行中的任务 (cancel; a running job stops at its next step)."""
    from industry_brain.core.jobs import cancel

    with signed_in(token) as (session, scope):
        return job_json(cancel(session, scope=scope, job_id=job_id))


@router.post("/evaluation-notices", response_model=Started, status_code=202, responses=STARTED)
def start_notices(body: NoticeJobIn, token: Token) -> Any:
    """生成范围内全部评价结果告知书：Word 压缩包、PDF 压缩包或合并 PDF (every notice the caller
    sees in a run, as a job; a town gets its own township's)."""
    from industry_brain.evaluation.notice_jobs import KIND, notice_request

    with signed_in(token) as (session, scope):
        title, params = notice_request(
            session, scope=scope, run_id=body.run_id, fmt=body.format, township_code=body.township_code
        )
        return started_job(session, scope, KIND, title, params)


@router.post("/policy-notices", response_model=Started, status_code=202, responses=STARTED)
def start_policy_notices(body: PolicyNoticeJobIn, token: Token) -> Any:
    """生成比对批次中范围内全部政策兑现告知书：Word 或 PDF 压缩包 (every confirmed match's
    notice the caller sees in a run, as a job; an enterprise gets its own)."""
    from industry_brain.policies.notice_jobs import KIND, notice_request

    with signed_in(token) as (session, scope):
        title, params = notice_request(session, scope=scope, run_id=body.run_id, fmt=body.format)
        return started_job(session, scope, KIND, title, params)


@router.post("/evaluation-run", response_model=Started, status_code=202, responses=STARTED)
def start_run(body: RunJobIn, token: Token) -> Any:
    """发起一次亩均评价（草稿批次）(evaluate a year from the record, as a job; analysts)."""
    from industry_brain.evaluation.run_jobs import KIND, run_request

    with signed_in(token) as (session, scope):
        title, params = run_request(scope=scope, year=body.year, method=body.method)
        return started_job(session, scope, KIND, title, params)


@router.post("/plan-review", response_model=Started, status_code=202, responses=STARTED)
def start_review(body: ReviewJobIn, token: Token) -> Any:
    """生成规划对表对标评估报告：Excel、Word 或 PDF (a plan's review, as a job; district-wide roles
    and departments, a department's narrowed to its indicators)."""
    from industry_brain.plans.review_jobs import KIND, review_request

    with signed_in(token) as (session, scope):
        title, params = review_request(
            scope=scope, plan_id=body.plan_id, as_of=body.as_of, fmt=body.format, session=session
        )
        return started_job(session, scope, KIND, title, params)


@page_router.get("/jobs/{job_id}/download", include_in_schema=False)
def page_download(job_id: JobId, request: Request) -> FileResponse:
    """The pages' download of a job's file (the page sign-in cookie)."""
    from industry_brain.core.db import transaction
    from industry_brain.web.security import require_login

    scope = require_login(request)
    with transaction(context().engine) as session:
        return send_file(session, scope=scope, job_id=job_id, address=client_address(request))
