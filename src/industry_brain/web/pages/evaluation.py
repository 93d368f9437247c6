"""亩均评价: the runs, a run's results filtered by pool, grade, township and industry, the
公示/申诉/复核 workflow (analysts publish and review; an enterprise or its town appeals),
differentiated-policy amounts, Excel downloads of every table, and the result notices
(评价结果告知书) as Word or PDF: one enterprise's, or every one the caller sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import polars as pl
from fastapi import Request
from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import vetoes
from industry_brain.core.scope import Scope
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
    "township_code": "镇街（区划）",
    "pool": "评价池",
    "tax_per_mu": "亩均税收（万元/亩）",
    "reason": "不参评原因",
}


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
    # every notice the caller sees (a town its township's), as a background job with progress
    if scope.role == "town" or scope.district_wide:
        from industry_brain.web.pages.evaluation_jobs import bulk_notices

        bulk_notices(scope, run_id, town, lang)


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
        request: Request, run: str = "", pool: str = "", grade: str = "", town: str = "", industry: str = ""
    ) -> None:
        from industry_brain.core.auth import NotFound, audit
        from industry_brain.web import errors
        from industry_brain.web.pages import evaluation_workflow as flow
        from industry_brain.web.security import client_address, context, page_session

        scope, lang = enter(request, PATH)
        run_id = errors.whole_number(run, "评价批次")
        pool = errors.one_of(pool, POOL_LABELS, "类别") or ""
        grade = errors.one_of(grade, GRADE_LABELS, "等级") or ""
        town = errors.own_township(scope, town) or ""
        industry = (
            errors.matching(industry, r"[A-Z]?\d{1,4}", "行业", "国民经济行业代码（如 C34 或 3484）") or ""
        )
        params = {"pool": pool, "grade": grade, "town": town, "industry": industry}
        with page_session() as session:
            runs = service.visible_runs(session, scope=scope)
            current = next((r for r in runs if r["run_id"] == run_id), runs[0] if runs else None)
            if run_id is not None and (current is None or current["run_id"] != run_id):
                raise NotFound()
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
                appeals = service.visible_appeals(
                    session,
                    run_id=current["run_id"],
                    scope=scope,
                    far_ratio=context().settings.appeal_far_ratio,
                )
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
        if scope.role in WORKFLOW_ROLES:  # 发起评价, as a background job
            from industry_brain.web.pages.evaluation_jobs import start_run

            start_run(scope, runs, lang)
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
            flow.publish_controls(scope, current, lang)
        if current["status"] == "published" and scope.role in WORKFLOW_ROLES:
            flow.finalize_controls(scope, current, lang)
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
                "vetoes": vetoes(r.get("vetoes")),
            }
            for r in rows
        ]
        table = grid(
            shown, [(k, t(h, lang)) for k, h in RESULT_COLUMNS], height=min(110 + 42 * len(shown), 460)
        )
        # a row opens that enterprise's explanation (scope checked again on the server)
        table.on(
            "cellClicked",
            lambda e, run_id=current["run_id"]: flow.explain_dialog(
                scope, run_id, e.args["data"]["credit_code"]
            ),
        )
        ui.label(t("点击一行查看该企业的评价说明", lang)).classes("text-caption text-grey-7")
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
        flow.appeals_section(scope, appeals, lang)
        if current["status"] == "published" and scope.role in APPEAL_ROLES and rows:
            flow.appeal_form(scope, current, rows, lang)
        if scope.role in WORKFLOW_ROLES | {"leader"}:
            _policy(current["run_id"], scope, lang)
