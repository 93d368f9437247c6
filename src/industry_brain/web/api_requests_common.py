"""共性问题 in the JSON API: the groups with their counts, create one from cases, link and unlink
a case, move its state, and the suggestions (requests/common.py; docs/requests.md). Only the
企业综合服务中心 and the admin manage groups (403 otherwise); the list is the district's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from industry_brain.core.scope import Scope
from industry_brain.web.api import ERRORS, Token, signed_in
from industry_brain.web.security import context

router = APIRouter(prefix="/api/v1/requests/common", tags=["requests"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
CaseId = Annotated[int, Field(ge=1, le=2**31 - 1)]
T = TypeVar("T")
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "无权：只有企业综合服务中心能管理共性问题"}
}


def _retrying(token: str | None, work: Callable[[Session, Scope], T]) -> T:
    """A link is a step of its case (the case's version moves): when another user linked or
    stepped on the same case at once, it is taken again on a fresh read, which then sees the
    other's link and refuses with the reason instead of failing."""
    from industry_brain.requests.service import ConcurrentUpdate

    for _ in range(3):
        try:
            with signed_in(token) as (session, scope):
                return work(session, scope)
        except (StaleDataError, IntegrityError):
            continue
    raise ConcurrentUpdate("该问题正被他人同时办理，请刷新后重试")


class NewCommon(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="标题")
    category: str = Field(max_length=40, description="问题分类：代码或名称")
    description: str = Field(min_length=1, max_length=4000, description="共性原因")
    request_ids: list[CaseId] = Field(min_length=1, max_length=500, description="所含问题编号")


class CaseLink(BaseModel):
    request_id: CaseId
    unlink: bool = Field(False, description="true 为移出")


class NewState(BaseModel):
    state: str = Field(max_length=12, description="在办、已提交政策研究 或 已解决")
    reason: str = Field(min_length=1, max_length=4000, description="理由")


@router.get("", responses={**ERRORS, **FORBIDDEN})
def list_groups(token: Token) -> list[dict[str, Any]]:
    """共性问题清单：件数、企业数、未办结件数、涉及镇街数 (the groups with their counts)."""
    from industry_brain.requests.common import list_common

    with signed_in(token, reads=True) as (session, scope):
        return list_common(session, scope=scope, settings=context().settings)


@router.post("", responses={**ERRORS, **FORBIDDEN})
def create(body: NewCommon, token: Token) -> dict[str, Any]:
    """归集共性问题 (create a group from cases)."""
    from industry_brain.requests.common import create_common

    def work(session: Session, scope: Scope) -> dict[str, Any]:
        group = create_common(
            session,
            scope=scope,
            settings=context().settings,
            title=body.title,
            category=body.category,
            description=body.description,
            request_ids=body.request_ids,
        )
        return {"id": group.id, "title": group.title, "state": group.state, "request_ids": body.request_ids}

    return _retrying(token, work)


@router.get("/suggest", responses={**ERRORS, **FORBIDDEN})
def suggestions(token: Token) -> list[dict[str, Any]]:
    """建议归集：同一产业链或镇街两家以上企业近期提出的同类未办结问题 (suggestions)."""
    from industry_brain.requests.common import suggest

    with signed_in(token, reads=True) as (session, scope):
        return suggest(session, scope=scope, settings=context().settings)


@router.post("/{common_id}/link", responses={**ERRORS, **FORBIDDEN})
def link_case(common_id: Id, body: CaseLink, token: Token) -> dict[str, Any]:
    """把一件问题归入（或移出）共性问题；一件问题只能归入一个 (link or unlink a case)."""
    from industry_brain.requests.common import group_cases, link, unlink

    def work(session: Session, scope: Scope) -> dict[str, Any]:
        step = unlink if body.unlink else link
        step(session, scope=scope, common_id=common_id, request_id=body.request_id)
        return {"id": common_id, "request_ids": group_cases(session, scope=scope, common_id=common_id)}

    return _retrying(token, work)


@router.post("/{common_id}/state", responses={**ERRORS, **FORBIDDEN})
def change_state(common_id: Id, body: NewState, token: Token) -> dict[str, Any]:
    """改变共性问题的状态，须写明理由 (move a group's state)."""
    from industry_brain.requests.common import set_state

    with signed_in(token) as (session, scope):
        group = set_state(session, scope=scope, common_id=common_id, state=body.state, reason=body.reason)
        return {"id": group.id, "state": group.state}
