"""The JSON API under /api/v1: authentication, the caller's scope, enterprises, the audit log.

Every route takes bearer tokens only (a short-lived access token from POST /auth/token or a
long-lived API token), never the page cookie. One request is one transaction, committed
before the response is sent; a route that only reads runs each statement in its own (see
signed_in). Reads of confidential figures and every change are audited, the entry committed
before the response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from industry_brain.core.auth import (
    SignInFailed,
    audit,
    scope_of,
    search_audit,
    sign_in,
    verify_token,
)
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope
from industry_brain.views.queries import MAX_LIMIT, list_enterprises, profile_of
from industry_brain.web.security import client_address, context

UNAUTHORIZED = "未登录或令牌无效 (not signed in, or the token is invalid or expired)"
NOT_FOUND = "未找到 (not found)"
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


Token = Annotated[str | None, Depends(_bearer)]


@contextmanager
def signed_in(token: str | None, *, reads: bool = False) -> Iterator[tuple[Session, Scope]]:
    """The request's transaction and the caller's scope; 401 without a valid bearer token.

    Routes open it in their own body (not as a yield dependency) so the commit runs in the
    thread that did the work: a dependency's exit needs a second threadpool slot, and under
    load every slot can be held by requests waiting for the lock or connection it would free.

    `reads=True` is for a route that only reads (and audits the read): each statement commits
    itself, which spares PostgreSQL's BEGIN and COMMIT round trips and changes nothing read
    (under READ COMMITTED every statement takes its own snapshot anyway; SQLite's driver opens
    no transaction for a read). An audit entry is committed when it is flushed, so a response
    carrying confidential figures is never sent without its entry."""
    with transaction(context().engine) as session:
        if reads:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        user = verify_token(session, token=token or "", kinds=("access", "api"))
        if user is None:
            raise HTTPException(status_code=401, detail=UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        yield session, scope_of(user)


def require_roles(scope: Scope, *roles: str) -> None:
    if scope.role not in roles:
        raise HTTPException(status_code=403, detail="无权访问 (forbidden for this role)")


class Detail(BaseModel):
    detail: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int


class Me(BaseModel):
    username: str
    role: str
    township_code: str | None
    unit: str | None
    credit_code: str | None


class EnterpriseItem(BaseModel):
    credit_code: str
    name: str | None
    industry_code: str | None
    township_code: str | None
    township: str | None


class EnterprisePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EnterpriseItem]


class Figure(BaseModel):
    value: float | None
    source: str


class SourceFiles(BaseModel):
    files: list[str]
    batch_ids: list[int]


class YearFigures(BaseModel):
    year: int
    figures: dict[str, Figure]
    sources: dict[str, SourceFiles]


class EnterpriseOut(EnterpriseItem):
    zone: str | None
    established: str | None
    sources: dict[str, str | None]
    years: list[YearFigures]


class AuditOut(BaseModel):
    id: int
    at: str
    username: str
    role: str
    action: str
    target: str | None
    detail: str | None
    address: str | None


ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Detail, "description": "未登录 (no valid token)"}}
router = APIRouter(prefix="/api/v1")


@router.get("/health", tags=["system"])
async def health() -> dict[str, str]:
    """存活检查 (liveness): no database, no authentication; `cockpit` says whether the
    cockpit's start-up computation is done ("ready") or still running ("warming")."""
    from industry_brain.web import warmup

    return {"status": "ok", "cockpit": warmup.state()}


@router.post(
    "/auth/token",
    response_model=TokenOut,
    tags=["auth"],
    responses={401: {"model": Detail}, 429: {"model": Detail}},
)
def token(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2000)],
) -> Any:
    """用户名密码换取访问令牌 (exchange username and password for a short-lived access token)."""
    ctx = context()
    address = client_address(request)
    try:
        _user, access = sign_in(
            ctx.engine,
            username=username,
            password=password,
            address=address,
            settings=ctx.settings,
            kind="access",
        )
    except SignInFailed as failure:
        status = 429 if failure.refused else 401
        headers = {"Retry-After": str(failure.retry_after)} if failure.refused else {}
        return JSONResponse({"detail": str(failure)}, status_code=status, headers=headers)
    return TokenOut(
        access_token=access, token_type="bearer", expires_in=3600 * int(ctx.settings.session_hours)
    )


@router.get("/me", response_model=Me, tags=["auth"], responses=ERRORS)
def me(token: Token) -> Any:
    """当前用户及其范围 (the caller and its scope)."""
    with signed_in(token, reads=True) as (_, scope):
        pass
    return Me(
        username=scope.username,
        role=scope.role,
        township_code=scope.township_code,
        unit=scope.unit,
        credit_code=scope.credit_code,
    )


@router.get("/enterprises", response_model=EnterprisePage, tags=["enterprises"], responses=ERRORS)
def enterprises(
    token: Token,
    q: Annotated[
        str | None, Query(max_length=200, description="名称包含或代码开头 (name contains / code starts)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """范围内的企业 (the enterprises in the caller's scope)."""
    with signed_in(token, reads=True) as (session, scope):
        return list_enterprises(session, scope=scope, q=q, limit=limit, offset=offset)


@router.get(
    "/enterprises/{credit_code}",
    response_model=EnterpriseOut,
    tags=["enterprises"],
    responses={
        **ERRORS,
        404: {"model": Detail, "description": "不存在或不在范围内 (absent or outside scope)"},
    },
)
def enterprise(credit_code: str, request: Request, token: Token) -> Any:
    """一家企业及其分年度数据与来源 (one enterprise with its figures by year and their sources)."""
    with signed_in(token, reads=True) as (session, scope):
        profile = profile_of(session, scope=scope, credit_code=credit_code)
        audit(
            session,
            scope=scope,
            action="enterprise.read",
            target=credit_code,
            address=client_address(request),
        )
    return profile


@router.get(
    "/audit", response_model=list[AuditOut], tags=["audit"], responses={**ERRORS, 403: {"model": Detail}}
)
def audit_log(
    token: Token,
    username: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    target: Annotated[str | None, Query(max_length=300)] = None,
    since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """审计日志 (the audit log; admins only)."""
    if since is not None and since.tzinfo is not None:
        since = since.astimezone(dt.UTC).replace(tzinfo=None)
    with signed_in(token, reads=True) as (session, scope):
        require_roles(scope, "admin")
        return search_audit(
            session,
            username=_clean(username),
            action=_clean(action),
            target=_clean(target),
            since=since,
            limit=limit,
            offset=offset,
        )


def _clean(text: str | None) -> str | None:
    """PostgreSQL refuses NUL in text; no real name contains one."""
    return None if text is None else text.replace("\x00", "")
