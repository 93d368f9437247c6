"""涉企问题 in the JSON API: raise a problem (with attachments), list and show cases, take every
step of the state machine, reminders, the 晾晒 (JSON and Excel), attachments, and the Open311
GeoReport v2 export. Same functions as `industry-brain requests ...`, with the caller's scope:
an enterprise sees its own cases, a town those of its enterprises, a unit those assigned to it,
a chain chief those of its chain (docs/requests.md). A case outside the scope is the same 404 as
one that does not exist; a step the role may not take is 403; one not allowed now is 400.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from industry_brain.core.auth import audit
from industry_brain.core.scope import Scope
from industry_brain.web.api import ERRORS, Token, signed_in
from industry_brain.web.api_appeals import disposition
from industry_brain.web.security import client_address, context

router = APIRouter(prefix="/api/v1/requests", tags=["requests"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "未找到，或不在您的权限范围内"}}
DateQuery = Annotated[dt.date | None, Query(description="按此日期计算时限（默认今天）")]
T = TypeVar("T")
MAX_TEXT = 4000


def _retrying(token: str | None, work: Callable[[Session, Scope], T]) -> T:
    """One step in its own transaction, taken again on a fresh read when another user changed
    the case between this request's read and write (models.EnterpriseRequest.version)."""
    from industry_brain.requests.service import ConcurrentUpdate

    for _ in range(3):
        try:
            with signed_in(token) as (session, scope):
                return work(session, scope)
        except StaleDataError:
            continue
    raise ConcurrentUpdate("该问题正被他人同时办理，请刷新后重试")


def _files(uploads: list[UploadFile] | None) -> list[Any]:
    from industry_brain.requests.attachments import Evidence

    limit = context().settings.appeal_max_file_bytes
    # read no further than one byte past the limit: the check refuses it
    return [Evidence(name=u.filename or "", content=u.file.read(limit + 1)) for u in uploads or []]


def _clean(text: str | None) -> str | None:
    return None if text is None else text.replace("\x00", "")


@router.get("", responses=ERRORS)
def list_cases(
    token: Token,
    state: Annotated[str | None, Query(max_length=10, description="状态，如 办理中")] = None,
    unit: Annotated[str | None, Query(max_length=100, description="主办或协办单位")] = None,
    overdue: Annotated[bool, Query(description="只列已逾期的")] = False,
    as_of: DateQuery = None,
    credit_code: Annotated[
        str | None, Query(max_length=18, description="只列这家企业的（企业画像的涉企问题）")
    ] = None,
) -> list[dict[str, Any]]:
    """涉企问题清单（范围内） (the cases in scope, newest first)."""
    from industry_brain.requests.views import list_requests

    with signed_in(token, reads=True) as (session, scope):
        return list_requests(
            session,
            scope=scope,
            settings=context().settings,
            state=state,
            unit=_clean(unit),
            overdue=overdue,
            as_of=as_of,
            credit_code=credit_code,
        )


@router.post("", responses={**ERRORS, **NOT_FOUND})
def open_case(
    request: Request,
    token: Token,
    credit_code: Annotated[str, Form(max_length=18)],
    category: Annotated[str, Form(max_length=40)],
    text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT)],
    priority: Annotated[str, Form(max_length=10)] = "普通",
    files: Annotated[list[UploadFile] | None, File(description="附件：pdf、jpg、png、xlsx、docx")] = None,
) -> dict[str, Any]:
    """提出涉企问题：企业为自己，镇街为本镇街企业，服务专员为任一企业 (raise a problem)."""
    from industry_brain.requests.attachments import store_attachments
    from industry_brain.requests.service import open_request

    settings = context().settings
    evidence = _files(files)
    with signed_in(token) as (session, scope):
        case = open_request(
            session,
            scope=scope,
            settings=settings,
            credit_code=credit_code,
            category=category,
            text=_clean(text) or "",
            priority=priority,
        )
        if evidence:
            store_attachments(
                session,
                case=case,
                event=_last_event(session, case.id),
                files=evidence,
                by=scope.username,
                settings=settings,
            )
        audit(
            session,
            scope=scope,
            action="requests.open",
            target=str(case.id),
            detail={"files": len(evidence)},
            address=client_address(request),
        )
        return {
            "request_id": case.id,
            "state": case.state,
            "lead_unit": case.lead_unit,
            "co_units": [u for u in case.co_units.split("、") if u],
            "due": case.due.isoformat(),
        }


