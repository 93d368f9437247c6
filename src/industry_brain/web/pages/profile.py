"""企业画像: search by name, code or pinyin initials; the master record, figures by year with
their sources, titles, evaluation with its explanation, and history. An enterprise sees only
itself; a code outside the caller's scope reads as "not found"."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from nicegui import ui

from industry_brain.core.labels import source_label
from industry_brain.core.scope import Scope
from industry_brain.views import profile as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import (
    GRADE_COLOURS,
    empty,
    enter,
    header,
    html_lines,
    html_table,
    number,
    off_loop,
    title,
)
from industry_brain.web.pages.requests_links import profile_cases

PATH = "/profile"


PAGE_SIZE = 20


def _search(lang: str, query: str, found: dict[str, Any], page: int) -> None:
    def go(text: str, to: int = 1) -> None:
        ui.navigate.to(f"{PATH}?q={quote(text or '')}" + (f"&page={to}" if to > 1 else ""))

    with ui.row().classes("items-center w-full"):
        box = ui.input(t("搜索企业（名称、代码、拼音或拼音首字母）", lang), value=query).classes("w-96")
        box.on("keydown.enter", lambda: go(box.value))
        ui.button(t("搜索", lang), on_click=lambda: go(box.value))
    if not query:
        return
    total, results = found["total"], found["items"]
    if not results:
        empty(t("未找到企业", lang))
        return
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    first = found["offset"] + 1
    ui.label(f"共找到 {total} 家企业，第 {first}–{first + len(results) - 1} 家（按匹配程度排序）").classes(
        "text-grey-8 search-count"
    )
    for r in results:
        with ui.row().classes("items-center"):
            ui.link(r["name"] or r["credit_code"], f"{PATH}?code={r['credit_code']}")
            ui.label(f"{r['credit_code']} · {r['township']} · {r['industry_code'] or '—'}").classes(
                "text-grey-7"
            )
    if pages > 1:
        ui.pagination(
            1, pages, direction_links=True, value=page, on_change=lambda e: go(query, e.value)
        ).props("max-pages=9 boundary-numbers").classes("search-pages")


def _master(p: service.EnterpriseProfile, lang: str) -> None:
    m = p.master
    rows = [
        ("企业名称", m["name"], m["name_source"]),
        ("统一社会信用代码", m["credit_code"], None),
        ("行业", m["industry"], m["industry_code_source"]),
        ("所属镇街", m["township"], m["township_code_source"]),
        ("园区", m["zone"], m["zone_source"]),
        ("成立日期", m["established"], m["established_source"]),
    ]
    with ui.card().classes("w-full"):
        ui.label(t("基本信息", lang)).classes("text-subtitle1 text-weight-medium")
        cells = [
            (t(label, lang), value or "—", f"{t('来源', lang)}：{source_label(source)}" if source else "")
            for label, value, source in rows
        ]
        html_table(cells, classes="plain profile-master")


def _figures(p: service.EnterpriseProfile, lang: str) -> None:
    with ui.card().classes("w-full"):
        ui.label(t("分年数据", lang)).classes("text-subtitle1 text-weight-medium")
        rows = [
            {
                "year": f["year"],
                "label": f["label"],
                "value": number(f["value"]),
                "unit": f["unit"],
                "source": f["source_label"],
            }
            for f in p.figures
        ]
        columns = [
            ("year", "年度"),
            ("label", "指标"),
            ("value", "数值"),
            ("unit", "单位"),
            ("source", "来源"),
        ]
        cells = [[r[k] for k, _ in columns] for r in rows]
        html_table(cells, [t(h, lang) for _, h in columns], classes="profile-figures", height=320)
        with ui.expansion(t("各部门原始数据", lang)).classes("w-full"):
            columns = [
                ("year", "年度"),
                ("label", "指标"),
                ("source_label", "来源"),
                ("value", "数值"),
                ("chosen", "采用"),
            ]
            cells = [
                [
                    {**b, "value": number(b["value"]), "chosen": "✔" if b["chosen"] else ""}[k]
                    for k, _ in columns
                ]
                for b in p.by_source
            ]
            html_table(cells, [t(h, lang) for _, h in columns], height=300)


def _evaluation(p: service.EnterpriseProfile, scope: Scope, lang: str) -> None:
    with ui.card().classes("w-full"):
        ui.label(t("评价结果", lang)).classes("text-subtitle1 text-weight-medium")
        if not p.evaluations:
            empty(t("暂无", lang))
            return
        with ui.row():
            for e in p.evaluations[:5]:
                with ui.card().style(f"border-top: 6px solid {GRADE_COLOURS.get(e['grade'], '#999')}"):
                    ui.label(f"{e['year']} 年度 · {e['status_label']}").classes("text-caption")
                    ui.label(e["grade_label"]).classes("text-h6")
                    ui.label(f"总分 {number(e['score'])} · 排名 {e['rank'] or '—'}").classes("text-caption")
        _notice(p, scope, lang)
        if p.explanation:
            ui.label(t("评价说明", lang)).classes("text-weight-medium q-mt-sm")
            for line in p.explanation:
                ui.label(line).classes("text-body2").style("white-space: pre-wrap")


def _notice(p: service.EnterpriseProfile, scope: Scope, lang: str) -> None:
    """The newest visible run's 评价结果告知书, as on the evaluation page."""
    from industry_brain.web.pages.evaluation import notice_buttons

    with ui.row():
        notice_buttons(scope, p.evaluations[0]["run_id"], lang, lambda: p.credit_code)


