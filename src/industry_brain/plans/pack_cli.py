"""Commands: a district's own plans. `plans add` validates a pack file (YAML or the Excel
template) and stores it as a version; `plans remove` / `restore` retire and bring back versions;
`plans versions` lists them; `plans template` writes the Excel template; `plans export` writes a
stored pack back to YAML or Excel (docs/cli-plans.md)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
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
)

pack_app = typer.Typer(no_args_is_help=True)
PlanArg = Annotated[str, typer.Argument(help="规划编号 (plan id), 见 plans list", show_default=False)]
VersionOption = Annotated[int | None, typer.Option("--version", help="只针对这个版本 (one version)", min=1)]
STATE_NAMES = {"draft": "草稿", "published": "已发布", "retired": "已停用", "discarded": "已放弃的草稿"}
ORIGIN_NAMES = {"shipped": "内置", "file": "文件添加", "edited": "页面编辑"}


@pack_app.command("add")
@friendly_errors
def add_command(
    file: Annotated[
        Path, typer.Argument(help="规划包文件 (.yaml 或 plans template 生成的 .xlsx)", show_default=False)
    ],
    draft: Annotated[bool, typer.Option("--draft", help="存为草稿，在规划页面修改后再发布")] = False,
    by: Annotated[str | None, typer.Option("--by", help="添加人；默认当前系统用户")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="替换当前版本时不询问")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """校验规划包并存入数据库 (validate a pack file and store it as a version of its plan).

    不通过校验的文件不作任何改动，并指出行号（YAML）或工作表、行、列（Excel）与原因。"""
    from industry_brain.plans.pack_data import read_pack_file
    from industry_brain.plans.store import add_pack, changes_from_current

    pack = read_pack_file(file)
    with boundary(settings_for(db), creates=True) as session:
        changes = [] if draft else changes_from_current(session, pack)
        # A new current version replaces the targets officials track: shown, and asked.
        if changes and not yes:
            out.print(f"规划 {pack.id} 的新版本将替换当前版本：")
            for line in changes:
                out.print(f"  {line}")
            if not typer.confirm("确认发布为当前版本？", default=False):
                raise typer.Exit(1)
        added = add_pack(session, pack=pack, source_name=file.name, by=by or getpass.getuser(), draft=draft)
    if as_json:
        print_json(vars(added))
        return
    if added.change == "unchanged":
        out.print(f"规划 {added.plan_id} 版本 {added.version} {added.note}，未作改动")
        return
    what = "草稿" if added.state == "draft" else "当前版本"
    previous = f"；原版本 {added.previous} 及其实绩保留" if added.previous else ""
    out.print(
        f"已添加规划 {added.plan_id} 版本 {added.version}（{what}）：{pack.title}，"
        f"{len(pack.indicators)} 项指标、{len(pack.tasks)} 项任务{previous}"
    )
    if added.note:
        out.print(added.note)


@pack_app.command("remove")
@friendly_errors
def remove_command(
    plan_id: PlanArg,
    version: VersionOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="不询问，直接停用")] = False,
    by: Annotated[str | None, typer.Option("--by", help="操作人；默认当前系统用户")] = None,
    db: DbOption = None,
) -> None:
    """停用规划（或其一个版本）：先列出将改变什么再确认；可用 plans restore 恢复 (retire a plan)."""
    from industry_brain.plans.store import retire, retire_preview

    settings = settings_for(db)
    with boundary(settings) as session:
        plan = retire_preview(session, plan_id=plan_id, version=version)
    after = (
        f"当前版本变为 {plan.current_after}"
        if plan.current_after is not None
        else "该规划将不再出现在规划列表、进度与驾驶舱中"
    )
    out.print(
        f"将停用规划 {plan_id} 的版本 {'、'.join(map(str, plan.versions))}：{after}；"
        f"已录入的实绩 {plan.actuals} 条、任务进展 {plan.task_reports} 条保留，不删除"
    )
    if not yes and not typer.confirm("确认停用？", default=False):
        err.print("已取消，未作改动")
        raise typer.Exit(1)
    with boundary(settings) as session:
        retire(session, plan_id=plan_id, version=version, by=by or getpass.getuser())
    out.print(f"已停用；恢复用 industry-brain plans restore {plan_id}")


@pack_app.command("restore")
@friendly_errors
def restore_command(plan_id: PlanArg, version: VersionOption = None, db: DbOption = None) -> None:
    """恢复停用的规划版本（默认最近一次停用的）；--version 为已放弃的草稿时恢复为草稿
    (publish retired versions again, or make a discarded draft the draft again)."""
    from industry_brain.core.scope import Scope
    from industry_brain.plans.drafts import restore_draft
    from industry_brain.plans.store import restore, version_rows

    with boundary(settings_for(db)) as session:
        states = {r.version: r.state for r in version_rows(session, plan_id)}
        if version is not None and states.get(version) == "discarded":
            draft = restore_draft(session, plan_id=plan_id, scope=Scope.system(), version=version)
            said = f"已把规划 {plan_id} 已放弃的草稿恢复为草稿：版本 {draft['version']}"
            said += f"（{draft['note']}）" if draft["note"] else ""
        else:
            restored = restore(session, plan_id=plan_id, version=version)
            said = f"已恢复规划 {plan_id} 的版本 {'、'.join(map(str, restored))}"
    out.print(said)


@pack_app.command("versions")
@friendly_errors
def versions_command(plan_id: PlanArg, db: DbOption = None, as_json: JsonOption = False) -> None:
    """规划的各版本：状态、来源、添加人及按版本录入的实绩数 (every stored version of a plan)."""
    from industry_brain.plans.store import versions

    with boundary(settings_for(db), creates=True) as session:
        rows = versions(session, plan_id=plan_id)
    if as_json:
        print_json(rows)
        return
    table = Table("版本", "状态", "当前", "来源", "文件", "添加人", "添加时间", "实绩", "任务进展")
    for r in rows:
        table.add_row(
            str(r["version"]),
            STATE_NAMES[r["state"]],
            "是" if r["current"] else "",
            ORIGIN_NAMES.get(r["origin"], r["origin"]),
            r["source_name"],
            r["added_by"],
            f"{r['added_at']:%Y-%m-%d %H:%M}",
            str(r["actuals"]),
            str(r["task_reports"]),
        )
    out.print(table)


@pack_app.command("template")
@friendly_errors
def template_command(
    output: Annotated[Path, typer.Option("--output", help="写出的 Excel 文件 (.xlsx)", show_default=False)],
    plan: Annotated[
        str | None, typer.Option("--plan", help="以该规划的当前版本预填（修改后版本号加 1 再添加）")
    ] = None,
    db: DbOption = None,
) -> None:
    """写出规划包 Excel 模板，供不写 YAML 的人员填写后用 plans add 添加 (the Excel pack template)."""
    from industry_brain.plans.pack_excel import write_pack_xlsx

    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter("模板须为 .xlsx 文件", param_hint="--output")
    if plan is None:
        path = write_pack_xlsx(output)
    else:
        from industry_brain.plans.store import current_pack

        with boundary(settings_for(db), creates=True) as session:
            path = write_pack_xlsx(output, current_pack(session, plan))
    out.print(f"已写出 {path}")


@pack_app.command("export")
@friendly_errors
def export_command(
    plan_id: PlanArg,
    output: Annotated[Path, typer.Option("--output", help="写出的文件 (.yaml 或 .xlsx)", show_default=False)],
    db: DbOption = None,
) -> None:
    """把规划的当前版本写成 YAML 或 Excel，可修改后再添加 (a stored plan as a pack file)."""
    from industry_brain.plans.pack_data import pack_yaml
    from industry_brain.plans.pack_excel import write_pack_xlsx
    from industry_brain.plans.store import current_pack

    suffix = output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx"):
        raise typer.BadParameter("须为 .yaml 或 .xlsx 文件", param_hint="--output")
    with boundary(settings_for(db), creates=True) as session:
        pack = current_pack(session, plan_id)
    if suffix == ".xlsx":
        write_pack_xlsx(output, pack)
    else:
        output.write_text(pack_yaml(pack), encoding="utf-8")
    out.print(f"已写出 {output}")


@pack_app.command("publish")
@friendly_errors
def publish_command(plan_id: PlanArg, db: DbOption = None) -> None:
    """发布规划的草稿为当前版本；旧版本及其实绩保留 (publish the plan's draft)."""
    from industry_brain.core.scope import Scope
    from industry_brain.plans.drafts import publish_draft

    with boundary(settings_for(db)) as session:
        done = publish_draft(session, plan_id=plan_id, scope=Scope.system())
    out.print(f"已发布规划 {plan_id} 版本 {done['version']}；原版本及其实绩保留")
