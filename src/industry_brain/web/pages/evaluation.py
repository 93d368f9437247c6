"""亩均评价: the runs, a run's results filtered by pool, grade, township and industry, the
公示/申诉/复核 workflow (analysts publish and review; an enterprise or its town appeals),
differentiated-policy amounts, Excel downloads of every table, and the result notices
(评价结果告知书) as Word or PDF: one enterprise's, or every one the caller sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.evaluation.appeals import FIELD_NAMES
from industry_brain.evaluation.explain import GRADE_LABELS, POOL_LABELS
from industry_brain.web import cockpit as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import download_table, empty, enter, grid, header, number, title

PATH = "/evaluation"
WORKFLOW_ROLES = frozenset({"admin", "analyst"})
APPEAL_ROLES = frozenset({"enterprise", "town"})
POLICY_HEADERS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "pool": "评价池",
    "grade": "等级",
    "grade_prev1": "上年等级",
    "grade_prev2": "前年等级",
    "d_three_years": "连续三年D类",
    "township_code": "镇街代码",
    "township_name": "镇街",
    "enterprises": "企业数",
    "electricity_wan_kwh": "用电量（万千瓦时）",
    "electricity_rate_yuan_per_kwh": "电价加价（元/千瓦时）",
    "electricity_surcharge_yuan": "电价加价金额（元）",
    "water_t": "用水量（吨）",
    "water_rate_yuan_per_t": "水价加价（元/吨）",
    "water_surcharge_yuan": "水价加价金额（元）",
    "land_mu": "用地（亩）",
    "land_tax_adjustment_pct": "土地使用税调整（%）",
    "land_tax_base_yuan_per_mu": "土地使用税基数（元/亩）",
    "land_tax_adjustment_yuan": "土地使用税调整金额（元）",
    "energy_tce": "综合能耗（吨标准煤）",
    "energy_quota_change_pct": "用能指标调整（%）",
    "energy_quota_change_tce": "用能指标调整（吨标准煤）",
}
RESULT_COLUMNS = [
    ("credit_code", "统一社会信用代码"),
    ("name", "企业名称"),
    ("township", "镇街"),
    ("industry_code", "行业代码"),
    ("pool_label", "评价池"),
    ("grade", "等级"),
    ("score", "总分"),
    ("rank", "排名"),
    ("tax_per_mu", "亩均税收"),
    ("vetoes", "一票否决"),
]


DOWNLOAD_HEADERS = dict(RESULT_COLUMNS) | {
    "township_code": "镇街代码",
    "pool": "评价池代码",
    "reason": "不参评原因",
}


def _act(scope: Scope, action: str, target: str, work: Any) -> None:
    """Run one workflow step in its own transaction, audited; report the outcome."""
    from industry_brain.core.auth import audit
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            message = work(session)
            audit(session, scope=scope, action=action, target=target)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return
    ui.notify(message, type="positive")
    ui.timer(1.0, ui.navigate.reload, once=True)


def _filters(run_id: int, params: dict[str, str], towns: list[dict[str, Any]], lang: str) -> None:
    def go(key: str, value: str | None) -> None:
        query = {k: v for k, v in {**params, key: value or ""}.items() if v}
        ui.navigate.to(f"{PATH}?{urlencode({'run': run_id, **query})}")

    all_ = t("全部", lang)
    with ui.row().classes("items-end"):
        pools = {"": all_} | {k: v.format(split="3") for k, v in POOL_LABELS.items()}
        ui.select(
            pools,
            value=params.get("pool", ""),
            label=t("评价池", lang),
            on_change=lambda e: go("pool", e.value),
        ).classes("w-56")
        grades = {"": all_} | dict(GRADE_LABELS)
        ui.select(
            grades,
            value=params.get("grade", ""),
            label=t("等级", lang),
            on_change=lambda e: go("grade", e.value),
        ).classes("w-44")
        town_opts = {"": all_} | {r["township_code"]: r["township"] for r in towns if r["township_code"]}
        ui.select(
            town_opts,
            value=params.get("town", ""),
            label=t("镇街", lang),
            on_change=lambda e: go("town", e.value),
        ).classes("w-44")
        box = ui.input(t("行业", lang), value=params.get("industry", "")).classes("w-32")
        box.on("keydown.enter", lambda: go("industry", box.value))


def _publish(scope: Scope, run: dict[str, Any], lang: str) -> None:
    from industry_brain.evaluation.workflow import publish

    default = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    with ui.row().classes("items-end"):
        deadline = ui.input(t("公示截止日期", lang), value=default).classes("w-40")

        def go() -> None:
            day = dt.date.fromisoformat(deadline.value)
            _act(
                scope,
                "evaluation.publish",
                str(run["run_id"]),
                lambda s: (
                    publish(s, run_id=run["run_id"], deadline=day, user=scope.username, today=dt.date.today())
                    and f"批次 {run['run_id']} 已公示，截止 {day.isoformat()}"
                ),
            )

        ui.button(t("发布公示", lang), on_click=go)


def _appeals(scope: Scope, run: dict[str, Any], appeals: list[dict[str, Any]], lang: str) -> None:
    ui.label(t("申诉", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    if not appeals:
        empty(t("暂无", lang))
    for a in appeals:
        with ui.card().classes("w-full"):
            ui.label(
                f"申诉 #{a['appeal_id']} · {a['name'] or a['credit_code']} · "
                f"{FIELD_NAMES.get(a['field'], a['field'])}："
                f"{number(a['current_value'])} → {number(a['claimed_value'])} · {a['status_label']}"
            )
            ui.label(a["statement"]).classes("text-grey-8")
            if a["status"] == "pending" and scope.role in WORKFLOW_ROLES:
                _review(scope, a, lang)


def _review(scope: Scope, appeal: dict[str, Any], lang: str) -> None:
    from industry_brain.evaluation.workflow import review_appeal
    from industry_brain.web.security import context

    with ui.row().classes("items-end"):
        reason = ui.input(t("理由", lang)).classes("w-96")

        def decide(accept: bool) -> None:
            _act(
                scope,
                "evaluation.review",
                str(appeal["appeal_id"]),
                lambda s: (
                    review_appeal(
                        s,
                        appeal_id=appeal["appeal_id"],
                        accept=accept,
                        reviewer=scope.username,
                        reason=reason.value or "",
                        settings=context().settings,
                    )
                    and f"申诉 #{appeal['appeal_id']} 已{'采纳' if accept else '驳回'}"
                ),
            )

        ui.button(t("接受", lang), on_click=lambda: decide(True)).props("color=positive")
        ui.button(t("驳回", lang), on_click=lambda: decide(False)).props("color=negative")


def _file_appeal(scope: Scope, run: dict[str, Any], rows: list[dict[str, Any]], lang: str) -> None:
    from industry_brain.evaluation.workflow import file_appeal

    ui.label(t("提出申诉", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.row().classes("items-end"):
        codes = {r["credit_code"]: r["name"] or r["credit_code"] for r in rows}
        who = ui.select(codes, value=next(iter(codes), None), label=t("企业名称", lang)).classes("w-64")
        field = ui.select(dict(FIELD_NAMES), value="tax_wan", label=t("指标", lang)).classes("w-48")
        value = ui.number("申诉值").classes("w-32")
        statement = ui.input(t("理由", lang)).classes("w-96")

        def go() -> None:
            _act(
                scope,
                "evaluation.appeal",
                str(who.value),
                lambda s: (
                    file_appeal(
                        s,
                        run_id=run["run_id"],
                        credit_code=who.value,
                        field=field.value,
                        claimed_value=value.value,
                        statement=statement.value or "",
                        filed_by=scope.username,
                        today=dt.date.today(),
                    )
                    and "申诉已提交，等待复核"
                ),
            )

        ui.button(t("提出申诉", lang), on_click=go)


def notice_buttons(scope: Scope, run_id: int, lang: str, code: Callable[[], str | None]) -> None:
    """告知书 Word / PDF buttons for the enterprise `code()` names when clicked (evaluation and
    profile pages alike)."""
    for fmt, label in (("docx", "告知书 Word"), ("pdf", "告知书 PDF")):
        ui.button(
            t(label, lang),
            icon="description",
            on_click=lambda fmt=fmt: send_notice(scope, run_id, fmt, code(), None),
        ).props("outline no-caps")


def send_notice(scope: Scope, run_id: int, fmt: str, code: str | None, town: str | None) -> None:
    """Write the notice(s) in the caller's scope, audited like the API's download, and send them."""
    from industry_brain.core.auth import audit
    from industry_brain.web.api_evaluation import notice_file
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            content, name, count = notice_file(
                session, scope=scope, run_id=run_id, fmt=fmt, credit_code=code, township_code=town
            )
            action = "evaluation.notice.read" if code else "evaluation.notices.read"
            detail = {"run_id": run_id, "format": fmt, "notices": count, "township_code": town}
            audit(session, scope=scope, action=action, target=code or f"run:{run_id}", detail=detail)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return
    ui.download.content(content, name)


def _notices(scope: Scope, run_id: int, rows: list[dict[str, Any]], town: str, lang: str) -> None:
    """告知书: one enterprise's (chosen among the rows shown), or every one of a township (a town
    user's own; a district-wide user's once the results are filtered by town)."""
    ui.label(t("评价结果告知书", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.row().classes("items-end"):
        codes = {r["credit_code"]: r["name"] or r["credit_code"] for r in rows}
        who = ui.select(codes, value=next(iter(codes), None), label=t("企业名称", lang)).classes("w-64")
        if scope.role == "enterprise":
            who.set_visibility(False)
        notice_buttons(scope, run_id, lang, lambda: who.value)
        # every notice of one township at a time: a whole district's would be thousands of pages
        if scope.role == "town" or (scope.district_wide and town):
            for fmt, label in (("docx", "Word"), ("pdf", "PDF")):
                ui.button(
                    f"{t('本镇街全部告知书', lang)} {label}",
                    on_click=lambda fmt=fmt: send_notice(scope, run_id, fmt, None, town or None),
                ).props("outline no-caps")


def _policy(run_id: int, scope: Scope, lang: str) -> None:
    from industry_brain.evaluation.policies import policy_report
    from industry_brain.web.security import page_session

    with page_session() as session:
        report = policy_report(session, run_id=run_id)
    ui.label(t("差别化政策", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    for note in report.notes:
        ui.label(note).classes("text-caption text-grey-7")
    towns = report.towns.drop("township_code")
    grid(towns.to_dicts(), [(c, POLICY_HEADERS.get(c, c)) for c in towns.columns], height=260)
    ui.button(
        t("下载 Excel", lang),
        on_click=lambda: download_table(
            report.amounts,
            f"差别化政策_批次{run_id}.xlsx",
            title=f"评价批次 {run_id} 差别化政策",
            headers=POLICY_HEADERS,
        ),
    ).props("outline no-caps")


def register() -> None:
    @ui.page(PATH, title="亩均评价 · 产业大脑")
    def evaluation_page(
        request: Request, run: int = 0, pool: str = "", grade: str = "", town: str = "", industry: str = ""
    ) -> None:
        from industry_brain.core.auth import audit
        from industry_brain.web.security import client_address, page_session

        scope, lang = enter(request, PATH)
        params = {"pool": pool, "grade": grade, "town": town, "industry": industry}
        with page_session() as session:
            runs = service.visible_runs(session, scope=scope)
            current = next((r for r in runs if r["run_id"] == run), runs[0] if runs else None)
            rows = appeals = towns = []
            if current is not None:
                rows = service.evaluation_results(
                    session,
                    run_id=current["run_id"],
                    scope=scope,
                    pool=pool or None,
                    grade=grade or None,
                    township_code=town or None,
                    industry_prefix=industry or None,
                )
                towns = service.township_aggregates(session, scope=scope, run_id=current["run_id"]).items
                appeals = service.visible_appeals(session, run_id=current["run_id"], scope=scope)
                audit(
                    session,
                    scope=scope,
                    action="evaluation.results",
                    target=str(current["run_id"]),
                    detail=params,
                    address=client_address(request),
                )
        header(scope, lang, PATH)
        title(t("亩均评价", lang))
        ui.label(t("评价批次", lang)).classes("text-subtitle1 text-weight-medium")
        if current is None:
            empty("暂无已公示的评价结果")
            return
        with ui.row():
            for r in runs[:8]:
                label = f"{r['year']} 年度 · 批次 {r['run_id']} · {r['status_label']}"
                link = ui.link(label, f"{PATH}?run={r['run_id']}").classes("q-mr-md")
                if r is current:
                    link.classes("text-weight-bold")
        if current["status"] == "draft" and scope.role in WORKFLOW_ROLES:
            _publish(scope, current, lang)
        ui.label(t("评价结果明细", lang) + f"（{len(rows)} 户）").classes(
            "text-subtitle1 text-weight-medium q-mt-md"
        )
        if scope.role != "enterprise":
            _filters(current["run_id"], params, towns, lang)
        shown = [
            r
            | {
                "pool_label": POOL_LABELS.get(r["pool"], r["pool"]).format(split="3"),
                "score": number(r["score"]),
                "tax_per_mu": number(r["tax_per_mu"]),
            }
            for r in rows
        ]
        grid(shown, [(k, t(h, lang)) for k, h in RESULT_COLUMNS], height=min(110 + 42 * len(shown), 460))
        frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
        ui.button(
            t("下载 Excel", lang),
            on_click=lambda: download_table(
                frame,
                f"亩均评价_批次{current['run_id']}.xlsx",
                title=f"{current['year']} 年度亩均评价结果",
                headers=DOWNLOAD_HEADERS,
            ),
        ).props("outline no-caps")
        if rows and scope.role != "department":
            _notices(scope, current["run_id"], rows, town, lang)
        _appeals(scope, current, appeals, lang)
        if current["status"] == "published" and scope.role in APPEAL_ROLES and rows:
            _file_appeal(scope, current, rows, lang)
        if scope.role in WORKFLOW_ROLES | {"leader"}:
            _policy(current["run_id"], scope, lang)
