"""What pages and routes use to know who is asking: the signed-in scope, the page database
session, CSRF tokens for plain HTTP forms, and the cookies.

Pages (NiceGUI) use:
- ``require_login(request=None, *, roles=None) -> Scope``: the caller's scope, or a redirect to
  /login (303) when not signed in, or 403 when its role is not in ``roles``.
- ``current_scope(request=None) -> Scope | None``: the same without redirecting.
- ``page_session()``: one database transaction (committed once when the block ends).
- ``client_address(request)`` for the audit log; ``core.auth.audit`` writes the entry.
Without ``request`` the helpers take the page's request from NiceGUI's context, so they work
inside a ``@ui.page`` function and in its event handlers.

The JSON API does not accept the session cookie: it takes bearer tokens only, so no API route
can be triggered cross-site by a browser's cookies (no CSRF exposure there).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from industry_brain.core.auth import scope_of, signing_key, verify_token
from industry_brain.core.db import transaction
from industry_brain.core.scope import Scope

SESSION_COOKIE = "ib_session"
CSRF_COOKIE = "ib_csrf"
LANG_COOKIE = "ib_lang"
CSRF_FIELD = "csrf_token"
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"


@dataclass
class WebContext:
    engine: Engine
    settings: Any
    secret: bytes


_context: WebContext | None = None


def configure(engine: Engine, settings: Any) -> WebContext:
    """Called by create_app: the engine and secret every request of this process uses."""
    global _context
    _context = WebContext(engine=engine, settings=settings, secret=signing_key(engine, settings))
    return _context


def context() -> WebContext:
    if _context is None:
        raise RuntimeError("web app not configured: create_app(settings) first")
    return _context


@contextmanager
def page_session() -> Iterator[Session]:
    """One transaction for a page's reads and writes; commits once when the block ends."""
    with transaction(context().engine) as session:
        yield session


def client_address(request: Request) -> str:
    """The client's address (uvicorn resolves X-Forwarded-For from the trusted proxies)."""
    return request.client.host if request.client else "unknown"


def cookie_secure(request: Request) -> bool:
    """Secure when configured (cookie_secure) and whenever the request came over HTTPS (as the
    trusted proxy's X-Forwarded-Proto says), so an HTTPS deployment never sends them in clear."""
    return bool(context().settings.cookie_secure) or request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=cookie_secure(request), path="/"
    )


def _sign(nonce: str) -> str:
    return hmac.new(context().secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_token(request: Request) -> str:
    """The form token for this browser: its signed CSRF cookie, or a new one (set it with
    set_cookie(..., CSRF_COOKIE, ...) on the response that renders the form)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if _csrf_signed(current):
        return current
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_sign(nonce)}"


def _csrf_signed(token: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce) and hmac.compare_digest(mac, _sign(nonce))


def csrf_valid(request: Request, submitted: str | None) -> bool:
    """Double submit: the form's token equals the cookie's and carries our signature, which
    a cross-site page can neither read nor forge."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(submitted) and hmac.compare_digest(cookie, submitted or "") and _csrf_signed(cookie)


def _page_request(request: Request | None) -> Request:
    if request is not None:
        return request
    from nicegui import context as ng_context

    return ng_context.client.request


def current_scope(request: Request | None = None) -> Scope | None:
    """The signed-in user's scope from the session cookie, or None."""
    request = _page_request(request)
    cached: Scope | bool | None = getattr(request.state, "ib_scope", False)
    if cached is not False:
        return cached if isinstance(cached, Scope) else None
    token = request.cookies.get(SESSION_COOKIE, "")
    scope = None
    if token:
        with page_session() as session:
            user = verify_token(session, token=token, kinds=("page",))
            scope = scope_of(user) if user is not None else None
    request.state.ib_scope = scope
    return scope


class LoginRequired(HTTPException):
    def __init__(self, next_path: str) -> None:
        super().__init__(status_code=303, headers={"Location": f"{LOGIN_PATH}?next={quote(next_path)}"})


def require_login(request: Request | None = None, *, roles: Sequence[str] | None = None) -> Scope:
    """The caller's scope; raises a 303 to /login?next=<this page> when not signed in and a
    403 when `roles` is given and the caller's role is not in it."""
    request = _page_request(request)
    scope = current_scope(request)
    if scope is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    if roles is not None and scope.role not in roles:
        raise HTTPException(status_code=403, detail="无权访问 (forbidden)")
    return scope


def safe_next(target: str | None) -> str:
    """Only a local path may follow sign-in (no open redirect to another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
