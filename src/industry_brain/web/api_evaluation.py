"""Evaluation runs and results in the JSON API, within the caller's scope.

District-wide roles see every run and every result. A town sees the published and final runs
and the results of its own township's enterprises; an enterprise only its own result. A
department sees runs but no results. The scoped reads below are shared with the pages.
The result notices (评价结果告知书) download as Word or PDF under the same scope: one
enterprise's, or every enterprise's the caller sees, one per page.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import asdict
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.scope import Scope
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.models import EvaluationResult, EvaluationRun
from industry_brain.evaluation.run_views import list_runs, run_info, run_metadata
from industry_brain.views.queries import CODE, township_name
from industry_brain.web.api import ERRORS, Detail, Token, signed_in
from industry_brain.web.security import client_address, context

PUBLIC = ("published", "final")
RunId = Annotated[int, Path(ge=1, le=2_147_483_647)]
RESULT_COLUMNS = ("credit_code", "name", "pool", "grade", "score", "rank", "imputed", "vetoes", "reason")


def _run_visible(session: Session, scope: Scope, run_id: int) -> EvaluationRun:
    run = session.get(EvaluationRun, run_id)
    if run is None or not (scope.district_wide or run.status in PUBLIC):
        raise NotFound()
    return run


def visible_runs(session: Session, *, scope: Scope, year: int | None = None) -> list[dict[str, Any]]:
    """Run metadata (without district-wide counts for roles that are not district-wide)."""
    runs = list_runs(session, year=year)
    return [r.to_json() for r in runs if scope.district_wide or r.status in PUBLIC]


def visible_run(session: Session, *, scope: Scope, run_id: int) -> dict[str, Any]:
    run = _run_visible(session, scope, run_id)
    info = run_info(session, run_id=run.id) if scope.district_wide else run_metadata(session, run)
    return info.to_json()


def scoped_results(
    session: Session,
    *,
    scope: Scope,
    run_id: int,
    grade: str | None = None,
    pool: str | None = None,
    township_code: str | None = None,
    industry_code: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """{"total", "items"}: the run's results the scope may see, in pool and rank order."""
    run = _run_visible(session, scope, run_id)
    if scope.role == "department":
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    where = [
        EvaluationResult.run_id == run.id,
        scope.enterprise_clause(EvaluationResult.credit_code, Enterprise.township_code),
    ]
    for column, value in (
        (EvaluationResult.grade, grade),
        (EvaluationResult.pool, pool),
        (Enterprise.township_code, township_code),
        (Enterprise.industry_code, industry_code),
    ):
        if value:
            where.append(column == value.replace("\x00", ""))
    joined = EvaluationResult.__table__.outerjoin(
        Enterprise.__table__, Enterprise.credit_code == EvaluationResult.credit_code
    )
    total = session.scalar(select(func.count()).select_from(joined).where(and_(*where))) or 0
    cols = [getattr(EvaluationResult, c) for c in RESULT_COLUMNS]
    rows = session.execute(
        select(*cols, Enterprise.township_code, Enterprise.industry_code)
        .select_from(joined)
        .where(and_(*where))
        .order_by(EvaluationResult.pool, EvaluationResult.rank, EvaluationResult.credit_code)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [
        {**dict(zip((*RESULT_COLUMNS, "township_code", "industry_code"), r, strict=True)), "township": None}
        for r in rows
    ]
    for item in items:
        item["township"] = township_name(item["township_code"])
    return {"total": int(total), "limit": limit, "offset": offset, "items": items}


def scoped_result(session: Session, *, scope: Scope, run_id: int, credit_code: str) -> dict[str, Any]:
    """One enterprise's result with its explanation; NotFound outside the scope."""
    from industry_brain.evaluation.explain import explain_enterprise

    run = _run_visible(session, scope, run_id)
    if not CODE.fullmatch(credit_code):
        raise NotFound()
    township = session.scalar(select(Enterprise.township_code).where(Enterprise.credit_code == credit_code))
    in_run = session.scalar(
        select(EvaluationResult.id).where(
            EvaluationResult.run_id == run.id, EvaluationResult.credit_code == credit_code
        )
    )
    if in_run is None or not scope.sees_enterprise(credit_code=credit_code, township_code=township):
        raise NotFound()
    exp = explain_enterprise(session, run_id=run.id, credit_code=credit_code)
    data = asdict(exp)
    data["explanation"] = data.pop("lines")
    return data


class RunOut(BaseModel):
    run_id: int
    year: int
    method: str
    method_version: int
    status: str
    version: int
    parent_id: int | None
    superseded_by: int | None
    enterprises: int
    created_at: str
    published_at: str | None
    deadline: str | None
    finalized_at: str | None
    grades: dict[str, int]
    pools: dict[str, int]


class ResultItem(BaseModel):
    credit_code: str
    name: str | None
    pool: str
    grade: str
    score: float | None
    rank: int | None
    imputed: str | None
    vetoes: str | None
    reason: str | None
    township_code: str | None
    township: str | None
    industry_code: str | None


class ResultPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ResultItem]


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Detail, "description": "不存在或不在范围内 (absent or outside scope)"}
}
router = APIRouter(prefix="/api/v1/evaluation", tags=["evaluation"])


