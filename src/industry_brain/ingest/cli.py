"""Commands: import a departmental file (with its preview); list and restore batches; export a
batch's rejects."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    err,
    friendly_errors,
    out,
    print_json,
    settings_for,
    working,
)
from industry_brain.core.auth import audit
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.labels import STATES, label, source_label
from industry_brain.core.scope import Scope
from industry_brain.ingest import batches as batch_service
from industry_brain.ingest.schemas import ImportResult
from industry_brain.ingest.service import import_file, preview_import, restore
from industry_brain.ingest.supersede import ACTION_NAMES, STATUS_NAMES, ConfirmationNeeded, Mode, Plan
from industry_brain.ingest.templates import SOURCES, TEMPLATES

TEMPLATE_TITLES = {t.name: t.title for t in TEMPLATES}

PREVIEW_LIST = 20  # names per list on the terminal; --json lists every one


def interactive() -> bool:
    """Whether someone at a terminal can answer the confirmation (else the flags decide)."""
    return sys.stdin.isatty()


@friendly_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="部门报送的文件 (.xlsx/.xls/.csv)", show_default=False)],
    source: Annotated[
        str, typer.Option("--source", help="数据来源: " + ", ".join(SOURCES), show_default=False)
    ],
    period: Annotated[str | None, typer.Option("--period", help="数据期间 YYYY 或 YYYY-MM")] = None,
    supplement: Annotated[
        bool, typer.Option("--supplement", help="补充导入：不替代同期已导入的批次（用于退回修改后的拒收行）")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="替代同期已导入的整个批次，即使多数企业将失去数据")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="不询问，按预览所示导入")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示预览，不导入")] = False,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            help="只导入此工作表：名称，或从1数起的序号（默认：表头符合模板的所有工作表）",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """导入一个部门文件 (import one departmental file); 替代同期批次前先显示预览."""
    if supplement and replace:
        raise IndustryBrainError("--supplement 与 --replace 只能选一个")
    mode: Mode = "replace" if replace else "supplement" if supplement else "auto"
    settings = settings_for(db)
    ask = interactive() and not yes and not as_json
    if dry_run or ask:
        with boundary(settings, creates=True) as session:
            plan = preview_import(
                session, path=file, source=source, period=period, settings=settings, mode=mode, sheet=sheet
            )
        if dry_run and as_json:
            print_json(plan.to_json())
            return
        if dry_run:
            print_plan(plan)
            return
        if plan.active_batches and plan.action not in ("unchanged", "new"):
            print_plan(plan)
            if not typer.confirm("确认导入？", default=False):
                err.print("已取消，未作改动")
                raise typer.Exit(1)
    with working(f"正在导入 {file.name}…", quiet=as_json), boundary(settings, creates=True) as session:
        try:
            result = import_file(
                session,
                path=file,
                source=source,
                period=period,
                settings=settings,
                mode=mode,
                confirmed=yes or ask,
                sheet=sheet,
            )
        except ConfirmationNeeded as exc:
            print_plan(exc.plan, to=err)
            raise IndustryBrainError(
                f"{exc}；确认替代加 --yes（或 --replace），只补充加 --supplement，只看预览加 --dry-run"
            ) from None
    if as_json:
        print_json(result.to_json())
        return
    _print_result(result)


def print_plan(plan: Plan, to: Console | None = None) -> None:
    """The preview: what the file does to the active batch, counts first, then who."""
    console = to or out
    console.print(
        f"预览：{plan.file} 来源 {source_label(plan.source)}"
        f"（{TEMPLATE_TITLES.get(plan.template, plan.template)}） 期间 {plan.period or '-'}："
        f"{ACTION_NAMES[plan.action]}",
        highlight=False,
    )
    if plan.active_batches:
        console.print(
            f"同期已导入批次 {'、'.join(map(str, plan.active_batches))}，共 {plan.enterprises_before} 家；"
            f"文件 {plan.enterprises_in_file} 家：新增 {len(plan.added)}，数据有变 {len(plan.changed)}，"
            f"不变 {plan.unchanged_count}，将失去数据 {len(plan.removed)}",
            highlight=False,
        )
    for m in plan.months:  # a file of several months: a batch per month
        console.print(
            f"  {m['period']}：{ACTION_NAMES[m['action']]}；新增 {m['added_count']}，"
            f"数据有变 {m['changed_count']}，将失去数据 {m['removed_count']}",
            highlight=False,
        )
    if plan.reason:
        console.print(plan.reason, highlight=False)
    for heading, entries in (("将失去数据", plan.removed), ("数据有变", plan.changed), ("新增", plan.added)):
        if not entries or not plan.active_batches:
            continue
        shown = "、".join(f"{e['name'] or ''}（{e['key']}）" for e in entries[:PREVIEW_LIST])
        more = f" …… 共 {len(entries)} 家，--dry-run --json 列出全部" if len(entries) > PREVIEW_LIST else ""
        console.print(f"  {heading}：{shown}{more}", highlight=False)


def _print_result(result: ImportResult) -> None:
    state = "（与已导入文件相同，未作改动）" if result.unchanged else ""
    out.print(
        f"批次 {result.batch_id} {result.file} 来源 {source_label(result.source)}"
        f"（{TEMPLATE_TITLES.get(result.template, result.template)}） "
        f"期间 {result.period or '-'}{state}"
    )
    out.print(
        f"读取 {result.rows_read} 行：接收 {result.rows_accepted}，拒收 {result.rows_rejected}，"
        f"跳过 {result.rows_skipped}；提示 {result.warnings} 条"
    )
    if len(result.batches) > 1:
        out.print(f"文件含 {len(result.batches)} 个月份，按月分为批次 {'、'.join(map(str, result.batches))}")
    if result.superseded:
        out.print(f"替代了先前的批次 {', '.join(map(str, result.superseded))}")
    if result.note:
        out.print(result.note, highlight=False)
    for r in result.rejects[:20]:
        where = f"工作表“{r.sheet}” " if r.sheet else ""
        out.print(f"  {where}第 {r.row} 行 {r.column or ''} “{r.value or ''}”：{r.reason}", highlight=False)
    if len(result.rejects) > 20:
        out.print(f"  …… 共 {len(result.rejects)} 条，用 industry-brain rejects {result.batch_id} 导出")


batches_app = typer.Typer(help="导入批次：列出、恢复 (import batches)")


@batches_app.callback(invoke_without_command=True)
@friendly_errors
def batches_command(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option("--source", help="只列此来源")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出导入批次 (list import batches); batches restore BATCH_ID 恢复被替代的批次."""
    if ctx.invoked_subcommand is None:
        _list_batches(source, db, as_json)


