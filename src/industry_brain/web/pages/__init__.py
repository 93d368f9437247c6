"""The NiceGUI pages: 驾驶舱, 企业画像, 亩均评价, 规划, 产业地图, 数据导入.

`register(app)` (= `register_pages(app)`) adds them; web.app.create_app calls it once, after
web.security.configure(engine, settings) and before ui.run_with(app, language="zh-CN", ...).
Each page reads through the same service functions as the API (views.profile,
web.cockpit, evaluation.*, ingest.*, plans.service) with the signed-in scope, and refuses the
roles that may not open it (web.security.require_login(roles=...)).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

STATIC_URL = "/ib-static"
_registered = False


def static_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "static"


def register_pages(app: FastAPI | None = None) -> None:
    """Register every page, `/` (to the role's home page), `/lang/{code}` and the static files
    (the two routes on `app`, else on NiceGUI's app). Idempotent: NiceGUI's page registry is
    process-wide."""
    global _registered
    if _registered:
        return
    from nicegui import app as nicegui_app

    from industry_brain.web.i18n import COOKIE
    from industry_brain.web.pages import cockpit, evaluation, imports, industry_map, jobs, plans, profile
    from industry_brain.web.pages.layout import home_of

    nicegui_app.add_static_files(STATIC_URL, static_dir())
    routes: Any = app if app is not None else nicegui_app
    for module in (cockpit, profile, evaluation, plans, industry_map, imports, jobs):
        module.register()
    _register_domain_pages()
    from industry_brain.web.pages import monitoring

    monitoring.register()

    @routes.get("/", include_in_schema=False)
    def home(request: Request) -> RedirectResponse:
        from industry_brain.web.security import require_login

        return RedirectResponse(home_of(require_login(request)), status_code=303)

    @routes.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, request: Request, next: str = "/") -> RedirectResponse:
        from industry_brain.web.security import safe_next, set_cookie

        response = RedirectResponse(safe_next(next), status_code=303)
        set_cookie(response, request, COOKIE, "en" if code.startswith("en") else "zh", max_age=365 * 86400)
        return response

    _registered = True


# The other domains' pages (chains, clusters, tiers and pools, projects): module -> its paths.
DOMAIN_MODULES = {
    "clusters": ("/clusters",),
    "chains": ("/chains",),
    "cultivation": ("/tiers", "/pools"),
    "projects": ("/projects",),
    "requests": ("/requests",),
    "policies": ("/policies",),
    "monitoring_alerts": ("/monitoring/alerts",),
    "commitments": ("/commitments",),
}


def _register_domain_pages() -> None:
    """Register each domain page whose module loads, and put it in the menu. A domain whose
    page is not ready yet is left out (logged), rather than keeping the platform from starting."""
    import importlib
    import logging

    from industry_brain.web.pages.layout import PAGES

    try:
        from industry_brain.web.pages.domain_common import DOMAIN_PAGES
    except ImportError:
        return
    for name, paths in DOMAIN_MODULES.items():
        try:
            importlib.import_module(f"industry_brain.web.pages.{name}").register()
        except Exception:  # one unfinished page must not take the others down
            logging.getLogger(__name__).exception("page module %s not registered", name)
            continue
        PAGES.update({p: DOMAIN_PAGES[p] for p in paths if p in DOMAIN_PAGES})


def register(app: FastAPI | None = None) -> None:
    """What web.app.create_app calls: the same as register_pages."""
    register_pages(app)
