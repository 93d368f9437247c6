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
    """已载入的政策：随附政策与本区政策文件 (the policies run here)."""
    from industry_brain.policies.format import catalogue, shipped

    ours = shipped()
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
            "file": p.file,
            "source": "shipped" if ours.get(p.id) is p else "district",
        }
        for p in catalogue().values()
    ]
    if as_json:
        print_json(rows)
        return
    grid = table("政策", "名称", "文号", "有效期", "兑现方式", "条件数", "来源")
    for r in rows:
        grid.add_row(
            r["id"],
            r["name"],
            r["document_no"],
            f"{r['effective_from']} 至 {r['effective_to'] or '长期'}",
            r["payment_mode"],
            str(r["conditions"]),
            "随附" if r["source"] == "shipped" else "本区",
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
    from industry_brain.policies.cases import run_case_file
    from industry_brain.policies.format import read_policy

    p = read_policy(file)
    count, failures = run_case_file(p, cases) if cases is not None else (0, [])
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


@policies_app.command("add")
@friendly_errors
def add_command(
    file: Annotated[Path, typer.Argument(help="本区政策文件（YAML）", show_default=False)],
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="先运行此测试用例文件，全部通过才加入", show_default=False),
    ] = None,
    as_of: AsOfOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="不再询问，直接加入")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """加入本区政策文件：校验、测试、预览影响，确认后放入 policies_dir (add a district policy)."""
    from industry_brain.policies import district

    if as_json and not yes:
        raise IndustryBrainError("--json 须与 --yes 同用（不再询问）")
    settings = settings_for(db)
    district.folder_of(settings)
    draft, count = district.checked(file, cases)
    live = district.replacing(draft)
    day = _day(as_of)
    change = _change_of(settings, draft, day)
    if not as_json:
        was = f"替换现行第 {live.version} 版" if live else "新增政策"
        out.print(f"{file.name}：格式有效，{draft.name}（{draft.id}，第 {draft.version} 版），{was}")
        if cases is not None:
            out.print(f"测试用例 {count} 个，全部通过")
        out.print(change["text"])
    if not yes and not typer.confirm("确认加入？", default=False):
        raise IndustryBrainError("未加入：未确认（可加 --yes）")
    got = district.add(settings=settings, draft=draft, source=file, now=dt.datetime.now())
    got["cases"], got["change"] = count, change["figures"]
    if as_json:
        print_json(got)
        return
    out.print(f"已加入：{got['file']}")
    if got["replaced"]:
        out.print(f"原文件已保存为 {got['replaced']}（放回原处即可恢复）")


def _change_of(settings: Any, draft: Any, day: dt.date) -> dict[str, Any]:
    """What adding the draft changes on `day`, by the sandbox; none told when no data is loaded."""
    from industry_brain.cli.support import NoDatabase
    from industry_brain.policies.sandbox import sandbox

    if not draft.in_force(day):
        return {"text": f"{day.isoformat()} 不在此政策有效期内，暂不影响匹配", "figures": None}
    with boundary(settings) as session:
        try:
            require_data(session, settings)
        except NoDatabase:
            return {"text": "数据库中尚无企业数据，无法预览影响", "figures": None}
        got = sandbox(session, draft=draft, as_of=day, scope=Scope.system())
    c = got["cost"]
    figures = {"gained": len(got["gained"]), "lost": len(got["lost"]), **c}
    text = (
        f"按 {day.isoformat()} 判定：新增符合 {figures['gained']} 家，不再符合 {figures['lost']} 家；"
        f"金额 {_num(c['live_wan'])} → {_num(c['draft_wan'])} 万元（{c['delta_wan']:+,.2f}）"
    )
    return {"text": text, "figures": figures}


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
