"""Commands: commitments import (the land department's Excel), list, review (达产复核), rectify (整改)."""

from __future__ import annotations

import datetime as dt
import sys
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
    settings_for,
    table,
)
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope

commitments_app = typer.Typer(
    help="标准地承诺：导入、达产复核、整改 (标准地 commitments)", no_args_is_help=True
)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="复核日期 YYYY-MM-DD（默认今天）", show_default=False)
]
ByOption = Annotated[str | None, typer.Option("--by", help="经办人", show_default=False)]


def _day(text: str | None, default: dt.date | None = None) -> dt.date | None:
    if text is None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise IndustryBrainError(f"日期“{text}”无效，应为 YYYY-MM-DD") from None


def _label(key: str) -> str:
    from industry_brain.commitments.importer import COLUMNS

    return next((h for h, (k, _, _) in COLUMNS.items() if k == key), key)


def _print_plan(plan: dict[str, list[dict[str, Any]]]) -> None:
    out.print(f"新增 {len(plan['new'])} 块，变更 {len(plan['changed'])} 块，不变 {len(plan['unchanged'])} 块")
    for p in plan["new"]:
        out.print(f"  新增 {p['parcel_id']}（第 {p['row']} 行）", highlight=False)
    for p in plan["changed"]:
        said = "；".join(f"{_label(k)} {a} → {b}" for k, (a, b) in p["changes"].items())
        out.print(
            f"  变更 {p['parcel_id']}：{said}（原值留存，可在 commitments list --json 中查看）",
            highlight=False,
        )


@commitments_app.command("import")
@friendly_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="自然资源部门的标准地承诺表 (.xlsx)", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", help="不询问，按预览所示导入")] = False,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """预览并导入标准地承诺；变更的承诺保留原值 (import commitments, showing what changes)."""
    from industry_brain.commitments.service import import_commitments

    settings = settings_for(db)
    with boundary(settings, creates=True) as session:
        plan = import_commitments(session, path=file, settings=settings, apply=False)
    if not as_json:
        _print_plan(plan)
    if not yes:
        if not sys.stdin.isatty():
            raise IndustryBrainError("导入承诺需要确认：在终端中运行，或加 --yes")
        if not typer.confirm("确认导入？", default=False):
            out.print("已取消，未作改动")
            raise typer.Exit(1)
    with boundary(settings) as session:
        import_commitments(session, path=file, settings=settings, by=by)
    if as_json:
        print_json(plan)
    else:
        out.print(f"已导入 {file.name}")


@commitments_app.command("list")
@friendly_errors
def list_command(
    year: Annotated[
        int | None, typer.Option("--year", help="达产复核日期所在年份", show_default=False)
    ] = None,
    township: Annotated[
        str | None, typer.Option("--township", help="镇街代码（9 位）", show_default=False)
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """已导入的标准地承诺 (the stored commitments)."""
    from industry_brain.commitments.service import list_commitments

    with boundary(settings_for(db)) as session:
        rows = list_commitments(session, scope=Scope.system(), year=year, township=township)
    if as_json:
        print_json(rows)
        return
    grid = table("地块编号", "企业", "面积（亩）", "亩均产值", "亩均税收", "单位能耗", "达产复核日期")
    for r in rows:
        grid.add_row(
            r["parcel_id"],
            r["name"] or r["credit_code"],
            f"{r['area_mu']:,.1f}",
            *(_n(r[f"committed_{k}"]) for k in ("output_per_mu", "tax_per_mu", "energy_per_wan")),
            r["review_date"],
        )
    out.print(grid)


def _n(v: float | None) -> str:
    return "—" if v is None else f"{v:,.2f}"


@commitments_app.command("review")
@friendly_errors
def review_command(
    as_of: AsOfOption = None,
    year: Annotated[
        int | None, typer.Option("--year", help="比对的数据年度（默认复核日期的上一年）", show_default=False)
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """按日期复核每项承诺并保存结果与依据 (达产复核 as of a date, stored with its trace)."""
    from industry_brain.commitments.service import reviews, run_review

    day = _day(as_of, dt.date.today())
    assert day is not None
    with boundary(settings_for(db)) as session:
        ids = set(run_review(session, as_of=day, by=by, year=year))
        got = [r for r in reviews(session, scope=Scope.system()) if r["id"] in ids]
    if as_json:
        print_json(got)
        return
    out.print(f"复核日期 {day.isoformat()}，共 {len(got)} 块")
    for r in got:
        who = r["name"] or r["credit_code"]
        out.print(f"\n[bold]{r['parcel_id']} {who}[/bold]：{r['result_name']}（复核编号 {r['id']}）")
        for e in r["trace"]["indicators"]:
            mark = "✓" if e["passed"] else "✗" if e["passed"] is False else "?"
            said = (
                e.get("shortfall")
                or f"{e['name']} {_n(e['value'])} {e['unit']}，承诺 {_n(e['required'])} {e['unit']}"
            )
            out.print(f"  {mark} {said}", highlight=False)
            for m in e.get("missing", []):
                out.print(f"    缺少：{m['name']}（由{m['department']}提供）", highlight=False)


@commitments_app.command("rectify")
@friendly_errors
def rectify_command(
    review_id: Annotated[int, typer.Argument(help="复核编号（commitments review 所示）")],
    state: Annotated[
        str, typer.Option("--state", help="整改状态：open in_progress done waived", show_default=False)
    ],
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="整改期限 YYYY-MM-DD", show_default=False)
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="说明", show_default=False)] = None,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """记录未达承诺地块的整改 (record a rectification step on a breach)."""
    from industry_brain.commitments.service import rectify

    with boundary(settings_for(db)) as session:
        step = rectify(
            session,
            review_id=review_id,
            state=state,
            scope=Scope.system(),
            deadline=_day(deadline),
            note=note,
            by=by,
        )
    if as_json:
        print_json(step)
    else:
        out.print(
            f"复核 {review_id}：{step['state_name']}"
            + (f"，期限 {step['deadline']}" if step["deadline"] else "")
        )