def _last_event(session: Session, case_id: int) -> Any:
    from industry_brain.requests.models import RequestEvent

    return session.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == case_id)
        .order_by(RequestEvent.seq.desc())
        .limit(1)
    ).first()


@router.get("/categories", responses=ERRORS)
def categories(token: Token) -> list[dict[str, Any]]:
    """问题分类、主办协办单位和时限 (the classification)."""
    from industry_brain.requests.service import rules_for

    with signed_in(token, reads=True):
        rules = rules_for(context().settings)
    return [
        {
            "category": c.code,
            "name": c.name,
            "group": c.group,
            "lead_unit": c.lead_unit,
            "co_units": list(c.co_units),
            "working_days": c.clock("普通", "close") if "普通" in c.clocks else None,
            "clocks": c.clocks,
        }
        for c in rules.classification.categories.values()
    ]


@router.get("/reminders", responses=ERRORS)
def reminder_list(token: Token, as_of: DateQuery = None) -> list[dict[str, Any]]:
    """到期提醒与督办（范围内） (reminders and 督办 due)."""
    from industry_brain.requests.views import reminders

    with signed_in(token, reads=True) as (session, scope):
        return reminders(session, scope=scope, settings=context().settings, as_of=as_of)


def _not_an_enterprise(scope: Scope) -> None:
    """The 晾晒 and its 回访 sample are the units' and towns' league, not an enterprise's."""
    if scope.role == "enterprise":
        raise HTTPException(status_code=403, detail="无权访问：晾晒与回访抽样不对企业账号开放")


def _stats(session: Session, scope: Scope, period: str, as_of: dt.date | None) -> dict[str, Any]:
    from industry_brain.requests.stats import request_stats

    _not_an_enterprise(scope)
    return request_stats(session, scope=scope, settings=context().settings, period=period, as_of=as_of)


Period = Annotated[str, Query(max_length=7, description="YYYY-MM 或 YYYY-Qn")]


@router.get("/stats", responses=ERRORS)
def stats(token: Token, period: Period, as_of: DateQuery = None) -> dict[str, Any]:
    """晾晒：各承办单位、各镇街 (league table of a month or a quarter, within the scope)."""
    with signed_in(token, reads=True) as (session, scope):
        return _stats(session, scope, period, as_of)


PerUnit = Annotated[int, Query(ge=1, le=50, description="回访抽样：每个承办单位抽取的件数")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="回访抽样批号：同一批号抽取结果相同")]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _report(
    token: str | None, period: str, as_of: dt.date | None, fmt: str, per_unit: int, seed: int
) -> Response:
    """The 晾晒 of the caller's scope as a file (requests.report.write_report, as the CLI's --output)."""
    from industry_brain.requests.report import report_file_name, write_report

    with signed_in(token, reads=True) as (session, scope), tempfile.TemporaryDirectory() as folder:
        _not_an_enterprise(scope)
        path = FilePath(folder) / f"report.{fmt}"
        settings = context().settings
        write_report(
            session,
            scope=scope,
            settings=settings,
            period=period,
            path=path,
            fmt=fmt,
            as_of=as_of,
            per_unit=per_unit,
            seed=seed,
        )
        content = path.read_bytes()
    name = report_file_name(period, fmt)
    return Response(content, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition(name)})


@router.get("/stats.xlsx", responses={**ERRORS, 200: {"content": {MEDIA["xlsx"]: {}}}})
def stats_xlsx(token: Token, period: Period, as_of: DateQuery = None) -> Response:
    """晾晒 Excel 下载 (the league table as an Excel workbook)."""
    return _report(token, period, as_of, "xlsx", 3, 0)


@router.get("/stats.docx", responses={**ERRORS, 200: {"content": {MEDIA["docx"]: {}}}})
def stats_docx(
    token: Token, period: Period, as_of: DateQuery = None, per_unit: PerUnit = 3, seed: Seed = 0
) -> Response:
    """晾晒报告 Word 下载，含回访抽样 (the report as Word, with the follow-up sample)."""
    return _report(token, period, as_of, "docx", per_unit, seed)


@router.get("/stats.pdf", responses={**ERRORS, 200: {"content": {MEDIA["pdf"]: {}}}})
def stats_pdf(
    token: Token, period: Period, as_of: DateQuery = None, per_unit: PerUnit = 3, seed: Seed = 0
) -> Response:
    """晾晒报告 PDF 下载，含回访抽样 (the report as PDF, with the follow-up sample)."""
    return _report(token, period, as_of, "pdf", per_unit, seed)


