"""数据导入 (analysts and admins: every source; a department: its own): upload a departmental
file, see what it would change (the preview) and confirm it, see the batches, a batch's rejects
and warnings, download the rejects to send back, and restore a superseded batch.

The reading, checking and writing run in a worker thread (nicegui's run.io_bound), so a large
file does not hold up the pages and API of everyone else on the server's event loop."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request
from nicegui import events, run, ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import moment
from industry_brain.core.scope import Scope
from industry_brain.ingest.access import importable_sources, page_wording
from industry_brain.ingest.supersede import ACTION_NAMES, STATUS_NAMES, Plan
from industry_brain.web import cockpit as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import download_table, empty, enter, grid, header, title

PATH = "/imports"
CHANGE_NAMES = {"removed": "将失去数据", "changed": "数据有变", "added": "新增"}


def _source_names(allowed: tuple[str, ...]) -> dict[str, str]:
    from industry_brain.ingest.templates import TEMPLATES

    names: dict[str, str] = {}
    for tpl in TEMPLATES:
        if tpl.source in allowed and tpl.source not in names:
            names[tpl.source] = f"{tpl.department}（{tpl.title}）"
    return names


def _upload(scope: Scope, lang: str) -> None:
    from industry_brain.web.api_imports import _safe_name
    from industry_brain.web.security import context

    allowed = importable_sources(scope)
    limit = int(context().settings.max_file_bytes)
    with ui.card().classes("w-full"):
        ui.label(t("上传部门文件", lang)).classes("text-subtitle1 text-weight-medium")
        with ui.row().classes("items-end"):
            source = ui.select(_source_names(allowed), value=allowed[0], label=t("数据来源", lang))
            source.classes("w-64")
            period = ui.input(t("期间", lang), placeholder="YYYY 或 YYYY-MM").classes("w-40")
            hint = t("名称或序号；空则按表头自动识别", lang)
            sheet = ui.input(t("工作表", lang), placeholder=hint).classes("w-56")
            supplement = ui.checkbox(t("补充导入（保留同期已导入的数据，如退回修改后的行）", lang))
        box = ui.column().classes("w-full")

        async def received(e: events.UploadEventArguments) -> None:
            from industry_brain.web.errors import BadParameter

            try:
                name = _safe_name(e.file.name)
            except BadParameter as exc:  # a name that is only dots (`..`)
                ui.notify(str(exc), type="negative", multi_line=True)
                return
            folder = Path(tempfile.mkdtemp(prefix="ib-page-upload-"))
            ui.context.client.on_delete(lambda: shutil.rmtree(folder, ignore_errors=True))
            path = folder / name
            await e.file.save(path)
            e.sender.reset()  # type: ignore[attr-defined]  # ready for the next file (max_files=1)
            args = {
                "path": path,
                "source": source.value,
                "period": period.value or None,
                "sheet": sheet.value or None,
                "mode": "supplement" if supplement.value else "auto",
            }
            await _preview(scope, box, args, folder)

        def refused() -> None:
            ui.notify(f"文件过大：上传不得超过 {limit / 1024 / 1024:.0f} MB", type="negative")

        accept = 'accept=".xlsx,.xls,.csv,.tsv,.txt,.ods"'
        ui.upload(
            on_upload=received, on_rejected=refused, auto_upload=True, max_files=1, max_file_size=limit
        ).props(accept).classes("q-mt-sm")


def _check_source(scope: Scope, source: str) -> None:
    """The select offers only the scope's sources; a value sent around it is refused here."""
    if source not in importable_sources(scope):
        raise IndustryBrainError(f"本账户不能导入此数据来源（{source}）")


def _preview_work(scope: Scope, args: dict[str, Any]) -> Plan:
    from industry_brain.ingest.service import preview_import
    from industry_brain.web.security import context, page_session

    _check_source(scope, args["source"])
    with page_session() as session:
        return preview_import(session, settings=context().settings, **args)


async def _preview(scope: Scope, box: ui.column, args: dict[str, Any], folder: Path) -> None:
    box.clear()
    with box:
        ui.spinner(size="lg")
        ui.label("正在读取并核对文件……").classes("text-grey-7")
    try:
        plan = await run.io_bound(_preview_work, scope, args)
    except IndustryBrainError as exc:
        box.clear()
        shutil.rmtree(folder, ignore_errors=True)
        ui.notify(page_wording(str(exc)), type="negative", multi_line=True, timeout=0, close_button="关闭")
        return
    if plan is not None:  # None: the server is shutting down
        _show_plan(scope, box, plan, args, folder)


