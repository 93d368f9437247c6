"""Commands: list and show evaluation runs, publish (公示), appeal (申诉), review (复核), finalize.
See docs/appeals.md."""

from __future__ import annotations

import datetime as dt
import getpass
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
from industry_brain.core.errors import IndustryBrainError

workflow_app = typer.Typer(help="评价批次的公示、申诉、复核与终审 (publish, appeal, review, finalize)")

ByOption = Annotated[
    str | None,
    typer.Option("--by", help="操作人（企业、镇街或审核人的名称）；默认为当前系统用户", show_default=False),
]


def _user(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers)
        return "unknown"


def _date(text: str, option: str) -> dt.date:
    from industry_brain.evaluation.workflow_common import parse_date

    return parse_date(text, f"{option} ")


def _num(value: float | int | None) -> str:
    if value is None:
        return "空"
    return f"{value:g}" if isinstance(value, float) else str(value)


@workflow_app.command("runs")
@friendly_errors
def runs_command(
    year: Annotated[int | None, typer.Option("--year", help="只列此年度", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出评价批次及其版本和状态 (list evaluation runs)."""
    from industry_brain.evaluation.workflow import STATUS_NAMES, list_runs

    with boundary(settings_for(db)) as session:
        runs = list_runs(session, year=year)
    if as_json:
        print_json([r.to_json() for r in runs])
        return
    if not runs:
        out.print("没有评价批次")
        return
    table = Table("批次", "年度", "方法", "版本", "上一版", "状态", "企业数", "公示截止", "待复核")
    for r in runs:
        table.add_row(
            str(r.run_id),
            str(r.year),
            r.method,
            str(r.version),
            "" if r.parent_id is None else str(r.parent_id),
            STATUS_NAMES.get(r.status, r.status),
            str(r.enterprises),
            "" if r.deadline is None else r.deadline.isoformat(),
            str(r.pending_appeals),
        )
    out.print(table)


@workflow_app.command("show")
@friendly_errors
def show_command(
    run_id: Annotated[int, typer.Argument(help="评价批次号")],
    verify: Annotated[
        bool, typer.Option("--verify", help="用存储的输入和方法快照重算，核对输入哈希和结果")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """显示批次的方法、输入哈希、状态、版本和各档户数 (a run's metadata and grade counts)."""
    from industry_brain.evaluation.cli import GRADE_NAMES
    from industry_brain.evaluation.workflow import STATUS_NAMES, run_info, verify_run

    settings = settings_for(db)
    with boundary(settings) as session:
        info = run_info(session, run_id=run_id)
        check = verify_run(session, run_id=run_id, settings=settings) if verify else None
    if as_json:
        data = info.to_json()
        if check is not None:
            data["verification"] = check.to_json()
        print_json(data)
        if check is not None and not (check.inputs_match and check.results_match):
            raise typer.Exit(1)
        return
    out.print(
        f"[bold]批次 {info.run_id}[/bold]：{info.year} 年，第 {info.version} 版，"
        f"{STATUS_NAMES.get(info.status, info.status)}",
        highlight=False,
    )
    rows = [
        ("方法", f"{info.method}（第 {info.method_version} 版，指纹 {info.method_fingerprint[:12]}）"),
        ("输入来源", info.input_source),
        ("输入哈希", info.input_hash),
        ("计算引擎", info.engine),
        ("上一版", "" if info.parent_id is None else f"批次 {info.parent_id}"),
        ("被取代于", "" if info.superseded_by is None else f"批次 {info.superseded_by}"),
        ("创建", f"{info.created_at:%Y-%m-%d %H:%M} {info.created_by or ''}"),
        ("公示", "" if info.published_at is None else f"{info.published_at:%Y-%m-%d %H:%M}"),
        ("公示截止", "" if info.deadline is None else info.deadline.isoformat()),
        ("终审", "" if info.finalized_at is None else f"{info.finalized_at:%Y-%m-%d %H:%M}"),
        ("待复核申诉", str(info.pending_appeals)),
        ("企业数", str(info.enterprises)),
    ]
    for label, value in rows:
        if value:
            out.print(f"  {label}：{value}", highlight=False)
    for grade, count in info.grades.items():
        out.print(f"  {GRADE_NAMES.get(grade, grade)}：{count} 户", highlight=False)
    if check is not None:
        if check.inputs_match and check.results_match:
            out.print("  核对：输入与哈希一致，重算结果与存储一致", highlight=False)
        else:
            out.print(f"  [red]核对不通过[/red]：{'；'.join(check.differences)}", highlight=False)
            raise typer.Exit(1)


@workflow_app.command("publish")
@friendly_errors
def publish_command(
    run_id: Annotated[int, typer.Argument(help="草稿批次号")],
    deadline: Annotated[
        str, typer.Option("--deadline", help="公示截止日，如 2026-12-20 或 2026/12/20（当天仍可申诉）")
    ],
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """公示一个草稿批次，至截止日 (publish a draft run for 公示)."""
    from industry_brain.evaluation.workflow import publish

    until = _date(deadline, "--deadline")
    with boundary(settings_for(db)) as session:
        info = publish(session, run_id=run_id, deadline=until, user=_user(by), today=dt.date.today())
    if as_json:
        print_json(info.to_json())
        return
    out.print(f"批次 {info.run_id}（{info.year} 年第 {info.version} 版）已公示，截止 {until.isoformat()}")


@workflow_app.command("appeal")
@friendly_errors
def appeal_command(
    run_id: Annotated[int, typer.Argument(help="公示中的批次号")],
    credit_code: Annotated[str, typer.Option("--credit-code", help="申诉企业的统一社会信用代码")],
    field: Annotated[
        str, typer.Option("--field", help="申诉的事实字段，如 tax_wan、land_mu（见 docs/appeals.md）")
    ],
    value: Annotated[float, typer.Option("--value", help="申诉人认为正确的数值（字段的单位）")],
    statement: Annotated[str, typer.Option("--statement", help="申诉理由和依据")],
    attach: Annotated[
        list[Path] | None,
        typer.Option("--attach", help="证明材料（pdf、jpg、png、xlsx、docx），可重复", show_default=False),
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """对公示中批次的一项数据提出申诉 (file an appeal against one figure)."""
    from industry_brain.evaluation.evidence import Evidence
    from industry_brain.evaluation.workflow import file_appeal

    files = []
    for path in attach or []:
        if not path.is_file():
            raise IndustryBrainError(f"--attach：找不到文件 {path}")
        files.append(Evidence(name=path.name, content=path.read_bytes()))
    settings = settings_for(db)
    with boundary(settings) as session:
        appeal = file_appeal(
            session,
            run_id=run_id,
            credit_code=credit_code.strip().upper(),
            field=field.strip(),
            claimed_value=value,
            statement=statement,
            filed_by=_user(by),
            today=dt.date.today(),
            evidence=files,
            settings=settings,
        )
    if as_json:
        print_json(appeal.to_json())
        return
    out.print(
        f"申诉 #{appeal.appeal_id} 已登记：{appeal.name or appeal.credit_code} {appeal.field} "
        f"{_num(appeal.current_value)} → {_num(appeal.claimed_value)}（批次 {appeal.run_id}），待复核",
        highlight=False,
    )


@workflow_app.command("review")
@friendly_errors
def review_command(
    appeal_id: Annotated[int, typer.Argument(help="申诉号")],
    accept: Annotated[
        bool | None,
        typer.Option("--accept/--reject", help="采纳（生成更正后的新版本）或驳回", show_default=False),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="复核理由（采纳的依据或驳回的原因）")] = "",
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """复核申诉：采纳或驳回 (accept or reject an appeal)."""
    from industry_brain.evaluation.workflow import review_appeal

    if accept is None:
        raise typer.BadParameter("须指定 --accept 或 --reject", param_hint="--accept/--reject")
    settings = settings_for(db)
    with boundary(settings) as session:
        outcome = review_appeal(
            session, appeal_id=appeal_id, accept=accept, reviewer=_user(by), reason=reason, settings=settings
        )
    if as_json:
        print_json(outcome.to_json())
        return
    a = outcome.appeal
    if outcome.new_run is None:
        out.print(f"申诉 #{a.appeal_id} 已驳回：{a.review_reason}；批次 {a.run_id} 不变", highlight=False)
        return
    new = outcome.new_run
    out.print(
        f"申诉 #{a.appeal_id} 已采纳：批次 {a.run_id} 由更正后的批次 {new.run_id}"
        f"（第 {new.version} 版）取代，仍公示至 {new.deadline}",
        highlight=False,
    )
    before, after = outcome.before, outcome.after
    if before and after:
        out.print(
            f"  {a.name or a.credit_code}：{before.grade} {_num(before.score)}"
            f" → {after.grade} {_num(after.score)}",
            highlight=False,
        )
    if outcome.carried_over:
        ids = "、".join(f"#{i}" for i in outcome.carried_over)
        out.print(f"  待复核申诉 {ids} 转到批次 {new.run_id}", highlight=False)
    if outcome.correction_batch_id is not None:
        out.print(f"  企业数据已更正：导入批次 {outcome.correction_batch_id}（来源 appeal）", highlight=False)


@workflow_app.command("appeals")
@friendly_errors
def appeals_command(
    run_id: Annotated[int, typer.Argument(help="批次号（列出其所有版本的申诉）")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """列出批次（含其各版本）的申诉及复核结果 (the appeals of a run and its versions)."""
    from industry_brain.evaluation.workflow import APPEAL_STATUS_NAMES, list_appeals

    with boundary(settings_for(db)) as session:
        appeals = list_appeals(session, run_id=run_id)
    if as_json:
        print_json([a.to_json() for a in appeals])
        return
    if not appeals:
        out.print("没有申诉")
        return
    for a in appeals:
        status = APPEAL_STATUS_NAMES.get(a.status, a.status)
        out.print(
            f"[bold]#{a.appeal_id}[/bold] {status}  批次 {a.run_id}（第 {a.run_version} 版） "
            f"{a.name or ''} {a.credit_code}  {a.field}：{_num(a.current_value)} → {_num(a.claimed_value)}",
            highlight=False,
        )
        out.print(f"    申诉：{a.filed_by}，{a.filed_at:%Y-%m-%d %H:%M}：{a.statement}", highlight=False)
        if a.reviewed_at is not None:
            then = f"，生成批次 {a.new_run_id}" if a.new_run_id is not None else ""
            out.print(
                f"    复核：{a.reviewer}，{a.reviewed_at:%Y-%m-%d %H:%M}：{a.review_reason}{then}",
                highlight=False,
            )


@workflow_app.command("finalize")
@friendly_errors
def finalize_command(
    today: Annotated[
        str | None, typer.Option("--today", help="以此日期为今天 YYYY-MM-DD（默认今天）", show_default=False)
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """公示截止且无待复核申诉的批次终审 (finalize runs whose 公示 has ended)."""
    from industry_brain.evaluation.workflow import finalize_due

    day = _date(today, "--today") if today else dt.date.today()
    with boundary(settings_for(db)) as session:
        report = finalize_due(session, today=day)
    if as_json:
        print_json(report.to_json())
        return
    if not report.finalized and not report.blocked:
        out.print(f"{day.isoformat()}：没有到期的公示批次")
    for run_id in report.finalized:
        out.print(f"批次 {run_id} 已终审")
    for b in report.blocked:
        ids = "、".join(f"#{i}" for i in b["pending_appeals"])
        out.print(
            f"批次 {b['run_id']} 公示已于 {b['deadline'].isoformat()} 截止，但申诉 {ids} 尚待复核，暂不终审",
            highlight=False,
        )
