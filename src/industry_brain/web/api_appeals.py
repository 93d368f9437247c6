"""公示, 申诉, 复核 and 终审 in the JSON API: the evaluation page's workflow, by the same services
(evaluation.workflow) and with the same rules. Analysts publish, review and finalize; an
enterprise (its own) or its town appeals with 证明材料; each sees the appeals in its scope with
the evidence, every department's figure for the disputed field and the far-claim flag, and
downloads an attachment only within that scope. docs/appeals.md describes the lifecycle."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.scope import Scope
from industry_brain.enterprises.models import Enterprise
from industry_brain.views.queries import CODE
from industry_brain.web.api import ERRORS, Detail, Token, require_roles, signed_in
from industry_brain.web.api_evaluation import NOT_FOUND, RunId, _run_visible
from industry_brain.web.security import client_address, context

REVIEWERS = ("admin", "analyst")
APPELLANTS = ("enterprise", "town")
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
BAD: dict[int | str, dict[str, Any]] = {
    400: {"model": Detail, "description": "不符合规则，附中文原因 (refused, with the reason)"},
    403: {"model": Detail, "description": "此角色无权办理 (forbidden for this role)"},
}
router = APIRouter(prefix="/api/v1/evaluation", tags=["evaluation"])


class PublishIn(BaseModel):
    deadline: str = Field(max_length=40, description="2026-12-20、2026/12/20 或 2026年12月20日")


class ReviewIn(BaseModel):
    accept: bool
    reason: str = Field(max_length=2000)


def _today() -> Any:
    from industry_brain.evaluation import workflow_common

    return workflow_common.today()


@router.post("/runs/{run_id}/publish", responses={**ERRORS, **NOT_FOUND, **BAD})
def publish(run_id: RunId, body: PublishIn, request: Request, token: Token) -> dict[str, Any]:
    """公示一个草稿批次至截止日 (publish a draft until the deadline; the date as officials write it)."""
    from industry_brain.evaluation.workflow import publish as publish_run

    with signed_in(token) as (session, scope):
        require_roles(scope, *REVIEWERS)
        _run_visible(session, scope, run_id)
        info = publish_run(
            session, run_id=run_id, deadline=body.deadline, user=scope.username, today=_today()
        )
        audit(
            session,
            scope=scope,
            action="evaluation.publish",
            target=str(run_id),
            address=client_address(request),
        )
    return info.to_json()


@router.post("/runs/{run_id}/finalize", responses={**ERRORS, **NOT_FOUND, **BAD})
def finalize(run_id: RunId, request: Request, token: Token) -> dict[str, Any]:
    """终审：公示截止且申诉均已复核的批次 (finalize a run whose deadline passed, no appeal pending)."""
    from industry_brain.evaluation.workflow import finalize_run

    with signed_in(token) as (session, scope):
        require_roles(scope, *REVIEWERS)
        _run_visible(session, scope, run_id)
        info = finalize_run(session, run_id=run_id, today=_today())
        audit(
            session,
            scope=scope,
            action="evaluation.finalize",
            target=str(run_id),
            address=client_address(request),
        )
    return info.to_json()


@router.get("/runs/{run_id}/appeals", responses={**ERRORS, **NOT_FOUND})
def appeals(run_id: RunId, request: Request, token: Token) -> list[dict[str, Any]]:
    """申诉及证明材料、各部门数据与差距提示 (the appeals in scope, with evidence and department figures)."""
    from industry_brain.evaluation.scoped_views import visible_appeals

    with signed_in(token) as (session, scope):
        _run_visible(session, scope, run_id)
        rows = visible_appeals(
            session, run_id=run_id, scope=scope, far_ratio=context().settings.appeal_far_ratio
        )
        audit(
            session,
            scope=scope,
            action="evaluation.appeals.read",
            target=f"run:{run_id}",
            detail={"returned": len(rows)},
            address=client_address(request),
        )
    return [_json(r) for r in rows]


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}


def _check_appellant(session: Any, scope: Scope, credit_code: str) -> None:
    require_roles(scope, *APPELLANTS)
    township = session.scalar(select(Enterprise.township_code).where(Enterprise.credit_code == credit_code))
    if not CODE.fullmatch(credit_code) or not scope.sees_enterprise(
        credit_code=credit_code, township_code=township
    ):
        raise NotFound()


@router.post("/runs/{run_id}/appeals", responses={**ERRORS, **NOT_FOUND, **BAD})
def file_appeal(
    run_id: RunId,
    request: Request,
    token: Token,
    credit_code: Annotated[str, Form(max_length=18)],
    field: Annotated[str, Form(max_length=40)],
    claimed_value: Annotated[float, Form()],
    statement: Annotated[str, Form(max_length=4000)],
    files: Annotated[list[UploadFile] | None, File(description="证明材料：pdf、jpg、png、xlsx、docx")] = None,
) -> dict[str, Any]:
    """提出申诉并附证明材料 (file an appeal with its evidence; an enterprise its own, a town its own)."""
    from industry_brain.evaluation.workflow import file_appeal as file_one

    settings = context().settings
    with signed_in(token) as (session, scope):
        code = credit_code.strip().upper()
        _check_appellant(session, scope, code)
        _run_visible(session, scope, run_id)
        evidence = [_received(f, settings.appeal_max_file_bytes) for f in files or []]
        info = file_one(
            session,
            run_id=run_id,
            credit_code=code,
            field=field.strip(),
            claimed_value=claimed_value,
            statement=statement.replace("\x00", ""),
            filed_by=scope.username,
            today=_today(),
            evidence=evidence,
            settings=settings,
            require_evidence=True,
        )
        audit(
            session,
            scope=scope,
            action="evaluation.appeal",
            target=code,
            detail={"appeal_id": info.appeal_id, "files": len(evidence)},
            address=client_address(request),
        )
    return info.to_json()


def _received(upload: UploadFile, limit: int) -> Any:
    """The upload's bytes, read no further than one byte past the limit (the service refuses it)."""
    from industry_brain.evaluation.evidence import Evidence

    content = upload.file.read(limit + 1)
    return Evidence(name=upload.filename or "", content=content)


