"""Commands: import a departmental file; list batches; export a batch's rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    settings_for,
)
from industry_brain.ingest import batches as batch_service
from industry_brain.ingest.service import import_file
from industry_brain.ingest.templates import SOURCES


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
    """导入一个部门文件 (import one departmental file)."""
    settings = settings_for(db)
    with boundary(settings) as session:
        result = import_file(
            session,
            path=file,
            source=source,
            period=period,
            settings=settings,
            supplement=supplement,
            sheet=sheet,
        )
    if as_json:
        print_json(result.to_json())
        return
    state = "（与已导入文件相同，未作改动）" if result.unchanged else ""
    out.print(
        f"批次 {result.batch_id} {result.file} 来源 {result.source}/{result.template} "
        f"期间 {result.period or '-'}{state}"
    )
    out.print(
        f"读取 {result.rows_read} 行：接收 {result.rows_accepted}，拒收 {result.rows_rejected}，"
        f"跳过 {result.rows_skipped}；提示 {result.warnings} 条"
    )
    if result.superseded:
        out.print(f"替代了先前的批次 {', '.join(map(str, result.superseded))}")
    for r in result.rejects[:20]:
        where = f"工作表“{r.sheet}” " if r.sheet else ""
        out.print(f"  {where}第 {r.row} 行 {r.column or ''} “{r.value or ''}”：{r.reason}", highlight=False)
    if len(result.rejects) > 20:
        out.print(f"  …… 共 {len(result.rejects)} 条，用 industry-brain rejects {result.batch_id} 导出")


@friendly_errors
def batches_command(
    source: Annotated[str | None, typer.Option("--source", help="只列此来源")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出导入批次 (list import batches)."""
    with boundary(settings_for(db)) as session:
        rows = batch_service.list_batches(session, source=source)
    if as_json:
        print_json(rows)
        return
    table = Table("批次", "来源", "模板", "期间", "状态", "文件", "接收", "拒收", "跳过", "导入时间")
    for r in rows:
        table.add_row(
            str(r["batch_id"]),
            r["source"],
            r["template"],
            r["period"],
            r["status"],
            r["file"],
            str(r["rows_accepted"]),
            str(r["rows_rejected"]),
            str(r["rows_skipped"]),
            str(r["imported_at"])[:19],
        )
    out.print(table)


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
        out.print(title)
        for row in frame.iter_rows(named=True):
            out.print(row, highlight=False)
