"""免申即享 on the policies page, per role: the department (or the bureau) starts a match run
(a background job) and, in a run, confirms or removes each enterprise with a reason and records
the payments; the enterprise confirms or declines on its own section; everyone in the district
sees the runs and their state. Each action opens a dialog that says what it will do and acts
only on its button; every step goes through policies.workflow, audited there, as the CLI and
the API do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from nicegui import ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web.pages.domain_common import table, tr
from industry_brain.web.pages.layout import number
from industry_brain.web.pages.layout import page_step as act  # the workflow service audits each step

RUN_COLUMNS = [
    ("run_id", "批次"),
    ("policy_name", "政策"),
    ("as_of", "判定日期"),
    ("figures_year", "数据年度"),
    ("matched", "待部门确认"),
    ("confirmed", "待企业确认"),
    ("accepted", "待拨付"),
    ("paid", "已拨付"),
    ("removed", "已剔除"),
    ("declined", "企业放弃"),
    ("committed_wan", "已核定（万元）"),
    ("paid_wan", "已拨付（万元）"),
]
MATCH_COLUMNS = [
    ("name", "企业名称"),
    ("credit_code", "统一社会信用代码"),
    ("township", "镇（街道）"),
    ("result_name", "比对结果"),
    ("amount_wan", "核定金额（万元）"),
    ("status_name", "办理状态"),
    ("paid_wan", "已拨付（万元）"),
    ("reason", "理由"),
    ("action", "操作"),
]
RESULT_NAMES = {
    "eligible": "符合条件",
    "eligible_zero": "符合条件但金额为零",
    "unknown": "数据不全，无法判定",
}


def start_controls(scope: Scope, when: dt.date, lang: str) -> None:
    """发起比对: a policy this scope runs, in force on the page's date; queued as a job."""
    from industry_brain.policies.run_jobs import KIND, run_request
    from industry_brain.policies.workflow import runnable
    from industry_brain.web.pages.jobs import job_card, start_job

    mine = runnable(scope, when)
    if not mine:
        return
    ui.label(tr("发起数据比对", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    with ui.row().classes("items-end"):
        chosen = ui.select(mine, value=next(iter(mine)), label=tr("政策", lang)).classes("w-96 run-policy")

        def opened(job: dict[str, Any]) -> None:
            run_id = job["result"].get("run_id")
            ui.notify(job["message"], type="positive")
            with cards:
                ui.button(
                    f"{tr('查看比对批次', lang)} {run_id}",
                    on_click=lambda: ui.navigate.to(f"/policies?{urlencode({'as_of': when, 'run': run_id})}"),
                ).props("no-caps color=primary")

        def go() -> None:
            job = start_job(
                scope, KIND, lambda s: run_request(s, scope=scope, policy_id=chosen.value, as_of=when)
            )
            if job is not None:
                with cards:
                    job_card(scope, job, lang, on_done=opened)

        def ask() -> None:
            name = mine[chosen.value]
            confirm_dialog(
                f"发起数据比对：{name}",
                f"将按 {when.isoformat()} 有效的政策与参数，对全区企业的数据逐条比对，保存符合条件、"
                "金额为零与数据不全的企业及其追溯记录，逐家等待部门确认或剔除。\n"
                "同一政策每个数据年度只发起一次；比对在后台进行，完成后可在本页打开该批次。",
                "发起比对",
                go,
            ).open()

        ui.button(tr("发起比对", lang), icon="play_arrow", on_click=ask).props("no-caps")
    cards = ui.column().classes("w-full")


def confirm_dialog(heading: str, text: str, button: str, on_yes: Callable[[], Any]) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("w-[36rem] policy-ask"):
        ui.label(heading).classes("text-h6")
        ui.label(text).classes("text-body1").style("white-space: pre-wrap")
        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button(button, on_click=lambda: (dialog.close(), on_yes())).props("color=primary")
    return dialog


def runs_section(scope: Scope, runs: list[dict[str, Any]], when: dt.date, lang: str) -> None:
    ui.label(tr("免申即享办理", lang)).classes("text-h6 q-mt-md")
    if scope.role in ("admin", "analyst", "department"):
        start_controls(scope, when, lang)
    ui.label(tr("比对批次", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    grid = table(
        runs,
        RUN_COLUMNS,
        file_name="政策比对批次.xlsx",
        title="政策比对批次",
        lang=lang,
        shown={"committed_wan": number, "paid_wan": number},
    )
    grid.on(
        "cellClicked",
        lambda e: ui.navigate.to(f"/policies?{urlencode({'as_of': when, 'run': e.args['data']['run_id']})}"),
    )
    ui.label(tr("点击一个批次，逐家办理：部门确认或剔除、登记拨付", lang)).classes("text-caption text-grey-7")


def run_matches(scope: Scope, run: dict[str, Any], rows: list[dict[str, Any]], lang: str) -> None:
    """One run's matches, each with what this scope may do with it."""
    from industry_brain.policies.format import policy
    from industry_brain.policies.workflow import runs_policy
    from industry_brain.reference.divisions import township_name

    acts = runs_policy(scope, policy(run["policy"]))
    ui.label(
        f"{tr('比对批次', lang)} {run['run_id']}：{run['policy_name']}（判定日期 {run['as_of']}）"
    ).classes("text-subtitle1 text-weight-medium q-mt-md")
    shown = [
        r
        | {
            "township": township_name(r["township_code"]) if r["township_code"] else "—",
            "result_name": RESULT_NAMES.get(r["result"], "—"),
            "reason": r["department_reason"] or r["enterprise_reason"] or "",
            "action": _action_name(r, acts),
        }
        for r in rows
    ]
    grid = table(
        shown,
        MATCH_COLUMNS,
        file_name=f"比对批次{run['run_id']}_办理情况.xlsx",
        title=f"比对批次 {run['run_id']} 办理情况",
        lang=lang,
        shown={"amount_wan": number, "paid_wan": number},
        carry=("id", "status", "result"),
    )
    grid.options["columnDefs"][-1] |= {"cellClass": "text-primary cursor-pointer policy-action"}
    grid.classes("run-matches")

    def clicked(e: Any) -> None:
        data = e.args["data"]
        if e.args.get("colId") == "action" and acts:
            if data["status"] == "matched":
                decide_dialog(scope, data)
                return
            if data["status"] == "accepted":
                pay_dialog(scope, data)
                return
        stored_trace(scope, int(data["id"]))

    grid.on("cellClicked", clicked)
    hint = (
        "点击“操作”一栏办理；点击其他栏查看比对时保存的逐条判定"
        if acts
        else "点击一行查看比对时保存的逐条判定"
    )
    ui.label(tr(hint, lang)).classes("text-caption text-grey-7")
    if any(r["status"] in ("confirmed", "accepted", "paid") for r in rows):
        publicity_buttons(scope, int(run["run_id"]))
        bulk_notices(scope, int(run["run_id"]), lang)


def _action_name(row: dict[str, Any], acts: bool) -> str:
    if not acts:
        return ""
    return {"matched": "确认或剔除", "accepted": "登记拨付"}.get(row["status"], "")


def stored_trace(scope: Scope, match_id: int) -> None:
    from industry_brain.policies.format import parse_policy
    from industry_brain.policies.workflow import stored_match
    from industry_brain.web.pages.policies_trace import trace_dialog
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            m = stored_match(session, scope=scope, match_id=match_id)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative")
        return
    p = parse_policy(m["policy_text"], f"{m['policy']}.yaml")
    committed = m["status"] in ("confirmed", "accepted", "paid")
    buttons = (lambda: notice_buttons(scope, match_id)) if committed else None
    trace_dialog(m["name"] or m["credit_code"], p, m["trace"], buttons).open()


def notice_buttons(scope: Scope, match_id: int) -> None:
    """政策兑现告知书 Word / PDF of one match (the caller's scope, audited as the API's)."""
    from industry_brain.web.api_policy_notices import notice_file

    for fmt, label in (("docx", "告知书 Word"), ("pdf", "告知书 PDF")):
        ui.button(
            label,
            icon="description",
            on_click=lambda fmt=fmt: send(lambda s: notice_file(s, scope=scope, match_id=match_id, fmt=fmt)),
        ).props("flat no-caps").classes(f"policy-notice-{fmt}")


def publicity_buttons(scope: Scope, run_id: int) -> None:
    """公示名单 Word / PDF / Excel of a run (the caller's scope, audited as the API's)."""
    from industry_brain.web.api_policy_notices import list_file

    with ui.row().classes("items-center q-gutter-sm"):
        for fmt, label in (("docx", "公示名单 Word"), ("pdf", "公示名单 PDF"), ("xlsx", "公示名单 Excel")):
            ui.button(
                label,
                icon="download",
                on_click=lambda fmt=fmt: send(lambda s: list_file(s, scope=scope, run_id=run_id, fmt=fmt)),
            ).props("outline no-caps").classes(f"policy-publicity-{fmt}")


def bulk_notices(scope: Scope, run_id: int, lang: str) -> None:
    """全部告知书 of a run in the caller's scope as a background job (a zip, see docs/jobs.md)."""
    from industry_brain.policies.notice_jobs import KIND, notice_request
    from industry_brain.web.pages.jobs import job_card, start_job

    def go(fmt: str) -> None:
        job = start_job(scope, KIND, lambda s: notice_request(s, scope=scope, run_id=run_id, fmt=fmt))
        if job is not None:
            with cards:
                job_card(scope, job, lang)

    with ui.row().classes("items-center q-gutter-sm"):
        for fmt, label in (("docx-zip", "全部告知书 Word 压缩包"), ("pdf-zip", "全部告知书 PDF 压缩包")):
            ui.button(label, icon="folder_zip", on_click=lambda fmt=fmt: go(fmt)).props("outline no-caps")
        ui.label(tr("后台生成，完成后在“我的任务”中下载", lang)).classes("text-caption text-grey-8")
    cards = ui.column().classes("w-full")


def send(write: Callable[[Any], tuple[bytes, str]]) -> None:
    """Write a file in a page transaction and send it; a refusal is said, not raised."""
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            content, name = write(session)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return
    ui.download.content(content, name)


def decide_dialog(scope: Scope, row: dict[str, Any]) -> None:
    """部门确认或剔除 one enterprise: what each does, a reason (required to remove)."""
    from industry_brain.policies.workflow import department_decide

    eligible = row["result"] == "eligible"
    with ui.dialog() as dialog, ui.card().classes("w-[40rem] policy-decide"):
        ui.label(f"部门确认或剔除：{row['name'] or row['credit_code']}").classes("text-h6")
        what = (
            f"比对结果：符合条件，核定金额 {number(row['amount_wan'])} 万元。"
            if eligible
            else "比对结果不是“符合条件”（金额为零或数据不全），不能确认，只能剔除。"
        )
        ui.label(
            what + "\n确认后，企业在本企业的政策页面确认享受或放弃，企业确认后由部门登记拨付；"
            "剔除后本批次不再为该企业办理，须写明理由。两者都记入审计日志，不能撤销。"
        ).classes("text-body2").style("white-space: pre-wrap")
        reason = ui.textarea("理由（剔除时必填）").classes("w-full decide-reason")

        def go(confirm: bool) -> None:
            why = (reason.value or "").replace("\x00", "").strip() or None
            if not confirm and not why:
                ui.notify("剔除企业必须写明理由", type="warning")
                return

            def work(session: Any) -> str:
                m = department_decide(
                    session, match_id=int(row["id"]), confirm=confirm, reason=why, scope=scope
                )
                return f"已{'确认' if confirm else '剔除'}：{m.name or m.credit_code}"

            if act(work):
                dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button("剔除", on_click=lambda: go(False)).props("color=negative outline")
            confirm = ui.button("确认符合", on_click=lambda: go(True)).props("color=primary")
            if not eligible:
                confirm.disable()
    dialog.open()


def pay_dialog(scope: Scope, row: dict[str, Any]) -> None:
    """登记拨付 for an accepted match: the amount (at most the committed one), date and voucher."""
    from industry_brain.policies.workflow import record_payment

    with ui.dialog() as dialog, ui.card().classes("w-[36rem] policy-pay"):
        ui.label(f"登记拨付：{row['name'] or row['credit_code']}").classes("text-h6")
        ui.label(
            f"企业已确认享受，核定金额 {number(row['amount_wan'])} 万元。登记后状态变为“已拨付”，"
            "记入兑现台账与审计日志，不能撤销；拨付金额不超过核定金额。"
        ).classes("text-body2").style("white-space: pre-wrap")
        amount = ui.number("拨付金额（万元）", value=row["amount_wan"], min=0, format="%.2f").classes(
            "w-48 pay-amount"
        )
        day = ui.input("拨付日期", value=dt.date.today().isoformat()).classes("w-48 pay-date")
        voucher = ui.input("拨付凭证号").classes("w-64 pay-voucher")

        def go() -> None:
            try:
                paid_on = dt.date.fromisoformat((day.value or "").strip())
            except ValueError:
                ui.notify("拨付日期应写成 2025-03-01 的样式", type="warning")
                return

            def work(session: Any) -> str:
                pay = record_payment(
                    session,
                    match_id=int(row["id"]),
                    amount_wan=float(amount.value or 0),
                    paid_on=paid_on,
                    voucher=(voucher.value or "").replace("\x00", ""),
                    scope=scope,
                )
                return f"已登记拨付 {number(pay.amount_wan)} 万元（凭证 {pay.voucher}）"

            if act(work):
                dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button("登记拨付", on_click=go).props("color=primary")
    dialog.open()


def enterprise_dialog(scope: Scope, row: dict[str, Any]) -> None:
    """企业确认享受或放弃 a match the department confirmed (its own only)."""
    from industry_brain.policies.workflow import enterprise_decide

    with ui.dialog() as dialog, ui.card().classes("w-[36rem] policy-accept"):
        ui.label(f"{row['policy_name']}：确认享受或放弃").classes("text-h6")
        ui.label(
            f"部门已确认贵企业符合条件，核定金额 {number(row['amount_wan'])} 万元。\n"
            "确认享受后，由负责部门按核定金额拨付；放弃后本年度不再拨付这项资金。"
            "确认或放弃都记入审计日志，不能撤销。"
        ).classes("text-body2").style("white-space: pre-wrap")
        reason = ui.input("说明（可不填）").classes("w-full accept-reason")

        def go(accept: bool) -> None:
            why = (reason.value or "").replace("\x00", "").strip() or None

            def work(session: Any) -> str:
                enterprise_decide(session, match_id=int(row["id"]), accept=accept, reason=why, scope=scope)
                return "已确认享受，等待部门拨付" if accept else "已放弃"

            if act(work):
                dialog.close()

        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button("放弃", on_click=lambda: go(False)).props("color=negative outline")
            ui.button("确认享受", on_click=lambda: go(True)).props("color=primary")
    dialog.open()
