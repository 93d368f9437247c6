"""Commands: export the resolved facts of a year; list conflicts between sources."""

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
    require_data,
    settings_for,
    working,
)
from industry_brain.core.labels import field_label, figure, percent, source_label
from industry_brain.ingest.facts import resolve_year
from industry_brain.reports.tables import write_table

export_app = typer.Typer(help="导出数据 (export data)", no_args_is_help=True)


@export_app.command("facts")
@friendly_errors
def export_facts_command(
    year: Annotated[int, typer.Option("--year", help="数据年份", show_default=False)],
    output: Annotated[
        Path, typer.Option("--output", help="输出文件 .csv / .xlsx / .parquet", show_default=False)
    ],
    db: DbOption = None,
) -> None:
    """每户企业一年一行的标准事实表 (one row per enterprise-year, canonical units)."""
    settings = settings_for(db)
    with working(f"正在汇总 {year} 年企业数据…"), boundary(settings) as session:
        require_data(session, settings, year=year)
        facts, _ = resolve_year(session, year=year, tolerance=settings.conflict_tolerance)
    write_table(facts, output, sheet=f"{year}年企业数据")
    out.print(f"已写出 {facts.height} 户企业的 {year} 年数据到 {output}")


@friendly_errors
def conflicts_command(
    year: Annotated[int, typer.Option("--year", help="数据年份", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", help="写出 .xlsx/.csv/.parquet")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出不同来源对同一数据的分歧 (figures on which sources disagree, and which source won)."""
    settings = settings_for(db)
    with working(f"正在比对 {year} 年各来源数据…", quiet=as_json), boundary(settings) as session:
        require_data(session, settings, year=year)
        _, conflicts = resolve_year(session, year=year, tolerance=settings.conflict_tolerance)
    if output is not None:
        write_table(conflicts, output, sheet=f"{year}年数据分歧")
        out.print(f"已写出 {conflicts.height} 条分歧到 {output}")
    elif as_json:
        print_json(conflicts.to_dicts())
    else:
        table = Table(
            "统一社会信用代码", "企业名称", "指标", "采用来源", "采用值", "其他来源", "其他值", "相对差异"
        )
        for r in conflicts.iter_rows(named=True):
            table.add_row(
                r["credit_code"],
                r["name"] or "",
                field_label(r["field"]),
                source_label(r["chosen_source"]),
                figure(r["chosen_value"]),
                source_label(r["other_source"]),
                figure(r["other_value"]),
                percent(r["difference"]),
            )
        out.print(table)
        out.print(f"共 {conflicts.height} 条分歧（容差 {settings.conflict_tolerance:.1%}）")
