"""企业画像: search by name, code or pinyin initials; the master record, figures by year with
their sources, titles, evaluation with its explanation, and history. An enterprise sees only
itself; a code outside the caller's scope reads as "not found"."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from nicegui import ui

from industry_brain.core.scope import Scope
from industry_brain.enterprises import profile as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import GRADE_COLOURS, empty, enter, grid, header, number, title

PATH = "/profile"


def _search(lang: str, query: str, results: list[dict[str, str]]) -> None:
    with ui.row().classes("items-center w-full"):
        box = ui.input(t("搜索企业（名称、代码或拼音首字母）", lang), value=query).classes("w-96")
        box.on("keydown.enter", lambda: ui.navigate.to(f"{PATH}?q={quote(box.value or '')}"))
        ui.button(t("搜索", lang), on_click=lambda: ui.navigate.to(f"{PATH}?q={quote(box.value or '')}"))
    if query and not results:
        empty(t("未找到企业", lang))
    for r in results:
        with ui.row().classes("items-center"):
            ui.link(r["name"] or r["credit_code"], f"{PATH}?code={r['credit_code']}")
            ui.label(f"{r['credit_code']} · {r['township']} · {r['industry_code'] or '—'}").classes(
                "text-grey-7"
            )


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
        with ui.grid(columns=3).classes("gap-1"):
            for label, value, source in rows:
                ui.label(t(label, lang)).classes("text-grey-7")
                ui.label(value or "—")
                ui.label(f"{t('来源', lang)}：{source}" if source else "").classes("text-grey-6 text-caption")


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
        grid(rows, [(k, t(h, lang)) for k, h in columns], height=320)
        with ui.expansion(t("各部门原始数据", lang)).classes("w-full"):
            rows = [
                {**b, "value": number(b["value"]), "chosen": "✔" if b["chosen"] else ""} for b in p.by_source
            ]
            columns = [
                ("year", "年度"),
                ("label", "指标"),
                ("source_label", "来源"),
                ("value", "数值"),
                ("chosen", "采用"),
            ]
            grid(rows, columns, height=300)


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
            for x in p.titles:
                ui.label(f"{x['title']}（{x['level'] or '—'}，{x['year'] or '—'} 年）")
        with ui.card():
            ui.label(t("历史", lang)).classes("text-subtitle1 text-weight-medium")
            for h in p.history[:15]:
                ui.label(f"{h['at'] or ''}  {h['what']}").classes("text-body2")


def register() -> None:
    @ui.page(PATH, title="企业画像 · 产业大脑")
    def profile_page(request: Request, code: str = "", q: str = "") -> None:
        from industry_brain.core.auth import audit
        from industry_brain.web.security import client_address, page_session

        scope, lang = enter(request, PATH)
        if scope.role == "enterprise":
            code, q = scope.credit_code or "", ""
        with page_session() as session:
            results = service.search(session, query=q, scope=scope) if q else []
            found = service.profile(session, credit_code=code, scope=scope) if code else None
            if found is not None:
                audit(
                    session,
                    scope=scope,
                    action="enterprise.profile",
                    target=found.credit_code,
                    address=client_address(request),
                )
        header(scope, lang, PATH)
        title(t("企业画像", lang) + (f" · {found.master['name']}" if found else ""))
        if scope.role != "enterprise":
            _search(lang, q, results)
        if code and found is None:
            empty(t("未找到企业", lang))
        if found is None:
            return
        _master(found, lang)
        _evaluation(found, scope, lang)
        _figures(found, lang)
        _titles_history(found, lang)
