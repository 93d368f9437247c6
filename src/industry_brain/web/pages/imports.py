"""数据导入 (analysts and admins): upload a departmental file through the normal import path,
see the batches, a batch's rejects and warnings, and download the rejects to send back."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import Request
from nicegui import events, ui

from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.web import cockpit as service
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import download_table, empty, enter, grid, header, title

PATH = "/imports"


def _upload(scope: Scope, lang: str) -> None:
    from industry_brain.ingest.templates import TEMPLATES

    sources = {tpl.source: f"{tpl.department}（{tpl.source}）" for tpl in TEMPLATES}
    with ui.card().classes("w-full"):
        ui.label(t("上传部门文件", lang)).classes("text-subtitle1 text-weight-medium")
        with ui.row().classes("items-end"):
            source = ui.select(sources, value="stats", label=t("数据来源", lang)).classes("w-48")
            period = ui.input(t("期间", lang), placeholder="YYYY 或 YYYY-MM").classes("w-40")
            hint = t("名称或序号；空则按表头自动识别", lang)
            sheet = ui.input(t("工作表", lang), placeholder=hint).classes("w-56")
            supplement = ui.checkbox("补充导入（--supplement）")

        async def received(e: events.UploadEventArguments) -> None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / e.file.name
                await e.file.save(path)
                chosen = sheet.value or None
                _import(scope, path, source.value, period.value or None, bool(supplement.value), chosen)

        accept = 'accept=".xlsx,.xls,.csv,.tsv,.txt,.ods"'
        ui.upload(on_upload=received, auto_upload=True, max_files=1).props(accept)


def _import(
    scope: Scope, path: Path, source: str, period: str | None, supplement: bool, sheet: str | None = None
) -> None:
    from industry_brain.core.auth import audit
    from industry_brain.ingest.service import import_file
    from industry_brain.web.security import context, page_session

    try:
        with page_session() as session:
            result = import_file(
                session,
                path=path,
                source=source,
                period=period,
                settings=context().settings,
                supplement=supplement,
                user=scope.username,
                sheet=sheet,
            )
            audit(
                session,
                scope=scope,
                action="import.file",
                target=path.name,
                detail={"batch": result.batch_id},
            )
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return
    ui.notify(
        f"已导入：批次 {result.batch_id}，接收 {result.rows_accepted} 行，退回 {result.rows_rejected} 行",
        type="positive",
    )
    ui.navigate.to(f"{PATH}?batch={result.batch_id}")


def _batch(scope: Scope, batch_id: int, lang: str) -> None:
    from industry_brain.web.security import page_session

    with page_session() as session:
        detail = service.import_batch_detail(session, batch_id=batch_id, scope=scope)
    if detail is None:
        empty(f"批次 {batch_id} 不存在")
        return
    rejects = detail["rejects"]
    info = f"批次 {detail['batch_id']} · {detail['source']} · 期间 {detail['period']} · {detail['file']}"
    with ui.card().classes("w-full"):
        ui.label(f"{info} · 状态 {detail['status']}").classes("text-subtitle1 text-weight-medium")
        ui.label(f"{t('退回行', lang)}：{rejects.height}").classes("q-mt-sm")
        if rejects.height:
            grid(rejects.to_dicts(), [(c, c) for c in rejects.columns], height=280)
            ui.button(
                t("下载退回表", lang),
                on_click=lambda: download_table(
                    rejects, f"退回_批次{batch_id}.xlsx", title=detail["rejects_title"]
                ),
            ).props("outline no-caps")
        warnings = detail["warnings"]
        ui.label(f"{t('警告', lang)}：{len(warnings)}").classes("q-mt-sm")
        if warnings:
            grid(
                warnings, [("row", "行"), ("column", "列"), ("value", "值"), ("message", "说明")], height=240
            )


def register() -> None:
    @ui.page(PATH, title="数据导入 · 产业大脑")
    def imports_page(request: Request, batch: int = 0) -> None:
        from industry_brain.web.security import page_session

        scope, lang = enter(request, PATH)
        with page_session() as session:
            batches = service.import_batches(session, scope=scope)
        header(scope, lang, PATH)
        title(t("数据导入", lang))
        _upload(scope, lang)
        if batch:
            _batch(scope, batch, lang)
        ui.label(t("导入批次", lang)).classes("text-subtitle1 text-weight-medium q-mt-md")
        rows = [
            b
            | {"imported_at": b["imported_at"].isoformat(sep=" ", timespec="minutes"), "link": b["batch_id"]}
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