@router.get("/runs", response_model=list[RunOut], responses=ERRORS)
def runs(token: Token, year: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> Any:
    """评价批次 (evaluation runs the caller may see)."""
    with signed_in(token) as (session, scope):
        return visible_runs(session, scope=scope, year=year)


@router.get("/runs/{run_id}", response_model=RunOut, responses={**ERRORS, **NOT_FOUND})
def run(run_id: RunId, token: Token) -> Any:
    """一个评价批次 (one run; grade and pool counts for district-wide roles only)."""
    with signed_in(token) as (session, scope):
        return visible_run(session, scope=scope, run_id=run_id)


@router.get("/runs/{run_id}/results", response_model=ResultPage, responses={**ERRORS, **NOT_FOUND})
def results(
    run_id: RunId,
    request: Request,
    token: Token,
    grade: Annotated[str | None, Query(max_length=1)] = None,
    pool: Annotated[str | None, Query(max_length=30)] = None,
    township_code: Annotated[str | None, Query(max_length=9)] = None,
    industry_code: Annotated[str | None, Query(max_length=4)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """评价结果 (results within the caller's scope; filters by grade, pool, township, industry)."""
    with signed_in(token) as (session, scope):
        page = scoped_results(
            session,
            scope=scope,
            run_id=run_id,
            grade=grade,
            pool=pool,
            township_code=township_code,
            industry_code=industry_code,
            limit=limit,
            offset=offset,
        )
        audit(
            session,
            scope=scope,
            action="evaluation.results.read",
            target=f"run:{run_id}",
            detail={
                "returned": len(page["items"]),
                "grade": grade,
                "pool": pool,
                "township_code": township_code,
            },
            address=client_address(request),
        )
    return page


@router.get("/runs/{run_id}/results/{credit_code}", responses={**ERRORS, **NOT_FOUND})
def result(run_id: RunId, credit_code: str, request: Request, token: Token) -> dict[str, Any]:
    """一家企业的评价结果及说明 (one enterprise's result with its explanation)."""
    with signed_in(token) as (session, scope):
        data = scoped_result(session, scope=scope, run_id=run_id, credit_code=credit_code)
        audit(
            session,
            scope=scope,
            action="evaluation.result.read",
            target=credit_code,
            detail={"run_id": run_id},
            address=client_address(request),
        )
    return data


NOTICE_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# ~0.2 s a notice as PDF, laid out in this process: more than a few dozen at once would hold
# the server, so larger sets go through the job (POST /api/v1/jobs/evaluation-notices)
MAX_NOTICES = 50
NoticeFormat = Annotated[Literal["docx", "pdf"], Query(description="docx 或 pdf")]


def notice_file(
    session: Session,
    *,
    scope: Scope,
    run_id: int,
    fmt: str,
    credit_code: str | None = None,
    township_code: str | None = None,
) -> tuple[bytes, str, int]:
    """(content, file name, notices) of one enterprise's notice, or of every enterprise the scope
    sees in the run; NotFound outside the scope. Shared by the API and the evaluation page."""
    from industry_brain.evaluation.notice import enterprise_notice, scope_notices
    from industry_brain.evaluation.notice_render import write_notices

    today = dt.date.today()
    if credit_code is not None:
        if not CODE.fullmatch(credit_code):
            raise NotFound()
        notices = [
            enterprise_notice(session, run_id=run_id, credit_code=credit_code, scope=scope, today=today)
        ]
        who = notices[0].name or credit_code
        name = f"评价结果告知书_批次{run_id}_{who}.{fmt}"
    else:
        notices = scope_notices(
            session, run_id=run_id, scope=scope, today=today, township_code=township_code, limit=MAX_NOTICES
        )
        where = f"_{township_name(township_code)}" if township_code else ""
        name = f"评价结果告知书_批次{run_id}{where}.{fmt}"
    with tempfile.TemporaryDirectory() as tmp:
        path = write_notices(notices, FilePath(tmp) / name, fmt=fmt, settings=context().settings)
        return path.read_bytes(), name, len(notices)


def _download(content: bytes, name: str, fmt: str, *, fallback: str | None = None) -> Response:
    from industry_brain.web.downloads import attachment

    return Response(content, media_type=NOTICE_MEDIA[fmt], headers=attachment(name, fallback=fallback))


NOTICE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **NOT_FOUND,
    200: {"content": {m: {} for m in NOTICE_MEDIA.values()}},
}


@router.get("/runs/{run_id}/notices/{credit_code}", responses=NOTICE_RESPONSES, response_class=Response)
def notice(
    run_id: RunId, credit_code: str, request: Request, token: Token, format: NoticeFormat = "pdf"
) -> Response:
    """一家企业的评价结果告知书 (one enterprise's result notice as Word or PDF; audited)."""
    with signed_in(token) as (session, scope):
        content, name, _ = notice_file(
            session, scope=scope, run_id=run_id, fmt=format, credit_code=credit_code
        )
        audit(
            session,
            scope=scope,
            action="evaluation.notice.read",
            target=credit_code,
            detail={"run_id": run_id, "format": format},
            address=client_address(request),
        )
    return _download(content, name, format, fallback=f"notice-{run_id}-{credit_code}.{format}")


@router.get("/runs/{run_id}/notices", responses=NOTICE_RESPONSES, response_class=Response)
def notices(
    run_id: RunId,
    request: Request,
    token: Token,
    format: NoticeFormat = "pdf",
    township_code: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
) -> Response:
    """范围内全部企业的评价结果告知书，每户一页起 (every notice in the caller's scope; audited)."""
    with signed_in(token) as (session, scope):
        content, name, count = notice_file(
            session, scope=scope, run_id=run_id, fmt=format, township_code=township_code
        )
        audit(
            session,
            scope=scope,
            action="evaluation.notices.read",
            target=f"run:{run_id}",
            detail={"format": format, "township_code": township_code, "notices": count},
            address=client_address(request),
        )
    where = f"-{township_code}" if township_code else ""
    return _download(content, name, format, fallback=f"notices-{run_id}{where}.{format}")
