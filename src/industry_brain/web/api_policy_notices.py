"""政策兑现告知书 and 公示名单 downloads (Word, PDF; the list also Excel), within the scopes of
policies.workflow: an enterprise only its own notices, a department the policies it runs, the
bureau all. An absent match and another's both answer 404; every download is audited.

`notice_file` and `list_file` are shared by the API and the policies pages.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as FastPath
from sqlalchemy.orm import Session

from industry_brain.core.audit import audit
from industry_brain.core.scope import Scope
from industry_brain.web.api import ERRORS, Token, signed_in
from industry_brain.web.api_policies import MatchId, refusals
from industry_brain.web.security import client_address, context

router = APIRouter(prefix="/api/v1/policies", tags=["policies"])
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
RESPONSES: dict[int | str, dict[str, Any]] = {**ERRORS, 200: {"content": {m: {} for m in MEDIA.values()}}}


def notice_file(
    session: Session, *, scope: Scope, match_id: int, fmt: str, address: str | None = None
) -> tuple[bytes, str]:
    """(content, Chinese file name) of one match's 政策兑现告知书; audited."""
    from industry_brain.policies.notice import notice_file_name, notice_row, write_notices

    row = notice_row(session, scope=scope, match_id=match_id)
    name = notice_file_name(row, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_notices(
            [row], FilePath(tmp) / name, fmt=fmt, settings=context().settings, today=dt.date.today()
        )
        content = path.read_bytes()
    audit(
        session,
        scope=scope,
        action="policy.notice.read",
        target=row["credit_code"],
        detail={"match": match_id, "format": fmt},
        address=address,
    )
    return content, name


def list_file(session: Session, *, scope: Scope, run_id: int, fmt: str) -> tuple[bytes, str]:
    """(content, Chinese file name) of a run's 公示名单; audited."""
    from industry_brain.policies.notice import list_file_name, publicity_list, write_list

    got = publicity_list(session, scope=scope, run_id=run_id)
    name = list_file_name(got, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_list(
            got, FilePath(tmp) / name, fmt=fmt, settings=context().settings, today=dt.date.today()
        )
        content = path.read_bytes()
    audit(session, scope=scope, action="policy.publicity.read", target=str(run_id), detail={"format": fmt})
    return content, name


def _download(content: bytes, name: str, fmt: str, fallback: str) -> Response:
    from industry_brain.web.downloads import attachment

    return Response(content, media_type=MEDIA[fmt], headers=attachment(name, fallback=fallback))


@router.get("/matches/{match_id}/notice", responses=RESPONSES, response_class=Response)
def notice(
    match_id: MatchId,
    request: Request,
    token: Token,
    format: Annotated[Literal["docx", "pdf"], Query(description="docx 或 pdf")] = "pdf",
) -> Response:
    """一家企业的政策兑现告知书（Word 或 PDF；企业只能下载本企业的）(one match's notice; audited)."""
    with signed_in(token) as (session, scope), refusals():
        content, name = notice_file(
            session, scope=scope, match_id=match_id, fmt=format, address=client_address(request)
        )
    return _download(content, name, format, f"policy-notice-{match_id}.{format}")


@router.get("/runs/{run_id}/publicity", responses=RESPONSES, response_class=Response)
def publicity(
    run_id: Annotated[int, FastPath(ge=1, le=2_147_483_647, description="比对批次编号")],
    token: Token,
    format: Annotated[Literal["docx", "pdf", "xlsx"], Query(description="docx、pdf 或 xlsx")] = "pdf",
) -> Response:
    """比对批次的公示名单：部门确认的企业与金额 (a run's list to publish; audited)."""
    with signed_in(token) as (session, scope), refusals():
        content, name = list_file(session, scope=scope, run_id=run_id, fmt=format)
    return _download(content, name, format, f"policy-publicity-{run_id}.{format}")
