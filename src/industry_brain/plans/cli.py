"""Commands: the shipped plans, their progress as of a period, and the units' actuals."""

from __future__ import annotations

import getpass
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
    require_data,
    settings_for,
)
from industry_brain.core.labels import ACTUAL_KINDS, label

plans_app = typer.Typer(help="规划指标：列表、详情、进度、报告、抽取 (plans as data)", no_args_is_help=True)
actuals_app = typer.Typer(help="指标实绩：导入与查看 (indicator actuals)", no_args_is_help=True)

STATUS_NAMES = {
    "achieved": "[green]已完成[/green]",
    "on_track": "[green]按序时[/green]",
    "behind": "[yellow]滞后[/yellow]",
    "off_track": "[red]严重滞后[/red]",
    "no_data": "[dim]缺实绩[/dim]",
    "no_baseline": "[dim]缺基期[/dim]",
    "check_data": "[yellow]口径待核[/yellow]",
}
PlanArg = Annotated[str, typer.Argument(help="规划编号 (plan id), 见 plans list", show_default=False)]


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1%}"


def _num(x: Any) -> str:
    return "" if x is None else f"{x:g}"


@plans_app.command("list")
@friendly_errors
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """平台中的规划：内置的与本地添加的，各取当前版本 (the plans in the catalogue)."""
    from industry_brain.plans.service import list_plans

    with boundary(settings_for(db), creates=True) as session:
        plans = list_plans(session)
    if as_json:
        print_json(plans)
        return
    table = Table("编号", "规划", "期限", "指标", "集群", "任务", "版本")
    for p in plans:
        span = f"{p['period']['start']}–{p['period']['end']}"
        table.add_row(
            p["id"], p["title"], span, *(str(p[k]) for k in ("indicators", "clusters", "tasks", "version"))
        )
    out.print(table)


@plans_app.command("show")
@friendly_errors
def show_command(plan_id: PlanArg, db: DbOption = None, as_json: JsonOption = False) -> None:
    """规划的指标、集群和任务 (a plan's indicators, clusters and tasks, with their sources)."""
    from industry_brain.plans.service import show_plan

    with boundary(settings_for(db), creates=True) as session:
        plan = show_plan(session, plan_id=plan_id)
    if as_json:
        print_json(plan)
        return
    out.print(f"[bold]{plan['title']}[/bold]  {plan['id']} v{plan['version']}  来源 {plan['source']['file']}")
    table = Table("编号", "指标", "单位", "基期", "目标", "方向", "责任单位", "口径")
    for i in plan["indicators"]:
        base = i["baseline"]
        target = i["target"]
        table.add_row(
            i["id"],
            i["name"],
            i["unit"],
            "" if base is None else f"{base['year']}: {_num(base['value'])}",
            f"{target['year']}: {_num(target['value'])}",
            i["direction"] + (f"/{i['change']}" if i["change"] else ""),
            "、".join(i["responsible"]),
            i["derive"] or "",
        )
    out.print(table)
    if plan["clusters"]:
        out.print("集群: " + "；".join(f"{c['id']} {c['name']}" for c in plan["clusters"]))
    if plan["tasks"]:
        out.print(f"任务 {len(plan['tasks'])} 项 (tasks; --json lists them)")


