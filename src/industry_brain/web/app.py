"""The web app factory: the JSON API under /api/v1 with its OpenAPI document and a local
Swagger UI, sign-in and sign-out, and the NiceGUI pages, on one FastAPI app.

Nothing happens at import. `create_app(settings)` opens (and migrates) the database and builds
the app; NiceGUI keeps process-wide state, so build one app per process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from industry_brain import __version__
from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.db import open_database
from industry_brain.core.errors import IndustryBrainError
from industry_brain.web.security import configure

DOCS_ASSETS = "/api/docs-assets"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the headers every response should carry (a plain ASGI middleware: no per-request
    task or body buffering, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def _error_handlers(app: FastAPI) -> None:
    async def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def forbidden(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    async def bad_request(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(IndustryBrainError, bad_request)


def _api_docs(app: FastAPI) -> None:
    folder = resources.files("industry_brain.web") / "vendor" / "swagger-ui"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(folder)), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="产业大脑 API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
            oauth2_redirect_url="/api/docs/oauth2-redirect",
        )

    @app.get("/api/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _pages(app: FastAPI) -> None:
    """The NiceGUI pages: web.pages.register(app) when the pages package provides it."""
    try:
        from industry_brain.web import pages
    except ImportError:
        pages = None  # type: ignore[assignment]
    register = getattr(pages, "register", None)
    if register is not None:
        register(app)
        return
    from nicegui import ui

    from industry_brain.web.security import require_login

    @ui.page("/")
    def home(request: Request) -> None:
        scope = require_login(request)
        ui.label(f"产业大脑：{scope.username}（{scope.role}）")
        ui.link("退出登录 (sign out)", "/logout")


def _domain_routers() -> list[Any]:
    """The routers of the analytic domains (plans, clusters, chains, tiers, projects), when present."""
    try:
        from industry_brain.web import api_domains
    except ImportError:
        return []
    return list(api_domains.routers())


def create_app(settings: Any) -> FastAPI:
    """The whole platform on one app, on the database of `settings` (migrated on open)."""
    from nicegui import ui

    from industry_brain.web import api, api_evaluation, api_imports, login

    engine = open_database(settings.database_url)
    ctx = configure(engine, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="产业大脑 industry-brain API",
        version=__version__,
        description="企业、评价与导入的 JSON 接口 (the JSON API). 认证 (auth): docs/api.md",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    _error_handlers(app)
    app.include_router(api.router)
    app.include_router(api_evaluation.router)
    app.include_router(api_imports.router)
    for router in _domain_routers():
        app.include_router(router)
    app.include_router(login.router)
    _api_docs(app)
    _pages(app)
    secure = bool(settings.cookie_secure)
    # NiceGUI's own storage cookie; our sign-in lives in ib_session (web.security).
    ui.run_with(
        app,
        title="产业大脑",
        language="zh-CN",
        storage_secret=ctx.secret.hex(),
        session_middleware_kwargs={"same_site": "lax", "https_only": secure},
        show_welcome_message=False,
        reconnect_timeout=10.0,
    )
    app.add_middleware(SecurityHeaders)
    return app
