"""What every page shares: who may open it, the header with the menu of the pages the role may
open, the language, number formatting, tables (AG Grid) and Excel downloads."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import Request
from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.i18n import COOKIE, t

# page path -> (menu label, roles that may open it)
PAGES: dict[str, tuple[str, frozenset[str]]] = {
    "/cockpit": ("驾驶舱", frozenset({"admin", "analyst", "leader", "town"})),
    "/profile": ("企业画像", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/evaluation": ("亩均评价", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/plans": ("规划", frozenset({"admin", "analyst", "leader", "department"})),
    "/map": ("产业地图", frozenset({"admin", "analyst", "leader", "town"})),
    "/imports": ("数据导入", frozenset({"admin", "analyst"})),
}
ROLE_NAMES = {
    "admin": "系统管理员",
    "analyst": "经信局分析员",
    "leader": "领导",
    "department": "部门",
    "town": "镇街",
    "enterprise": "企业",
    "system": "系统",
}
# AG Grid's own words, in Chinese (its paging panel reads "第 1 / 4", "1 – 50 / 151").
AGGRID_ZH = {
    "page": "第",
    "of": "/",
    "to": "–",
    "more": "更多",
    "next": "下一页",
    "previous": "上一页",
    "first": "首页",
    "last": "末页",
    "noRowsToShow": "暂无数据",
    "loadingOoo": "加载中…",
    "pageSizeSelectorLabel": "每页：",
    "filterOoo": "筛选…",
    "equals": "等于",
    "notEqual": "不等于",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
}
GRADE_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#c62828", "T": "#9e9e9e"}
STATUS_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE) or "zh"
    return "en" if asked.lower().startswith("en") else "zh-CN"


def enter(request: Request, path: str) -> tuple[Scope, str]:
    """The signed-in scope allowed on `path` (else a redirect to sign in, or 403), and the language."""
    from industry_brain.web.security import require_login

    scope = require_login(request, roles=sorted(PAGES[path][1]))
    return scope, language(request)


def home_of(scope: Scope) -> str:
    """The first page a role lands on."""
    if scope.role == "department":
        return "/plans"
    if scope.role == "enterprise":
        return f"/profile?code={scope.credit_code}"
    return "/cockpit"


def header(scope: Scope, lang: str, active: str) -> None:
    ui.query("body").style("font-family: 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif; background: #f3f5f8")
    with ui.header().classes("items-center bg-blue-9 q-px-md"):
        ui.label(t("产业大脑", lang)).classes("text-h6 text-white q-mr-lg")
        for path, (label, roles) in PAGES.items():
            if scope.role in roles:
                link = ui.link(t(label, lang), path).classes("text-white q-mx-xs no-underline")
                if path == active:
                    link.classes("text-weight-bold").style("border-bottom: 2px solid white")
        ui.space()
        who = ROLE_NAMES.get(scope.role, scope.role)
        ui.label(f"{scope.username}（{who}）").classes("text-white q-mr-md")
        other = "en" if lang != "en" else "zh"
        ui.link("English" if other == "en" else "中文", f"/lang/{other}?next={active}").classes(
            "text-white q-mr-md"
        )
        ui.link(t("退出", lang), "/logout").classes("text-white")


def title(text: str) -> None:
    ui.label(text).classes("text-h5 q-mt-md q-mb-sm")


def number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # counts and round targets read as 40, not 40.00
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"
    return str(value)


def grid(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], *, height: int = 420
) -> ui.aggrid:
    """An AG Grid of `rows` with (field, header) columns, sortable and filterable; its own
    words (paging, filters) in the page's language."""
    defs = [
        {"field": f, "headerName": h, "sortable": True, "filter": True, "resizable": True} for f, h in columns
    ]
    options: dict[str, Any] = {
        "columnDefs": defs,
        "rowData": list(rows),
        "pagination": len(rows) > 50,
        "paginationPageSize": 50,
    }
    if language(ui.context.client.request) != "en":
        options["localeText"] = AGGRID_ZH
    return ui.aggrid(options).style(f"height: {height}px")


def download_table(
    frame: pl.DataFrame, file_name: str, *, title: str | None = None, headers: dict[str, str] | None = None
) -> None:
    """Send `frame` to the browser as an Excel file written by reports.tables.write_table, its
    columns renamed by `headers` (code name -> 中文) where given."""
    from industry_brain.reports.tables import write_table

    if headers:
        frame = frame.rename({k: v for k, v in headers.items() if k in frame.columns})
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(frame, Path(tmp) / file_name, title=title)
        ui.download.content(path.read_bytes(), file_name)


def empty(text: str) -> None:
    ui.label(text).classes("text-grey-7 q-pa-md")
