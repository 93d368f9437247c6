"""The web app factory: the JSON API under /api/v1 with its OpenAPI document and a local
Swagger UI, sign-in and sign-out, and the NiceGUI pages, on one FastAPI app.

Nothing happens at import. `create_app(settings)` opens (and migrates) the database and builds
the app; NiceGUI keeps process-wide state, so build one app per process.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from industry_brain import __version__
from industry_brain.core.auth import Forbidden, NotFound
from industry_brain.core.errors import IndustryBrainError
from industry_brain.registry import open_database
from industry_brain.web.headers import SecurityHeaders
from industry_brain.web.page_scope import PageScope
from industry_brain.web.security import configure
from industry_brain.web.uploads import UploadGuard

DOCS_ASSETS = "/api/docs-assets"


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


# One millisecond: see the lifespan below.
SWITCH_INTERVAL_SECONDS = 0.001


def _domain_routers() -> list[Any]:
    """The routers of the analytic domains (plans, clusters, chains, tiers, projects), when present."""
    try:
        from industry_brain.web import api_domains
    except ImportError:
        return []
    return list(api_domains.routers())


def _warm(engine: Any, settings: Any) -> None:
    import logging

    from industry_brain.web import warmup
    from industry_brain.web.pages.cockpit import warm

    try:
        warm(engine, settings)
    except Exception:  # a cold cockpit is slower, never broken
        logging.getLogger(__name__).exception("warming the cockpit failed")
    finally:
        from industry_brain.web import nicegui_speed

        nicegui_speed.freeze_heap(settings.gc_thresholds)
        warmup.finished()


def create_app(settings: Any) -> FastAPI:
    """The whole platform on one app, on the database of `settings` (migrated on open)."""
    from nicegui import app as nicegui_app
    from nicegui import ui

    from industry_brain.web import (
        api,
        api_appeals,
        api_evaluation,
        api_imports,
        api_jobs,
        api_requests,
        api_requests_common,
        login,
        nicegui_speed,
    )
    from industry_brain.web.errors import install as install_page_errors
    from industry_brain.web.pages.layout import TABLE_CSS

    nicegui_speed.install()
    ui.add_css(TABLE_CSS, shared=True)
    engine = open_database(settings.database_url)
    ctx = configure(engine, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The cockpit's figures read every enterprise's facts: computed once in the background
        # when the server starts, the first leader to open it sees it complete.
        from industry_brain.web import warmup

        warmup.started()
        # The pages run on the event loop and the reads in worker threads, all behind one
        # interpreter lock: at the default 5 ms hand-over the loop can wait 5 ms behind each
        # reading thread it queues after. (bench/load_web.py runs with 1 ms were within the
        # run-to-run noise of this 2-core machine; docs/benchmarks.md.)
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        if settings.gc_log:
            nicegui_speed.log_pauses(settings.gc_log)
        threading.Thread(target=_warm, args=(engine, settings), name="warm-cockpit", daemon=True).start()
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
    app.include_router(api_appeals.router)
    app.include_router(api_imports.router)
    app.include_router(api_jobs.router)
    app.include_router(api_jobs.page_router)
    # before the cases' router: its /api/v1/requests/{request_id} would take "common" for an id
    app.include_router(api_requests_common.router)
    app.include_router(api_requests.router)
    for router in _domain_routers():
        app.include_router(router)
    from industry_brain.web import api_monitoring

    app.include_router(api_monitoring.router)
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
    install_page_errors(nicegui_app)
    app.add_middleware(PageScope)  # a page's sign-in is read off the event loop
    app.add_middleware(UploadGuard)  # inside SecurityHeaders: its 401/413 carry them too
    app.add_middleware(SecurityHeaders)
    return app
