"""Commands: policies list, check (validate a file), match (who qualifies, with why), sandbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from industry_brain.cli.support import (
    DbOption,
    JsonOption,
    boundary,
    friendly_errors,
    out,
    print_json,
    require_data,
    settings_for,
    table,
)
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope

policies_app = typer.Typer(
    help="惠企政策：政策、匹配、免申即享、兑现 (enterprise policies)", no_args_is_help=True
)

PolicyOption = Annotated[
    list[str] | None, typer.Option("--policy", help="政策 id（可多次；默认全部）", show_default=False)
]
CodeOption = Annotated[str | None, typer.Option("--code", help="只看此统一社会信用代码", show_default=False)]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="判定日期 YYYY-MM-DD（默认今天）", show_default=False)
]


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise IndustryBrainError(f"日期“{text}”无效，应为 YYYY-MM-DD") from None


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f}"


@policies_app.command("list")
@friendly_errors
def list_command(as_json: JsonOption = False) -> None:
    """已载入的政策 (the shipped policies)."""
    from industry_brain.policies.format import shipped

    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "version": p.version,
            "name": p.name,
            "document_no": p.document_no,
            "issuer": p.issuer,
            "department": p.department,
            "effective_from": p.effective_from.isoformat(),
            "effective_to": p.effective_to.isoformat() if p.effective_to else None,
            "payment_mode": p.payment_mode,
            "conditions": len(p.conditions),
            "basis": p.basis,
        }
        for p in shipped().values()
    ]
    if as_json:
        print_json(rows)
        return
    grid = table("政策", "名称", "文号", "有效期", "兑现方式", "条件数")
    for r in rows:
        grid.add_row(
            r["id"],
            r["name"],
            r["document_no"],
            f"{r['effective_from']} 至 {r['effective_to'] or '长期'}",
            r["payment_mode"],
            str(r["conditions"]),
        )
    out.print(grid)


@policies_app.command("check")
@friendly_errors
def check_command(
    file: Annotated[Path, typer.Argument(help="政策文件（YAML）", show_default=False)],
    cases: Annotated[
        Path | None, typer.Option("--cases", help="同时运行此测试用例文件（YAML）", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """校验政策文件；不通过时给出行号与原因，退出码 2 (validate a policy file)."""
    from industry_brain.policies.cases import parse_cases, run_cases
    from industry_brain.policies.format import read_policy

    p = read_policy(file)
    failures: list[str] = []
    count = 0
    if cases is not None:
        pid, found = parse_cases(cases.read_text(encoding="utf-8"), cases.name)
        if pid != p.id:
            raise IndustryBrainError(f"{cases.name}: 测试用例属于政策“{pid}”，不是“{p.id}”")
        count = len(found)
        failures = run_cases(p, found)
    if as_json:
        print_json({"file": str(file), "policy": p.id, "valid": True, "cases": count, "failures": failures})
    else:
        out.print(f"{file.name}：格式有效（政策 {p.id}，{len(p.conditions)} 个条件）")
        if cases is not None:
            out.print(f"测试用例 {count} 个，未通过 {len(failures)} 个")
            for f in failures:
                out.print(f"  {f}")
    if failures:
        raise typer.Exit(1)


@policies_app.command("match")
@friendly_errors
def match_command(
    policy: PolicyOption = None,
    code: CodeOption = None,
    as_of: AsOfOption = None,
    result: Annotated[
        list[str] | None,
        typer.Option(
            "--result", help="只看此结果：eligible eligible_zero not_eligible unknown", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """每个企业对每项政策的判定、金额与逐条理由 (who qualifies, why and why not)."""
    from industry_brain.policies.service import chosen, entries, scoped_frame, summary

    day = _day(as_of)
    settings = settings_for(db)
    use = chosen(policy)
    detail = as_json or code is not None
    with boundary(settings) as session:
        require_data(session, settings)
        got = scoped_frame(
            session,
            as_of=day,
            scope=Scope.system(),
            policies=use,
            code=code,
            results=set(result) if result else None,
        )
        # the summary is counted over the frame; traces are built only for what is printed
        found = entries(session, got, policies=use, as_of=day, with_sources=True) if detail else []
    if as_json:
        print_json([{k: v for k, v in e.items() if k != "trace"} | {"trace": e["trace"]} for e in found])
        return
    _print_matches(summary(got, use), found, day)


def _print_matches(counted: list[dict[str, Any]], found: list[dict[str, Any]], day: dt.date) -> None:
    out.print(f"判定日期 {day.isoformat()}")
    grid = table("政策", "符合", "符合但为零", "不符合", "无法判定", "金额（万元）")
    for s in counted:
        grid.add_row(
            s["policy_name"],
            str(s["eligible"]),
            str(s["eligible_zero"]),
            str(s["not_eligible"]),
            str(s["unknown"]),
            _num(s["amount_wan"]),
        )
    out.print(grid)
    for e in found:
        out.print(f"\n[bold]{e['policy_name']}[/bold]：{e['result_name']}  金额 {_num(e['amount_wan'])} 万元")
        for c in e["conditions"]:
            mark = "✓" if c["passed"] else "✗" if c["passed"] is False else "?"
            out.print(f"  {mark} {c['message']}（{c['article']}）", highlight=False)
        for m in e["missing"]:
            out.print(f"  缺少：{m['name']}（由{m['department']}提供）", highlight=False)
