"""共性问题 on the 涉企问题 pages: the analyst's section of groups with their counts and the
suggestions waiting, and the line on a case's page naming the group it is in. Fed by
requests.common with the signed-in scope, as the API and the CLI are."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import table
from industry_brain.web.pages.layout import empty

MANAGERS = frozenset({"analyst", "admin"})


def common_section(scope: Scope) -> None:
    """The groups, newest first, with cases, enterprises, open cases and townships."""
    from industry_brain.requests.common import list_common, suggest
    from industry_brain.web.security import context, page_session

    if scope.role not in MANAGERS:
        return
    settings = context().settings
    with page_session() as session:
        rows = list_common(session, scope=scope, settings=settings)
        waiting = suggest(session, scope=scope, settings=settings)
    ui.label("共性问题").classes("text-subtitle1 text-weight-medium q-mt-md")
    if waiting:
        names = "；".join(
            f"{s['basis_name']}{len(s['credit_codes'])}家企业的{s['category_name']}问题" for s in waiting[:5]
        )
        ui.label(f"建议归集 {len(waiting)} 组：{names}").classes("text-orange-9")
    if not rows:
        empty("暂无共性问题")
        return
    cols = [
        ("id", "编号"),
        ("title", "标题"),
        ("category_name", "分类"),
        ("state", "状态"),
        ("cases", "问题件数"),
        ("enterprises", "企业数"),
        ("open_cases", "未办结"),
        ("townships", "涉及镇街"),
        ("description", "共性原因"),
    ]
    table(rows, cols, file_name="共性问题清单.xlsx", title="共性问题清单", lang="zh", height=240)


def common_line(case: dict[str, Any]) -> None:
    """On a case's card: the 共性问题 it was grouped under, for everyone who sees the case."""
    group = case.get("common_problem")
    if group:
        ui.label(f"已归入共性问题：{group['title']}（{group['state']}）").classes("text-blue-9")