@router.post("/appeals/{appeal_id}/review", responses={**ERRORS, **NOT_FOUND, **BAD})
def review(appeal_id: Id, body: ReviewIn, request: Request, token: Token) -> dict[str, Any]:
    """复核申诉：采纳或驳回，须写明理由 (accept or reject with a reason)."""
    from industry_brain.evaluation.workflow import review_appeal

    with signed_in(token) as (session, scope):
        require_roles(scope, *REVIEWERS)
        outcome = review_appeal(
            session,
            appeal_id=appeal_id,
            accept=body.accept,
            reviewer=scope.username,
            reason=body.reason.replace("\x00", ""),
            settings=context().settings,
        )
        audit(
            session,
            scope=scope,
            action="evaluation.review",
            target=str(appeal_id),
            detail={"accept": body.accept},
            address=client_address(request),
        )
    return outcome.to_json()


@router.get(
    "/appeals/attachments/{attachment_id}",
    responses={**ERRORS, **NOT_FOUND, 200: {"content": {"application/octet-stream": {}}}},
    response_class=Response,
)
def attachment(attachment_id: Id, request: Request, token: Token) -> Response:
    """下载申诉的证明材料 (an appeal's evidence, to those who may see the appeal; audited)."""
    from industry_brain.evaluation.evidence import read_attachment

    with signed_in(token) as (session, scope):
        content, name, media = read_attachment(
            session, attachment_id=attachment_id, scope=scope, settings=context().settings
        )
        audit(
            session,
            scope=scope,
            action="evaluation.evidence.read",
            target=str(attachment_id),
            address=client_address(request),
        )
    return Response(content, media_type=media, headers={"Content-Disposition": disposition(name)})


def disposition(name: str) -> str:
    """An attachment header naming the file in Chinese (RFC 5987) with an ASCII fallback."""
    ascii_name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