def _titles_history(p: service.EnterpriseProfile, lang: str) -> None:
    with ui.grid(columns=2).classes("w-full"):
        with ui.card():
            ui.label(t("荣誉资质", lang)).classes("text-subtitle1 text-weight-medium")
            if not p.titles:
                empty(t("暂无", lang))
            html_lines([f"{x['title']}（{x['level'] or '—'}，{x['year'] or '—'} 年）" for x in p.titles])
        with ui.card():
            ui.label(t("历史", lang)).classes("text-subtitle1 text-weight-medium")
            html_lines([f"{h['at'] or ''}  {h['what']}" for h in p.history[:15]])


def _read(
    request: Request, scope: Scope, code: str, q: str, page_no: int
) -> tuple[dict[str, Any], Any, list[dict[str, Any]]]:
    """The page's search results, profile and the enterprise's 涉企问题 cases, with the audit
    entry of the view (one transaction)."""
    from industry_brain.core.auth import NotFound, audit
    from industry_brain.requests.views import list_requests
    from industry_brain.web.security import client_address, context, page_session

    with page_session() as session:
        found: dict[str, Any] = {"total": 0, "offset": 0, "items": []}
        cases: list[dict[str, Any]] = []
        if q:
            found = service.search(
                session, query=q, scope=scope, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
            )
        shown = service.profile(session, credit_code=code, scope=scope) if code else None
        if code and shown is None:
            raise NotFound()
        if shown is not None:
            audit(
                session,
                scope=scope,
                action="enterprise.profile",
                target=shown.credit_code,
                address=client_address(request),
            )
            cases = list_requests(session, scope=scope, settings=context().settings, credit_code=code)
    return found, shown, cases


def register() -> None:
    @ui.page(PATH, title="企业画像 · 产业大脑")
    async def profile_page(request: Request, code: str = "", q: str = "", page: str = "1") -> None:
        from industry_brain.web.errors import credit_code, whole_number

        scope, lang = enter(request, PATH)
        code = credit_code(code.strip()) or ""
        if scope.role == "enterprise":  # an enterprise's profile page is always its own
            code, q = scope.credit_code or "", ""
        page_no = whole_number(page, "页码", maximum=100_000) or 1
        found, shown, cases = await off_loop(lambda: _read(request, scope, code, q, page_no))
        header(scope, lang, PATH)
        title(t("企业画像", lang) + (f" · {shown.master['name']}" if shown else ""))
        if scope.role != "enterprise":
            _search(lang, q, found, page_no)
        if shown is None:
            return
        _master(shown, lang)
        _evaluation(shown, scope, lang)
        profile_cases(cases, lang)
        _figures(shown, lang)
        _titles_history(shown, lang)
