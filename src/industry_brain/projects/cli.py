"""Commands: import and list the project pool, its flags, 三已三未 and totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

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
from industry_brain.core.errors import ConfigurationError
from industry_brain.core.scope import Scope

projects_app = typer.Typer(help="项目库：阶段、投资、节点、预警 (project pool)", no_args_is_help=True)
FLAG_NAMES = {"red": "[red]红[/red]", "amber": "[yellow]黄[/yellow]", "green": "[green]绿[/green]"}


def _yi(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


@projects_app.command("import")
@friendly_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="项目清单 .xlsx 或 .csv（中文表头，模板见 docs/projects.md）")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """导入项目清单；同名同编号的项目更新 (import a project list; re-import updates)."""
    from industry_brain.projects.importer import import_projects

    if not file.exists():
        raise ConfigurationError(f"{file}: 文件不存在")
    with boundary(settings_for(db), creates=True) as session:
        summary = import_projects(session, path=file, user="cli")
    if as_json:
        print_json(summary.as_dict())
        return
    out.print(
        f"{summary.file}: 读取 {summary.rows_read} 个项目，新增 {summary.inserted}，更新 {summary.updated}，"
        f"节点 {summary.milestones}"
    )


@projects_app.command("list")
@friendly_errors
def list_command(
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="只列此阶段：谋划/签约/新建/续建/竣工/投产/达产", show_default=False),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """项目清单 (list the projects: name, stage, investment in 亿元)."""
    from industry_brain.projects.service import list_projects

    with boundary(settings_for(db)) as session:
        rows = list_projects(session, scope=Scope.system(), stage=stage)
    if as_json:
        print_json(rows)
        return
    table = Table("编号", "项目名称", "阶段", "总投资(亿元)", "建设地点", "起止年限")
    for r in rows:
        years = f"{r['start_year'] or ''}-{r['end_year'] or ''}".strip("-")
        table.add_row(r["code"], r["name"], r["stage"], _yi(r["investment_yi"]), r["location"] or "", years)
    out.print(table)
    out.print(f"共 {len(rows)} 个项目，总投资 {_yi(sum(r['investment_yi'] or 0 for r in rows))} 亿元")


@projects_app.command("flags")
@friendly_errors
def flags_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="检查日期 YYYY-MM-DD（默认今天）", show_default=False)
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """项目预警：节点逾期、阶段停滞，红/黄/绿 (late milestones and stalled stages)."""
    from industry_brain.projects.service import project_flags

    when = _date(as_of)
    with boundary(settings_for(db)) as session:
        rows = project_flags(session, scope=Scope.system(), as_of=when)
    if as_json:
        print_json({"as_of": when.isoformat(), "projects": rows})
        return
    table = Table("状态", "项目名称", "阶段", "原因")
    for r in rows:
        table.add_row(FLAG_NAMES[r["flag"]], r["name"], r["stage"], "；".join(r["reasons"]))
    out.print(table)
    counts = {k: sum(1 for r in rows if r["flag"] == k) for k in FLAG_NAMES}
    out.print(f"截至 {when.isoformat()}：红 {counts['red']}，黄 {counts['amber']}，绿 {counts['green']}")


def _date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"--as-of “{text}”不是日期（YYYY-MM-DD）") from None


@projects_app.command("sanyi")
@friendly_errors
def sanyi_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """三已三未清单：已签约未开工、已开工未投产、已投产未达产 (the three lists)."""
    from industry_brain.projects.service import sanyi

    with boundary(settings_for(db)) as session:
        lists = sanyi(session, scope=Scope.system())
    if as_json:
        print_json(lists)
        return
    for item in lists.values():
        out.print(
            f"[bold]{item['label']}[/bold]：{item['count']} 个，总投资 {_yi(item['investment_yi'])} 亿元"
        )
        for p in item["projects"]:
            out.print(f"  {p['name']}（{p['stage']}，{_yi(p['investment_yi'])} 亿元）")


@projects_app.command("totals")
@friendly_errors
def totals_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """按阶段、年度汇总投资，对照规划投资目标 (totals by stage and year against the targets)."""
    from industry_brain.projects.totals import project_totals

    with boundary(settings_for(db)) as session:
        totals = project_totals(session, scope=Scope.system())
    if as_json:
        print_json(totals)
        return
    _print_totals(totals)


def _print_totals(totals: dict[str, Any]) -> None:
    stages = Table("阶段", "项目数", "计划总投资(亿元)", "已完成投资(亿元)")
    for s in totals["by_stage"]:
        stages.add_row(s["stage"], str(s["count"]), _yi(s["investment_yi"]), _yi(s["investment_done_yi"]))
    stages.add_row("合计", str(totals["total"]["count"]), _yi(totals["total"]["investment_yi"]), "")
    out.print(stages)
    years = Table("年度", "计划投资(亿元，按建设年限均摊)")
    for y in totals["by_year"]:
        years.add_row(str(y["year"]), _yi(y["investment_yi"]))
    out.print(years)
    if totals["targets"]:
        targets = Table("规划", "版本", "指标", "目标年", "目标(亿元)", "增速目标", "原文")
        for t in totals["targets"]:
            pct = "-" if t.get("target_pct") is None else f"{t['target_pct']:g}%"
            version = f"第 {t['plan_version']} 版"
            row = (t["plan"], version, t["name"], str(t["year"]), _yi(t["target_yi"]), pct, t["quote"])
            targets.add_row(*row)
        out.print(targets)
    if totals.get("targets_note"):
        out.print(f"[yellow]注[/yellow] {totals['targets_note']}", highlight=False)
