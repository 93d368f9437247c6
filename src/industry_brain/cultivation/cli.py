"""Commands: tiers by year and their movement; pools, candidates, admission, exit, 一企一档."""

from __future__ import annotations

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
from industry_brain.core.scope import Scope

tiers_app = typer.Typer(help="企业梯队 (enterprise tiers)", no_args_is_help=True)
pools_app = typer.Typer(help="培育库：候选、入库、出库、一企一档 (cultivation pools)", no_args_is_help=True)

YearOption = Annotated[int, typer.Option("--year", help="数据年份 (year)", show_default=False)]
ByOption = Annotated[str, typer.Option("--by", help="经办人 (who decides)", show_default=False)]
ReasonOption = Annotated[str, typer.Option("--reason", help="理由 (why)", show_default=False)]
PoolArg = Annotated[str, typer.Argument(help="培育库 id 或名称（pools list 可查）")]
CodeArg = Annotated[str, typer.Argument(help="统一社会信用代码")]


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:,.2f}" if isinstance(v, float) else str(v)


@tiers_app.command("show")
@friendly_errors
def tiers_show_command(year: YearOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    """各梯队企业数 (enterprises per tier in a year)."""
    from industry_brain.cultivation.service import tier_counts

    with boundary(settings_for(db)) as session:
        counts = tier_counts(session, year=year, scope=Scope.system())
    if as_json:
        print_json({"year": year, "tiers": counts})
        return
    table = Table("梯队", "级别", "企业数")
    for c in counts:
        table.add_row(c["name"], c["level"] or ("全部" if c["kind"] == "title" else ""), str(c["count"]))
    out.print(f"{year} 年企业梯队")
    out.print(table)


@tiers_app.command("movement")
@friendly_errors
def tiers_movement_command(
    year_from: Annotated[int, typer.Option("--from", help="起始年份", show_default=False)],
    year_to: Annotated[int, typer.Option("--to", help="对比年份", show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """梯队升降：谁上升、谁下降 (who moved up or down between two years)."""
    from industry_brain.cultivation.service import tier_movement

    with boundary(settings_for(db)) as session:
        rows = tier_movement(session, year_from=year_from, year_to=year_to, scope=Scope.system())
    if as_json:
        print_json({"from": year_from, "to": year_to, "moves": rows})
        return
    table = Table("方向", "企业", "统一社会信用代码", "变化", "从", "到")
    for r in rows:
        arrow = "[green]↑ 上升[/green]" if r["direction"] == "up" else "[red]↓ 下降[/red]"
        kind = "规模" if r["change"] == "size" else "称号"
        table.add_row(
            arrow, r["name"] or "", r["credit_code"], kind, r["from_name"] or "—", r["to_name"] or "—"
        )
    out.print(table)
    ups = sum(1 for r in rows if r["direction"] == "up")
    out.print(f"{year_from}→{year_to}：上升 {ups}，下降 {len(rows) - ups}")


@pools_app.command("list")
@friendly_errors
def pools_list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """培育库及入库标准、在库企业数 (the pools, their criteria and members)."""
    from industry_brain.cultivation.pools import list_pools

    with boundary(settings_for(db)) as session:
        rows = list_pools(session, scope=Scope.system())
    if as_json:
        print_json(rows)
        return
    table = Table("id", "培育库", "在库", "入库标准")
    for r in rows:
        table.add_row(r["id"], r["name"], str(r["members"]), "；".join(r["criteria"]))
    out.print(table)


@pools_app.command("candidates")
@friendly_errors
def pools_candidates_command(
    pool: PoolArg, year: YearOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """自动候选名单：当年满足入库标准的企业 (candidates meeting the criteria)."""
    from industry_brain.cultivation.pools import candidates

    with boundary(settings_for(db)) as session:
        rows = candidates(session, pool=pool, year=year, scope=Scope.system())
    if as_json:
        print_json(rows)
        return
    table = Table(
        "统一社会信用代码", "企业名称", "营业收入(万元)", "产值(万元)", "收入增长", "研发强度", "已入库"
    )
    for r in rows:
        pct = lambda v: "-" if v is None else f"{v:.1%}"  # noqa: E731
        table.add_row(
            r["credit_code"],
            r["name"] or "",
            _num(r["revenue_wan"]),
            _num(r["output_wan"]),
            pct(r["revenue_growth"]),
            pct(r["rd_intensity"]),
            "是" if r["member"] else "",
        )
    out.print(table)
    out.print(f"候选 {len(rows)} 家")


@pools_app.command("admit")
@friendly_errors
def pools_admit_command(
    pool: PoolArg,
    credit_code: CodeArg,
    by: ByOption,
    reason: ReasonOption,
    year: Annotated[
        int | None, typer.Option("--year", help="据以入库的数据年份（可选）", show_default=False)
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """入库：记录经办人、时间、理由 (admit an enterprise to a pool)."""
    from industry_brain.cultivation.pools import admit, membership_dict

    with boundary(settings_for(db)) as session:
        m = membership_dict(
            admit(
                session,
                pool=pool,
                credit_code=credit_code,
                by=by,
                reason=reason,
                year=year,
                scope=Scope.system(),
            )
        )
    if as_json:
        print_json(m)
        return
    out.print(f"{credit_code} 已入{m['pool_name']}（{m['admitted_by']}，{m['admitted_at']}）")


@pools_app.command("exit")
@friendly_errors
def pools_exit_command(
    pool: PoolArg,
    credit_code: CodeArg,
    by: ByOption,
    reason: ReasonOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """出库：记录经办人、时间、理由 (record an enterprise's exit from a pool)."""
    from industry_brain.cultivation.pools import exit_pool, membership_dict

    with boundary(settings_for(db)) as session:
        m = membership_dict(
            exit_pool(session, pool=pool, credit_code=credit_code, by=by, reason=reason, scope=Scope.system())
        )
    if as_json:
        print_json(m)
        return
    out.print(f"{credit_code} 已出{m['pool_name']}（{m['exited_by']}，{m['exited_at']}）")


@pools_app.command("dossier")
@friendly_errors
def pools_dossier_command(
    credit_code: CodeArg,
    output: Annotated[Path, typer.Option("--output", help="输出文件 .docx 或 .xlsx", show_default=False)],
    years: Annotated[int, typer.Option("--years", help="显示最近几年的数据")] = 5,
    db: DbOption = None,
) -> None:
    """一企一档：基本信息、分年度指标、梯队、称号、入出库记录 (one-page enterprise file)."""
    from industry_brain.cultivation.dossier import dossier, write_dossier

    with boundary(settings_for(db)) as session:
        data = dossier(session, credit_code=credit_code, scope=Scope.system(), years=years)
    write_dossier(data, output)
    out.print(f"已写出 {output}")