@plans_app.command("progress")
@friendly_errors
def progress_command(
    plan_id: PlanArg,
    as_of: Annotated[
        str, typer.Option("--as-of", help="截至期间 YYYY 或 YYYY-MM (as of)", show_default=False)
    ],
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", help="按序时的容差 (on_track when progress ≥ expected − tolerance)"),
    ] = 0.05,
    off_track_share: Annotated[
        float,
        typer.Option("--off-track-share", help="低于序时进度的该比例为严重滞后 (off_track below this share)"),
    ] = 0.5,
    compute: Annotated[
        bool,
        typer.Option("--compute/--no-compute", help="由企业数据计算可计算的指标 (derive from the record)"),
    ] = True,
    unit: Annotated[
        str | None, typer.Option("--unit", help="只看该责任单位的指标，即部门用户所见 (a department's view)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """指标进度：实绩、完成率、进度、序时进度与状态 (each indicator's progress as of a period)."""
    from industry_brain.core.scope import Scope
    from industry_brain.plans.progress import Thresholds
    from industry_brain.plans.service import progress

    settings = settings_for(db)
    thresholds = Thresholds(tolerance=tolerance, off_track_share=off_track_share)
    scope = Scope.system() if unit is None else Scope(role="department", username="cli", unit=unit)
    with boundary(settings) as session:
        require_data(session, settings, actuals=True)
        result = progress(
            session,
            plan_id=plan_id,
            as_of=as_of,
            scope=scope,
            settings=settings,
            thresholds=thresholds,
            compute=compute,
        )
        data = result.to_json()
    if as_json:
        print_json(data)
        return
    _print_progress(data)


def _print_progress(data: dict[str, Any]) -> None:
    out.print(f"[bold]{data['title']}[/bold]  截至 {data['as_of']}")
    if data.get("computed_note"):
        out.print(f"[yellow]{data['computed_note']}[/yellow]")
    table = Table("指标", "单位", "基期", "目标", "实绩", "完成率", "进度", "序时", "状态", "责任单位")
    for r in data["indicators"]:
        actual = r["actual"]
        kind = label(actual["kind"], ACTUAL_KINDS) if actual else ""
        shown = "" if actual is None else f"{_num(actual['value'])}（{actual['period']} {kind}）"
        base = r["baseline"]
        table.add_row(
            r["name"],
            r["unit"],
            "" if base is None else _num(base["value"]),
            f"{_num(r['target']['level'] if r['target']['level'] is not None else r['target']['value'])}",
            shown,
            _pct(r["attainment"]),
            _pct(r["progress"]),
            _pct(r["expected"]),
            STATUS_NAMES[r["status"]],
            "、".join(r["responsible"]),
        )
    out.print(table)
    out.print("  ".join(f"{STATUS_NAMES[s]} {n}" for s, n in data["counts"].items() if n))


@actuals_app.command("import")
@friendly_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="填好的实绩填报表 (.xlsx/.csv)", show_default=False)],
    plan: Annotated[str | None, typer.Option("--plan", help="规划编号；默认取表中的规划编号")] = None,
    by: Annotated[str | None, typer.Option("--by", help="填报人 (who reports); 默认当前系统用户")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="区域指标表没有“期间”列时的期间 YYYY 或 YYYY-MM")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="区域指标表中近似匹配的名称和存疑的数值也录入（已核对）")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """导入责任单位填报的实绩，或统计公报等区域指标表 (import a filled actuals template: all rows
    or none; or a table of area figures matched to the plan's indicators by name)."""
    from industry_brain.plans.actuals import import_actuals
    from industry_brain.plans.area_actuals import is_area_file

    settings = settings_for(db)
    if is_area_file(file):
        _import_area(file, plan=plan, by=by, period=period, yes=yes, settings=settings, as_json=as_json)
        return
    with boundary(settings, creates=True) as session:
        summary = import_actuals(session, path=file, reported_by=by or getpass.getuser(), plan_id=plan)
    data = summary.__dict__
    if as_json:
        print_json(data)
        return
    out.print(
        f"已导入 {summary.file}: 规划 {summary.plan_id}，实绩 {summary.actuals} 条，任务报告 "
        f"{summary.task_reports} 条，空行 {summary.skipped} (batch {summary.batch_id})"
    )


def _import_area(
    file: Path,
    *,
    plan: str | None,
    by: str | None,
    period: str | None,
    yes: bool,
    settings: Any,
    as_json: bool,
) -> None:
    from industry_brain.core.errors import ConfigurationError
    from industry_brain.core.scope import Scope
    from industry_brain.plans.area_actuals import preview, record

    if not plan:
        raise ConfigurationError("区域指标表须用 --plan 指明对照哪个规划的指标")
    with boundary(settings, creates=True) as session:
        rows = preview(session, path=file, plan_id=plan, period=period)
        result = record(
            session, rows=rows, plan_id=plan, reported_by=by or getpass.getuser(), confirmed=yes,
            scope=Scope.system(),
        )  # fmt: skip
    if as_json:
        print_json(result)
        return
    table = Table("行", "表中名称", "对应指标", "匹配", "录入值", "提示")
    how = {"exact": "名称一致", "normalised": "名称等同", "fuzzy": "近似（已确认）", "none": "未匹配"}
    for r in rows:
        table.add_row(
            str(r.row), r.name, r.indicator_name or "—", how[r.match],
            _num(r.recorded) if r.indicator_id else "—", "；".join(r.warnings),
        )  # fmt: skip
    out.print(table)
    out.print(f"已录入 {result['recorded']} 条实绩（规划 {plan}）；未匹配 {len(result['unmatched'])} 行")


@actuals_app.command("template")
@friendly_errors
def template_command(
    plan_id: PlanArg,
    output: Annotated[Path, typer.Option("--output", help="写出的模板文件 (.xlsx/.csv)", show_default=False)],
    period: Annotated[str | None, typer.Option("--period", help="预填的期间 YYYY 或 YYYY-MM")] = None,
    db: DbOption = None,
) -> None:
    """写出规划的实绩填报模板 (write the plan's actuals template)."""
    from industry_brain.plans.actuals import write_template

    with boundary(settings_for(db), creates=True) as session:
        path = write_template(plan_id=plan_id, path=output, period=period, session=session)
    out.print(f"已写出 {path}")


@actuals_app.command("list")
@friendly_errors
def list_actuals_command(
    plan_id: PlanArg,
    indicator: Annotated[str | None, typer.Option("--indicator", help="只看这个指标编号")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """已录入的实绩：谁、何时、来源 (stored actuals: who, when, source)."""
    from industry_brain.plans.actuals import list_actuals

    settings = settings_for(db)
    with boundary(settings) as session:
        rows = list_actuals(session, plan_id=plan_id, indicator_id=indicator)
    if as_json:
        print_json(rows)
        return
    table = Table("指标", "期间", "实绩", "状态", "类别", "来源", "填报单位", "填报人", "时间")
    for r in rows:
        table.add_row(
            r["indicator_id"],
            r["period"],
            _num(r["value"]),
            r["status"] or "",
            r["kind"],
            r["source"],
            r["unit"] or "",
            r["reported_by"] or "",
            f"{r['reported_at']:%Y-%m-%d %H:%M}",
        )
    out.print(table)
