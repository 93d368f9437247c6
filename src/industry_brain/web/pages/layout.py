"""What every page shares: who may open it, the header with the menu of the pages the role may
open, the language, number formatting, tables (AG Grid) and Excel downloads."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from html import escape as esc
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import polars as pl
from fastapi import Request
from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.i18n import COOKIE, t

T = TypeVar("T")

# page path -> (menu label, roles that may open it)
PAGES: dict[str, tuple[str, frozenset[str]]] = {
    "/cockpit": ("驾驶舱", frozenset({"admin", "analyst", "leader", "town"})),
    "/profile": ("企业画像", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/evaluation": ("亩均评价", frozenset({"admin", "analyst", "leader", "town", "enterprise"})),
    "/plans": ("规划", frozenset({"admin", "analyst", "leader", "department"})),
    "/map": ("产业地图", frozenset({"admin", "analyst", "leader", "town"})),
    "/monitoring": ("经济运行", frozenset({"admin", "analyst", "leader", "department", "town"})),
    "/imports": ("数据导入", frozenset({"admin", "analyst", "department"})),
    "/jobs": ("我的任务", frozenset({"admin", "analyst", "leader", "department", "town", "enterprise"})),
}
ROLE_NAMES = {
    "admin": "系统管理员",
    "analyst": "经信局分析员",
    "leader": "领导",
    "department": "部门",
    "town": "镇街",
    "enterprise": "企业",
    "chain_chief": "链长",
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


async def off_loop(read: Callable[[], T]) -> T:
    """Run a page's database work in a worker thread, as the API's handlers run. A page function
    runs on the event loop: there, every wait for the database (or for SQLite's write lock,
    which an audit entry takes) would hold every other request, the health check and the open
    pages' websockets with it."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(read)


def page_step(work: Callable[[Any], str]) -> bool:
    """One step a page's button takes, in its own transaction (committed once, when `work`
    returns its message): the message shown and the page reloaded; a refusal shown in its own
    words, with nothing kept."""
    from industry_brain.core.errors import IndustryBrainError
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            message = work(session)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return False
    ui.notify(message, type="positive")
    ui.timer(1.0, ui.navigate.reload, once=True)
    return True


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
    if scope.role == "chain_chief":
        return "/requests"  # a chain chief's cases (no page of enterprise figures is its scope)
    return "/cockpit"


def header(scope: Scope, lang: str, active: str) -> None:
    ui.query("body").style("font-family: 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif; background: #f3f5f8")
    links = []
    for path, (label, roles) in PAGES.items():
        if scope.role in roles:
            shown = ' text-weight-bold" style="border-bottom: 2px solid white' if path == active else ""
            links.append(
                f'<a class="text-white q-mx-xs no-underline{shown}" href="{path}">{esc(t(label, lang))}</a>'
            )
    who = ROLE_NAMES.get(scope.role, scope.role)
    other = "en" if lang != "en" else "zh"
    switch = "English" if other == "en" else "中文"
    # One element for the whole bar: it is on every page, and each NiceGUI element costs the
    # server's single core about as much as a small query (see web/nicegui_speed.py).
    with ui.header().classes("items-center bg-blue-9 q-px-md"):
        ui.html(
            '<div class="row items-center no-wrap" style="width: 100%">'
            f'<div class="text-h6 text-white q-mr-lg">{esc(t("产业大脑", lang))}</div>'
            + "".join(links)
            + '<div style="flex-grow: 1"></div>'
            f'<div class="text-white q-mr-md">{esc(f"{scope.username}（{who}）")}</div>'
            f'<a class="text-white q-mr-md" href="/lang/{other}?next={quote(active)}">{switch}</a>'
            f'<a class="text-white" href="/logout">{esc(t("退出", lang))}</a></div>'
        ).classes("w-full")


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


def html_table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str] | None = None,
    *,
    classes: str = "",
    height: int | None = None,
) -> ui.html:
    """A read-only table as one element (cells escaped): a profile's figures or a cockpit tile's
    rows cost one NiceGUI element, not one per cell. Sorting and filtering stay with `grid`."""
    head = "".join(f"<th>{esc(str(h))}</th>" for h in headers or ())
    body = "".join(
        "<tr>" + "".join(f"<td>{esc('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    table = (
        f'<table class="ib-table {classes}">'
        + (f"<thead><tr>{head}</tr></thead>" if head else "")
        + f"<tbody>{body}</tbody></table>"
    )
    box = ui.html(table).classes("w-full")
    if height:
        box.style(f"max-height: {height}px; overflow-y: auto")
    return box


def html_lines(lines: Sequence[str], *, classes: str = "text-body2") -> ui.html:
    """Lines of read-only text as one element (escaped), e.g. a record's history."""
    return ui.html("".join(f'<div class="{classes}">{esc(line)}</div>' for line in lines))


TABLE_CSS = """
.ib-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.ib-table th { text-align: left; font-weight: 500; color: #555; border-bottom: 1px solid #ddd;
  padding: 4px 8px; position: sticky; top: 0; background: white; }
.ib-table td { padding: 3px 8px; border-bottom: 1px solid #f0f0f0; }
.ib-table.plain td { border-bottom: none; padding: 2px 8px; }
.ib-table.plain td:first-child { color: #757575; white-space: nowrap; }
.ib-table.plain td:nth-child(3) { color: #9e9e9e; font-size: 12px; }
"""


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
    from industry_brain.reports.tables import readable_values, write_table

    frame = readable_values(frame)  # codes named before the page's own headers replace theirs
    if headers:
        frame = frame.rename({k: v for k, v in headers.items() if k in frame.columns})
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(frame, Path(tmp) / file_name, title=title)
        ui.download.content(path.read_bytes(), file_name)


def empty(text: str) -> None:
    ui.label(text).classes("text-grey-7 q-pa-md")
