"""The evaluation page's 公示/申诉/复核/终审 controls: publishing with a date picker and a
confirmation, an enterprise's (or its town's) appeal with 证明材料, every appeal with its
evidence, the department figures beside the claim and the far-claim flag, the decision and its
reason for both sides, the reviewer's accept/reject, 终审 with a confirmation, and one
enterprise's evaluation explanation (a row of the results clicked). Every action goes through
evaluation.workflow, the services the API and the CLI use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from nicegui import events, ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import moment
from industry_brain.core.scope import Scope
from industry_brain.evaluation.appeals import FIELD_NAMES
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import empty, number, page_step

WORKFLOW_ROLES = frozenset({"admin", "analyst"})
ACCEPT = ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"


def today() -> dt.date:
    from industry_brain.evaluation import workflow_common

    return workflow_common.today()  # looked up at call time: a test's server may move the clock


def act(scope: Scope, action: str, target: str, work: Callable[[Any], Any]) -> bool:
    """Run one workflow step in its own transaction, audited; report the outcome and reload."""
    from industry_brain.core.auth import audit

    def audited(session: Any) -> str:
        message = work(session)
        audit(session, scope=scope, action=action, target=target)
        return str(message)

    return page_step(audited)


def _confirm(title: str, text: str, button: str, on_yes: Callable[[], Any]) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("w-[36rem]"):
        ui.label(title).classes("text-h6")
        body = ui.label(text).classes("text-body1").style("white-space: pre-wrap")
        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button(button, on_click=lambda: (dialog.close(), on_yes())).props("color=primary")
    dialog.body = body  # type: ignore[attr-defined]
    return dialog


def date_picker(label: str, value: dt.date, first: dt.date) -> ui.input:
    """A date box with a Quasar calendar (days from `first` on), typed dates read as the
    service reads them (2026-12-20, 2026/12/20, 2026年12月20日)."""
    from industry_brain.evaluation.workflow_common import parse_date

    def problem(text: str) -> str | None:
        try:
            parse_date(text, label)
        except IndustryBrainError as exc:
            return str(exc)
        return None

    with ui.input(label, value=value.isoformat(), validation=problem).classes("w-64") as box:
        with ui.menu().props("no-parent-event") as menu:
            limit = first.strftime("%Y/%m/%d")
            ui.date(mask="YYYY-MM-DD").bind_value(box).props(f''':options="d => d >= '{limit}'"''').classes(
                "publish-calendar"
            )
        with box.add_slot("append"):
            ui.icon("edit_calendar").on("click", menu.open).classes("cursor-pointer").props(
                'aria-label="选择日期"'
            )
    return box


def publish_controls(scope: Scope, run: dict[str, Any], lang: str) -> None:
    from industry_brain.evaluation.workflow import publish
    from industry_brain.evaluation.workflow_common import parse_date

    start = today()
    with ui.row().classes("items-start"):
        box = date_picker(t("公示截止日期", lang), start + dt.timedelta(days=7), start + dt.timedelta(days=1))

        def work(session: Any) -> str:
            info = publish(
                session, run_id=run["run_id"], deadline=box.value, user=scope.username, today=today()
            )
            return f"批次 {info.run_id} 已公示，截止 {info.deadline}"

        def confirmed() -> None:
            act(scope, "evaluation.publish", str(run["run_id"]), work)

        dialog = _confirm(f"发布公示：{run['year']} 年度 · 批次 {run['run_id']}", "", "确认发布", confirmed)

        def ask() -> None:
            try:
                day = parse_date(box.value, "公示截止日")
                if day <= today():
                    raise IndustryBrainError(f"公示截止日 {day.isoformat()} 须晚于今天 {today().isoformat()}")
            except IndustryBrainError as exc:
                ui.notify(str(exc), type="negative", multi_line=True)
                return
            dialog.body.set_text(  # type: ignore[attr-defined]
                f"发布后，本批次的评价结果对企业和镇街可见，企业和镇街可以提出申诉。\n"
                f"申诉受理至 {day:%Y年%m月%d日}（含当天），之后申诉窗口关闭；"
                f"申诉均复核后，即可终审定稿。\n公示后批次的结果不能再修改，只能经申诉采纳生成新版本。"
            )
            dialog.open()

        ui.button(t("发布公示", lang), icon="campaign", on_click=ask).classes("q-mt-sm")


def finalize_controls(scope: Scope, run: dict[str, Any], lang: str) -> None:
    from industry_brain.evaluation.workflow import finalize_run

    deadline = run.get("deadline") or ""
    pending = run.get("pending_appeals", 0)

    def confirmed() -> None:
        act(
            scope,
            "evaluation.finalize",
            str(run["run_id"]),
            lambda s: f"批次 {finalize_run(s, run_id=run['run_id'], today=today()).run_id} 已终审",
        )

    dialog = _confirm(
        f"终审：{run['year']} 年度 · 批次 {run['run_id']}",
        f"终审后本批次定稿，不再受理申诉，结果作为 {run['year']} 年度的正式评价结果。\n"
        f"公示截止日：{deadline}；待复核申诉：{pending} 件。",
        "确认终审",
        confirmed,
    )
    with ui.row().classes("items-center"):
        ui.label(f"公示至 {deadline}（含当天），待复核申诉 {pending} 件").classes("text-grey-8")
        ui.button(t("终审", lang), icon="verified", on_click=dialog.open).props("outline")


def _figures_line(a: dict[str, Any]) -> None:
    figures = a.get("department_figures") or []
    with ui.row().classes("items-center"):
        if figures:
            shown = "；".join(f"{f['source_label']} {number(f['value'])}" for f in figures)
            ui.label(f"各部门数据：{shown}").classes("text-grey-8")
        else:
            ui.label("各部门无此项数据可比对").classes("text-grey-7")
        if a.get("far"):
            ui.badge("申诉值与各部门数据差距大", color="negative").classes("far-claim")


def _evidence_line(a: dict[str, Any], scope: Scope) -> None:
    files = a.get("attachments") or []
    with ui.row().classes("items-center"):
        if not files:
            ui.label("未附证明材料").classes("text-grey-7")
            return
        ui.label("证明材料：").classes("text-grey-8")
        for f in files:
            ui.button(
                f["file_name"],
                icon="attach_file",
                on_click=lambda f=f: send_evidence(scope, f["attachment_id"]),
            ).props("flat dense no-caps")


def send_evidence(scope: Scope, attachment_id: int) -> None:
    from industry_brain.core.auth import NotFound, audit
    from industry_brain.evaluation.evidence import read_attachment
    from industry_brain.web.security import context, page_session

    try:
        with page_session() as session:
            content, name, _ = read_attachment(
                session, attachment_id=attachment_id, scope=scope, settings=context().settings
            )
            audit(session, scope=scope, action="evaluation.evidence.read", target=str(attachment_id))
    except (IndustryBrainError, NotFound) as exc:
        ui.notify(str(exc) if isinstance(exc, IndustryBrainError) else "未找到证明材料", type="negative")
        return
    ui.download.content(content, name)


def appeals_section(scope: Scope, appeals: list[dict[str, Any]], lang: str) -> None:
    ui.label(t("申诉", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    if not appeals:
        empty(t("暂无", lang))
    for a in appeals:
        with ui.card().classes("w-full appeal-card"):
            ui.label(
                f"申诉 #{a['appeal_id']} · {a['name'] or a['credit_code']} · "
                f"{FIELD_NAMES.get(a['field'], a['field'])}："
                f"公示所用 {number(a['current_value'])} → 申诉值 {number(a['claimed_value'])}"
                f" · {a['status_label']}"
            ).classes("text-weight-medium")
            ui.label(f"理由：{a['statement']}").classes("text-grey-8")
            _evidence_line(a, scope)
            _figures_line(a)
            if a["status"] != "pending":
                when = moment(a["reviewed_at"])[:10]  # the Beijing day
                ui.label(
                    f"复核结果：{a['status_label']}（{a['reviewer']}，{when}）；复核理由：{a['review_reason']}"
                ).classes("text-body2 " + ("text-negative" if a["status"] == "rejected" else "text-positive"))
            elif scope.role in WORKFLOW_ROLES:
                _review(scope, a, lang)


def _review(scope: Scope, appeal: dict[str, Any], lang: str) -> None:
    from industry_brain.evaluation.workflow import review_appeal
    from industry_brain.web.security import context

    with ui.row().classes("items-end"):
        reason = ui.input(t("复核理由", lang)).classes("w-96")

        def decide(accept: bool) -> None:
            act(
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

        ui.button(t("采纳", lang), on_click=lambda: decide(True)).props("color=positive")
        ui.button(t("驳回", lang), on_click=lambda: decide(False)).props("color=negative")


def appeal_form(scope: Scope, run: dict[str, Any], rows: list[dict[str, Any]], lang: str) -> None:
    """申诉 with 证明材料: the files are uploaded first, then sent with the appeal."""
    from industry_brain.evaluation.evidence import ALLOWED_TEXT, Evidence
    from industry_brain.evaluation.workflow import file_appeal
    from industry_brain.web.security import context

    settings = context().settings
    limit = f"只收 {ALLOWED_TEXT}，每个不超过 {settings.appeal_max_file_bytes / 1024 / 1024:g} MB"
    received: list[Evidence] = []
    ui.label(t("提出申诉", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
    ui.label(
        f"请附证明材料（{ALLOWED_TEXT}，每个不超过 {settings.appeal_max_file_bytes / 1024 / 1024:g} MB，"
        f"最多 {settings.appeal_max_files} 个），如完税证明、土地证、统计报表。"
    ).classes("text-caption text-grey-7")
    with ui.row().classes("items-end"):
        codes = {r["credit_code"]: r["name"] or r["credit_code"] for r in rows}
        who = ui.select(codes, value=next(iter(codes), None), label=t("企业名称", lang)).classes("w-64")
        field = ui.select(dict(FIELD_NAMES), value="tax_wan", label=t("指标", lang)).classes("w-48")
        value = ui.number("申诉值").classes("w-32")
        statement = ui.input(t("理由", lang)).classes("w-96")
    names = ui.label("").classes("text-grey-8")

    async def got(e: events.UploadEventArguments) -> None:
        received.append(Evidence(name=e.file.name, content=await e.file.read()))
        names.set_text("已附：" + "、".join(x.name for x in received))

    ui.upload(
        label="证明材料",
        multiple=True,
        auto_upload=True,
        max_file_size=settings.appeal_max_file_bytes,
        max_files=settings.appeal_max_files,
        on_upload=got,
        on_rejected=lambda: ui.notify(f"文件被拒收：{limit}", type="negative"),
    ).props(f'accept="{ACCEPT}"').classes("w-96 evidence-upload")

    def go() -> None:
        act(
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
                    today=today(),
                    evidence=list(received),
                    settings=settings,
                    require_evidence=True,
                )
                and "申诉已提交，等待复核"
            ),
        )

    ui.button(t("提出申诉", lang), on_click=go)


def explain_dialog(scope: Scope, run_id: int, credit_code: str) -> None:
    """One enterprise's evaluation explanation in a dialog, with a way to its profile."""
    from industry_brain.core.auth import NotFound
    from industry_brain.web.api_evaluation import scoped_result
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            data = scoped_result(session, scope=scope, run_id=run_id, credit_code=credit_code)
    except NotFound:
        ui.notify("未找到该企业的评价结果", type="negative")
        return
    with ui.dialog() as dialog, ui.card().classes("w-[48rem] max-w-full explain-card"):
        ui.label(f"{data.get('name') or credit_code} · 评价说明").classes("text-h6")
        for line in data.get("explanation") or []:
            ui.label(line).classes("text-body2").style("white-space: pre-wrap")
        with ui.row().classes("w-full justify-end"):
            if scope.role != "enterprise":
                ui.link("查看企业画像", f"/profile?code={credit_code}")
            ui.button("关闭", on_click=dialog.close).props("flat")
    dialog.open()