@router.get("/followups", responses=ERRORS)
def followup_sample(
    token: Token, period: Period, per_unit: PerUnit = 3, seed: Seed = 0
) -> list[dict[str, Any]]:
    """回访抽样：本期受理并已办结的问题，每个承办单位随机抽取几件 (the follow-up call sample)."""
    from industry_brain.requests.report import followups

    with signed_in(token, reads=True) as (session, scope):
        _not_an_enterprise(scope)
        return followups(
            session, scope=scope, settings=context().settings, period=period, per_unit=per_unit, seed=seed
        )


@router.get("/open311/services.json", responses=ERRORS)
def open311_services(token: Token) -> list[dict[str, Any]]:
    """Open311 GeoReport v2 服务清单 (the categories as GeoReport services)."""
    from industry_brain.requests.open311 import services

    with signed_in(token, reads=True):
        return services(context().settings)


@router.get("/open311/requests.json", responses=ERRORS)
def open311_requests(token: Token) -> list[dict[str, Any]]:
    """Open311 GeoReport v2 服务请求（范围内） (the cases in scope as GeoReport requests)."""
    from industry_brain.requests.open311 import service_requests

    with signed_in(token, reads=True) as (session, scope):
        return service_requests(session, scope=scope, settings=context().settings)


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={**ERRORS, **NOT_FOUND, 200: {"content": {"application/octet-stream": {}}}},
)
def attachment(attachment_id: Id, request: Request, token: Token) -> Response:
    """下载附件（仅限可见该问题的用户；记入审计） (an attachment, to those who may see the case)."""
    from industry_brain.requests.attachments import read_attachment

    with signed_in(token) as (session, scope):
        content, name, media = read_attachment(
            session, attachment_id=attachment_id, scope=scope, settings=context().settings
        )
        audit(
            session,
            scope=scope,
            action="requests.attachment.read",
            target=str(attachment_id),
            address=client_address(request),
        )
    return Response(content, media_type=media, headers={"Content-Disposition": disposition(name)})


@router.get("/{request_id}", responses={**ERRORS, **NOT_FOUND})
def show(request_id: Id, token: Token, as_of: DateQuery = None) -> dict[str, Any]:
    """一件问题：时限、提醒督办、可办操作、办理记录，及企业概况（`context`：主档、亩均等级、预警、
    政策匹配） (one case with its enterprise's context)."""
    from industry_brain.views.case_context import case_detail

    with signed_in(token, reads=True) as (session, scope):
        return case_detail(
            session, scope=scope, settings=context().settings, request_id=request_id, as_of=as_of
        )


@router.post("/{request_id}/steps", responses={**ERRORS, **NOT_FOUND})
def step(
    request_id: Id,
    request: Request,
    token: Token,
    action: Annotated[str, Form(max_length=30, description="操作，如 accept、assign、reply、rate、redo")],
    text: Annotated[str | None, Form(max_length=MAX_TEXT)] = None,
    reason: Annotated[str | None, Form(max_length=MAX_TEXT)] = None,
    unit: Annotated[str | None, Form(max_length=100)] = None,
    days: Annotated[int | None, Form(ge=1, le=60)] = None,
    rating: Annotated[str | None, Form(max_length=10)] = None,
    of: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    files: Annotated[list[UploadFile] | None, File(description="附件：pdf、jpg、png、xlsx、docx")] = None,
) -> dict[str, Any]:
    """办理一步（受理、交办、签收、答复、评价、延期、重办……），可附附件 (take one step)."""
    from industry_brain.requests.attachments import store_attachments
    from industry_brain.requests.schemas import Step
    from industry_brain.requests.service import act

    settings = context().settings
    evidence = _files(files)
    one = Step(
        action, text=_clean(text), reason=_clean(reason), unit=_clean(unit), days=days, rating=rating, of=of
    )

    def work(session: Session, scope: Scope) -> dict[str, Any]:
        case = act(session, scope=scope, settings=settings, request_id=request_id, step=one)
        if evidence:
            store_attachments(
                session,
                case=case,
                event=_last_event(session, case.id),
                files=evidence,
                by=scope.username,
                settings=settings,
            )
        audit(
            session,
            scope=scope,
            action=f"requests.{action}",
            target=str(request_id),
            detail={"files": len(evidence)},
            address=client_address(request),
        )
        return {
            "request_id": case.id,
            "state": case.state,
            "lead_unit": case.lead_unit,
            "due": case.due.isoformat(),
            "version": case.version,
        }

    return _retrying(token, work)
