"""规划管理 on the plans page (analyst and admin): upload a pack (YAML or the Excel template) as
a draft, start a draft from the plan's current version, edit its indicators and tasks in a grid
(names, values, units, years, direction, responsible units), save, publish or discard it (after
a dialog naming what is given up; a discarded draft is kept and can be restored as the draft).
Every step calls plans.drafts, the functions the JSON API calls; each save validates the pack
and a refused change is shown with its reason and not saved."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from nicegui import events, ui

from industry_brain.core.auth import people
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import moment
from industry_brain.core.scope import Scope
from industry_brain.plans.pack_excel import CHANGE_NAMES, DIRECTION_NAMES, join_list, split_list
from industry_brain.web.i18n import t
from industry_brain.web.pages.layout import AGGRID_ZH

EDIT_ROLES = frozenset({"admin", "analyst"})
PATH = "/plans"
NO_CHANGE = "（无）"
INDICATOR_COLUMNS = (
    ("name", "指标名称", "text"),
    ("unit", "单位", "text"),
    ("direction", "方向", "direction"),
    ("change", "变化方式", "change"),
    ("baseline_year", "基期年份", "integer"),
    ("baseline_value", "基期值", "number"),
    ("target_year", "目标年份", "integer"),
    ("target_value", "目标值", "number"),
    ("responsible", "责任单位", "list"),
)
TASK_COLUMNS = (
    ("name", "任务名称", "text"),
    ("lead_units", "牵头单位", "list"),
    ("partner_units", "配合单位", "list"),
    ("due", "完成年份", "integer"),
)


def _run(scope: Scope, action: str, target: str, work: Any, then: str | None = None) -> bool:
    """One step in its own transaction, audited; its message shown, then the page `then` opened
    (a saved draft stays on screen as edited: nothing to reload)."""
    from industry_brain.core.auth import audit
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            message = work(session)
            audit(session, scope=scope, action=action, target=target)
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True, timeout=15000)
        return False
    ui.notify(message, type="positive")
    if then is not None:  # the message stays readable before the page moves on
        ui.timer(2.5, lambda: ui.navigate.to(then), once=True)
    return True


def _to_grid(kind: str, value: Any) -> Any:
    if kind == "list":
        return join_list(value or [])
    if kind == "direction":
        return DIRECTION_NAMES.get(value, value)
    if kind == "change":
        return CHANGE_NAMES.get(value, NO_CHANGE) if value else NO_CHANGE
    return value


def _from_grid(kind: str, value: Any) -> Any:
    """A cell as typed back into the field edit plans.drafts.edit_draft takes."""
    text = "" if value is None else str(value).strip()
    if kind == "list":
        return split_list(text)
    if kind == "direction":
        return next((code for code, name in DIRECTION_NAMES.items() if name == text), text)
    if kind == "change":
        return next((code for code, name in CHANGE_NAMES.items() if name == text), None)
    if not text:
        return None
    if kind in ("integer", "number"):
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise IndustryBrainError(f"“{text}”不是数字") from None
        return int(number) if kind == "integer" and number.is_integer() else number
    return text


def _indicator_row(ind: dict[str, Any]) -> dict[str, Any]:
    base, target = ind.get("baseline") or {}, ind["target"]
    values = {
        "name": ind["name"],
        "unit": ind["unit"],
        "direction": ind["direction"],
        "change": ind["change"],
        "baseline_year": base.get("year"),
        "baseline_value": base.get("value"),
        "target_year": target["year"],
        "target_value": target.get("value"),
        "responsible": ind["responsible"],
    }
    return {"id": ind["id"], **{k: _to_grid(kind, values[k]) for k, _, kind in INDICATOR_COLUMNS}}


def _task_row(task: dict[str, Any]) -> dict[str, Any]:
    return {"id": task["id"], **{k: _to_grid(kind, task.get(k)) for k, _, kind in TASK_COLUMNS}}


def _editable_grid(
    rows: list[dict[str, Any]], columns: tuple[tuple[str, str, str], ...], edits: dict[str, dict[str, Any]]
) -> None:
    """An AG Grid whose cells are edited in place; each change is kept in `edits` by row id."""
    kinds = {field: kind for field, _, kind in columns}
    # The pack's own ids (yz-ind-03) stay in each row, for the edits, but officials read a 序号.
    defs: list[dict[str, Any]] = [
        {"headerName": "序号", ":valueGetter": "p => p.node.rowIndex + 1", "pinned": "left", "width": 70},
        {"field": "id", "hide": True},
    ]
    for field, header, kind in columns:
        col: dict[str, Any] = {"field": field, "headerName": header, "editable": True, "resizable": True}
        if kind == "direction":
            col |= {
                "cellEditor": "agSelectCellEditor",
                "cellEditorParams": {"values": list(DIRECTION_NAMES.values())},
            }
        elif kind == "change":
            values = [NO_CHANGE, *CHANGE_NAMES.values()]
            col |= {"cellEditor": "agSelectCellEditor", "cellEditorParams": {"values": values}}
        col["width"] = 220 if kind == "list" or field == "name" else 110
        defs.append(col)
    options = {
        "columnDefs": defs,
        "rowData": rows,
        "localeText": AGGRID_ZH,
        "stopEditingWhenCellsLoseFocus": True,
    }
    grid = ui.aggrid(options).style(f"height: {min(90 + 42 * len(rows), 420)}px").classes("w-full")

    def changed(e: events.GenericEventArguments) -> None:
        field = e.args.get("colId")
        row_id = (e.args.get("data") or {}).get("id")
        if field in kinds and row_id:
            edits.setdefault(row_id, {})[field] = e.args.get("newValue")

    grid.on("cellValueChanged", changed)


def _typed(
    edits: dict[str, dict[str, Any]], columns: tuple[tuple[str, str, str], ...]
) -> dict[str, dict[str, Any]]:
    kinds = {field: kind for field, _, kind in columns}
    return {row: {f: _from_grid(kinds[f], v) for f, v in fields.items()} for row, fields in edits.items()}


def _editor(scope: Scope, draft: dict[str, Any], lang: str) -> None:
    from industry_brain.plans.drafts import discard_draft, edit_draft, publish_draft

    plan_id, pack = draft["plan_id"], draft["pack"]
    ui.label(
        f"草稿：{pack['title']}（{plan_id} 版本 {draft['version']}，来源 {draft['source_name']}）"
    ).classes("text-subtitle1 text-weight-medium")
    ui.label("双击单元格修改；责任单位用顿号“、”分隔。保存时整包校验，不通过则不保存并说明原因。").classes(
        "text-caption text-grey-7"
    )
    indicator_edits: dict[str, dict[str, Any]] = {}
    task_edits: dict[str, dict[str, Any]] = {}
    ui.label(t("指标", lang)).classes("text-subtitle2 q-mt-sm")
    _editable_grid([_indicator_row(i) for i in pack["indicators"]], INDICATOR_COLUMNS, indicator_edits)
    if pack["tasks"]:
        ui.label("任务").classes("text-subtitle2 q-mt-sm")
        _editable_grid([_task_row(x) for x in pack["tasks"]], TASK_COLUMNS, task_edits)

    def save() -> None:
        def work(s: Any) -> str:
            edit_draft(
                s,
                plan_id=plan_id,
                scope=scope,
                indicators=_typed(indicator_edits, INDICATOR_COLUMNS),
                tasks=_typed(task_edits, TASK_COLUMNS),
            )
            return "草稿已保存"

        if _run(scope, "plans.edit_draft", plan_id, work):
            indicator_edits.clear()
            task_edits.clear()

    def publish() -> None:
        def work(s: Any) -> str:
            done = publish_draft(s, plan_id=plan_id, scope=scope)
            return f"已发布为版本 {done['version']}；原版本及其实绩保留"

        _run(scope, "plans.publish", plan_id, work, then=f"{PATH}?{urlencode({'plan': plan_id})}")

    def discard() -> None:
        def work(s: Any) -> str:
            done = discard_draft(s, plan_id=plan_id, scope=scope)
            return f"草稿（版本 {done['version']}）已放弃，可在“已放弃的草稿”中恢复"

        _run(scope, "plans.discard_draft", plan_id, work, then=PATH)

    def unsaved() -> int:
        return sum(len(v) for v in indicator_edits.values()) + sum(len(v) for v in task_edits.values())

    with ui.row().classes("q-mt-sm"):
        ui.button("保存草稿", on_click=save).props("color=primary")
        ui.button("发布为当前版本", on_click=publish).props("color=positive")
        ui.button("放弃草稿", on_click=lambda: _ask_discard(scope, plan_id, unsaved(), discard)).props(
            "flat color=negative"
        )


def _ask_discard(scope: Scope, plan_id: str, unsaved: int, discard: Any) -> None:
    """A dialog naming what discarding gives up (the draft, its saved changes against the current
    version, the edits not yet saved); only 确认放弃 discards."""
    from industry_brain.plans.drafts import discard_preview
    from industry_brain.web.security import page_session

    try:
        with page_session() as session:
            what = discard_preview(session, plan_id=plan_id, scope=scope)
            who = people(session, [what["added_by"]])
    except IndustryBrainError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return
    with ui.dialog() as dialog, ui.card().classes("discard-dialog w-[40rem]"):
        ui.label(f"放弃草稿：{what['title']}").classes("text-h6")
        ui.label(
            f"将放弃版本 {what['version']} 的草稿（来源 {what['source_name']}，"
            f"{who.get(what['added_by'], '')} 于 {moment(what['added_at'])} 建立）。"
        )
        changes = what["changes"]
        if what["new_plan"]:
            ui.label("这是尚未发布的新规划：放弃后它不会出现在规划列表、进度与驾驶舱中。")
        elif changes:
            ui.label(f"草稿中已保存、尚未发布的改动（相对当前版本，共 {len(changes)} 项）：")
            for line in changes[:10]:
                ui.label(f"· {line}").classes("text-grey-8")
            if len(changes) > 10:
                ui.label(f"……另有 {len(changes) - 10} 项").classes("text-grey-8")
        else:
            ui.label("草稿中没有指标的增删，也没有目标、单位或责任单位的改动。")
        if unsaved:
            ui.label(f"另有 {unsaved} 处尚未保存的修改，将一并丢失，无法恢复。").classes("text-negative")
        ui.label("放弃后，已保存的草稿留在“已放弃的草稿”中，可恢复为草稿继续修改。").classes(
            "text-caption text-grey-7"
        )
        with ui.row().classes("w-full justify-end"):
            ui.button("取消", on_click=dialog.close).props("flat")
            ui.button("确认放弃", on_click=lambda: (dialog.close(), discard())).props("color=negative")
    dialog.open()


def _discarded(scope: Scope, discarded: list[dict[str, Any]], plan_id: str, who: dict[str, str]) -> None:
    """The drafts discarded lately, each with a button that makes it the draft again."""
    from industry_brain.plans.drafts import restore_draft

    ui.label("已放弃的草稿（可恢复为草稿继续修改）").classes("text-subtitle2 q-mt-sm")
    for d in discarded:

        def restore(d: dict[str, Any] = d) -> None:
            def work(s: Any) -> str:
                done = restore_draft(s, plan_id=d["plan_id"], scope=scope, version=d["version"])
                note = f"（{done['note']}）" if done.get("note") else ""
                return f"已恢复为草稿：版本 {done['version']}{note}"

            then = f"{PATH}?{urlencode({'plan': plan_id, 'draft': d['plan_id']})}"
            _run(scope, "plans.restore_draft", d["plan_id"], work, then=then)

        with ui.row().classes("items-center discarded-draft"):
            ui.label(
                f"{d['title']} 版本 {d['version']}（来源 {d['source_name']}，"
                f"{who.get(d['discarded_by'], '')} 于 {moment(d['discarded_at'])} 放弃）"
            )
            ui.button("恢复为草稿", on_click=restore).props("flat dense")


def _upload(scope: Scope) -> None:
    from industry_brain.plans.drafts import upload_draft

    async def got(e: events.UploadEventArguments) -> None:
        content = await e.file.read()
        name = Path(e.file.name).name or "pack.yaml"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)

            def work(s: Any) -> str:
                draft = upload_draft(s, path=path, scope=scope)
                work.plan_id = draft["plan_id"]  # type: ignore[attr-defined]
                return f"已存为草稿：{draft['plan_id']} 版本 {draft['version']}" + (
                    f"（{draft['note']}）" if draft.get("note") else ""
                )

            from industry_brain.core.auth import audit
            from industry_brain.web.security import page_session

            try:
                with page_session() as session:
                    message = work(session)
                    audit(session, scope=scope, action="plans.upload_pack", target=work.plan_id)  # type: ignore[attr-defined]
            except IndustryBrainError as exc:
                ui.notify(f"未添加：{exc}", type="negative", multi_line=True, timeout=20000)
                return
        ui.notify(message, type="positive")
        target = f"{PATH}?{urlencode({'draft': work.plan_id})}"  # type: ignore[attr-defined]
        ui.timer(2.5, lambda: ui.navigate.to(target), once=True)

    ui.upload(
        label="上传规划包（.yaml 或 Excel 模板）",
        auto_upload=True,
        on_upload=got,
        max_file_size=20 * 1024 * 1024,
    ).props('accept=".yaml,.yml,.xlsx"').classes("w-96 pack-upload")


def _template_download() -> None:
    from industry_brain.plans.pack_excel import write_pack_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = write_pack_xlsx(Path(tmp) / "规划包模板.xlsx")
        ui.download.content(path.read_bytes(), path.name)


def pack_panel(scope: Scope, plan_id: str, draft_id: str, lang: str) -> None:
    """规划管理: drafts, upload, the template, and the editor of the draft `draft_id`."""
    from industry_brain.plans.drafts import get_draft, list_discarded, list_drafts, start_draft
    from industry_brain.web.security import page_session

    if scope.role not in EDIT_ROLES:
        return
    with page_session() as session:
        drafts = list_drafts(session, scope=scope)
        discarded = list_discarded(session, scope=scope, limit=5)
        draft = get_draft(session, plan_id=draft_id, scope=scope) if draft_id else None
        who = people(session, [d["added_by"] for d in drafts] + [d["discarded_by"] for d in discarded])
    with ui.expansion("规划管理：上传、修订、发布", icon="edit_note", value=draft is not None).classes(
        "w-full q-mt-sm plan-packs"
    ):
        with ui.row().classes("items-center"):
            _upload(scope)
            ui.button("下载 Excel 规划包模板", on_click=_template_download).props("flat")
            if plan_id and not any(d["plan_id"] == plan_id for d in drafts):

                def start() -> None:
                    def work(s: Any) -> str:
                        done = start_draft(s, plan_id=plan_id, scope=scope)
                        return f"已新建修订稿：版本 {done['version']}"

                    _run(
                        scope,
                        "plans.start_draft",
                        plan_id,
                        work,
                        then=f"{PATH}?{urlencode({'plan': plan_id, 'draft': plan_id})}",
                    )

                ui.button("修订当前规划（新建草稿）", on_click=start)
        for d in drafts:
            link = f"{PATH}?{urlencode({'plan': plan_id, 'draft': d['plan_id']})}"
            by = who.get(d["added_by"], "")
            ui.link(f"草稿：{d['title']} 版本 {d['version']}（{d['source_name']}，{by}）", link)
        if discarded:
            _discarded(scope, discarded, plan_id, who)
        if draft is not None:
            _editor(scope, draft, lang)
