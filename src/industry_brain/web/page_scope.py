"""Who is signed in, looked up before a page runs, in a worker thread.

NiceGUI runs a page's function on the event loop. The first thing every page does is read its
caller's sign-in (a database read of the session token); done there, each page view would hold
the loop, and so every other request, while it waits for the database. This pure ASGI
middleware does the read in the thread pool, as the API's handlers do, and leaves the answer
where `security.current_scope` looks first (the request's state, shared by every Request built
on the same ASGI scope).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from industry_brain.web.errors import NOT_PAGES
from industry_brain.web.security import SESSION_COOKIE, current_scope

# sign-in and sign-out read the session themselves
_SKIPPED = (*NOT_PAGES, "/login", "/logout")


class PageScope:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope.get("path", "")).startswith(_SKIPPED):
            request = Request(scope)
            if request.cookies.get(SESSION_COOKIE):
                await run_in_threadpool(current_scope, request)
        await self.app(scope, receive, send)
