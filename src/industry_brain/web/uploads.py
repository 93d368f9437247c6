"""The one gate in front of every upload route: who is sending, and how much.

A pure ASGI middleware, so nothing of the body is read (let alone spooled to the temporary
folder) before the sender is known to be signed in (with a role that imports, for the import
route), and before the declared Content-Length is within the limit; the body is then counted as
it streams, and the request is refused with 413 the moment it passes the limit. The limits: an
import, `max_file_bytes` (the largest file the import reads); an appeal's 证明材料,
`appeal_max_files` × `appeal_max_file_bytes`; a page upload (an import or an appeal, whose page
checks the role), the larger of the two; each plus room for the form's other fields.
"""

from __future__ import annotations

import json
import re

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from industry_brain.core.auth import scope_of, verify_token
from industry_brain.ingest.access import importable_sources
from industry_brain.web.security import SESSION_COOKIE, context, page_session

UNAUTHORIZED = "未登录或令牌无效 (not signed in, or the token is invalid or expired)"
FORM_ROOM = 64 * 1024  # the form's fields around the file (source, period, sheet, ...)
API_UPLOAD = "/api/v1/imports"
_APPEAL_UPLOAD = re.compile(r"^/api/v1/evaluation/runs/[^/]+/appeals/?$")
# 涉企问题: raising one and each step carry attachments under the appeals' limits
_REQUEST_UPLOAD = re.compile(r"^/api/v1/requests(/[^/]+/steps)?/?$")
_PAGE_UPLOAD = re.compile(r"^/_nicegui/client/[^/]+/upload/[^/]+$")


class _TooLarge(Exception):
    pass


def upload_limit(route: str = "import") -> int:
    settings = context().settings
    imports = int(settings.max_file_bytes)
    appeals = int(settings.appeal_max_files) * int(settings.appeal_max_file_bytes)
    return {"import": imports, "appeal": appeals, "page": max(imports, appeals)}[route] + FORM_ROOM


def _route(path: str) -> str | None:
    if path.rstrip("/") == API_UPLOAD:
        return "import"
    if _APPEAL_UPLOAD.match(path) or _REQUEST_UPLOAD.match(path):
        return "appeal"
    return "page" if _PAGE_UPLOAD.match(path) else None


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _refusal(token: str, kinds: tuple[str, ...], route: str) -> int:
    """401 for no valid sign-in, 403 for a role that imports nothing on the import route, else 0
    (the appeal route and the page's own controls check their roles themselves)."""
    if not token:
        return 401
    with page_session() as session:
        user = verify_token(session, token=token, kinds=kinds)
        if user is None:
            return 401
        return 0 if route != "import" or importable_sources(scope_of(user)) else 403


async def _answer(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int) -> str:
    return f"文件过大：上传不得超过 {limit / 1024 / 1024:.0f} MB"


class UploadGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _route(scope.get("path", "")) if scope["type"] == "http" else None
        if route is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if route != "page":
            scheme, _, token = headers.get("authorization", "").partition(" ")
            token = token.strip() if scheme.lower() == "bearer" else ""
            kinds: tuple[str, ...] = ("access", "api")
        else:
            token, kinds = _cookie(headers.get("cookie", ""), SESSION_COOKIE), ("page",)
        refusal = await run_in_threadpool(_refusal, token, kinds, route)
        if refusal == 401:
            await _answer(send, 401, UNAUTHORIZED, [(b"www-authenticate", b"Bearer")])
            return
        if refusal:
            await _answer(send, 403, "无权访问 (forbidden for this role)")
            return
        limit = upload_limit(route)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, too_large_message(limit - FORM_ROOM))
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        seen = 0
        refused = answered = False
        message_413 = too_large_message(limit - FORM_ROOM)

        async def counting() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    raise _TooLarge()
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            if not refused:
                await send(message)
            elif message["type"] == "http.response.start" and not answered:
                # whatever the route made of its broken body (FastAPI: a 400), the answer is 413
                answered = True
                await _answer(send, 413, message_413)

        try:
            await self.app(scope, counting, sending)
        except _TooLarge:
            if not answered:
                await _answer(send, 413, message_413)