def _show_plan(scope: Scope, box: ui.column, plan: Plan, args: dict[str, Any], folder: Path) -> None:
    box.clear()
    counts = (
        f"新增 {len(plan.added)}，数据有变 {len(plan.changed)}，"
        f"不变 {plan.unchanged_count}，将失去数据 {len(plan.removed)}"
    )
    with box, ui.card().classes("w-full").props("flat bordered").classes("import-preview"):
        ui.label(f"预览：{plan.file}（期间 {plan.period or '—'}）").classes(
            "text-subtitle1 text-weight-medium"
        )
        ui.label(f"读取 {plan.rows_read} 行：可接收 {plan.rows_accepted} 行，退回 {plan.rows_rejected} 行")
        ui.label(f"处理方式：{ACTION_NAMES[plan.action]}").classes("text-weight-medium")
        if plan.active_batches:
            batches = "、".join(map(str, plan.active_batches))
            ui.label(f"同期已导入批次 {batches}，共 {plan.enterprises_before} 家企业；本文件：{counts}")
        if plan.reason:
            ui.label(page_wording(plan.reason)).classes("text-orange-9")
        rows = [
            {"change": CHANGE_NAMES[kind], "key": e["key"], "name": e["name"] or "—"}
            for kind in ("removed", "changed", "added")
            for e in getattr(plan, kind)
        ]
        if rows and plan.active_batches:
            grid(rows, [("change", "变化"), ("key", "代码"), ("name", "企业名称")], height=260)
        if plan.action == "unchanged":
            ui.label("与已导入的文件相同，无需导入").classes("text-grey-7")

        def cancel() -> None:
            shutil.rmtree(folder, ignore_errors=True)
            box.clear()
            ui.notify("已取消，未作改动")

        with ui.row().classes("q-mt-sm items-center") as controls:
            if plan.action != "unchanged":
                label = (
                    f"确认导入（{counts}）" if plan.active_batches else f"确认导入（{plan.rows_accepted} 行）"
                )
                ui.button(
                    label, on_click=lambda: _confirm(scope, controls, args, folder, args["mode"])
                ).props("color=primary no-caps").classes("confirm-import")
            if plan.action == "supplement" and plan.removed_if_replaced:
                ui.button(
                    f"改为替代整个批次（{plan.removed_if_replaced} 家将失去数据）",
                    on_click=lambda: _confirm(scope, controls, args, folder, "replace"),
                ).props("outline color=negative no-caps")
            ui.button("取消", on_click=cancel).props("flat no-caps")


def _import_work(scope: Scope, args: dict[str, Any], mode: str) -> Any:
    from industry_brain.core.auth import audit
    from industry_brain.ingest.service import import_file
    from industry_brain.web.security import context, page_session

    _check_source(scope, args["source"])
    with page_session() as session:
        result = import_file(
            session,
            settings=context().settings,
            confirmed=True,
            user=scope.username,
            **{**args, "mode": mode},
        )
        audit(
            session,
            scope=scope,
            action="import.file",
            target=f"batch:{result.batch_id}",
            detail={"file": result.file, "action": result.action, "superseded": result.superseded},
        )
    return result


async def _confirm(scope: Scope, controls: ui.row, args: dict[str, Any], folder: Path, mode: str) -> None:
    # The buttons stay (disabled) while the work runs: deleting the element whose handler
    # this is would end the handler at its first await.
    for button in controls.descendants():
        if isinstance(button, ui.button):
            button.disable()
    with controls:
        ui.spinner()
        ui.label("正在导入……").classes("text-grey-7")
    try:
        result = await run.io_bound(_import_work, scope, args, mode)
    except IndustryBrainError as exc:
        controls.clear()
        ui.notify(page_wording(str(exc)), type="negative", multi_line=True, timeout=0, close_button="关闭")
        return
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result is None:
        return
    replaced = f"，替代了批次 {'、'.join(map(str, result.superseded))}" if result.superseded else ""
    ui.notify(
        f"已导入：批次 {result.batch_id}，接收 {result.rows_accepted} 行，"
        f"退回 {result.rows_rejected} 行{replaced}",
        type="positive",
    )
    ui.navigate.to(f"{PATH}?batch={result.batch_id}")


def _restore_work(scope: Scope, batch_id: int) -> dict[str, Any]:
    from industry_brain.core.auth import audit
    from industry_brain.ingest.service import restore
    from industry_brain.web.security import page_session

    with page_session() as session:
        if service.import_batch_detail(session, batch_id=batch_id, scope=scope) is None:
            raise IndustryBrainError(f"批次 {batch_id} 不存在")
        outcome = restore(session, batch_id=batch_id)
        audit(session, scope=scope, action="import.restore", target=f"batch:{batch_id}", detail=outcome)
    return outcome