@batches_app.command("list")
@friendly_errors
def batches_list_command(
    source: Annotated[str | None, typer.Option("--source", help="只列此来源")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出导入批次 (list import batches; the same as plain `batches`)."""
    _list_batches(source, db, as_json)


def _list_batches(source: str | None, db: str | None, as_json: bool) -> None:
    with boundary(settings_for(db)) as session:
        rows = batch_service.list_batches(session, source=source)
    if as_json:
        print_json(rows)
        return
    table = Table("批次", "来源", "模板", "期间", "状态", "文件", "接收", "拒收", "跳过", "导入时间")
    for r in rows:
        table.add_row(
            str(r["batch_id"]),
            source_label(r["source"]),
            TEMPLATE_TITLES.get(r["template"], r["template"]),
            r["period"],
            STATUS_NAMES.get(r["status"], label(r["status"], STATES)),
            r["file"],
            str(r["rows_accepted"]),
            str(r["rows_rejected"]),
            str(r["rows_skipped"]),
            str(r["imported_at"])[:19],
        )
    out.print(table)


@batches_app.command("restore")
@friendly_errors
def restore_command(
    batch_id: Annotated[int, typer.Argument(help="被替代的批次号")],
    yes: Annotated[bool, typer.Option("--yes", help="不询问，直接恢复")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """恢复一个被替代的批次 (make a superseded batch active again; nothing is deleted)."""
    settings = settings_for(db)
    if not yes:
        if not interactive():
            raise IndustryBrainError("恢复批次需要确认：在终端中运行，或加 --yes")
        if not typer.confirm(f"恢复批次 {batch_id}，并使同期当前有效的批次被替代？", default=False):
            err.print("已取消，未作改动")
            raise typer.Exit(1)
    with boundary(settings) as session:
        outcome = restore(session, batch_id=batch_id)
        audit(
            session,
            scope=Scope.system(),
            action="import.restore",
            target=f"batch:{batch_id}",
            detail=outcome,
            address="cli",
        )
    if as_json:
        print_json(outcome)
        return
    replaced = "、".join(map(str, outcome["superseded"])) or "无"
    out.print(
        f"已恢复批次 {'、'.join(map(str, outcome['restored']))}（来源 {outcome['source']}，"
        f"期间 {outcome['period'] or '-'}）；被替代的批次：{replaced}"
    )


@friendly_errors
def rejects_command(
    batch_id: Annotated[int, typer.Argument(help="批次号")],
    output: Annotated[
        Path | None, typer.Option("--output", help="写出 .xlsx（可退回部门修改）或 .csv")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """导出某批次的拒收行 (export a batch's rejected rows for the department to fix)."""
    with boundary(settings_for(db)) as session:
        frame, title = batch_service.rejects_table(session, batch_id=batch_id)
    if output is not None:
        from industry_brain.reports.tables import write_table

        write_table(frame, output, sheet="拒收行", title=title)
        out.print(f"已写出 {frame.height} 行到 {output}")
    elif as_json:
        print_json(frame.to_dicts())
    else:
        from industry_brain.cli.support import table
        from industry_brain.core.labels import figure

        grid = table(*frame.columns, title=title)
        for row in frame.iter_rows():
            grid.add_row(*["" if v is None else figure(v) if isinstance(v, float) else str(v) for v in row])
        out.print(grid)
        out.print(f"共 {frame.height} 行；加 --output 退回.xlsx 写出表格，退回部门修改后补充导入")
