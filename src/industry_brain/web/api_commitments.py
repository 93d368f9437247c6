"""标准地承诺 in the JSON API: the commitments, the stored 达产复核 with their traces, the same
reviews as an Excel workbook, and starting a review. Same functions as
`industry-brain commitments list|review` (commitments.service; the workbook commitments.sheet).

Scopes (commitments.service.visible): an enterprise sees its own parcels, a town its
township's, district-wide roles and the land department (a unit naming 自然资源) every parcel,
other departments none. A review is run by admins, analysts and the land department.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from industry_brain.core.scope import Scope
from industry_brain.web.api import ERRORS, Token, signed_in
from industry_brain.web.api_domains import FORBIDDEN
from industry_brain.web.security import client_address

router = APIRouter(prefix="/api/v1/commitments", tags=["commitments"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Township = Annotated[str | None, Query(pattern=r"^\d{9}$", description="镇街代码（9 位）")]
AsOf = Annotated[dt.date | None, Query(description="复核日（只要该日的复核）")]
FiguresYear = Annotated[int | None, Query(ge=1990, le=2100, description="比对的数据年度")]
ReviewId = Annotated[int, Path(ge=1, le=2_147_483_647, description="复核编号")]


def _reviewer(scope: Scope) -> None:
    """Running a 达产复核 and recording 整改 is the land department's and the bureau's work."""
    from industry_brain.commitments.service import may_act

    if not may_act(scope):
        raise HTTPException(status_code=403, detail=FORBIDDEN)


@router.get("", responses=ERRORS)
def commitments(
    token: Token,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="达产复核日期所在年份")] = None,
    township: Township = None,
) -> Any:
    """范围内的标准地承诺 (the commitments in scope)."""
    from industry_brain.commitments.service import list_commitments

    with signed_in(token, reads=True) as (session, scope):
        return list_commitments(session, scope=scope, year=year, township=township)


def _reviews(session: Any, scope: Scope, request: Request, **filters: Any) -> list[dict[str, Any]]:
    """The newest stored reviews in scope, their read audited (they carry enterprise figures)."""
    from industry_brain.commitments.service import reviews
    from industry_brain.core.audit import audit

    got = reviews(session, scope=scope, **filters)
    audit(
        session,
        scope=scope,
        action="commitments.read",
        detail={k: v for k, v in filters.items() if v is not None} | {"rows": len(got)},
        address=client_address(request),
    )
    return got


@router.get("/reviews", responses=ERRORS)
def review_results(
    token: Token, request: Request, as_of: AsOf = None, year: FiguresYear = None, township: Township = None
) -> Any:
    """达产复核结果及其追溯（每个地块最新的一次，范围内）(the stored reviews with their traces)."""
    with signed_in(token, reads=True) as (session, scope):
        return _reviews(session, scope, request, as_of=as_of, year=year, township=township)


@router.get("/reviews.xlsx", response_class=Response, responses={**ERRORS, 200: {"content": {XLSX: {}}}})
def review_workbook(
    token: Token, request: Request, as_of: AsOf = None, year: FiguresYear = None, township: Township = None
) -> Response:
    """达产复核结果 Excel 下载（与页面同一张表）(the reviews as an Excel workbook)."""
    from industry_brain.commitments.sheet import workbook
    from industry_brain.web.downloads import attachment

    with signed_in(token, reads=True) as (session, scope):
        got = _reviews(session, scope, request, as_of=as_of, year=year, township=township)
    content, name, day = workbook(got)
    return Response(content, media_type=XLSX, headers=attachment(name, fallback=f"reviews-{day}.xlsx"))


class ReviewIn(BaseModel):
    as_of: dt.date = Field(ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31), description="复核日期")
    year: int | None = Field(default=None, ge=1990, le=2100, description="比对数据的年份，默认上一年")


@router.post("/reviews", responses={**ERRORS, 403: {"description": "无权复核"}})
def start_review(token: Token, body: ReviewIn, request: Request) -> Any:
    """按日期复核每项承诺并保存（管理员、分析员、自然资源部门）(run a 达产复核 and store it)."""
    from industry_brain.commitments.service import reviews, run_review
    from industry_brain.core.audit import audit

    with signed_in(token) as (session, scope):
        _reviewer(scope)
        ids = set(run_review(session, as_of=body.as_of, by=scope.username, year=body.year))
        audit(
            session,
            scope=scope,
            action="commitments.review",
            detail={"as_of": body.as_of.isoformat(), "year": body.year, "reviews": len(ids)},
            address=client_address(request),
        )
        return [r for r in reviews(session, scope=scope) if r["id"] in ids]


class RectifyIn(BaseModel):
    state: Literal["open", "in_progress", "done", "waived"]
    deadline: dt.date | None = None
    note: str | None = Field(default=None, max_length=2000, pattern=r"^[^\x00]*$")


@router.post("/reviews/{review_id}/rectification", responses={**ERRORS, 403: {"description": "无权办理"}})
def record_rectification(token: Token, review_id: ReviewId, body: RectifyIn, request: Request) -> Any:
    """登记未达承诺地块的整改进展（管理员、分析员、自然资源部门）(record a 整改 step on a breach)."""
    from industry_brain.commitments.service import rectify
    from industry_brain.core.audit import audit

    with signed_in(token) as (session, scope):
        _reviewer(scope)
        step = rectify(
            session,
            review_id=review_id,
            state=body.state,
            scope=scope,
            deadline=body.deadline,
            note=body.note,
            by=scope.username,
        )
        audit(
            session,
            scope=scope,
            action="commitments.rectify",
            target=str(review_id),
            detail={"state": body.state, "deadline": body.deadline, "note": body.note},
            address=client_address(request),
        )
        return step