async def _ask_restore(scope: Scope, batch_id: int, replaced_by: int | None) -> None:
    with ui.dialog() as dialog, ui.card():
        now = f"批次 {replaced_by} 等" if replaced_by else "同期当前有效的批次"
        ui.label(f"恢复批次 {batch_id}？恢复后它重新生效，{now}改为“已被替代”；不删除任何数据。")
        with ui.row():
            ui.button("恢复", on_click=lambda: dialog.submit(True)).props("color=primary").classes(
                "do-restore"
            )
            ui.button("取消", on_click=lambda: dialog.submit(False)).props("flat")
    if not await dialog:
        return
    try:
        outcome = await run.io_bound(_restore_work, scope, batch_id)
    except IndustryBrainError as exc:
        ui.notify(page_wording(str(exc)), type="negative", multi_line=True)
        return
    if outcome is None:
        return
    replaced = "、".join(map(str, outcome["superseded"])) or "无"
    ui.notify(f"已恢复批次 {batch_id}；被替代的批次：{replaced}", type="positive")
    ui.navigate.to(f"{PATH}?batch={batch_id}")


def _batch(scope: Scope, batch_id: int, lang: str) -> None:
    from industry_brain.web.security import page_session

    with page_session() as session:
        detail = service.import_batch_detail(session, batch_id=batch_id, scope=scope)
    if detail is None:
        from industry_brain.core.auth import NotFound

        raise NotFound()
    rejects = detail["rejects"]
    names = _source_names((detail["source"],))
    status = STATUS_NAMES.get(detail["status"], detail["status"])
    if detail["superseded_by"]:
        status += f"（由批次 {detail['superseded_by']} 替代）"
    source = names.get(detail["source"], detail["source"])
    info = f"批次 {detail['batch_id']} · {source} · 期间 {detail['period']}"
    with ui.card().classes("w-full"):
        ui.label(f"{info} · {detail['file']} · 状态：{status}").classes("text-subtitle1 text-weight-medium")
        if detail["status"] == "superseded":
            ui.button(
                t("恢复此批次", lang),
                on_click=lambda: _ask_restore(scope, batch_id, detail["superseded_by"]),
            ).props("outline color=primary no-caps").classes("restore-batch")
        ui.label(f"{t('退回行', lang)}：{rejects.height}").classes("q-mt-sm")
        if rejects.height:
            grid(rejects.to_dicts(), [(c, c) for c in rejects.columns], height=280)
            ui.button(
                t("下载退回表", lang),
                on_click=lambda: download_table(
                    rejects, f"退回_批次{batch_id}.xlsx", title=page_wording(detail["rejects_title"])
                ),
            ).props("outline no-caps")
        warnings = detail["warnings"]
        ui.label(f"{t('警告', lang)}：{len(warnings)}").classes("q-mt-sm")
        if warnings:
            for w in warnings:
                w["message"] = page_wording(str(w["message"]))
            grid(
                warnings, [("row", "行"), ("column", "列"), ("value", "值"), ("message", "说明")], height=240
            )


def register() -> None:
    @ui.page(PATH, title="数据导入 · 产业大脑")
    def imports_page(request: Request, batch: str = "") -> None:
        from industry_brain.web.errors import whole_number
        from industry_brain.web.security import page_session

        scope, lang = enter(request, PATH)
        batch_id = whole_number(batch, "导入批次")
        with page_session() as session:
            batches = service.import_batches(session, scope=scope)
        header(scope, lang, PATH)
        title(t("数据导入", lang))
        if not importable_sources(scope):
            empty("本账户的单位没有对应的数据来源，无法导入；请联系管理员")
            return
        _upload(scope, lang)
        if batch_id:
            _batch(scope, batch_id, lang)
        ui.label(t("导入批次", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
        names = _source_names(importable_sources(scope))
        rows = [
            b
            | {
                "imported_at": moment(b["imported_at"]),
                "period": b["period"] or "—",
                "source": names.get(b["source"], b["source"]).split("（")[0],
                "status": STATUS_NAMES.get(b["status"], b["status"]),
            }
            for b in batches
        ]
        columns = [
            ("batch_id", "批次"),
            ("source", "来源"),
            ("period", "期间"),
            ("file", "文件"),
            ("status", "状态"),
            ("rows_accepted", "接收"),
            ("rows_rejected", "退回"),
            ("warnings", "警告"),
            ("imported_at", "导入时间"),
        ]
        table = grid(rows, columns, height=380)
        table.on("cellClicked", lambda e: ui.navigate.to(f"{PATH}?batch={e.args['data']['batch_id']}"))
